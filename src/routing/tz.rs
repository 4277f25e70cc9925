//! Time zones as Go's `time.LoadLocation` finds them: the system's TZif files under
//! `/usr/share/zoneinfo` (or `$ZONEINFO`), read by a small TZif reader with the POSIX TZ footer
//! that versions 2+ carry for instants past the last transition. No network, no bundled database.

use std::path::PathBuf;

/// A loaded time zone: UTC offsets by instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    /// The name it was loaded by (`UTC`, `Europe/Berlin`, `Local`).
    pub name: String,
    transitions: Vec<i64>,
    /// Index into `offsets` in effect from each transition on.
    kinds: Vec<usize>,
    /// `(utc offset in seconds, is dst)` of each local time type.
    offsets: Vec<(i32, bool)>,
    footer: Option<Posix>,
}

/// Folders Go searches after `$ZONEINFO`, in its order.
const DIRS: &[&str] = &["/usr/share/zoneinfo/", "/usr/share/lib/zoneinfo/", "/usr/lib/locale/TZ/", "/etc/zoneinfo/"];

impl Zone {
    /// Coordinated Universal Time.
    pub fn utc() -> Zone {
        Zone { name: "UTC".into(), transitions: Vec::new(), kinds: Vec::new(), offsets: vec![(0, false)], footer: None }
    }

    /// The zone `name`, as `time.LoadLocation(name)` resolves it; `Err` words why not.
    pub fn load(name: &str) -> Result<Zone, String> {
        if name.is_empty() || name == "UTC" {
            return Ok(Zone::utc());
        }
        if name == "Local" {
            let mut zone = match std::env::var("TZ") {
                Ok(tz) if tz.is_empty() => Zone::utc(),
                Ok(tz) => Zone::load(tz.trim_start_matches(':')).unwrap_or_else(|_| Zone::utc()),
                Err(_) => std::fs::read("/etc/localtime").ok().and_then(|b| parse(&b)).unwrap_or_else(Zone::utc),
            };
            zone.name = "Local".into();
            return Ok(zone);
        }
        // As Go: no absolute names, no `..`, no backslashes, so a name cannot reach other files.
        if name.starts_with('/') || name.contains('\\') || name.split('/').any(|p| p == "..") || name.len() > 255 {
            return Err(format!("time: invalid location name {name:?}"));
        }
        let mut dirs: Vec<PathBuf> = std::env::var_os("ZONEINFO").map(PathBuf::from).into_iter().collect();
        dirs.extend(DIRS.iter().map(PathBuf::from));
        for dir in dirs {
            let Ok(bytes) = std::fs::read(dir.join(name)) else { continue };
            return match parse(&bytes) {
                Some(mut zone) => {
                    zone.name = name.to_owned();
                    Ok(zone)
                }
                None => Err(format!("time: invalid time zone file for {name:?}")),
            };
        }
        Err(format!("unknown time zone {name}"))
    }

    /// The UTC offset in seconds at the instant `t` (Unix seconds).
    pub fn offset_at(&self, t: i64) -> i32 {
        if self.transitions.is_empty() || t < self.transitions[0] {
            if let (Some(footer), true) = (&self.footer, self.transitions.is_empty()) {
                return footer.offset_at(t);
            }
            return self.first_offset();
        }
        let i = self.transitions.partition_point(|&x| x <= t) - 1;
        if i == self.transitions.len() - 1 {
            if let Some(footer) = &self.footer {
                return footer.offset_at(t);
            }
        }
        self.offsets.get(self.kinds[i]).map_or(0, |o| o.0)
    }

    /// Before the first transition: the first standard-time type, as Go's `lookupFirstZone`.
    fn first_offset(&self) -> i32 {
        self.offsets.iter().find(|o| !o.1).or(self.offsets.first()).map_or(0, |o| o.0)
    }

    /// The instant of local wall-clock seconds `local` (as if UTC), resolved as Go's `time.Date`
    /// does: the offset in effect at `local`, unless that puts the instant under another offset.
    pub fn from_local(&self, local: i64) -> i64 {
        let offset = i64::from(self.offset_at(local));
        let utc = local - offset;
        let actual = i64::from(self.offset_at(utc));
        if actual == offset {
            utc
        } else {
            local - actual
        }
    }
}

fn be32(b: &[u8], at: usize) -> Option<i64> {
    Some(i64::from(i32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?)))
}

