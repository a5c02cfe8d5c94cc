//! The frame encoder: a [`Frame`] back to bytes, losslessly for decoded frames.

use bytes::{BufMut, BytesMut};

use super::{Frame, FrameBody, FrameHeader, Padding, Priority};

impl Frame {
    /// Writes the frame: the header (with the length of the payload as encoded, the flags
    /// and reserved bit as stored) and the payload.
    pub fn encode(&self, dst: &mut BytesMut) {
        let mut payload = BytesMut::new();
        self.body.encode(&mut payload);
        write_header(&self.header, payload.len(), dst);
        dst.put_slice(&payload);
    }

    /// The encoded size.
    pub fn encoded_len(&self) -> usize {
        let mut payload = BytesMut::new();
        self.body.encode(&mut payload);
        super::HEADER_LEN + payload.len()
    }
}

/// Writes a frame header with `length` (truncated to 24 bits) and the rest from `header`.
pub(crate) fn write_header(header: &FrameHeader, length: usize, dst: &mut BytesMut) {
    let length = u32::try_from(length).unwrap_or(u32::MAX) & 0x00ff_ffff;
    dst.put_slice(&length.to_be_bytes()[1..]);
    dst.put_u8(header.kind.0);
    dst.put_u8(header.flags);
    let reserved = if header.reserved { 0x8000_0000 } else { 0 };
    dst.put_u32(reserved | (header.stream & 0x7fff_ffff));
}

fn put_priority(priority: &Priority, dst: &mut BytesMut) {
    let exclusive = if priority.exclusive { 0x8000_0000 } else { 0 };
    dst.put_u32(exclusive | (priority.dependency & 0x7fff_ffff));
    dst.put_u8(priority.weight);
}

/// The pad length byte, then `content` (written by the caller between), then the padding.
fn put_padded(padding: Option<&Padding>, dst: &mut BytesMut, content: impl FnOnce(&mut BytesMut)) {
    // A pad length is one byte: longer padding cannot be expressed and is cut.
    let padding = padding.map(|padding| &padding.bytes[..padding.bytes.len().min(255)]);
    if let Some(padding) = padding {
        dst.put_u8(u8::try_from(padding.len()).unwrap_or(u8::MAX));
    }
    content(dst);
    if let Some(padding) = padding {
        dst.put_slice(padding);
    }
}

impl FrameBody {
    fn encode(&self, dst: &mut BytesMut) {
        match self {
            FrameBody::Data { data, padding } => {
                put_padded(padding.as_ref(), dst, |dst| dst.put_slice(data));
            }
            FrameBody::Headers {
                priority,
                fragment,
                padding,
            } => put_padded(padding.as_ref(), dst, |dst| {
                if let Some(priority) = priority {
                    put_priority(priority, dst);
                }
                dst.put_slice(fragment);
            }),
            FrameBody::Priority(priority) => put_priority(priority, dst),
            FrameBody::RstStream(code) => dst.put_u32(code.0),
            FrameBody::Settings(settings) => {
                for (id, value) in settings {
                    dst.put_u16(id.0);
                    dst.put_u32(*value);
                }
            }
            FrameBody::PushPromise {
                promised,
                fragment,
                padding,
            } => put_padded(padding.as_ref(), dst, |dst| {
                dst.put_u32(promised & 0x7fff_ffff);
                dst.put_slice(fragment);
            }),
            FrameBody::Ping(opaque) => dst.put_slice(opaque),
            FrameBody::GoAway {
                last_stream,
                code,
                debug,
            } => {
                dst.put_u32(last_stream & 0x7fff_ffff);
                dst.put_u32(code.0);
                dst.put_slice(debug);
            }
            FrameBody::WindowUpdate { increment } => dst.put_u32(increment & 0x7fff_ffff),
            FrameBody::Continuation { fragment } => dst.put_slice(fragment),
            FrameBody::Unknown(payload) | FrameBody::Malformed { payload, .. } => {
                dst.put_slice(payload);
            }
        }
    }
}
