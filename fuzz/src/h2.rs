//! What the HTTP/2 fuzz targets share: policies, the frame decoding loop over split reads,
//! the one place where re-encoding a decoded frame is allowed to differ from its bytes, and
//! the checks of a byte stream meant for `h2`.
//!
//! # Input layout
//!
//! Like the head targets, the HTTP/2 targets read a configuration byte, then a read pattern
//! byte (see [`crate::reads`]), then (`h2_guard` only) a timing byte, then the payload. Each
//! target documents its configuration bits; [`policy`] is how they pick a policy.
//! `fuzz/seeds/generate.sh` writes the hand-made seeds in this layout.

use std::collections::VecDeque;

use bytes::BytesMut;
use tollgate_codecs::h2::frame::{
    CLIENT_PREFACE, DEFAULT_MAX_FRAME_SIZE, Frame, FrameBody, FrameDecoder, FrameError, FrameType,
    HEADER_LEN, Preface, SettingId, flags,
};
use tollgate_codecs::h2::hpack;
use tollgate_codecs::{Action, Deviation, Policy, Preset, Side};

/// A policy for three configuration bits: 0 strict, 1 default, 2 lenient, 3 every HTTP/2
/// deviation repaired where it can be, 4 every one accepted where it can be (repaired
/// otherwise), 5–7 default.
pub fn policy(choice: u8) -> Policy {
    match choice & 7 {
        0 => Policy::preset(Preset::Strict),
        2 => Policy::preset(Preset::Lenient),
        3 => every_h2(&[Action::Repair]),
        4 => every_h2(&[Action::Accept, Action::Repair]),
        _ => Policy::default(),
    }
}

/// The default policy with each HTTP/2 deviation set, on both sides, to the first of
/// `actions` its catalogue entry supports.
fn every_h2(actions: &[Action]) -> Policy {
    let mut policy = Policy::default();
    for &deviation in Deviation::ALL {
        if !deviation.id().starts_with("h2.") {
            continue;
        }
        if let Some(&action) = actions
            .iter()
            .find(|action| deviation.info().supports_any(**action))
        {
            for side in [Side::Client, Side::Origin] {
                // Supported for one kind of message at least: never an error.
                let _ = policy.set(side, deviation, action);
            }
        }
    }
    policy
}

/// `data` cut into reads of the sizes in `reads`, the rest in one last read (none when empty).
pub fn pieces<'a>(data: &'a [u8], reads: &[usize]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    let mut rest = data;
    for &size in reads {
        if rest.is_empty() {
            break;
        }
        let (piece, tail) = rest.split_at(size.min(rest.len()));
        if !piece.is_empty() {
            pieces.push(piece);
        }
        rest = tail;
    }
    if !rest.is_empty() {
        pieces.push(rest);
    }
    pieces
}

/// One decoded frame and where its bytes lie in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    /// Offset of the frame's first byte.
    pub start: u64,
    /// Offset just past its last byte.
    pub end: u64,
    /// The frame.
    pub frame: Frame,
}

/// What a frame decoder made of a whole input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The frames, in order.
    pub frames: Vec<Located>,
    /// The error that stopped the decoder, `decode_eof`'s included.
    pub error: Option<FrameError>,
    /// Bytes consumed.
    pub consumed: u64,
}

/// Decodes `input` with a fresh decoder, handing it the reads in `reads` (the rest in one last
/// read) and calling `decode_eof` once it is all in.
pub fn decode_frames(
    input: &[u8],
    preface: Preface,
    max_frame_size: u32,
    reads: &[usize],
) -> Decoded {
    let mut decoder = FrameDecoder::new(preface);
    decoder.set_max_frame_size(max_frame_size);
    let mut buf = BytesMut::new();
    let mut pieces = pieces(input, reads).into_iter();
    let mut frames = Vec::new();
    let mut error = None;
    loop {
        let more = pieces.len() > 0;
        let result = if more {
            decoder.decode(&mut buf)
        } else {
            decoder.decode_eof(&mut buf)
        };
        match result {
            Ok(Some(frame)) => {
                let end = decoder.offset();
                // Not the offset before the call: that may be the preface's.
                let start = end - HEADER_LEN as u64 - u64::from(frame.header.length);
                frames.push(Located { start, end, frame });
            }
            Ok(None) => match pieces.next() {
                Some(piece) => buf.extend_from_slice(piece),
                None => {
                    assert!(buf.is_empty(), "decode_eof left {} bytes", buf.len());
                    break;
                }
            },
            Err(stop) => {
                error = Some(stop);
                break;
            }
        }
    }
    Decoded {
        frames,
        error,
        consumed: decoder.offset(),
    }
}

