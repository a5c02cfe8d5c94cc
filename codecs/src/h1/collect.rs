//! Whole-input decoding for tools and tests: every message in a byte string, with its body,
//! trailers and anomalies. The proxy streams instead; this is for `tollgate inspect`, the
//! harness's recordings, property tests and fuzzing, which all want the complete picture.

use std::sync::Arc;

use bytes::BytesMut;

use crate::anomaly::Anomaly;
use crate::h1::decoder::{RequestDecoder, RequestEvent, ResponseDecoder, ResponseEvent};
use crate::h1::error::Error;
use crate::h1::head::{Fields, ResponseHead};
use crate::h1::semantics::{Request, RequestMethod, Response};
use crate::policy::{Policy, Side};

/// One decoded message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message<M> {
    /// The head and its framing.
    pub message: M,
    /// Interim responses that came before it (responses only).
    pub informational: Vec<ResponseHead>,
    /// The body, decoded.
    pub body: Vec<u8>,
    /// The trailer section, if the body had one.
    pub trailers: Option<Fields>,
    /// Whether the body ended (false when decoding stopped inside it).
    pub complete: bool,
    /// Anomalies met in this message.
    pub anomalies: Vec<Anomaly>,
    /// Stream offsets of the message's first byte and of the byte after its end.
    pub span: (u64, u64),
}

/// Everything decoded from one input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Collected<M> {
    /// The messages, in order; the last may be incomplete.
    pub messages: Vec<Message<M>>,
    /// Why decoding stopped, when it did not reach the end of the input cleanly.
    pub error: Option<Error>,
    /// Anomalies met outside any message (bytes after the last one).
    pub trailing_anomalies: Vec<Anomaly>,
    /// Bytes consumed.
    pub consumed: u64,
    /// Decoding stopped after a request offering an upgrade or a CONNECT: what follows is
    /// HTTP only if the upgrade is refused, so it was not read.
    pub awaiting_upgrade: bool,
    /// Interim (1xx) responses that no final response followed (responses only).
    pub unanswered_interim: Vec<ResponseHead>,
}

impl<M> Collected<M> {
    /// Every anomaly, in order.
    pub fn anomalies(&self) -> impl Iterator<Item = &Anomaly> {
        self.messages
            .iter()
            .flat_map(|message| &message.anomalies)
            .chain(&self.trailing_anomalies)
    }
}

/// Which requests the responses answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answering {
    /// Every response answers a request of this method, however many there are.
    Every(RequestMethod),
    /// Exactly these requests were sent; bytes after their responses are unexpected.
    Listed(Vec<RequestMethod>),
}

/// Feeds `input` to a decoder in reads of the given sizes (the rest in one last read), then
/// signals the end of input.
struct Feeder<'a> {
    input: &'a [u8],
    reads: std::slice::Iter<'a, usize>,
    fed: usize,
    buf: BytesMut,
}

impl<'a> Feeder<'a> {
    fn new(input: &'a [u8], reads: &'a [usize]) -> Feeder<'a> {
        Feeder {
            input,
            reads: reads.iter(),
            fed: 0,
            buf: BytesMut::new(),
        }
    }

    /// Adds the next read to the buffer; false when everything has been fed.
    fn feed(&mut self) -> bool {
        if self.fed == self.input.len() {
            return false;
        }
        let size = self
            .reads
            .next()
            .map_or(self.input.len(), |size| (*size).max(1));
        let end = (self.fed + size).min(self.input.len());
        self.buf.extend_from_slice(&self.input[self.fed..end]);
        self.fed = end;
        true
    }

    fn at_end(&self) -> bool {
        self.fed == self.input.len()
    }
}

/// An event from either decoder.
enum Step<M> {
    Informational(ResponseHead),
    Head(M),
    Data(bytes::Bytes),
    Trailers(Fields),
    End,
}

/// What the collector needs from a decoder.
trait Source {
    type Message;
    fn next(&mut self, buf: &mut BytesMut, eof: bool)
    -> Result<Option<Step<Self::Message>>, Error>;
    fn offset(&self) -> u64;
    fn take_anomalies(&mut self) -> Vec<Anomaly>;
    /// Called before each decode, while no message is under way.
    fn before_message(&mut self) {}
    /// Whether the decoder waits for an upgrade decision.
    fn is_paused(&self) -> bool {
        false
    }
}

impl Source for RequestDecoder {
    type Message = Request;

