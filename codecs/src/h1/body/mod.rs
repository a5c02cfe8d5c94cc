//! Body decoders for every [`BodyFraming`], streaming: data is handed out as it arrives and
//! never buffered whole.

mod chunked;

use bytes::{Buf as _, Bytes, BytesMut};

use crate::h1::ctx::Ctx;
use crate::h1::error::{Error, ErrorKind};
use crate::h1::head::Fields;
use crate::h1::semantics::BodyFraming;

pub(crate) use chunked::Chunked;

/// One step of a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum BodyEvent {
    Data(Bytes),
    Trailers(Fields),
    End,
}

#[derive(Clone, Debug)]
pub(crate) enum BodyDecoder {
    Length { remaining: u64 },
    Chunked(Box<Chunked>),
    UntilClose,
    Tunnel,
}

impl BodyDecoder {
    pub(crate) fn new(framing: BodyFraming) -> BodyDecoder {
        match framing {
            BodyFraming::Empty => BodyDecoder::Length { remaining: 0 },
            BodyFraming::Length(length) => BodyDecoder::Length { remaining: length },
            BodyFraming::Chunked => BodyDecoder::Chunked(Box::default()),
            BodyFraming::UntilClose => BodyDecoder::UntilClose,
            BodyFraming::Tunnel => BodyDecoder::Tunnel,
        }
    }

    /// The next event, or `None` when more input is needed. `ctx.base` is the stream offset of
    /// `src[0]` and is advanced with every byte consumed.
    pub(crate) fn decode(
        &mut self,
        src: &mut BytesMut,
        ctx: &mut Ctx<'_>,
    ) -> Result<Option<BodyEvent>, Error> {
        match self {
            BodyDecoder::Length { remaining: 0 } => Ok(Some(BodyEvent::End)),
            BodyDecoder::Length { remaining } => {
                if src.is_empty() {
                    return Ok(None);
                }
                let take = usize::try_from(*remaining)
                    .unwrap_or(usize::MAX)
                    .min(src.len());
                *remaining -= take as u64;
                Ok(Some(BodyEvent::Data(split(src, take, ctx))))
            }
            BodyDecoder::Chunked(chunked) => chunked.decode(src, ctx),
            BodyDecoder::UntilClose | BodyDecoder::Tunnel => {
                if src.is_empty() {
                    return Ok(None);
                }
                let all = src.len();
                Ok(Some(BodyEvent::Data(split(src, all, ctx))))
            }
        }
    }

    /// Like [`BodyDecoder::decode`], knowing that no more input will come.
    pub(crate) fn decode_eof(
        &mut self,
        src: &mut BytesMut,
        ctx: &mut Ctx<'_>,
    ) -> Result<Option<BodyEvent>, Error> {
        match self.decode(src, ctx)? {
            Some(event) => Ok(Some(event)),
            None => match self {
                BodyDecoder::UntilClose | BodyDecoder::Tunnel => Ok(Some(BodyEvent::End)),
                BodyDecoder::Length { .. } | BodyDecoder::Chunked(_) => {
                    Err(ctx.error(ErrorKind::IncompleteBody, src.len()))
                }
            },
        }
    }
}

/// Takes `n` bytes off the front of `src`, keeping `ctx.base` in step.
pub(crate) fn split(src: &mut BytesMut, n: usize, ctx: &mut Ctx<'_>) -> Bytes {
    ctx.base += n as u64;
    src.split_to(n).freeze()
}

/// Drops `n` bytes off the front of `src`, keeping `ctx.base` in step.
pub(crate) fn advance(src: &mut BytesMut, n: usize, ctx: &mut Ctx<'_>) {
    ctx.base += n as u64;
    src.advance(n);
}