fn be64(b: &[u8], at: usize) -> Option<i64> {
    Some(i64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Reads a TZif file (RFC 8536); `None` when it is not one.
fn parse(b: &[u8]) -> Option<Zone> {
    let header = |at: usize| -> Option<[usize; 6]> {
        if b.get(at..at + 4)? != b"TZif" {
            return None;
        }
        let mut counts = [0usize; 6];
        for (i, c) in counts.iter_mut().enumerate() {
            *c = usize::try_from(be32(b, at + 20 + 4 * i)?).ok()?;
        }
        Some(counts)
    };
    let version = *b.get(4)?;
    let [isut, isstd, leap, time, types, chars] = header(0)?;
    let (mut at, wide) = (44, version >= b'2');
    let counts = if wide {
        at += time * 5 + types * 6 + chars + leap * 8 + isstd + isut;
        let c = header(at)?;
        at += 44;
        c
    } else {
        [isut, isstd, leap, time, types, chars]
    };
    let [isut, isstd, leap, time, types, chars] = counts;
    let size = if wide { 8 } else { 4 };
    let mut transitions = Vec::with_capacity(time.min(b.len()));
    for i in 0..time {
        transitions.push(if wide { be64(b, at + i * 8)? } else { be32(b, at + i * 4)? });
    }
    at += time * size;
    let kinds: Vec<usize> = b.get(at..at + time)?.iter().map(|&k| usize::from(k)).collect();
    at += time;
    let mut offsets = Vec::with_capacity(types);
    for i in 0..types {
        let o = at + i * 6;
        offsets.push((i32::try_from(be32(b, o)?).ok()?, *b.get(o + 4)? != 0));
    }
    if types == 0 || kinds.iter().any(|&k| k >= types) {
        return None;
    }
    at += types * 6 + chars + leap * (size + 4) + isstd + isut;
    let footer = if wide {
        b.get(at..).and_then(|rest| {
            let text = std::str::from_utf8(rest).ok()?.strip_prefix('\n')?;
            Posix::parse(text.split('\n').next()?)
        })
    } else {
        None
    };
    Some(Zone { name: String::new(), transitions, kinds, offsets, footer })
}

/// A POSIX TZ rule (`CET-1CEST,M3.5.0,M10.5.0/3`): offsets east of UTC, in seconds.
#[derive(Debug, Clone, PartialEq)]
struct Posix {
    std: i64,
    dst: Option<(i64, Rule, i64, Rule, i64)>,
}

/// When daylight saving time starts or ends in a year.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    /// `Jn`: day 1–365, February 29th never counted.
    Julian(i64),
    /// `n`: day 0–365, counting February 29th.
    Day(i64),
    /// `Mm.w.d`: weekday `d` (0 = Sunday) of week `w` (5 = last) of month `m`.
    Month(u32, i64, i64),
}

struct Cursor<'a>(&'a str);

impl Cursor<'_> {
    fn name(&mut self) -> Option<()> {
        let s = self.0;
        let end = if let Some(rest) = s.strip_prefix('<') {
            rest.find('>')? + 2
        } else {
            s.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(s.len())
        };
        (end >= 3).then(|| self.0 = &s[end..])
    }

    fn number(&mut self) -> Option<i64> {
        let end = self.0.find(|c: char| !c.is_ascii_digit()).unwrap_or(self.0.len());
        let n = self.0[..end].parse().ok()?;
        self.0 = &self.0[end..];
        Some(n)
    }

    fn eat(&mut self, c: char) -> bool {
        self.0.strip_prefix(c).map(|rest| self.0 = rest).is_some()
    }

    /// `[+-]hh[:mm[:ss]]` in seconds, as written (POSIX offsets are west of UTC).
    fn seconds(&mut self) -> Option<i64> {
        let sign = if self.eat('-') {
            -1
        } else {
            self.eat('+');
            1
        };
        // RFC 8536 allows hours up to 167 in rule times; anything larger is not a zone.
        let mut total = Some(self.number()?).filter(|h| *h <= 167)? * 3600;
        if self.eat(':') {
            total += Some(self.number()?).filter(|m| *m < 60)? * 60;
            if self.eat(':') {
                total += Some(self.number()?).filter(|s| *s < 60)?;
            }
        }
        Some(sign * total)
    }

    fn rule(&mut self) -> Option<(Rule, i64)> {
        let rule = if self.eat('J') {
            Rule::Julian(Some(self.number()?).filter(|n| (1..=365).contains(n))?)
        } else if self.eat('M') {
            let m = self.number()?;
            self.eat('.').then_some(())?;
            let w = Some(self.number()?).filter(|w| (1..=5).contains(w))?;
            self.eat('.').then_some(())?;
            let d = Some(self.number()?).filter(|d| (0..=6).contains(d))?;
            Rule::Month(u32::try_from(m).ok().filter(|m| (1..=12).contains(m))?, w, d)
        } else {
            Rule::Day(Some(self.number()?).filter(|n| (0..=365).contains(n))?)
        };
        let time = if self.eat('/') { self.seconds()? } else { 7200 };
        Some((rule, time))
    }
}

