//! The checker: applies the policy to the frames and header lists of one direction of a
//! connection.
//!
//! Every departure from RFC 9113 §4–§6 met in a frame is a named [`Deviation`]. The checker
//! records an anomaly for each, then does what the policy says: rejects (with the scope and
//! error code the RFC gives), repairs (clears bits, drops padding or parameters, drops frames
//! that carry nothing), or accepts. It keeps the one piece of state the frame layer needs:
//! whether a header block is open and must be continued.

use std::sync::Arc;

use crate::anomaly::{Anomaly, AnomalyLog};
use crate::deviation::{Deviation, MessageKind};
use crate::h2::error::{Error, ErrorKind, Scope};
use crate::h2::frame::{ErrorCode, Frame, FrameBody, FrameType, Malformation, SettingId, flags};
use crate::h2::message::{BlockRole, Checked, HeaderField, MessageCheck};
use crate::policy::{Action, Policy, Side};

/// Applies the policy to the frames (and decoded header lists) one peer sends.
#[derive(Clone, Debug)]
pub struct Checker {
    policy: Arc<Policy>,
    side: Side,
    /// The stream whose header block is open (HEADERS or PUSH_PROMISE without END_HEADERS).
    open_block: Option<u32>,
    push_enabled: bool,
    log: AnomalyLog,
}

impl Checker {
    /// A checker for the frames a peer on `side` sends, under `policy`. Push is disabled:
    /// tollgate never asks origins to push.
    pub fn new(policy: Arc<Policy>, side: Side) -> Checker {
        Checker {
            policy,
            side,
            open_block: None,
            push_enabled: false,
            log: AnomalyLog::default(),
        }
    }

    /// Accepts PUSH_PROMISE from a server (when SETTINGS_ENABLE_PUSH was left enabled).
    pub fn enable_push(&mut self) {
        self.push_enabled = true;
    }

    /// Whether a header block is open and only its CONTINUATION may come next.
    pub fn in_header_block(&self) -> Option<u32> {
        self.open_block
    }

    /// Takes the anomalies recorded so far.
    pub fn take_anomalies(&mut self) -> Vec<Anomaly> {
        self.log.take()
    }

    /// The anomalies recorded and not yet taken.
    pub fn anomalies(&self) -> &[Anomaly] {
        self.log.as_slice()
    }

    /// Checks one frame that started at stream offset `offset`: the frame to pass on (as
    /// received or repaired), or `None` when the repair drops it.
    ///
    /// # Errors
    ///
    /// A rejected deviation, with the scope and code RFC 9113 gives it.
    pub fn check(&mut self, mut frame: Frame, offset: u64) -> Result<Option<Frame>, Error> {
        self.log.new_message();
        let mut at = At {
            checker: self,
            offset,
        };
        at.bits(&mut frame)?;
        at.header_block(&frame)?;
        let mut kept = at.body(frame)?;
        if let Some(frame) = &mut kept {
            // A repair may have shortened the payload: the header says what will be sent.
            frame.header.length = frame.payload_len();
            self.track_block(frame);
        }
        Ok(kept)
    }

    /// Checks a decoded header list of `role` on `stream`, whose first frame started at stream
    /// offset `offset`, in place (see [`crate::h2::BlockRole`]); `end_stream` says whether the
    /// block ends the stream.
    ///
    /// # Errors
    ///
    /// A rejected deviation, as the stream error RFC 9113 §8.1.1 asks for.
    pub fn check_fields(
        &mut self,
        fields: &mut Vec<HeaderField>,
        role: BlockRole,
        stream: u32,
        end_stream: bool,
        offset: u64,
    ) -> Result<Checked, Error> {
        self.log.new_message();
        MessageCheck::new(&self.policy, self.side, &mut self.log, stream, offset)
            .check(fields, role, end_stream)
    }

    fn track_block(&mut self, frame: &Frame) {
        match frame.kind() {
            FrameType::HEADERS | FrameType::PUSH_PROMISE | FrameType::CONTINUATION => {
                self.open_block = (!frame.has(flags::END_HEADERS)).then_some(frame.stream());
            }
            _ => {}
        }
    }

    fn kind(&self) -> MessageKind {
        match self.side {
            Side::Client => MessageKind::Request,
            Side::Origin => MessageKind::Response,
        }
    }
}

/// The checker at one frame's offset.
struct At<'a> {
    checker: &'a mut Checker,
    offset: u64,
}

