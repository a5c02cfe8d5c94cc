//! Message decoders: a connection's byte stream in, heads, body data, trailers and ends out.
//!
//! Each decoder is sans-IO: [`RequestDecoder::decode`] takes whatever bytes have arrived and
//! returns the next event, or `Ok(None)` when it needs more. Several messages on one
//! connection (pipelining, keep-alive) come out one after the other. Anomalies accumulate in
//! the decoder until the caller takes them.

use std::collections::VecDeque;
use std::sync::Arc;

use bytes::{Buf as _, Bytes, BytesMut};

use crate::anomaly::{Anomaly, AnomalyLog};
use crate::deviation::{Deviation, MessageKind};
use crate::h1::body::{BodyDecoder, BodyEvent};
use crate::h1::ctx::Ctx;
use crate::h1::error::{Error, ErrorKind, Phase};
use crate::h1::head::{Fields, ResponseHead, Version};
use crate::h1::limits::Limit;
use crate::h1::parse::{self, Buf, RawHead};
use crate::h1::scan::{HeadScanner, ScanLimits, Section};
use crate::h1::semantics::{
    self, BodyFraming, Finish, Persistence, Request, RequestMethod, Response,
};
use crate::policy::{Action, Policy, Side};

/// What a [`RequestDecoder`] produces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestEvent {
    /// A request head and its framing. Always followed by zero or more `Data`, at most one
    /// `Trailers` and one `End`.
    Head(Request),
    /// A piece of the body.
    Data(Bytes),
    /// The trailer section of a chunked body.
    Trailers(Fields),
    /// The message is complete.
    End,
}

/// What a [`ResponseDecoder`] produces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResponseEvent {
    /// An interim (1xx) response; the final one is still to come.
    Informational(ResponseHead),
    /// The final response head and its framing.
    Head(Response),
    /// A piece of the body.
    Data(Bytes),
    /// The trailer section of a chunked body.
    Trailers(Fields),
    /// The message is complete.
    End,
}

#[derive(Clone, Debug)]
enum State {
    /// Waiting for a head.
    Head,
    /// Inside a body.
    Body { decoder: BodyDecoder, after: After },
    /// After a request that offers an upgrade or CONNECT: whether the next bytes are HTTP
    /// depends on the response, so nothing is read until the caller says.
    Paused { persistence: Persistence },
    /// The last message closed the connection: nothing more may arrive.
    Closed,
    /// Throwing everything away (a repaired `data-after-close` or `extra-bytes-after-body`).
    Discarding,
    /// A tunnel: every byte is data.
    Tunnel,
}

impl State {
    /// The state after a message, by its persistence.
    fn after(persistence: Persistence) -> State {
        match persistence {
            Persistence::KeepAlive => State::Head,
            Persistence::Close => State::Closed,
        }
    }
}

/// What follows a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum After {
    /// The next message, or nothing (the connection closes), by persistence.
    Next(Persistence),
    /// A pause until the caller knows whether the upgrade or tunnel happened.
    Decision(Persistence),
}

/// The parts common to both decoders.
#[derive(Clone, Debug)]
struct Core {
    policy: Arc<Policy>,
    side: Side,
    kind: MessageKind,
    offset: u64,
    state: State,
    scanner: HeadScanner,
    log: AnomalyLog,
    failed: Option<Error>,
}

impl Core {
    fn new(policy: Arc<Policy>, side: Side, kind: MessageKind) -> Core {
        Core {
            policy,
            side,
            kind,
            offset: 0,
            state: State::Head,
            scanner: HeadScanner::new(Section::Head),
            log: AnomalyLog::default(),
            failed: None,
        }
    }

