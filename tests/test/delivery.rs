//! `monstack preview` against what a real Alertmanager sends. Debian's Alertmanager 0.25 (the
//! `prometheus-alertmanager` binary, which the package holding amtool ships) runs on 127.0.0.1
//! with webhook, Slack, PagerDuty and e-mail integrations pointed at sinks of this test on
//! 127.0.0.1; alerts are posted to its API, and every field it delivers must be what `monstack
//! preview --alerts` renders for the same alerts: the webhook's body byte for byte (group key
//! and truncation included), Slack's and PagerDuty's fields, the e-mail's subject and HTML.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::{monstack, require, Project};

/// What the sinks received: (path or `smtp`, body).
type Inbox = Arc<Mutex<Vec<(String, String)>>>;

/// An HTTP server on 127.0.0.1 that answers every POST with 200 and keeps its path and body.
fn http_sink(inbox: Inbox) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let inbox = inbox.clone();
            std::thread::spawn(move || serve_http(stream, &inbox));
        }
    });
    port
}

fn serve_http(stream: TcpStream, inbox: &Inbox) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let path = request_line.split_whitespace().nth(1).unwrap_or("").to_owned();
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line.trim().is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        inbox.lock().unwrap().push((path, String::from_utf8_lossy(&body).into_owned()));
        let mut w = &stream;
        if w.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}").is_err() {
            return;
        }
    }
}

/// An SMTP server on 127.0.0.1 that accepts every message (no TLS, no auth) and keeps it.
fn smtp_sink(inbox: Inbox) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let inbox = inbox.clone();
            std::thread::spawn(move || {
                let mut w = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                let mut say = |text: &str| w.write_all(text.as_bytes()).is_ok();
                say("220 sink ESMTP\r\n");
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
                    let ok = match verb.as_str() {
                        "EHLO" => say("250-sink\r\n250 8BITMIME\r\n"),
                        "DATA" => {
                            say("354 go on\r\n");
                            let mut message = String::new();
                            loop {
                                let mut l = String::new();
                                if reader.read_line(&mut l).unwrap_or(0) == 0 {
                                    return;
                                }
                                if l == ".\r\n" {
                                    break;
                                }
                                message.push_str(l.strip_prefix('.').filter(|_| l.starts_with("..")).unwrap_or(&l));
                            }
                            inbox.lock().unwrap().push(("smtp".to_owned(), message));
                            say("250 kept\r\n")
                        }
                        "QUIT" => {
                            say("221 bye\r\n");
                            return;
                        }
                        _ => say("250 ok\r\n"),
                    };
                    if !ok {
                        return;
                    }
                }
            });
        }
    });
    port
}

/// Alertmanager, killed when dropped.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn rfc3339(t: u64) -> String {
    let days = (t / 86_400) as i64;
    let secs = t % 86_400;
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

/// Decodes quoted-printable text (soft line breaks and `=XX`), lines ending in `\n`.
fn quoted_printable(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace("=\n", "");
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() + 1 {
            if let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..(i + 3).min(b.len())]).unwrap_or(""), 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An e-mail's `Subject` and its HTML part, decoded.
fn mail_parts(message: &str) -> (String, String) {
    let subject = message.lines().find_map(|l| l.strip_prefix("Subject: ")).unwrap_or("").to_owned();
    let start = message.find("Content-Type: text/html").expect("an HTML part");
    let body_start = start + message[start..].find("\r\n\r\n").unwrap() + 4;
    let boundary = message.lines().find_map(|l| l.split("boundary=").nth(1)).unwrap().trim().to_owned();
    let end = body_start + message[body_start..].find(&format!("--{boundary}")).unwrap();
    // The line break before the boundary belongs to the boundary.
    let body = message[body_start..end].strip_suffix("\r\n").unwrap_or(&message[body_start..end]);
    (subject, quoted_printable(body))
}

/// `monstack preview --format json`'s fields, by `integration[index]`.
fn preview_fields(stdout: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let doc: serde_json::Value = serde_json::from_str(stdout).expect("preview's JSON");
    let mut out = BTreeMap::new();
    for n in doc["notifications"].as_array().unwrap() {
        let fields = n["fields"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()));
        out.insert(format!("{}[{}]", n["integration"].as_str().unwrap(), n["index"]), fields.collect());
    }
    out
}

fn field<'a>(fields: &'a BTreeMap<String, String>, name: &str) -> &'a str {
    fields.get(name).map_or_else(|| panic!("the preview lacks `{name}`: {fields:?}"), String::as_str)
}

