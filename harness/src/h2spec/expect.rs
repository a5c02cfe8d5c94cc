//! What a case waits for, and how the events the server causes are judged against it (pure:
//! the runner feeds events in, the [`Matcher`] says pass, fail or wait for more).
//!
//! The semantics are h2spec's (`spec/verifier.go`, `spec/connection.go`):
//!
//! - every wait for an event ends at the first read timeout, and the connection counts as
//!   closed from then on;
//! - a **connection error** is a GOAWAY with one of the codes, or the connection closed;
//! - a **stream error** is a RST_STREAM or a GOAWAY with one of the codes, or the connection
//!   closed (h2spec does not check the stream of the RST_STREAM);
//! - a wait "for a frame of type T" judges the *first* frame of that type and ignores the
//!   frames before it.

use std::fmt;

use tollgate_codecs::h2::frame::{ErrorCode, Frame, FrameBody, FrameType, flags};

/// Something that happened on the connection, as the runner saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A frame from the server.
    Frame(Frame),
    /// The server closed the connection (end of stream or reset).
    Closed,
    /// Nothing arrived within the read timeout.
    Timeout,
    /// The bytes stopped making frames, or the socket failed otherwise.
    Error(String),
}

impl Event {
    /// Whether the connection is over after this event (h2spec marks it closed on every read
    /// error, timeouts included).
    pub fn ends_connection(&self) -> bool {
        !matches!(self, Event::Frame(_))
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Frame(frame) => describe_frame(frame, f),
            Event::Closed => f.write_str("connection closed"),
            Event::Timeout => f.write_str("timeout"),
            Event::Error(error) => write!(f, "error: {error}"),
        }
    }
}

fn describe_frame(frame: &Frame, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let header = &frame.header;
    write!(
        f,
        "{} frame (length:{}, flags:0x{:02x}, stream_id:{}",
        header.kind, header.length, header.flags, header.stream
    )?;
    match &frame.body {
        FrameBody::RstStream(code) => write!(f, ", error_code:{code}")?,
        FrameBody::GoAway {
            last_stream,
            code,
            debug,
        } => {
            write!(f, ", last_stream_id:{last_stream}, error_code:{code}")?;
            if !debug.is_empty() {
                write!(f, ", debug_data:{:?}", String::from_utf8_lossy(debug))?;
            }
        }
        FrameBody::Ping(opaque) => write!(f, ", opaque_data:{}", escape(opaque))?,
        FrameBody::Settings(settings) if !settings.is_empty() => {
            f.write_str(", settings:[")?;
            for (index, (id, value)) in settings.iter().enumerate() {
                if index > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{}={value}", id.name())?;
            }
            f.write_str("]")?;
        }
        FrameBody::WindowUpdate { increment } => write!(f, ", increment:{increment}")?,
        FrameBody::Malformed { problem, .. } => write!(f, ", malformed:{}", problem.as_str())?,
        _ => {}
    }
    f.write_str(")")
}