    fn ctx(&mut self, phase: Phase) -> Ctx<'_> {
        Ctx {
            policy: &self.policy,
            side: self.side,
            kind: self.kind,
            phase,
            base: self.offset,
            log: &mut self.log,
        }
    }

    fn fail(&mut self, error: Error) -> Error {
        self.failed = Some(error);
        error
    }

    /// Scans for a complete head; its length when there is one.
    fn scan_head(&mut self, src: &BytesMut) -> Result<Option<usize>, Error> {
        let limits = &self.policy.h1_limits;
        let scan_limits = ScanLimits {
            total: limits.max_head_bytes,
            total_limit: Limit::HeadBytes,
            line: limits.max_line_bytes,
            first_line_limit: match self.kind {
                MessageKind::Request => Limit::RequestLineBytes,
                MessageKind::Response => Limit::LineBytes,
            },
            fields: limits.max_headers,
        };
        match self.scanner.scan(src, &scan_limits) {
            Ok(found) => Ok(found),
            Err(exceeded) => {
                let value = exceeded.limit.value(limits);
                let kind = ErrorKind::LimitExceeded {
                    limit: exceeded.limit,
                    value,
                };
                Err(self.ctx(Phase::Head).error(kind, exceeded.at))
            }
        }
    }

    /// The next complete head, parsed and decided by `decide`, with its bytes taken off `src`;
    /// `None` when the head is not complete yet.
    fn next_head<D>(
        &mut self,
        src: &mut BytesMut,
        eof: bool,
        decide: impl for<'w> FnOnce(RawHead<'w>, &mut Ctx<'_>) -> Result<(Buf<'w>, D), Error>,
    ) -> Result<Option<D::Message>, Error>
    where
        D: Finish,
    {
        let limits = self.policy.h1_limits;
        let direct = if self.scanner.is_fresh() {
            parse::fast::direct(src, self.kind, &limits)
        } else {
            None
        };
        let (raw, len) = match direct {
            Some(found) => found,
            None => {
                let Some(len) = self.scan_head(src)? else {
                    if eof {
                        self.eof_in_head(src)?;
                    }
                    return Ok(None);
                };
                let shape = parse::HeadShape::of(&self.scanner);
                let mut ctx = self.ctx(Phase::Head);
                (parse::parse_head(&src[..len], shape, &mut ctx)?, len)
            }
        };
        let mut ctx = self.ctx(Phase::Head);
        let (buf, draft) = decide(raw, &mut ctx)?;
        let owned = buf.into_owned();
        Ok(Some(draft.finish_with(self.take_head(src, len, owned))))
    }

    /// Takes the head bytes off `src`: the wire bytes themselves, or the rewritten copy.
    fn take_head(&mut self, src: &mut BytesMut, len: usize, owned: Option<Vec<u8>>) -> Bytes {
        self.offset += len as u64;
        self.scanner = HeadScanner::new(Section::Head);
        match owned {
            Some(rewritten) => {
                src.advance(len);
                Bytes::from(rewritten)
            }
            None => src.split_to(len).freeze(),
        }
    }

    /// Bytes arrived where none may: after a closing message, or with no response outstanding.
    fn unexpected_bytes(&mut self, src: &mut BytesMut, deviation: Deviation) -> Result<(), Error> {
        // The only non-reject action throws them away.
        self.ctx(Phase::Body).deviate(deviation, 0)?;
        self.state = State::Discarding;
        self.discard(src);
        Ok(())
    }

    fn discard(&mut self, src: &mut BytesMut) {
        self.offset += src.len() as u64;
        src.clear();
    }

    /// Runs the body decoder; `None` when it needs more input.
    fn body(&mut self, src: &mut BytesMut, eof: bool) -> Result<Option<BodyEvent>, Error> {
        let State::Body { mut decoder, after } = std::mem::replace(&mut self.state, State::Head)
        else {
            return Ok(None);
        };
        let mut ctx = self.ctx(Phase::Body);
        let result = if eof {
            decoder.decode_eof(src, &mut ctx)
        } else {
            decoder.decode(src, &mut ctx)
        };
        self.offset = ctx.base;
        match result? {
            Some(BodyEvent::End) => {
                self.state = match after {
                    After::Next(persistence) => State::after(persistence),
                    After::Decision(persistence) => State::Paused { persistence },
                };
                Ok(Some(BodyEvent::End))
            }
            other => {
                self.state = State::Body { decoder, after };
                Ok(other)
            }
        }
    }

    fn tunnel(&mut self, src: &mut BytesMut) -> Option<Bytes> {
        if src.is_empty() {
            return None;
        }
        self.offset += src.len() as u64;
        Some(src.split().freeze())
    }

    /// At end of input in the head state: a clean end, or a head cut short. Stray line
    /// endings after the last message are not a message.
    fn eof_in_head(&mut self, src: &BytesMut) -> Result<(), Error> {
        if src.iter().all(|b| *b == b'\r' || *b == b'\n') {
            return Ok(());
        }
        Err(self
            .ctx(Phase::Head)
            .error(ErrorKind::IncompleteHead, src.len()))
    }
}