impl At<'_> {
    /// Records `deviation` and returns the action, or the rejection as an error of `scope`
    /// with `code`.
    fn deviate(
        &mut self,
        deviation: Deviation,
        scope: Scope,
        code: ErrorCode,
    ) -> Result<Action, Error> {
        let checker = &mut *self.checker;
        let action = checker
            .policy
            .effective_action(checker.side, deviation, checker.kind());
        checker.log.record(Anomaly {
            deviation,
            action,
            side: checker.side,
            offset: self.offset,
        });
        match action {
            Action::Reject => Err(Error::new(
                ErrorKind::Rejected(deviation),
                scope,
                code,
                checker.side,
                self.offset,
            )),
            action => Ok(action),
        }
    }

    /// A connection error of type PROTOCOL_ERROR (the most common verdict).
    fn protocol(&mut self, deviation: Deviation) -> Result<Action, Error> {
        self.deviate(deviation, Scope::Connection, ErrorCode::PROTOCOL_ERROR)
    }

    /// A connection error of type FRAME_SIZE_ERROR.
    fn frame_size(&mut self, deviation: Deviation) -> Result<Action, Error> {
        self.deviate(deviation, Scope::Connection, ErrorCode::FRAME_SIZE_ERROR)
    }

    /// The reserved bit and undefined flags: ignored on receipt, cleared when repaired.
    fn bits(&mut self, frame: &mut Frame) -> Result<(), Error> {
        if frame.header.reserved && self.protocol(Deviation::H2ReservedBitSet)? == Action::Repair {
            frame.header.reserved = false;
        }
        // Extension frames define their own flags.
        let known = frame.kind().0 <= FrameType::CONTINUATION.0;
        let defined = frame.kind().defined_flags();
        if known
            && frame.header.flags & !defined != 0
            && self.protocol(Deviation::H2UndefinedFlags)? == Action::Repair
        {
            frame.header.flags &= defined;
        }
        Ok(())
    }

    /// RFC 9113 §6.10: a header block is a contiguous run of frames on one stream.
    fn header_block(&mut self, frame: &Frame) -> Result<(), Error> {
        let continuation = frame.kind() == FrameType::CONTINUATION;
        match self.checker.open_block {
            Some(stream) if !continuation || frame.stream() != stream => {
                self.protocol(Deviation::H2HeaderBlockInterrupted)?;
            }
            None if continuation && frame.stream() != 0 => {
                self.protocol(Deviation::H2ContinuationUnexpected)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// The per-type checks.
    fn body(&mut self, mut frame: Frame) -> Result<Option<Frame>, Error> {
        let stream = frame.stream();
        let kind = frame.kind();
        if kind == FrameType::SETTINGS && frame.has(flags::ACK) && frame.header.length != 0 {
            // An acknowledgement means the same whatever follows: repair drops the payload.
            self.frame_size(Deviation::H2SettingsAckWithPayload)?;
            frame.body = FrameBody::Settings(Vec::new());
        }
        if let FrameBody::Malformed { problem, .. } = &frame.body {
            if kind == FrameType::PRIORITY && *problem == Malformation::BadLength {
                // A stream error by RFC 9113 §6.3; the only other action drops the frame.
                self.deviate(
                    Deviation::H2PriorityBadLength,
                    Scope::Stream(stream),
                    ErrorCode::FRAME_SIZE_ERROR,
                )?;
                return Ok(None);
            }
            return self.malformed(kind, *problem).map(|()| Some(frame));
        }
        match kind {
            FrameType::DATA if stream == 0 => {
                // The only non-reject action drops the frame.
                self.protocol(Deviation::H2DataOnStreamZero)?;
                return Ok(None);
            }
            FrameType::HEADERS | FrameType::PUSH_PROMISE | FrameType::CONTINUATION
                if stream == 0 =>
            {
                self.protocol(Deviation::H2HeadersOnStreamZero)?;
            }
            FrameType::HEADERS => {
                if self.checker.side == Side::Client && stream.is_multiple_of(2) {
                    self.protocol(Deviation::H2EvenStreamFromClient)?;
                }
                self.self_dependency(&mut frame)?;
            }
            FrameType::PRIORITY if stream == 0 => {
                self.protocol(Deviation::H2PriorityOnStreamZero)?;
                return Ok(None);
            }
            FrameType::PRIORITY => {
                if let FrameBody::Priority(priority) = &frame.body
                    && priority.dependency == stream
                {
                    // The only non-reject action drops the advisory frame.
                    self.deviate(
                        Deviation::H2PrioritySelfDependency,
                        Scope::Stream(stream),
                        ErrorCode::PROTOCOL_ERROR,
                    )?;
                    return Ok(None);
                }
            }
            FrameType::RST_STREAM if stream == 0 => {
                self.protocol(Deviation::H2RstStreamOnStreamZero)?;
                return Ok(None);
            }
            FrameType::SETTINGS => self.settings(&mut frame)?,
            FrameType::PUSH_PROMISE => {
                let deviation = match self.checker.side {
                    Side::Client => Some(Deviation::H2PushPromiseFromClient),
                    Side::Origin if !self.checker.push_enabled => {
                        Some(Deviation::H2PushPromiseUnwanted)
                    }
                    Side::Origin => None,
                };
                if let Some(deviation) = deviation {
                    self.protocol(deviation)?;
                }
            }
            FrameType::PING if stream != 0 => {
                self.protocol(Deviation::H2PingOnStream)?;
            }
            FrameType::GOAWAY if stream != 0 => {
                self.protocol(Deviation::H2GoAwayOnStream)?;
            }
            FrameType::WINDOW_UPDATE => {
                if let FrameBody::WindowUpdate { increment: 0 } = frame.body {
                    let scope = match stream {
                        0 => Scope::Connection,
                        stream => Scope::Stream(stream),
                    };
                    // The only non-reject action drops the frame: it changes no window.
                    self.deviate(
                        Deviation::H2WindowUpdateZero,
                        scope,
                        ErrorCode::PROTOCOL_ERROR,
                    )?;
                    return Ok(None);
                }
            }
            FrameType::DATA
            | FrameType::RST_STREAM
            | FrameType::PING
            | FrameType::GOAWAY
            | FrameType::CONTINUATION => {}
            _ => {
                if self.protocol(Deviation::H2UnknownFrameType)? == Action::Repair {
                    return Ok(None);
                }
            }
        }
        self.padding(&mut frame)?;
        Ok(Some(frame))
    }

    /// A payload without its type's shape: which deviation, and which error.
    /// Every other malformed payload is a reject-only connection error.
    fn malformed(&mut self, kind: FrameType, problem: Malformation) -> Result<(), Error> {
        let deviation = match (kind, problem) {
            (_, Malformation::PaddingExceedsPayload) => Deviation::H2PaddingExceedsPayload,
            (_, Malformation::Truncated) => Deviation::H2FrameTruncated,
            (FrameType::RST_STREAM, _) => Deviation::H2RstStreamBadLength,
            (FrameType::SETTINGS, _) => Deviation::H2SettingsBadLength,
            (FrameType::PING, _) => Deviation::H2PingBadLength,
            (FrameType::GOAWAY, _) => Deviation::H2GoAwayBadLength,
            (FrameType::WINDOW_UPDATE, _) => Deviation::H2WindowUpdateBadLength,
            _ => Deviation::H2FrameTruncated,
        };
        let code = match problem {
            Malformation::PaddingExceedsPayload => ErrorCode::PROTOCOL_ERROR,
            Malformation::BadLength | Malformation::Truncated => ErrorCode::FRAME_SIZE_ERROR,
        };
        self.deviate(deviation, Scope::Connection, code)?;
        Ok(())
    }

    fn self_dependency(&mut self, frame: &mut Frame) -> Result<(), Error> {
        let stream = frame.stream();
        if let FrameBody::Headers {
            priority: Some(priority),
            ..
        } = &frame.body
            && priority.dependency == stream
        {
            self.deviate(
                Deviation::H2PrioritySelfDependency,
                Scope::Stream(stream),
                ErrorCode::PROTOCOL_ERROR,
            )?;
            if let FrameBody::Headers { priority, .. } = &mut frame.body {
                *priority = None;
            }
            frame.header.flags &= !flags::PRIORITY;
        }
        Ok(())
    }

    fn settings(&mut self, frame: &mut Frame) -> Result<(), Error> {
        if frame.stream() != 0 {
            self.protocol(Deviation::H2SettingsOnStream)?;
        }
        let FrameBody::Settings(settings) = &frame.body else {
            return Ok(());
        };
        let invalid = settings
            .iter()
            .find(|(id, value)| !id.accepts(*value))
            .copied();
        if let Some((id, _)) = invalid {
            let code = if id == SettingId::INITIAL_WINDOW_SIZE {
                ErrorCode::FLOW_CONTROL_ERROR
            } else {
                ErrorCode::PROTOCOL_ERROR
            };
            // The only non-reject action drops the parameters out of range.
            self.deviate(Deviation::H2SettingsInvalidValue, Scope::Connection, code)?;
            if let FrameBody::Settings(settings) = &mut frame.body {
                settings.retain(|(id, value)| id.accepts(*value));
            }
        }
        Ok(())
    }

    fn padding(&mut self, frame: &mut Frame) -> Result<(), Error> {
        let padding = match &mut frame.body {
            FrameBody::Data { padding, .. }
            | FrameBody::Headers { padding, .. }
            | FrameBody::PushPromise { padding, .. } => padding,
            _ => return Ok(()),
        };
        if padding.as_ref().is_some_and(|padding| !padding.is_zero())
            && self.protocol(Deviation::H2PaddingNotZero)? == Action::Repair
        {
            if let FrameBody::Data { padding, .. }
            | FrameBody::Headers { padding, .. }
            | FrameBody::PushPromise { padding, .. } = &mut frame.body
            {
                *padding = None;
            }
            frame.header.flags &= !flags::PADDED;
        }
        Ok(())
    }
}