/// Bytes as text with non-printable bytes escaped (`h2spec\x00\x00`).
fn escape(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

/// What a case (or one step of it) expects of the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expectation {
    /// The first frame is a SETTINGS frame without ACK: the server connection preface
    /// (generic/1/1, http2/3.5/1).
    ServerPreface,
    /// The connection is closed (h2spec `VerifyConnectionClose`).
    ConnectionClose,
    /// A GOAWAY with one of the codes, or the connection closed (`VerifyConnectionError`).
    ConnectionError(&'static [ErrorCode]),
    /// A RST_STREAM or GOAWAY with one of the codes, or the connection closed
    /// (`VerifyStreamError`).
    StreamError(&'static [ErrorCode]),
    /// A DATA or HEADERS frame with END_STREAM, or a RST_STREAM with NO_ERROR
    /// (`VerifyStreamClose`).
    StreamClose,
    /// A PING with ACK and this payload, or the connection closed
    /// (`VerifyPingFrameOrConnectionClose`).
    PingAckOrClose([u8; 8]),
    /// The first HEADERS frame is on this stream: the request was answered
    /// (`VerifyHeadersFrame`).
    Headers {
        /// The stream the response must come on.
        stream: u32,
    },
    /// The first SETTINGS frame has ACK (`VerifySettingsFrameWithAck`).
    SettingsAck,
    /// The first PING frame has ACK and this payload: the connection is alive
    /// (`VerifyPingFrameWithAck`).
    PingAck([u8; 8]),
    /// A frame of this type arrives (`VerifyEventType`).
    FrameOfType(FrameType),
    /// A GOAWAY arrives before the connection closes, whatever its code (the strict case
    /// http2/5.4.1/2: "SHOULD first send a GOAWAY frame").
    GoAwayBeforeClose,
    /// The first GOAWAY has this code (http2/6.9.1/2).
    GoAwayCode(ErrorCode),
    /// The first RST_STREAM, when it is on `stream`, has this code (http2/6.9.1/3; as in
    /// h2spec, a first RST_STREAM on another stream is not judged).
    RstStreamCode {
        /// The stream checked.
        stream: u32,
        /// The code it must carry.
        code: ErrorCode,
    },
    /// The first DATA frame is `length` bytes long (flow-control cases).
    DataLength {
        /// The stream named in the report.
        stream: u32,
        /// The frame length required.
        length: u32,
    },
}

fn codes(list: &[ErrorCode]) -> String {
    list.iter()
        .map(|code| code.name())
        .collect::<Vec<_>>()
        .join(" or ")
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expectation::ServerPreface => f.write_str("SETTINGS frame (flags:0x00) first"),
            Expectation::ConnectionClose => f.write_str("connection closed"),
            Expectation::ConnectionError(list) => {
                write!(
                    f,
                    "GOAWAY frame (error_code:{}) or connection closed",
                    codes(list)
                )
            }
            Expectation::StreamError(list) => write!(
                f,
                "RST_STREAM or GOAWAY frame (error_code:{}) or connection closed",
                codes(list)
            ),
            Expectation::StreamClose => {
                f.write_str("stream closed (END_STREAM or RST_STREAM NO_ERROR)")
            }
            Expectation::PingAckOrClose(data) => write!(
                f,
                "PING frame (flags:0x01, opaque_data:{}) or connection closed",
                escape(data)
            ),
            Expectation::Headers { stream } => write!(f, "HEADERS frame (stream_id:{stream})"),
            Expectation::SettingsAck => f.write_str("SETTINGS frame (length:0, flags:0x01)"),
            Expectation::PingAck(data) => {
                write!(f, "PING frame (flags:0x01, opaque_data:{})", escape(data))
            }
            Expectation::FrameOfType(kind) => write!(f, "{kind} frame"),
            Expectation::GoAwayBeforeClose => {
                f.write_str("GOAWAY frame before the connection closes")
            }
            Expectation::GoAwayCode(code) => write!(f, "GOAWAY frame (error_code:{code})"),
            Expectation::RstStreamCode { stream, code } => {
                write!(
                    f,
                    "RST_STREAM frame (stream_id:{stream}, error_code:{code})"
                )
            }
            Expectation::DataLength { stream, length } => {
                write!(f, "DATA frame (length:{length}, stream_id:{stream})")
            }
        }
    }
}

/// How a wait goes on after an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Wait for the next event.
    Continue,
    /// The expectation is met.
    Pass,
    /// The expectation failed; `got` says what came instead.
    Fail {
        /// What the server did.
        got: String,
    },
}

/// The two ways h2spec waits.
enum Family {
    /// Read until a matching event, the connection closes or a read times out.
    UntilClosed,
    /// Read until the first frame of this type and judge it.
    FirstOfType(FrameType),
    /// Judge the very next event.
    Next,
}

/// Judges the events of one wait against an [`Expectation`].
#[derive(Clone, Debug)]
pub struct Matcher {
    expectation: Expectation,
    /// The last event that was not a match (what the report shows on failure).
    last: Option<Event>,
}

impl Matcher {
    /// A matcher for `expectation`.
    pub fn new(expectation: Expectation) -> Matcher {
        Matcher {
            expectation,
            last: None,
        }
    }

    /// The expectation judged.
    pub fn expectation(&self) -> &Expectation {
        &self.expectation
    }