/// Decodes the requests a client sends on one connection.
#[derive(Clone, Debug)]
pub struct RequestDecoder {
    core: Core,
}

impl RequestDecoder {
    /// A decoder applying `policy` as toward `side` (normally [`Side::Client`]).
    pub fn new(policy: Arc<Policy>, side: Side) -> RequestDecoder {
        RequestDecoder {
            core: Core::new(policy, side, MessageKind::Request),
        }
    }

    /// The next event from `src`, consuming exactly the bytes it covers; `Ok(None)` when more
    /// input is needed.
    ///
    /// # Errors
    ///
    /// An [`Error`] saying what to answer. The decoder is then finished: every later call
    /// returns the same error.
    pub fn decode(&mut self, src: &mut BytesMut) -> Result<Option<RequestEvent>, Error> {
        self.run(src, false)
    }

    /// Like [`RequestDecoder::decode`], when the peer has closed and `src` is all that is left.
    ///
    /// # Errors
    ///
    /// As [`RequestDecoder::decode`], and [`ErrorKind::IncompleteHead`] or
    /// [`ErrorKind::IncompleteBody`] for a message cut short.
    pub fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<RequestEvent>, Error> {
        self.run(src, true)
    }

    /// From now on every byte is tunnel data (after a 2xx to CONNECT or a 101).
    pub fn start_tunnel(&mut self) {
        self.core.state = State::Tunnel;
    }

    /// Whether the decoder waits, after a request offering an upgrade or a CONNECT, for the
    /// caller to say whether the connection became a tunnel ([`RequestDecoder::start_tunnel`])
    /// or stays HTTP ([`RequestDecoder::resume`]). While paused nothing is consumed.
    pub fn is_paused(&self) -> bool {
        matches!(self.core.state, State::Paused { .. })
    }

    /// The upgrade or tunnel was refused: go on reading HTTP requests.
    pub fn resume(&mut self) {
        if let State::Paused { persistence } = self.core.state {
            self.core.state = State::after(persistence);
        }
    }

    /// Takes the anomalies recorded so far.
    pub fn take_anomalies(&mut self) -> Vec<Anomaly> {
        self.core.log.take()
    }

    /// The anomalies recorded and not yet taken.
    pub fn anomalies(&self) -> &[Anomaly] {
        self.core.log.as_slice()
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.core.offset
    }

    fn run(&mut self, src: &mut BytesMut, eof: bool) -> Result<Option<RequestEvent>, Error> {
        if let Some(error) = self.core.failed {
            return Err(error);
        }
        self.step(src, eof).map_err(|error| self.core.fail(error))
    }