#[test]
fn previews_agree_with_what_alertmanager_delivers() {
    if !require::tool("prometheus-alertmanager") {
        return;
    }
    let inbox: Inbox = Arc::default();
    let http = http_sink(inbox.clone());
    let smtp = smtp_sink(inbox.clone());
    let web = free_port();
    let p = Project::empty();
    p.write(
        "notify.tmpl",
        r#"{{ define "team.title" }}{{ .Status | toUpper }} {{ .CommonLabels.alertname }} <{{ len .Alerts }}>{{ end }}
{{ define "team.text" }}{{ range .Alerts }}{{ .Labels.instance }}: {{ .Annotations.summary }} & {{ .Status }}
{{ end }}{{ end }}"#,
    );
    p.write(
        "alertmanager.yml",
        &format!(
            r#"route:
  receiver: team
  group_by: [alertname]
  group_wait: 30s
  routes:
    - receiver: team
      matchers: ['severity=~"critical|page"', 'team="db"']
      match: {{env: prod}}
      group_by: [alertname, env]
      continue: true
      routes:
        - receiver: hooks
          match_re: {{service: 'billing|pay.*'}}
          group_by: ['...']
templates: [notify.tmpl]
receivers:
  - name: team
    webhook_configs:
      - url: http://127.0.0.1:{http}/team/webhook
      - url: http://127.0.0.1:{http}/team/webhook-one
        max_alerts: 1
    slack_configs:
      - api_url: http://127.0.0.1:{http}/team/slack
        title: '{{{{ template "team.title" . }}}}'
        text: '{{{{ template "team.text" . }}}}'
    pagerduty_configs:
      - routing_key: not-a-secret
        url: http://127.0.0.1:{http}/team/pagerduty
    email_configs:
      - to: db@example.org
        from: alertmanager@example.org
        smarthost: 127.0.0.1:{smtp}
        require_tls: false
  - name: hooks
    webhook_configs:
      - url: http://127.0.0.1:{http}/hooks/webhook
"#
        ),
    );
    // Alertmanager flushes a new group at once when an alert in it started more than
    // `group_wait` ago, racing the alerts posted after it. So the firing alerts start now (within
    // the 30 s `group_wait`) and the resolved one, which started two hours ago, comes last: its
    // arrival flushes the group with every alert in it.
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let alerts = serde_json::json!([
        {"labels": {"alertname": "DiskFull", "severity": "critical", "team": "db", "env": "prod", "job": "node",
                    "instance": "db2:9100", "mount": "/var/<lib>"},
         "annotations": {"summary": "disk \"full\" <b>soon</b> & more", "description": "line 1\nline 2 — ünïcödé"},
         "startsAt": rfc3339(now), "generatorURL": "http://prom:9090/graph?g0.expr=a%3Eb&x=<y>"},
        {"labels": {"alertname": "DiskFull", "severity": "critical", "team": "db", "env": "prod", "job": "node",
                    "instance": "db1:9100"},
         "annotations": {"summary": "other"},
         "startsAt": rfc3339(now), "generatorURL": "javascript:alert(1)"},
        {"labels": {"alertname": "DiskFull", "severity": "critical", "team": "db", "env": "prod", "job": "node",
                    "instance": "db0:9100"},
         "annotations": {"summary": "was full"},
         "startsAt": rfc3339(now - 7200), "endsAt": rfc3339(now - 3600)},
    ]);
    let hook_alerts = serde_json::json!([
        {"labels": {"alertname": "PaymentsSlow", "severity": "page", "team": "db", "env": "prod",
                    "service": "payments", "le": "0.5"},
         "annotations": {"summary": "p99 over 500ms"}, "startsAt": rfc3339(now - 60)},
    ]);
    p.write("alerts.json", &alerts.to_string());
    p.write("hook-alerts.json", &hook_alerts.to_string());

    let external = "http://am.example:9093";
    let _daemon = Daemon(
        Command::new("prometheus-alertmanager")
            .arg(format!("--config.file={}", p.path().join("alertmanager.yml").display()))
            .arg(format!("--storage.path={}", p.path().join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{web}"))
            .arg(format!("--web.external-url={external}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let post = |body: &str| -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", web)) else { return false };
        let req = format!(
            "POST /api/v2/alerts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let mut reply = String::new();
        s.write_all(req.as_bytes()).is_ok() && s.read_to_string(&mut reply).is_ok() && reply.starts_with("HTTP/1.1 200")
    };
    let body =
        serde_json::to_string(&[alerts.as_array().unwrap().clone(), hook_alerts.as_array().unwrap().clone()].concat())
            .unwrap();
    let started = Instant::now();
    while !post(&body) {
        assert!(started.elapsed() < Duration::from_secs(20), "Alertmanager did not take the alerts within 20 s");
        std::thread::sleep(Duration::from_millis(200));
    }
    let wanted = ["/team/webhook", "/team/webhook-one", "/team/slack", "/team/pagerduty", "smtp", "/hooks/webhook"];
    let started = Instant::now();
    loop {
        let got: Vec<String> = inbox.lock().unwrap().iter().map(|(k, _)| k.clone()).collect();
        if wanted.iter().all(|w| got.iter().any(|g| g == w)) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(45), "after 45 s Alertmanager delivered only {got:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let delivered: BTreeMap<String, String> = inbox.lock().unwrap().iter().cloned().collect();

    let at = rfc3339(now);
    let preview = |receiver: &str, file: &str| {
        let run = monstack(
            p.path(),
            &[
                "preview",
                "--config",
                "alertmanager.yml",
                "--receiver",
                receiver,
                "--alerts",
                file,
                "--at",
                &at,
                "--external-url",
                external,
                "--format",
                "json",
            ],
        );
        run.status(0);
        preview_fields(&run.stdout)
    };
    let team = preview("team", "alerts.json");
    let hooks = preview("hooks", "hook-alerts.json");
    let mut compared = 0;
    let mut differ = Vec::new();
    let mut same = |what: &str, ours: &str, theirs: &str| {
        compared += 1;
        if ours != theirs {
            // Long texts: from a little before where they part.
            let at = ours.char_indices().zip(theirs.chars()).find(|((_, a), b)| a != b).map_or(0, |((i, _), _)| i);
            let from = ours[..at].char_indices().rev().nth(60).map_or(0, |(i, _)| i);
            let cut = |t: &str| t.get(from..).unwrap_or(t).chars().take(200).collect::<String>();
            differ.push(format!(
                "{what} (from byte {from})\n  monstack:     {:?}\n  alertmanager: {:?}",
                cut(ours),
                cut(theirs)
            ));
        }
    };

    same("webhook[0]", field(&team["webhook[0]"], "payload"), delivered["/team/webhook"].trim_end());
    same("webhook[1] (max_alerts 1)", field(&team["webhook[1]"], "payload"), delivered["/team/webhook-one"].trim_end());
    same("hooks webhook[0]", field(&hooks["webhook[0]"], "payload"), delivered["/hooks/webhook"].trim_end());

    let slack: serde_json::Value = serde_json::from_str(&delivered["/team/slack"]).unwrap();
    let attachment = &slack["attachments"][0];
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
    for (name, theirs) in [
        ("username", text(&slack["username"])),
        ("icon_emoji", text(&slack["icon_emoji"])),
        ("icon_url", text(&slack["icon_url"])),
        ("color", text(&attachment["color"])),
        ("title", text(&attachment["title"])),
        ("title_link", text(&attachment["title_link"])),
        ("pretext", text(&attachment["pretext"])),
        ("text", text(&attachment["text"])),
        ("fallback", text(&attachment["fallback"])),
        ("callback_id", text(&attachment["callback_id"])),
        ("footer", text(&attachment["footer"])),
    ] {
        let ours = team["slack[0]"].get(name).cloned().unwrap_or_default();
        same(&format!("slack.{name}"), &ours, &theirs);
    }

    let pd: serde_json::Value = serde_json::from_str(&delivered["/team/pagerduty"]).unwrap();
    let details = &pd["payload"]["custom_details"];
    for (name, theirs) in [
        ("description", text(&pd["payload"]["summary"])),
        ("client", text(&pd["client"])),
        ("client_url", text(&pd["client_url"])),
        ("details.firing", text(&details["firing"])),
        ("details.resolved", text(&details["resolved"])),
        ("details.num_firing", text(&details["num_firing"])),
        ("details.num_resolved", text(&details["num_resolved"])),
    ] {
        let ours = team["pagerduty[0]"].get(name).cloned().unwrap_or_default();
        same(&format!("pagerduty.{name}"), &ours, &theirs);
    }

    let (subject, html) = mail_parts(&delivered["smtp"]);
    same("email.headers.Subject", field(&team["email[0]"], "headers.Subject"), &subject);
    same("email.html", field(&team["email[0]"], "html"), &html);

    require::say(&format!(
        "preview vs a delivering Alertmanager 0.25: {}/{compared} fields agree",
        compared - differ.len()
    ));
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
