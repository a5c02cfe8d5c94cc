//! The frame encoder: a [`Frame`] back to bytes, losslessly for decoded frames.

use bytes::{BufMut, BytesMut};

use super::{Frame, FrameBody, FrameHeader, Padding, Priority};

impl Frame {
    /// Writes the frame: the header (with the length of the payload as encoded, the flags
    /// and reserved bit as stored) and the payload.
    pub fn encode(&self, dst: &mut BytesMut) {
        let length = self.body.encoded_len();
        dst.reserve(super::HEADER_LEN + length);
        write_header(&self.header, length, dst);
        self.body.encode(dst);
    }

    /// The encoded size.
    pub fn encoded_len(&self) -> usize {
        super::HEADER_LEN + self.body.encoded_len()
    }

    /// The payload size as encoded (after a repair, it may differ from `header.length`).
    pub fn payload_len(&self) -> u32 {
        u32::try_from(self.body.encoded_len()).unwrap_or(u32::MAX)
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

/// The payload size of a padded frame: pad length byte, content, padding (cut at 255).
fn padded_len(padding: Option<&Padding>, content: usize) -> usize {
    padding.map_or(0, |padding| 1 + padding.bytes.len().min(255)) + content
}

impl FrameBody {
    /// The payload size [`FrameBody::encode`] writes.
    fn encoded_len(&self) -> usize {
        const PRIORITY_LEN: usize = 5;
        match self {
            FrameBody::Data { data, padding } => padded_len(padding.as_ref(), data.len()),
            FrameBody::Headers {
                priority,
                fragment,
                padding,
            } => padded_len(
                padding.as_ref(),
                priority.map_or(0, |_| PRIORITY_LEN) + fragment.len(),
            ),
            FrameBody::Priority(_) => PRIORITY_LEN,
            FrameBody::RstStream(_) | FrameBody::WindowUpdate { .. } => 4,
            FrameBody::Settings(settings) => 6 * settings.len(),
            FrameBody::PushPromise {
                fragment, padding, ..
            } => padded_len(padding.as_ref(), 4 + fragment.len()),
            FrameBody::Ping(_) => 8,
            FrameBody::GoAway { debug, .. } => 8 + debug.len(),
            FrameBody::Continuation { fragment } => fragment.len(),
            FrameBody::Unknown(payload) | FrameBody::Malformed { payload, .. } => payload.len(),
        }
    }

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