    fn step(&mut self, src: &mut BytesMut, eof: bool) -> Result<Option<RequestEvent>, Error> {
        match self.core.state {
            State::Head => {
                self.core.log.new_message();
                let Some(request) = self.core.next_head(src, eof, semantics::request)? else {
                    return Ok(None);
                };
                let after = if request.offers_upgrade || request.head.method_is("CONNECT") {
                    After::Decision(request.persistence)
                } else {
                    After::Next(request.persistence)
                };
                self.core.state = State::Body {
                    decoder: BodyDecoder::new(request.body),
                    after,
                };
                Ok(Some(RequestEvent::Head(request)))
            }
            State::Body { .. } => Ok(self.core.body(src, eof)?.map(|event| match event {
                BodyEvent::Data(data) => RequestEvent::Data(data),
                BodyEvent::Trailers(fields) => RequestEvent::Trailers(fields),
                BodyEvent::End => RequestEvent::End,
            })),
            State::Closed => {
                if !src.is_empty() {
                    self.core.unexpected_bytes(src, Deviation::DataAfterClose)?;
                }
                Ok(None)
            }
            State::Discarding => {
                self.core.discard(src);
                Ok(None)
            }
            State::Paused { .. } => Ok(None),
            State::Tunnel => Ok(self.core.tunnel(src).map(RequestEvent::Data)),
        }
    }
}

/// Decodes the responses an origin sends on one connection.
///
/// Whether a response has a body depends on the request it answers, so the caller announces
/// each request with [`ResponseDecoder::expect_response`] before its response is decoded.
/// Bytes that arrive with no response outstanding are the `h1.response.extra-bytes-after-body`
/// deviation.
#[derive(Clone, Debug)]
pub struct ResponseDecoder {
    core: Core,
    pending: VecDeque<RequestMethod>,
    informational: usize,
}

impl ResponseDecoder {
    /// A decoder applying `policy` as toward `side` (normally [`Side::Origin`]).
    pub fn new(policy: Arc<Policy>, side: Side) -> ResponseDecoder {
        ResponseDecoder {
            core: Core::new(policy, side, MessageKind::Response),
            pending: VecDeque::new(),
            informational: 0,
        }
    }

    /// Announces a request sent on the connection, whose response comes next in order.
    pub fn expect_response(&mut self, method: RequestMethod) {
        self.pending.push_back(method);
    }

    /// Responses announced and not yet begun.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// The next event from `src`; `Ok(None)` when more input is needed.
    ///
    /// # Errors
    ///
    /// An [`Error`] saying what to answer. The decoder is then finished: every later call
    /// returns the same error.
    pub fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ResponseEvent>, Error> {
        self.run(src, false)
    }

    /// Like [`ResponseDecoder::decode`], when the origin has closed: a body read until close
    /// ends here.
    ///
    /// # Errors
    ///
    /// As [`ResponseDecoder::decode`], and [`ErrorKind::IncompleteHead`] or
    /// [`ErrorKind::IncompleteBody`] for a message cut short.
    pub fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<ResponseEvent>, Error> {
        self.run(src, true)
    }

    /// Takes the anomalies recorded so far.
    pub fn take_anomalies(&mut self) -> Vec<Anomaly> {
        self.core.log.take()
    }

    /// The anomalies recorded and not yet taken.
    pub fn anomalies(&self) -> &[Anomaly] {
        self.core.log.as_slice()
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.core.offset
    }

    fn run(&mut self, src: &mut BytesMut, eof: bool) -> Result<Option<ResponseEvent>, Error> {
        if let Some(error) = self.core.failed {
            return Err(error);
        }
        self.step(src, eof).map_err(|error| self.core.fail(error))
    }

    fn step(&mut self, src: &mut BytesMut, eof: bool) -> Result<Option<ResponseEvent>, Error> {
        match self.core.state {
            State::Head => self.head(src, eof),
            State::Body { .. } => Ok(self.core.body(src, eof)?.map(|event| match event {
                BodyEvent::Data(data) => ResponseEvent::Data(data),
                BodyEvent::Trailers(fields) => ResponseEvent::Trailers(fields),
                BodyEvent::End => ResponseEvent::End,
            })),
            State::Closed => {
                if !src.is_empty() {
                    self.core
                        .unexpected_bytes(src, Deviation::ExtraBytesAfterBody)?;
                }
                Ok(None)
            }
            State::Discarding => {
                self.core.discard(src);
                Ok(None)
            }
            // Responses never pause: a 101 or a 2xx to CONNECT is a tunnel at once.
            State::Paused { .. } => Ok(None),
            State::Tunnel => Ok(self.core.tunnel(src).map(ResponseEvent::Data)),
        }
    }