    fn family(&self) -> Family {
        match self.expectation {
            Expectation::ServerPreface => Family::Next,
            Expectation::ConnectionClose
            | Expectation::ConnectionError(_)
            | Expectation::StreamError(_)
            | Expectation::StreamClose
            | Expectation::PingAckOrClose(_) => Family::UntilClosed,
            Expectation::Headers { .. } => Family::FirstOfType(FrameType::HEADERS),
            Expectation::SettingsAck => Family::FirstOfType(FrameType::SETTINGS),
            Expectation::PingAck(_) => Family::FirstOfType(FrameType::PING),
            Expectation::FrameOfType(kind) => Family::FirstOfType(kind),
            Expectation::GoAwayBeforeClose | Expectation::GoAwayCode(_) => {
                Family::FirstOfType(FrameType::GOAWAY)
            }
            Expectation::RstStreamCode { .. } => Family::FirstOfType(FrameType::RST_STREAM),
            Expectation::DataLength { .. } => Family::FirstOfType(FrameType::DATA),
        }
    }

    /// Takes the next event.
    pub fn observe(&mut self, event: &Event) -> Progress {
        match self.family() {
            Family::Next => match event {
                Event::Frame(frame) if self.judge(frame) => Progress::Pass,
                other => Progress::Fail {
                    got: other.to_string(),
                },
            },
            Family::UntilClosed => self.until_closed(event),
            Family::FirstOfType(kind) => match event {
                Event::Frame(frame) if frame.kind() == kind => {
                    if self.judge(frame) {
                        Progress::Pass
                    } else {
                        Progress::Fail {
                            got: event.to_string(),
                        }
                    }
                }
                Event::Frame(_) => {
                    self.last = Some(event.clone());
                    Progress::Continue
                }
                Event::Timeout => Progress::Fail {
                    got: self.timed_out(),
                },
                Event::Closed | Event::Error(_) => Progress::Fail {
                    got: self.ended_by(event),
                },
            },
        }
    }

    /// What met the expectation, for the report: the event, and for a close the last frame
    /// before it (a connection error passes on a close even after a GOAWAY with another code,
    /// as in h2spec).
    pub fn evidence(&self, event: &Event) -> String {
        match (event, &self.last) {
            (Event::Closed, Some(last)) => format!("connection closed (after {last})"),
            _ => event.to_string(),
        }
    }

    fn until_closed(&mut self, event: &Event) -> Progress {
        match event {
            Event::Closed if self.expectation != Expectation::StreamClose => Progress::Pass,
            Event::Frame(frame) if self.judge(frame) => Progress::Pass,
            Event::Frame(_) => {
                self.last = Some(event.clone());
                Progress::Continue
            }
            Event::Timeout => Progress::Fail {
                got: self.timed_out(),
            },
            Event::Closed | Event::Error(_) => Progress::Fail {
                got: self.ended_by(event),
            },
        }
    }

    fn timed_out(&self) -> String {
        match &self.last {
            Some(last) => format!("timeout (last frame: {last})"),
            None => "timeout (no frame)".to_owned(),
        }
    }

    fn ended_by(&self, event: &Event) -> String {
        match &self.last {
            Some(last) => format!("{event} (last frame: {last})"),
            None => event.to_string(),
        }
    }

