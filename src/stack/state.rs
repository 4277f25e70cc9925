//! What `up` last applied to each service: a hash of its config files, kept in the output folder,
//! so a later `up` knows which running services need a reload.

use std::collections::BTreeMap;
use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// File in the output folder recording the applied hashes.
pub const APPLIED: &str = ".monstack-applied";

/// Service → hash of the config files it runs with.
pub type Applied = BTreeMap<String, String>;

/// Reads the record; a missing or unreadable one is empty (everything counts as changed).
pub fn load(out_dir: &Path) -> Applied {
    std::fs::read_to_string(out_dir.join(APPLIED)).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

/// Writes the record atomically.
pub fn save(out_dir: &Path, applied: &Applied) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(applied).expect("a map of strings serializes");
    crate::fsutil::write_atomic(&out_dir.join(APPLIED), text.as_bytes(), 0o644, false)
}

/// Hash of every file below `out_dir/<dir>` for each of `dirs`, names and contents.
pub fn files_hash(out_dir: &Path, dirs: &[String]) -> String {
    let mut files = Vec::new();
    for dir in dirs {
        collect(&out_dir.join(dir), &mut files);
    }
    files.sort();
    let mut h = Sha256::new();
    for path in files {
        h.update(path.to_string_lossy().as_bytes());
        h.update([0]);
        h.update(std::fs::read(&path).unwrap_or_default());
        h.update([0]);
    }
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// File in the output folder holding the project's random key (0600) for [`secrets_hash`].
pub const KEY: &str = ".monstack-key";

/// The project's key: read from `out_dir`, or made once from the OS's random source.
pub fn key(out_dir: &Path) -> std::io::Result<Vec<u8>> {
    let path = out_dir.join(KEY);
    match std::fs::read(&path) {
        Ok(key) if key.len() == 32 => Ok(key),
        Ok(_) | Err(_) => {
            let key = crate::secrets::random_bytes(32)?;
            crate::fsutil::write_atomic(&path, &key, 0o600, true)?;
            Ok(key)
        }
    }
}

/// A fingerprint of secret file contents, so a changed secret recreates the container that holds
/// a copy. It goes into a container label, which `docker inspect` and cAdvisor's metrics show:
/// keyed with the project's random `key` (HMAC-SHA256), so a weak secret cannot be confirmed by
/// hashing guesses.
pub fn secrets_hash(key: &[u8], contents: &[(String, Vec<u8>)]) -> String {
    let mut h = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    for (path, data) in contents {
        h.update(path.as_bytes());
        h.update(&[0]);
        h.update(data);
        h.update(&[0]);
    }
    h.finalize().into_bytes().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Seconds since the Unix epoch of an RFC 3339 time as Docker and Prometheus write it
/// (`2026-11-24T06:41:58.123Z`, offsets allowed); `None` if it is not one.
pub fn rfc3339_seconds(s: &str) -> Option<i64> {
    Some(rfc3339_nanos(s)?.div_euclid(1_000_000_000) as i64)
}

/// Nanoseconds since the Unix epoch of an RFC 3339 time, fractions of a second kept (Docker and
/// Prometheus write up to nine digits, trailing zeros dropped); `None` if it is not one.
pub fn rfc3339_nanos(s: &str) -> Option<i128> {
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let (clock, offset) = match time.find(['Z', '+', '-']) {
        Some(i) => (&time[..i], &time[i..]),
        None => (time, "Z"),
    };
    let mut c = clock.split(':');
    let (hh, mm) = (c.next()?.parse::<i64>().ok()?, c.next()?.parse::<i64>().ok()?);
    let sec = c.next()?;
    let (ss, frac) = sec.split_once('.').unwrap_or((sec, ""));
    let ss = ss.parse::<i64>().ok()?;
    if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 9 {
        return None;
    }
    let nanos = if frac.is_empty() { 0 } else { frac.parse::<i128>().ok()? * 10i128.pow(9 - frac.len() as u32) };
    let off = if offset == "Z" {
        0
    } else {
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let (oh, om) = offset[1..].split_once(':')?;
        sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60)
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + hh * 3600 + mm * 60 + ss - off;
    Some(i128::from(seconds) * 1_000_000_000 + nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_fingerprints_are_keyed_per_project() {
        let secrets = vec![("/run/secrets/pw".to_owned(), b"hunter2".to_vec())];
        let a = secrets_hash(&[1; 32], &secrets);
        assert_eq!(a, secrets_hash(&[1; 32], &secrets));
        assert_ne!(a, secrets_hash(&[2; 32], &secrets), "another project's key gives another fingerprint");
        // Not the unkeyed hash a guess could be checked against.
        let mut plain = Sha256::new();
        plain.update(b"/run/secrets/pw\0hunter2\0");
        let plain: String = plain.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
        assert_ne!(a, plain);

        let dir = tempfile::tempdir().unwrap();
        let key = key(dir.path()).unwrap();
        assert_eq!(key.len(), 32);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(dir.path().join(KEY)).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(super::key(dir.path()).unwrap(), key, "the key is kept");
    }

    #[test]
    fn parses_docker_and_prometheus_times() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_seconds("2026-11-24T06:41:58.123456789Z"), Some(1_795_502_518));
        assert_eq!(rfc3339_seconds("2026-11-24T07:41:58+01:00"), Some(1_795_502_518));
        assert_eq!(rfc3339_seconds("0001-01-01T00:00:00Z").map(|s| s < 0), Some(true));
        assert_eq!(rfc3339_seconds("garbage"), None);
        assert_eq!(rfc3339_nanos("1970-01-01T00:00:01.5Z"), Some(1_500_000_000));
        assert_eq!(rfc3339_nanos("1970-01-01T00:00:01.000000002Z"), Some(1_000_000_002));
        assert!(rfc3339_nanos("2026-11-25T20:53:22.474262466Z") > rfc3339_nanos("2026-11-25T20:53:22.4742624Z"));
    }
}