/// Where in a frame's bytes the decoder drops a reserved bit that the encoder then writes as
/// zero: the bit above the promised stream of PUSH_PROMISE, the last stream of GOAWAY and the
/// increment of WINDOW_UPDATE (`FrameBody` has no field for them). The index of that byte.
pub fn dropped_reserved_bit(frame: &Frame) -> Option<usize> {
    match &frame.body {
        FrameBody::PushPromise { padding, .. } => Some(HEADER_LEN + usize::from(padding.is_some())),
        FrameBody::GoAway { .. } | FrameBody::WindowUpdate { .. } => Some(HEADER_LEN),
        _ => None,
    }
}

/// Asserts that `frame`, decoded from `source`, re-encodes to `source`, but for the top bit of
/// the byte [`dropped_reserved_bit`] names, which must come back clear.
pub fn check_lossless(frame: &Frame, source: &[u8]) {
    assert_eq!(
        source.len(),
        HEADER_LEN + frame.header.length as usize,
        "{frame:?}"
    );
    assert_eq!(frame.payload_len(), frame.header.length, "{frame:?}");
    assert_eq!(frame.encoded_len(), source.len(), "{frame:?}");
    let mut encoded = BytesMut::new();
    frame.encode(&mut encoded);
    let mut expected = source.to_vec();
    if let Some(at) = dropped_reserved_bit(frame) {
        expected[at] &= 0x7f;
    }
    assert_eq!(
        &encoded[..],
        &expected[..],
        "{frame:?} does not re-encode to its bytes {source:02x?}"
    );
}

/// What a stream of frames meant for `h2` (the shim's output) holds, once checked.
#[derive(Debug, Default)]
pub struct H2View {
    /// Header blocks (HEADERS or PUSH_PROMISE and their CONTINUATIONs).
    pub blocks: usize,
    /// Bytes of frames that carry header block fragments.
    pub block_frame_bytes: usize,
    /// Bytes of every other frame.
    pub other_bytes: usize,
    /// Frames of each type, indexed by type (extension types counted in the last slot).
    pub frames: [usize; 11],
    /// Each frame's type and stream, in order.
    pub sequence: Vec<(FrameType, u32)>,
}