    fn next(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<Step<Request>>, Error> {
        let event = if eof {
            self.decode_eof(buf)
        } else {
            self.decode(buf)
        }?;
        Ok(event.map(|event| match event {
            RequestEvent::Head(request) => Step::Head(request),
            RequestEvent::Data(data) => Step::Data(data),
            RequestEvent::Trailers(fields) => Step::Trailers(fields),
            RequestEvent::End => Step::End,
        }))
    }

    fn offset(&self) -> u64 {
        RequestDecoder::offset(self)
    }

    fn take_anomalies(&mut self) -> Vec<Anomaly> {
        RequestDecoder::take_anomalies(self)
    }

    fn is_paused(&self) -> bool {
        RequestDecoder::is_paused(self)
    }
}

struct Responses {
    decoder: ResponseDecoder,
    every: Option<RequestMethod>,
}

impl Source for Responses {
    type Message = Response;

    fn next(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<Step<Response>>, Error> {
        let event = if eof {
            self.decoder.decode_eof(buf)
        } else {
            self.decoder.decode(buf)
        }?;
        Ok(event.map(|event| match event {
            ResponseEvent::Informational(head) => Step::Informational(head),
            ResponseEvent::Head(response) => Step::Head(response),
            ResponseEvent::Data(data) => Step::Data(data),
            ResponseEvent::Trailers(fields) => Step::Trailers(fields),
            ResponseEvent::End => Step::End,
        }))
    }

    fn offset(&self) -> u64 {
        self.decoder.offset()
    }

    fn take_anomalies(&mut self) -> Vec<Anomaly> {
        self.decoder.take_anomalies()
    }

    fn before_message(&mut self) {
        if let Some(method) = self.every
            && self.decoder.pending() == 0
        {
            self.decoder.expect_response(method);
        }
    }
}

/// Decodes every request in `input`, read in pieces of `reads` bytes (then the rest).
pub fn collect_requests(
    input: &[u8],
    policy: Arc<Policy>,
    side: Side,
    reads: &[usize],
) -> Collected<Request> {
    collect(RequestDecoder::new(policy, side), input, reads)
}

/// Decodes every response in `input`, read in pieces of `reads` bytes (then the rest).
pub fn collect_responses(
    input: &[u8],
    policy: Arc<Policy>,
    side: Side,
    answering: &Answering,
    reads: &[usize],
) -> Collected<Response> {
    let mut decoder = ResponseDecoder::new(policy, side);
    let every = match answering {
        Answering::Every(method) => Some(*method),
        Answering::Listed(methods) => {
            for method in methods {
                decoder.expect_response(*method);
            }
            None
        }
    };
    collect(Responses { decoder, every }, input, reads)
}

fn collect<S: Source>(mut source: S, input: &[u8], reads: &[usize]) -> Collected<S::Message> {
    let mut feeder = Feeder::new(input, reads);
    let mut collected = Collected {
        messages: Vec::new(),
        error: None,
        trailing_anomalies: Vec::new(),
        consumed: 0,
        awaiting_upgrade: false,
        unanswered_interim: Vec::new(),
    };
    let mut current: Option<Message<S::Message>> = None;
    let mut informational = Vec::new();
    let mut start = 0;
    loop {
        if current.is_none() {
            source.before_message();
        }
        let eof = feeder.at_end();
        let before = source.offset();
        match source.next(&mut feeder.buf, eof) {
            Ok(Some(Step::Informational(head))) => {
                if informational.is_empty() {
                    start = before;
                }
                informational.push(head);
            }
            Ok(Some(Step::Head(message))) => {
                if informational.is_empty() {
                    start = before;
                }
                current = Some(Message {
                    message,
                    informational: std::mem::take(&mut informational),
                    body: Vec::new(),
                    trailers: None,
                    complete: false,
                    anomalies: Vec::new(),
                    span: (start, source.offset()),
                });
            }
            Ok(Some(Step::Data(data))) => {
                if let Some(message) = current.as_mut() {
                    message.body.extend_from_slice(&data);
                }
            }
            Ok(Some(Step::Trailers(fields))) => {
                if let Some(message) = current.as_mut() {
                    message.trailers = Some(fields);
                }
            }
            Ok(Some(Step::End)) => {
                if let Some(mut message) = current.take() {
                    message.complete = true;
                    message.anomalies = source.take_anomalies();
                    message.span.1 = source.offset();
                    collected.messages.push(message);
                }
            }
            Ok(None) if source.is_paused() => {
                collected.awaiting_upgrade = true;
                break;
            }
            Ok(None) => {
                if !feeder.feed() && eof {
                    break;
                }
            }
            Err(error) => {
                collected.error = Some(error);
                break;
            }
        }
    }
    let anomalies = source.take_anomalies();
    let consumed = source.offset();
    match current {
        Some(mut message) => {
            message.anomalies = anomalies;
            message.span.1 = consumed;
            collected.messages.push(message);
        }
        None => collected.trailing_anomalies = anomalies,
    }
    collected.consumed = consumed;
    collected.unanswered_interim = informational;
    collected
}
