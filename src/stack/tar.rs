//! A minimal ustar writer: enough to copy secret files into a container with an owner and mode,
//! which a bind mount cannot give a file owned by the host user.

/// A tar archive holding `files` (path without leading `/`, contents), owned by `uid:gid`.
pub fn archive<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>, uid: u32, gid: u32, mode: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for (path, data) in files {
        out.extend_from_slice(&header(path.trim_start_matches('/'), data.len(), uid, gid, mode));
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

fn octal(field: &mut [u8], value: u64) {
    let text = format!("{value:0width$o}", width = field.len() - 1);
    field[..text.len()].copy_from_slice(text.as_bytes());
}

fn header(path: &str, size: usize, uid: u32, gid: u32, mode: u32) -> [u8; 512] {
    let mut h = [0u8; 512];
    // Long paths go in the ustar prefix field, split at a `/`.
    let (prefix, name) = if path.len() > 100 {
        let split = path[..path.len().min(155)].rfind('/').unwrap_or(0);
        (&path[..split], &path[split + 1..])
    } else {
        ("", path)
    };
    let name = &name.as_bytes()[..name.len().min(100)];
    h[..name.len()].copy_from_slice(name);
    octal(&mut h[100..108], u64::from(mode));
    octal(&mut h[108..116], u64::from(uid));
    octal(&mut h[116..124], u64::from(gid));
    octal(&mut h[124..136], size as u64);
    octal(&mut h[136..148], 0);
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    let prefix = &prefix.as_bytes()[..prefix.len().min(155)];
    h[345..345 + prefix.len()].copy_from_slice(prefix);
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
    let text = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(text.as_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_layout() {
        let tar = archive([("run/secrets/pw", b"hunter2".as_slice())], 65534, 65534, 0o400);
        assert_eq!(tar.len(), 512 + 512 + 1024);
        assert_eq!(&tar[..14], b"run/secrets/pw");
        assert_eq!(&tar[100..107], b"0000400");
        assert_eq!(&tar[108..115], b"0177776");
        assert_eq!(&tar[512..519], b"hunter2");
        let stored: u32 = u32::from_str_radix(std::str::from_utf8(&tar[148..154]).unwrap(), 8).unwrap();
        let mut h = tar[..512].to_vec();
        h[148..156].copy_from_slice(b"        ");
        assert_eq!(stored, h.iter().map(|b| u32::from(*b)).sum::<u32>());
    }
}