    /// Whether `frame` meets the expectation.
    fn judge(&self, frame: &Frame) -> bool {
        match (&self.expectation, &frame.body) {
            (Expectation::ServerPreface, FrameBody::Settings(_)) => !frame.has(flags::ACK),
            (Expectation::ConnectionError(list), FrameBody::GoAway { code, .. }) => {
                list.contains(code)
            }
            (
                Expectation::StreamError(list),
                FrameBody::GoAway { code, .. } | FrameBody::RstStream(code),
            ) => list.contains(code),
            (Expectation::StreamClose, FrameBody::Data { .. } | FrameBody::Headers { .. }) => {
                frame.has(flags::END_STREAM)
            }
            (Expectation::StreamClose, FrameBody::RstStream(code)) => *code == ErrorCode::NO_ERROR,
            (
                Expectation::PingAckOrClose(data) | Expectation::PingAck(data),
                FrameBody::Ping(got),
            ) => frame.has(flags::ACK) && got == data,
            (Expectation::Headers { stream }, _) => {
                frame.kind() == FrameType::HEADERS && frame.stream() == *stream
            }
            (Expectation::SettingsAck, _) => {
                frame.kind() == FrameType::SETTINGS && frame.has(flags::ACK)
            }
            (Expectation::FrameOfType(kind), _) => frame.kind() == *kind,
            (Expectation::GoAwayBeforeClose, _) => frame.kind() == FrameType::GOAWAY,
            (Expectation::GoAwayCode(want), FrameBody::GoAway { code, .. }) => code == want,
            (Expectation::RstStreamCode { stream, code: want }, FrameBody::RstStream(code)) => {
                frame.stream() != *stream || code == want
            }
            (Expectation::DataLength { length, .. }, _) => {
                frame.kind() == FrameType::DATA && frame.header.length == *length
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use bytes::BytesMut;
    use tollgate_codecs::h2::frame::{FrameDecoder, Preface};
    use tollgate_codecs::h2::script::Script;

    use super::*;

    fn frame(script: &mut Script) -> Event {
        let mut bytes = BytesMut::from(&script.take()[..]);
        let frame = FrameDecoder::new(Preface::None)
            .decode(&mut bytes)
            .unwrap()
            .unwrap();
        Event::Frame(frame)
    }

    #[test]
    fn a_connection_error_passes_on_its_goaway_or_on_close_and_skips_other_frames() {
        let expectation = Expectation::ConnectionError(&[ErrorCode::PROTOCOL_ERROR]);
        let mut matcher = Matcher::new(expectation.clone());
        let ping = frame(Script::new().ping([0; 8], true));
        assert_eq!(matcher.observe(&ping), Progress::Continue);
        let goaway = frame(Script::new().goaway(1, ErrorCode::PROTOCOL_ERROR, b""));
        assert_eq!(matcher.observe(&goaway), Progress::Pass);

        let mut matcher = Matcher::new(expectation.clone());
        let wrong = frame(Script::new().goaway(1, ErrorCode::INTERNAL_ERROR, b""));
        assert_eq!(matcher.observe(&wrong), Progress::Continue);
        assert_eq!(matcher.observe(&Event::Closed), Progress::Pass);

        let mut matcher = Matcher::new(expectation);
        assert_eq!(matcher.observe(&wrong), Progress::Continue);
        let Progress::Fail { got } = matcher.observe(&Event::Timeout) else {
            panic!("a timeout fails");
        };
        assert!(got.contains("INTERNAL_ERROR"), "{got}");
    }

    #[test]
    fn a_stream_error_takes_rst_stream_or_goaway() {
        let expectation = Expectation::StreamError(&[ErrorCode::STREAM_CLOSED]);
        let mut matcher = Matcher::new(expectation);
        let rst = frame(Script::new().rst_stream(3, ErrorCode::STREAM_CLOSED));
        assert_eq!(matcher.observe(&rst), Progress::Pass);
    }

    #[test]
    fn first_of_type_judges_the_first_frame_of_that_type_only() {
        let mut matcher = Matcher::new(Expectation::Headers { stream: 1 });
        let settings = frame(Script::new().settings_ack());
        assert_eq!(matcher.observe(&settings), Progress::Continue);
        let headers = frame(Script::new().headers(3, &[0x88], flags::END_HEADERS));
        assert!(matches!(matcher.observe(&headers), Progress::Fail { .. }));

        let mut matcher = Matcher::new(Expectation::PingAck(*b"h2spec\0\0"));
        let other = frame(Script::new().ping(*b"invalid\0", true));
        assert!(matches!(matcher.observe(&other), Progress::Fail { .. }));
        let mut matcher = Matcher::new(Expectation::PingAck(*b"h2spec\0\0"));
        let right = frame(Script::new().ping(*b"h2spec\0\0", true));
        assert_eq!(matcher.observe(&right), Progress::Pass);
        assert!(matches!(
            Matcher::new(Expectation::PingAck([0; 8])).observe(&Event::Closed),
            Progress::Fail { .. }
        ));
    }

    #[test]
    fn stream_close_does_not_pass_on_close() {
        let mut matcher = Matcher::new(Expectation::StreamClose);
        assert!(matches!(
            matcher.observe(&Event::Closed),
            Progress::Fail { .. }
        ));
        let mut matcher = Matcher::new(Expectation::StreamClose);
        let data = frame(Script::new().data(1, b"hello", flags::END_STREAM, None));
        assert_eq!(matcher.observe(&data), Progress::Pass);
    }

    #[test]
    fn events_describe_themselves() {
        let goaway = frame(Script::new().goaway(5, ErrorCode::PROTOCOL_ERROR, b"bad"));
        assert_eq!(
            goaway.to_string(),
            "GOAWAY frame (length:11, flags:0x00, stream_id:0, last_stream_id:5, \
             error_code:PROTOCOL_ERROR, debug_data:\"bad\")"
        );
    }
}