    fn head(&mut self, src: &mut BytesMut, eof: bool) -> Result<Option<ResponseEvent>, Error> {
        if src.is_empty() {
            if eof && self.informational > 0 {
                // Interim responses promise a final one: closing instead is an incomplete
                // response, not a clean end.
                return Err(self
                    .core
                    .ctx(Phase::Head)
                    .error(ErrorKind::IncompleteHead, 0));
            }
            return Ok(None);
        }
        let Some(&method) = self.pending.front() else {
            self.core
                .unexpected_bytes(src, Deviation::ExtraBytesAfterBody)?;
            return Ok(None);
        };
        if self.core.offset == 0 && self.informational == 0 {
            match http09(src) {
                Http09::Undecided if !eof => return Ok(None),
                Http09::No | Http09::Undecided => {}
                Http09::Yes => return self.http09_response(method),
            }
        }
        if self.informational == 0 {
            self.core.log.new_message();
        }
        let next = self
            .core
            .next_head(src, eof, |raw, ctx| semantics::response(raw, method, ctx))?;
        let Some(response) = next else {
            return Ok(None);
        };
        if response.head.is_informational() && response.body != BodyFraming::Tunnel {
            self.informational += 1;
            let limit = self.core.policy.h1_limits.max_informational;
            if self.informational > limit {
                let kind = ErrorKind::LimitExceeded {
                    limit: Limit::Informational,
                    value: limit,
                };
                return Err(self.core.ctx(Phase::Head).error(kind, 0));
            }
            return Ok(Some(ResponseEvent::Informational(response.head)));
        }
        self.pending.pop_front();
        self.informational = 0;
        self.core.state = match response.body {
            BodyFraming::Tunnel => State::Tunnel,
            framing => State::Body {
                decoder: BodyDecoder::new(framing),
                after: After::Next(response.persistence),
            },
        };
        Ok(Some(ResponseEvent::Head(response)))
    }

    /// Reads a status-line-less first response as `HTTP/1.0 200 OK` with a body until close,
    /// when the policy repairs it: the head it yields re-encodes to one any parser reads.
    fn http09_response(&mut self, method: RequestMethod) -> Result<Option<ResponseEvent>, Error> {
        self.core.log.new_message();
        if method != RequestMethod::Other {
            // HTTP/0.9 knows only GET: a status-line-less answer to HEAD or CONNECT is garbage,
            // and reading it as a body would contradict the request.
            return Err(self
                .core
                .ctx(Phase::Head)
                .refuse(Deviation::Http09Response, 0));
        }
        // The only non-reject action is this reading.
        let action = self
            .core
            .ctx(Phase::Head)
            .deviate(Deviation::Http09Response, 0)?;
        debug_assert_eq!(action, Action::Repair);
        self.pending.pop_front();
        let head = ResponseHead {
            fields: Fields::new(Bytes::from_static(b"OK"), Vec::new()),
            status: 200,
            reason: crate::h1::head::Span::new(0, 2),
            version: Version::Http10,
        };
        self.core.state = State::Body {
            decoder: BodyDecoder::new(BodyFraming::UntilClose),
            after: After::Next(Persistence::Close),
        };
        Ok(Some(ResponseEvent::Head(Response {
            head,
            body: BodyFraming::UntilClose,
            persistence: Persistence::Close,
        })))
    }
}

enum Http09 {
    Yes,
    No,
    Undecided,
}

/// Whether the first bytes of a connection can still be a status line.
fn http09(src: &[u8]) -> Http09 {
    let start = src
        .iter()
        .position(|b| *b != b'\r' && *b != b'\n')
        .unwrap_or(src.len());
    let rest = &src[start..];
    let prefix = &b"HTTP/"[..rest.len().min(5)];
    if !rest.starts_with(prefix) {
        Http09::Yes
    } else if rest.len() < 5 {
        Http09::Undecided
    } else {
        Http09::No
    }
}
