//! The client connection a case runs on: a TCP socket, the frame decoder for what the server
//! sends, and h2spec's habits (a read timeout per event, flow-control windows given back as
//! DATA arrives).

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tollgate_codecs::h2::frame::{
    Frame, FrameBody, FrameDecoder, FrameType, Preface, SettingId, flags,
};
use tollgate_codecs::h2::script::Script;

use crate::h2spec::error::{RunError, RunErrorKind};
use crate::h2spec::expect::Event;

/// The flow-control window h2spec assumes and announces (RFC 9113 §6.9.2).
pub(crate) const DEFAULT_WINDOW: u32 = 65_535;

/// How a read ended without a frame.
enum ReadEnd {
    Closed,
    Timeout,
    Frame(String),
    Io(String),
}

impl ReadEnd {
    fn event(self) -> Event {
        match self {
            ReadEnd::Closed => Event::Closed,
            ReadEnd::Timeout => Event::Timeout,
            ReadEnd::Frame(detail) | ReadEnd::Io(detail) => Event::Error(detail),
        }
    }

    fn error(self, during: &str) -> RunError {
        match self {
            ReadEnd::Closed => RunError::new(
                RunErrorKind::Closed,
                format!("the server closed the connection during {during}"),
            ),
            ReadEnd::Timeout => RunError::new(
                RunErrorKind::Timeout,
                format!("no answer from the server during {during}"),
            ),
            ReadEnd::Frame(detail) => {
                RunError::new(RunErrorKind::Frame, format!("{during}: {detail}"))
            }
            ReadEnd::Io(detail) => RunError::new(RunErrorKind::Io, format!("{during}: {detail}")),
        }
    }
}

/// One client connection to the server under test.
pub(crate) struct Conn {
    tcp: TcpStream,
    buf: BytesMut,
    decoder: FrameDecoder,
    timeout: Duration,
    closed: bool,
    /// Receive windows by stream (0: the connection), as h2spec keeps them.
    windows: HashMap<u32, i64>,
    /// The server's SETTINGS from the handshake, in order.
    settings: Vec<(SettingId, u32)>,
}

impl Conn {
    /// Connects within `connect_timeout`; every later read or write waits at most `timeout`.
    pub(crate) async fn connect(
        addr: SocketAddr,
        connect_timeout: Duration,
        timeout: Duration,
    ) -> Result<Conn, RunError> {
        let tcp = match tokio::time::timeout(connect_timeout, TcpStream::connect(addr)).await {
            Ok(Ok(tcp)) => tcp,
            Ok(Err(error)) => {
                return Err(RunError::new(
                    RunErrorKind::Connect,
                    format!("{addr}: {error}"),
                ));
            }
            Err(_) => {
                return Err(RunError::new(
                    RunErrorKind::Connect,
                    format!("{addr}: no connection within {connect_timeout:?}"),
                ));
            }
        };
        // Frames go out as the plan writes them; Nagle would only add latency.
        let _ = tcp.set_nodelay(true);
        Ok(Conn {
            tcp,
            buf: BytesMut::with_capacity(16 * 1024),
            decoder: FrameDecoder::new(Preface::None),
            timeout,
            closed: false,
            windows: HashMap::from([(0, i64::from(DEFAULT_WINDOW))]),
            settings: Vec::new(),
        })
    }

    /// Whether a read has ended the connection (closed, reset, timed out or failed).
    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    /// The server's SETTINGS from the handshake.
    pub(crate) fn settings(&self) -> &[(SettingId, u32)] {
        &self.settings
    }

    /// Writes `bytes`, waiting at most the timeout.
    pub(crate) async fn send(&mut self, bytes: &[u8]) -> Result<(), RunError> {
        match tokio::time::timeout(self.timeout, self.tcp.write_all(bytes)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(RunError::new(RunErrorKind::Io, format!("write: {error}"))),
            Err(_) => Err(RunError::new(
                RunErrorKind::Timeout,
                "write: the server stopped reading",
            )),
        }
    }

