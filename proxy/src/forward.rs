//! From a client's request in the neutral form to an origin's response: routing, the hop's own
//! header changes, and the cluster's send.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use tokio::sync::mpsc;
use tollgate_translators::Pseudonym;

use crate::body::Body;
use crate::error::{Error, ErrorKind};
use crate::h2::Report;
use crate::route::Router;
use crate::upstream::{Answered, Cluster, Outgoing};

/// What the proxy calls itself in `Via` (RFC 9110 §7.6.3).
pub const VIA_PSEUDONYM: &str = "tollgate";

/// Routes and the clusters they lead to; replaced as a whole on reload.
pub struct Routing {
    /// Host and path prefix to cluster name.
    pub router: Router,
    /// Clusters by name.
    pub clusters: HashMap<String, Arc<Cluster>>,
}

/// Who sent a request.
#[derive(Clone, Debug)]
pub struct Client {
    /// The client's address.
    pub addr: SocketAddr,
}

/// Sends requests where the routes say.
pub struct Forwarder {
    routing: RwLock<Arc<Routing>>,
    via: Pseudonym,
}

impl Forwarder {
    /// A forwarder over `routing`, naming itself `via` in `Via`.
    pub fn new(routing: Routing, via: Pseudonym) -> Forwarder {
        Forwarder {
            routing: RwLock::new(Arc::new(routing)),
            via,
        }
    }

    /// The routing in force.
    pub fn routing(&self) -> Arc<Routing> {
        match self.routing.read() {
            Ok(routing) => routing.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the routing; requests already under way finish on the old one.
    pub fn replace(&self, routing: Routing) {
        let routing = Arc::new(routing);
        match self.routing.write() {
            Ok(mut slot) => *slot = routing,
            Err(poisoned) => *poisoned.into_inner() = routing,
        }
    }

    /// Forwards one request.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NoRoute`] when no route matches; otherwise the cluster's error.
    pub async fn forward(
        &self,
        mut parts: http::request::Parts,
        body: Body,
        client: &Client,
        interim: Option<mpsc::Sender<http::response::Parts>>,
        report: Report,
    ) -> Result<Answered, Error> {
        let routing = self.routing();
        let host = parts.uri.host();
        let path = parts.uri.path();
        let Some(name) = routing.router.route(host, path) else {
            return Err(Error::new(
                ErrorKind::NoRoute,
                format!(
                    "no route for host {:?} and path {path:?}",
                    host.unwrap_or("")
                ),
            ));
        };
        let Some(cluster) = routing.clusters.get(name) else {
            return Err(Error::new(
                ErrorKind::Internal,
                format!("the route names cluster {name:?}, which does not exist"),
            ));
        };
        // `100 Continue` is handled on each hop by the proxy itself (it answers the client when
        // it starts reading the body), so the expectation stops here.
        parts.headers.remove(http::header::EXPECT);
        tollgate_translators::add_via(&mut parts.headers, parts.version, &self.via);
        let hash_key = cluster.spec().hash.as_ref().and_then(|kind| {
            crate::balance::hash_key(kind, client.addr.ip(), parts.uri.path(), &parts.headers)
                .map(|input| input.as_bytes().to_vec())
        });
        cluster
            .send(Outgoing {
                parts,
                body,
                hash_key,
                interim,
                report,
            })
            .await
    }
}