/// Reads a stream of frames as `h2` would: whole frames within its SETTINGS_MAX_FRAME_SIZE,
/// header blocks contiguous, every block decoding in one HPACK context to a list within the
/// default limits and of fields `h2` can take ([`h2_accepts`]), and no block larger than the
/// list it decodes to. `sent` are the SETTINGS
/// `h2` sent, oldest first: each acknowledgement in the stream puts the oldest one in force
/// (its table size for the HPACK decoder, its frame size for the frame decoder), as it does
/// for `h2`.
pub fn check_h2_stream(stream: &[u8], sent: &[Vec<(SettingId, u32)>]) -> H2View {
    let mut unacked: VecDeque<&Vec<(SettingId, u32)>> = sent.iter().collect();
    let mut frames = FrameDecoder::new(Preface::None);
    frames.set_max_frame_size(DEFAULT_MAX_FRAME_SIZE);
    let mut decoder = hpack::Decoder::new();
    let mut buf = BytesMut::from(stream);
    let mut view = H2View::default();
    // The stream, whether it is a PUSH_PROMISE's block, and the fragments so far.
    let mut block: Option<(u32, bool, Vec<u8>)> = None;
    loop {
        let frame = match frames.decode_eof(&mut buf) {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(error) => panic!("h2 cannot read the shim's output: {error}: {stream:02x?}"),
        };
        let kind = frame.kind();
        view.frames[usize::from(kind.0.min(10))] += 1;
        view.sequence.push((kind, frame.stream()));
        let fragment = frame.fragment().cloned();
        let size = frame.encoded_len();
        match (&mut block, kind, fragment) {
            (Some((open, _, fragments)), FrameType::CONTINUATION, Some(fragment))
                if *open == frame.stream() =>
            {
                fragments.extend_from_slice(&fragment);
            }
            (Some((open, _, _)), _, _) => {
                panic!("block on stream {open} interrupted by {frame:?}: {stream:02x?}")
            }
            (None, FrameType::HEADERS | FrameType::PUSH_PROMISE, Some(fragment)) => {
                assert_ne!(frame.stream(), 0, "{frame:?}");
                let pushed = kind == FrameType::PUSH_PROMISE;
                block = Some((frame.stream(), pushed, fragment.to_vec()));
            }
            (None, FrameType::CONTINUATION, _) => {
                panic!("CONTINUATION outside a block: {frame:?}: {stream:02x?}")
            }
            (None, FrameType::HEADERS | FrameType::PUSH_PROMISE, None) => {
                panic!("malformed header frame sent to h2: {frame:?}")
            }
            (None, _, _) => {
                view.other_bytes += size;
                if kind == FrameType::SETTINGS && frame.has(flags::ACK) {
                    apply_acknowledged(unacked.pop_front(), &mut frames, &mut decoder);
                }
                continue;
            }
        }
        view.block_frame_bytes += size;
        if !frame.has(flags::END_HEADERS) {
            continue;
        }
        let Some((open, pushed, fragments)) = block.take() else {
            continue;
        };
        view.blocks += 1;
        let list = decoder.decode(&fragments).unwrap_or_else(|error| {
            panic!("block on stream {open} does not decode: {error}: {fragments:02x?}")
        });
        for field in list.iter() {
            // Known gap: the shim does not check a pushed request's pseudo-header values
            // (a `:method` that is no token, an `:authority` or `:path` that is not UTF-8),
            // which h2 cannot take either. Push is only on when h2 asks for it.
            if pushed && field.name().starts_with(b":") {
                continue;
            }
            if let Err(why) = h2_accepts(field.name(), field.value()) {
                panic!(
                    "h2 cannot take {:?}: {:?} on stream {open} ({why}): it ends the connection",
                    String::from_utf8_lossy(field.name()),
                    String::from_utf8_lossy(field.value()),
                );
            }
        }
        // Each field costs at most 9 bytes of representation and lengths, fewer than the 32
        // its list size counts; two table size updates at most come first.
        assert!(
            fragments.len() <= list.list_size() + 16,
            "a {}-byte block for a {}-byte list: {list:?}",
            fragments.len(),
            list.list_size()
        );
    }
    assert!(
        block.is_none(),
        "the stream ends inside a block: {stream:02x?}"
    );
    view
}

/// Whether `h2`'s HPACK decoder can build the field: it makes `http` types of every field
/// as it decodes, and a field it cannot make is a decoding error, which `h2` answers with
/// GOAWAY(PROTOCOL_ERROR) for the whole connection (h2 0.4, `hpack::Header::new`).
pub fn h2_accepts(name: &[u8], value: &[u8]) -> Result<(), &'static str> {
    let Some(pseudo) = name.strip_prefix(b":") else {
        http::HeaderName::from_lowercase(name).map_err(|_| "name")?;
        http::HeaderValue::from_bytes(value).map_err(|_| "value")?;
        return Ok(());
    };
    match pseudo {
        b"method" => http::Method::from_bytes(value)
            .map(drop)
            .map_err(|_| ":method"),
        b"status" => http::StatusCode::from_bytes(value)
            .map(drop)
            .map_err(|_| ":status"),
        b"authority" | b"scheme" | b"path" | b"protocol" => std::str::from_utf8(value)
            .map(drop)
            .map_err(|_| "pseudo-header value not UTF-8"),
        _ => Err("unknown pseudo-header"),
    }
}

fn apply_acknowledged(
    settings: Option<&Vec<(SettingId, u32)>>,
    frames: &mut FrameDecoder,
    decoder: &mut hpack::Decoder,
) {
    for &(id, value) in settings.into_iter().flatten() {
        match id {
            SettingId::HEADER_TABLE_SIZE => decoder.set_max_table_size(value as usize),
            SettingId::MAX_FRAME_SIZE if id.accepts(value) => frames.set_max_frame_size(value),
            _ => {}
        }
    }
}

/// Checks that `stream` is the client preface and whole frames (of any size).
pub fn check_client_stream(stream: &[u8]) -> usize {
    assert!(stream.starts_with(CLIENT_PREFACE), "{stream:02x?}");
    let decoded = decode_frames(
        stream,
        Preface::Expected,
        tollgate_codecs::h2::frame::MAX_MAX_FRAME_SIZE,
        &[],
    );
    assert_eq!(decoded.error, None, "not whole frames: {stream:02x?}");
    decoded.frames.len()
}
