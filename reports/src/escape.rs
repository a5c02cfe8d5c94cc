//! Bytes as text: the escaping every report field holding wire bytes uses, the same as
//! `tollgate inspect --escaped` reads, so an excerpt can be pasted back into `inspect`.

use std::fmt::Write as _;

/// Escapes `bytes`: `\r` `\n` `\t` `\\` `\0` and `\xHH` for every byte outside printable ASCII;
/// printable ASCII stands for itself. The result is ASCII, one line, and reversible.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &byte in bytes {
        match byte {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\\' => out.push_str("\\\\"),
            0 => out.push_str("\\0"),
            0x20..=0x7e => out.push(char::from(byte)),
            _ => {
                let _ = write!(out, "\\x{byte:02x}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_bytes;

    #[test]
    fn escapes_every_byte_outside_printable_ascii() {
        assert_eq!(
            escape_bytes(b"GET / HTTP/1.1\r\n\tx\\\0\x01\x7f\xff"),
            "GET / HTTP/1.1\\r\\n\\tx\\\\\\0\\x01\\x7f\\xff"
        );
        let all: Vec<u8> = (0..=255).collect();
        assert!(
            escape_bytes(&all)
                .bytes()
                .all(|b| (0x20..0x7f).contains(&b))
        );
    }
}
