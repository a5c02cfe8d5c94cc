//! In-process origins on a background tokio runtime: HTTP/1.1, cleartext HTTP/2 (prior
//! knowledge), or TLS with ALPN (h2 or http/1.1). Every answer names the origin and carries
//! the SHA-256 of its body, so a test can check both where a request went and that the body
//! arrived intact.
//!
//! Paths: `/bytes/N` answers N bytes of [`pattern`]; `/slow/MS/N` the same after MS
//! milliseconds; anything else a short text naming the origin, method and path.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use super::{pattern, sha256_hex};

/// The largest body `/bytes/N` serves: enough for a multi-window HTTP/2 transfer, bounded so
/// that a typo in a test cannot exhaust memory.
const MAX_BODY: usize = 64 << 20;

/// The runtime every origin of the test binary runs on; tests themselves are synchronous
/// and drive real clients as child processes.
pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("test-origin")
            .enable_all()
            .build()
            .unwrap()
    })
}

/// How an origin speaks.
#[derive(Clone)]
pub(crate) enum Speaks {
    /// HTTP/1.1 in cleartext.
    H1,
    /// HTTP/2 in cleartext, prior knowledge.
    H2c,
    /// TLS; ALPN picks h2 or http/1.1 (http/1.1 without ALPN).
    Tls(Arc<rustls::ServerConfig>),
}

/// A running origin; dropping it stops accepting and closes its connections.
pub(crate) struct Origin {
    pub(crate) addr: SocketAddr,
    served: Arc<AtomicU64>,
    _stop: oneshot::Sender<()>,
}

impl Origin {
    /// An origin on 127.0.0.1 and an OS-chosen port.
    pub(crate) fn start(name: &str, speaks: Speaks) -> Origin {
        Origin::start_at(name, speaks, "127.0.0.1:0".parse().unwrap()).unwrap()
    }

    /// An origin on `addr`; an error when the address is taken.
    pub(crate) fn start_at(
        name: &str,
        speaks: Speaks,
        addr: SocketAddr,
    ) -> std::io::Result<Origin> {
        let listener = runtime().block_on(TcpListener::bind(addr))?;
        let addr = listener.local_addr()?;
        let served = Arc::new(AtomicU64::new(0));
        let (stop, stopped) = oneshot::channel();
        let name: Arc<str> = Arc::from(name);
        runtime().spawn(accept(listener, speaks, name, served.clone(), stopped));
        Ok(Origin {
            addr,
            served,
            _stop: stop,
        })
    }

    /// Requests answered so far.
    pub(crate) fn served(&self) -> u64 {
        self.served.load(Ordering::SeqCst)
    }
}

async fn accept(
    listener: TcpListener,
    speaks: Speaks,
    name: Arc<str>,
    served: Arc<AtomicU64>,
    mut stopped: oneshot::Receiver<()>,
) {
    // Dropped with this task: every connection is aborted when the origin stops.
    let mut connections = JoinSet::new();
    loop {
        let (tcp, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(_) => continue,
            },
            _ = &mut stopped => return,
        };
        let _ = tcp.set_nodelay(true);
        let name = name.clone();
        let served = served.clone();
        let speaks = speaks.clone();
        connections.spawn(async move {
            let service = service_fn(move |request| answer(request, name.clone(), served.clone()));
            match speaks {
                Speaks::H1 => {
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(tcp), service)
                        .await;
                }
                Speaks::H2c => {
                    let _ = http2::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tcp), service)
                        .await;
                }
                Speaks::Tls(config) => {
                    let Ok(tls) = TlsAcceptor::from(config).accept(tcp).await else {
                        return;
                    };
                    let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
                    let io = TokioIo::new(tls);
                    if h2 {
                        let _ = http2::Builder::new(TokioExecutor::new())
                            .serve_connection(io, service)
                            .await;
                    } else {
                        let _ = http1::Builder::new().serve_connection(io, service).await;
                    }
                }
            }
        });
        // Reap finished connections so that a long test does not accumulate them.
        while connections.try_join_next().is_some() {}
    }
}

async fn answer(
    request: Request<Incoming>,
    name: Arc<str>,
    served: Arc<AtomicU64>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let version = format!("{:?}", request.version());
    // Read the request body in full, so that its size can be reported back.
    let received = match request.into_body().collect().await {
        Ok(collected) => collected.to_bytes().len(),
        Err(_) => 0,
    };
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (delay, body) = match segments.as_slice() {
        ["bytes", len] => (None, len.parse::<usize>().ok()),
        ["slow", ms, len] => (ms.parse::<u64>().ok(), len.parse::<usize>().ok()),
        _ => (None, None),
    };
    if let Some(ms) = delay {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let body = match body {
        Some(len) if len <= MAX_BODY => pattern(len),
        Some(_) => {
            let response = Response::builder()
                .status(StatusCode::PAYLOAD_TOO_LARGE)
                .body(Full::new(Bytes::new()))
                .unwrap();
            return Ok(response);
        }
        None => format!("{name} {method} {path}\n").into_bytes(),
    };
    served.fetch_add(1, Ordering::SeqCst);
    let response = Response::builder()
        .header("x-origin", &*name)
        .header("x-origin-version", version)
        .header("x-body-sha256", sha256_hex(&body))
        .header("x-request-bytes", received.to_string())
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    Ok(response)
}

/// A TLS server configuration for `cert` and `key` (PEM files) offering h2 and http/1.1.
pub(crate) fn tls_config(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> Arc<rustls::ServerConfig> {
    use rustls_pki_types::pem::PemObject as _;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};

    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(key).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Arc::new(config)
}