impl Posix {
    fn parse(text: &str) -> Option<Posix> {
        let mut c = Cursor(text);
        c.name()?;
        let std = -c.seconds()?;
        if c.0.is_empty() {
            return Some(Posix { std, dst: None });
        }
        c.name()?;
        let dst = if c.0.is_empty() || c.0.starts_with(',') { std + 3600 } else { -c.seconds()? };
        let ((start, start_time), (end, end_time)) = if c.eat(',') {
            let start = c.rule()?;
            c.eat(',').then_some(())?;
            (start, c.rule()?)
        } else {
            // Go's default for a zone with daylight saving time and no rule: the US rule.
            ((Rule::Month(3, 2, 0), 7200), (Rule::Month(11, 1, 0), 7200))
        };
        c.0.is_empty().then_some(Posix { std, dst: Some((dst, start, start_time, end, end_time)) })
    }

    fn offset_at(&self, t: i64) -> i32 {
        let Some((dst, start, start_time, end, end_time)) = self.dst else { return self.std as i32 };
        let (year, _, _) = crate::syntax::date::civil_from_days((t + self.std).div_euclid(86_400));
        // Transitions happen at local wall-clock times: the start in standard time, the end in
        // daylight saving time.
        let begins = rule_day(start, year) * 86_400 + start_time - self.std;
        let ends = rule_day(end, year) * 86_400 + end_time - dst;
        let summer = if begins < ends { begins <= t && t < ends } else { !(ends <= t && t < begins) };
        (if summer { dst } else { self.std }) as i32
    }
}

fn leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Unix day of `rule` in `year`.
fn rule_day(rule: Rule, year: i64) -> i64 {
    let jan1 = crate::syntax::date::days_from_civil(year, 1, 1);
    match rule {
        Rule::Julian(n) => jan1 + n - 1 + i64::from(leap(year) && n >= 60),
        Rule::Day(n) => jan1 + n,
        Rule::Month(m, w, d) => {
            let first = crate::syntax::date::days_from_civil(year, m, 1);
            let weekday = (first + 4).rem_euclid(7);
            let mut day = first + (d - weekday).rem_euclid(7) + (w - 1) * 7;
            let next = if m == 12 {
                crate::syntax::date::days_from_civil(year + 1, 1, 1)
            } else {
                crate::syntax::date::days_from_civil(year, m + 1, 1)
            };
            while day >= next {
                day -= 7;
            }
            day
        }
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn posix_rules() {
        let berlin = Posix::parse("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        // 2040-07-01T00:00:00Z: summer; 2040-01-01: winter.
        assert_eq!(berlin.offset_at(2_224_713_600), 7200);
        assert_eq!(berlin.offset_at(2_208_988_800), 3600);
        // 2040-03-25T01:00:00Z is the last Sunday of March at 02:00 CET: the switch.
        assert_eq!(berlin.offset_at(2_216_250_000 - 1), 3600);
        assert_eq!(berlin.offset_at(2_216_250_000), 7200);
        let sydney = Posix::parse("AEST-10AEDT,M10.1.0,M4.1.0/3").unwrap();
        assert_eq!(sydney.offset_at(2_208_988_800), 39_600);
        assert_eq!(sydney.offset_at(2_224_713_600), 36_000);
        assert_eq!(Posix::parse("<+0530>-5:30").unwrap().offset_at(0), 19_800);
        assert!(Posix::parse("garbage").is_none());
        for hostile in [
            "CET-1CEST,M3.99999999999999.0,M10.5.0",
            "CET-99999999999999999CEST",
            "CET-1CEST,J0,J400",
            "CET-1CEST,M3.5.9,M10.5.0/3",
        ] {
            assert!(Posix::parse(hostile).is_none(), "{hostile}");
        }
    }

    #[test]
    fn system_zones() {
        if !std::path::Path::new("/usr/share/zoneinfo/Europe/Berlin").exists() {
            return;
        }
        let berlin = Zone::load("Europe/Berlin").unwrap();
        // 2026-11-25T12:00:00Z winter, 2026-07-01T12:00:00Z summer, and far past the table.
        assert_eq!(berlin.offset_at(1_795_608_000), 3600);
        assert_eq!(berlin.offset_at(1_782_907_200), 7200);
        assert_eq!(berlin.offset_at(4_118_000_000), 7200);
        let ny = Zone::load("America/New_York").unwrap();
        assert_eq!(ny.offset_at(1_795_608_000), -18_000);
        // 2026-03-08 02:30 does not exist in New York; Go's time.Date takes the offset after the gap.
        let local = crate::syntax::date::days_from_civil(2026, 3, 8) * 86_400 + 2 * 3600 + 1800;
        assert_eq!(ny.from_local(local) - local, 4 * 3600, "01:30 EST, as Go's time.Date picks");
        assert!(Zone::load("Mars/Olympus").unwrap_err().contains("unknown time zone"));
        assert!(Zone::load("../etc/passwd").is_err());
        assert_eq!(Zone::load("UTC").unwrap().offset_at(0), 0);
    }
}
