//! Opening a connection to one origin: TCP, then TLS with SNI and ALPN when the cluster asks.

use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::error::{Error, ErrorKind};
use crate::io::BoxIo;
use crate::upstream::OriginProtocol;

/// TLS toward a cluster's origins.
#[derive(Clone)]
pub struct OriginTls {
    /// Roots, verification and ALPN offered.
    pub config: Arc<rustls::ClientConfig>,
    /// The server name sent and verified; `None` uses each origin's host.
    pub sni: Option<String>,
}

/// The protocol a new connection speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Spoken {
    H1,
    H2,
}

/// Connects to `addr` (`host:port`) within `timeout`.
pub(crate) async fn connect(
    addr: &str,
    protocol: OriginProtocol,
    tls: Option<&OriginTls>,
    timeout: Duration,
) -> Result<(BoxIo, Spoken), Error> {
    let attempt = async {
        let tcp = TcpStream::connect(addr).await.map_err(|error| {
            Error::new(
                ErrorKind::OriginConnect,
                format!("connect to {addr}: {error}"),
            )
            .retryable()
        })?;
        // Requests and small responses go out at once rather than waiting for more to coalesce.
        let _ = tcp.set_nodelay(true);
        let Some(tls) = tls else {
            let spoken = match protocol {
                OriginProtocol::H1 => Spoken::H1,
                OriginProtocol::H2 | OriginProtocol::Auto => Spoken::H2,
            };
            return Ok((Box::new(tcp) as BoxIo, spoken));
        };
        let host = addr.rsplit_once(':').map_or(addr, |(host, _)| host);
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let name = tls.sni.as_deref().unwrap_or(host);
        let server_name = ServerName::try_from(name.to_owned()).map_err(|error| {
            Error::new(
                ErrorKind::OriginConnect,
                format!("{addr}: {name:?} is not a valid TLS server name: {error}"),
            )
        })?;
        let stream = TlsConnector::from(tls.config.clone())
            .connect(server_name, tcp)
            .await
            .map_err(|error| {
                Error::new(
                    ErrorKind::OriginConnect,
                    format!("TLS handshake with {addr} ({name}): {error}"),
                )
                .retryable()
            })?;
        let alpn = stream.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
        let spoken = match (protocol, alpn.as_deref()) {
            (OriginProtocol::H1, _) => Spoken::H1,
            (OriginProtocol::H2, _) | (OriginProtocol::Auto, Some(b"h2")) => Spoken::H2,
            (OriginProtocol::Auto, _) => Spoken::H1,
        };
        Ok((Box::new(stream) as BoxIo, spoken))
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(Error::new(
            ErrorKind::OriginTimeout,
            format!("connect to {addr}: no connection within {timeout:?}"),
        )
        .retryable()),
    }
}
