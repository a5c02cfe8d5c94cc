//! Encoders: heads and chunked bodies back to bytes.
//!
//! Heads hold only validated bytes (the parser and [`RequestHead::new`] refuse CR, LF and NUL
//! in values and non-tokens in names), so encoding cannot inject a line.

use bytes::{BufMut, BytesMut};

use crate::h1::head::{Fields, RequestHead, ResponseHead};

/// Writes `method SP target SP version CRLF`, the fields and the empty line.
pub fn encode_request_head(head: &RequestHead, dst: &mut BytesMut) {
    dst.reserve(head.method().len() + head.target().len() + 16 + fields_len(head.fields()));
    dst.put_slice(head.method());
    dst.put_u8(b' ');
    dst.put_slice(head.target());
    dst.put_u8(b' ');
    dst.put_slice(head.version().as_str().as_bytes());
    dst.put_slice(b"\r\n");
    encode_fields(head.fields(), dst);
    dst.put_slice(b"\r\n");
}

/// Writes `version SP status SP reason CRLF`, the fields and the empty line.
pub fn encode_response_head(head: &ResponseHead, dst: &mut BytesMut) {
    dst.reserve(head.reason().len() + 16 + fields_len(head.fields()));
    dst.put_slice(head.version().as_str().as_bytes());
    dst.put_u8(b' ');
    let status = head.status();
    dst.put_slice(&[
        b'0' + (status / 100 % 10) as u8,
        b'0' + (status / 10 % 10) as u8,
        b'0' + (status % 10) as u8,
    ]);
    dst.put_u8(b' ');
    dst.put_slice(head.reason());
    dst.put_slice(b"\r\n");
    encode_fields(head.fields(), dst);
    dst.put_slice(b"\r\n");
}

/// Writes a trailer section (fields, then the empty line) after a last chunk.
pub fn encode_trailers(trailers: &Fields, dst: &mut BytesMut) {
    encode_fields(trailers, dst);
    dst.put_slice(b"\r\n");
}

fn encode_fields(fields: &Fields, dst: &mut BytesMut) {
    for field in fields.iter() {
        dst.put_slice(field.name);
        dst.put_slice(b": ");
        dst.put_slice(field.value);
        dst.put_slice(b"\r\n");
    }
}

fn fields_len(fields: &Fields) -> usize {
    fields
        .iter()
        .map(|field| field.name.len() + field.value.len() + 4)
        .sum()
}

/// Writes a body in the chunked coding.
#[derive(Clone, Copy, Debug, Default)]
pub struct ChunkedEncoder {
    finished: bool,
}

impl ChunkedEncoder {
    /// A new encoder.
    pub fn new() -> ChunkedEncoder {
        ChunkedEncoder::default()
    }

    /// Writes one chunk holding `data`. Empty data writes nothing (an empty chunk would end
    /// the body).
    pub fn encode_chunk(&mut self, data: &[u8], dst: &mut BytesMut) {
        if data.is_empty() || self.finished {
            return;
        }
        dst.reserve(data.len() + 20);
        dst.put_slice(format!("{:x}\r\n", data.len()).as_bytes());
        dst.put_slice(data);
        dst.put_slice(b"\r\n");
    }

    /// Writes the last chunk and the trailer section. Later calls write nothing.
    pub fn encode_end(&mut self, trailers: Option<&Fields>, dst: &mut BytesMut) {
        if self.finished {
            return;
        }
        self.finished = true;
        dst.put_slice(b"0\r\n");
        match trailers {
            Some(trailers) => encode_trailers(trailers, dst),
            None => dst.put_slice(b"\r\n"),
        }
    }

    /// Whether the last chunk has been written.
    pub fn is_finished(&self) -> bool {
        self.finished
    }
}