    /// The next thing that happens: a frame, or the end of the connection.
    pub(crate) async fn next_event(&mut self) -> Event {
        match self.read_frame().await {
            Ok(frame) => Event::Frame(frame),
            Err(end) => end.event(),
        }
    }

    async fn read_frame(&mut self) -> Result<Frame, ReadEnd> {
        let result = self.read_frame_inner().await;
        match &result {
            Ok(frame) if frame.kind() == FrameType::DATA => self.consumed(frame).await,
            Ok(_) => {}
            Err(_) => self.closed = true,
        }
        result
    }

    async fn read_frame_inner(&mut self) -> Result<Frame, ReadEnd> {
        loop {
            match self.decoder.decode(&mut self.buf) {
                Ok(Some(frame)) => return Ok(frame),
                Ok(None) => {}
                Err(error) => return Err(ReadEnd::Frame(error.to_string())),
            }
            self.buf.reserve(16 * 1024);
            match tokio::time::timeout(self.timeout, self.tcp.read_buf(&mut self.buf)).await {
                Err(_) => return Err(ReadEnd::Timeout),
                Ok(Ok(0)) if self.buf.is_empty() => return Err(ReadEnd::Closed),
                Ok(Ok(0)) => {
                    return Err(ReadEnd::Frame(
                        "the connection closed inside a frame".to_owned(),
                    ));
                }
                Ok(Ok(_)) => {}
                Ok(Err(error)) if is_reset(&error) => return Err(ReadEnd::Closed),
                Ok(Err(error)) => return Err(ReadEnd::Io(format!("read: {error}"))),
            }
        }
    }

    /// Gives flow-control credit back once a window is spent, as h2spec does: a
    /// WINDOW_UPDATE for the default window plus the deficit.
    async fn consumed(&mut self, frame: &Frame) {
        let length = i64::from(frame.header.length);
        for stream in [frame.stream(), 0] {
            let increment = {
                let window = self
                    .windows
                    .entry(stream)
                    .or_insert(i64::from(DEFAULT_WINDOW));
                *window -= length;
                if *window > 0 {
                    None
                } else {
                    let increment = i64::from(DEFAULT_WINDOW) - *window;
                    *window += increment;
                    Some(increment)
                }
            };
            if let Some(increment) = increment {
                let mut script = Script::new();
                script.window_update(stream, u32::try_from(increment).unwrap_or(u32::MAX));
                // As in h2spec, a failed write shows up on the next read.
                let _ = self.send(&script.take()).await;
            }
            if frame.stream() == 0 {
                break;
            }
        }
    }

    /// h2spec's client handshake: the preface and SETTINGS(INITIAL_WINDOW_SIZE=65535), then
    /// frames until the server's SETTINGS (answered with an ACK) and the ACK of ours have both
    /// arrived, all within the timeout.
    pub(crate) async fn handshake(&mut self) -> Result<(), RunError> {
        let mut script = Script::new();
        script
            .preface()
            .settings(&[(SettingId::INITIAL_WINDOW_SIZE, DEFAULT_WINDOW)]);
        self.send(&script.take()).await?;
        let timeout = self.timeout;
        let exchange = async {
            let (mut acked, mut received) = (false, false);
            while !(acked && received) {
                let frame = self
                    .read_frame()
                    .await
                    .map_err(|end| end.error("the handshake"))?;
                if frame.kind() != FrameType::SETTINGS {
                    continue;
                }
                if frame.has(flags::ACK) {
                    acked = true;
                } else {
                    received = true;
                    if let FrameBody::Settings(settings) = &frame.body {
                        self.settings.extend_from_slice(settings);
                    }
                    let mut ack = Script::new();
                    ack.settings_ack();
                    self.send(&ack.take()).await?;
                }
            }
            Ok(())
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(RunError::new(
                RunErrorKind::Timeout,
                "the handshake did not complete in time",
            )),
        }
    }
}

/// Whether a read error means the peer reset the connection (h2spec counts it as closed).
fn is_reset(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted
    )
}
