//! The scripted origin: plays a case's `[origin]` script on the first connection a subject
//! opens, answers everything after it with the clean answer, and records every byte it
//! receives, so that request-side smuggling is judged on what actually crossed the proxy.

mod h1;
mod h2;

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::case::{FrameStep, Origin, Protocol as Speaks, Step};

/// The body of the clean answer every request after the script gets.
pub const CLEAN_BODY: &[u8] = b"follow-up";

/// What the origin saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// Bytes received, one entry per connection, in the order connections were accepted.
    pub connections: Vec<Vec<u8>>,
    /// Whole requests seen (on all connections), as the origin's lenient reading counts them.
    pub requests: usize,
}

/// Shared between the accept loop, the connections and the owner.
#[derive(Default)]
struct Shared {
    record: Mutex<Record>,
    /// The script runs once, on the first connection.
    scripted: AtomicBool,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Record> {
        self.record.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Opens a record for a new connection; its index.
    fn connection(&self) -> usize {
        let mut record = self.lock();
        record.connections.push(Vec::new());
        record.connections.len() - 1
    }

    fn received(&self, connection: usize, bytes: &[u8]) {
        if let Some(seen) = self.lock().connections.get_mut(connection) {
            seen.extend_from_slice(bytes);
        }
    }

    fn request(&self) {
        self.lock().requests += 1;
    }
}

/// A running scripted origin; stops when dropped.
pub struct ScriptedOrigin {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl ScriptedOrigin {
    /// Listens on `listen` and plays `origin` for the subject that connects.
    ///
    /// # Errors
    ///
    /// The address cannot be bound, or the script asks for TLS, which the origin does not
    /// speak yet (the error says so).
    pub async fn start(origin: &Origin, listen: SocketAddr) -> io::Result<ScriptedOrigin> {
        if origin.tls {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "origins over TLS are not played yet: run the case with tls = false",
            ));
        }
        let listener = TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let origin = Arc::new(origin.clone());
        let accept = tokio::spawn(accept_loop(listener, origin, shared.clone()));
        Ok(ScriptedOrigin {
            addr,
            shared,
            accept,
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What it has seen so far.
    pub fn record(&self) -> Record {
        self.shared.lock().clone()
    }
}

impl Drop for ScriptedOrigin {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn accept_loop(listener: TcpListener, origin: Arc<Origin>, shared: Arc<Shared>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of descriptors and the like: the case will time out and say so.
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let index = shared.connection();
        let scripted = !shared.scripted.swap(true, Ordering::AcqRel);
        let origin = origin.clone();
        let shared = shared.clone();
        // Connections end with the accept loop (the JoinSet aborts them when dropped).
        connections.spawn(serve(stream, origin, shared, index, scripted));
    }
}

async fn serve(
    stream: TcpStream,
    origin: Arc<Origin>,
    shared: Arc<Shared>,
    index: usize,
    scripted: bool,
) {
    let script = if scripted { &origin.script[..] } else { &[] };
    let conn = Conn {
        stream,
        shared,
        index,
    };
    // I/O errors end the connection: the subject closed or reset it, which the case judges.
    let _ = match origin.protocol {
        Speaks::H1 => h1::serve(conn, script).await,
        Speaks::H2 => h2::serve(conn, script).await,
    };
}

/// What a protocol gives the script player: its reading of requests, and its frames.
trait Protocol {
    /// Waits for one whole request; `false` at end of stream.
    async fn request(&mut self, conn: &mut Conn) -> io::Result<bool>;
    /// Where received bytes wait to be read as requests.
    fn buffer(&mut self) -> &mut bytes::BytesMut;
    /// A scripted frame as bytes.
    fn frame(&mut self, frame: &FrameStep) -> io::Result<bytes::Bytes>;
}

/// Plays `script` on `conn`; `true` when the connection stays open for the clean answers.
async fn play<P: Protocol>(conn: &mut Conn, script: &[Step], protocol: &mut P) -> io::Result<bool> {
    for step in script {
        match step {
            Step::ExpectRequest => {
                if !protocol.request(conn).await? {
                    return Ok(false);
                }
            }
            Step::ExpectBytes(count) => {
                // The bytes stay in the buffer for the request reader.
                let mut seen = 0;
                while seen < *count {
                    let n = conn.read(protocol.buffer()).await?;
                    if n == 0 {
                        return Ok(false);
                    }
                    seen += n;
                }
            }
            Step::Send(bytes) => conn.write(bytes).await?,
            Step::Frame(frame) => {
                let bytes = protocol.frame(frame)?;
                conn.write(&bytes).await?;
            }
            Step::Sleep(pause) => tokio::time::sleep(*pause).await,
            Step::ShutdownWrite => conn.shutdown_write().await?,
            Step::Close => return Ok(false),
            Step::Reset => {
                conn.reset();
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// One accepted connection and where its bytes are recorded.
struct Conn {
    stream: TcpStream,
    shared: Arc<Shared>,
    index: usize,
}

impl Conn {
    /// Reads into `buf`, recording what came; 0 at end of stream.
    async fn read(&mut self, buf: &mut bytes::BytesMut) -> io::Result<usize> {
        use tokio::io::AsyncReadExt as _;
        let before = buf.len();
        buf.reserve(16 * 1024);
        let n = self.stream.read_buf(buf).await?;
        if let Some(read) = buf.get(before..) {
            self.shared.received(self.index, read);
        }
        Ok(n)
    }

    async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        use tokio::io::AsyncWriteExt as _;
        self.stream.write_all(bytes).await?;
        self.stream.flush().await
    }

    async fn shutdown_write(&mut self) -> io::Result<()> {
        use tokio::io::AsyncWriteExt as _;
        self.stream.shutdown().await
    }

    /// Closes with a TCP reset: linger zero, then drop.
    fn reset(&self) {
        let _ = self.stream.set_zero_linger();
    }
}
