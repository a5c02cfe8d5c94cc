//! Running cases: each against a subject, with its scripted origin behind it, judged into a
//! [`Verdict`]. Subjects implement [`Subject`]; tollgate's runs in-process ([`Tollgate`]).

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::time::{Duration, Instant};

use tollgate_proxy::config::Config;
use tollgate_proxy::runtime::Proxy;

use crate::case::{Case, Protocol};
use crate::client::{self, ClientError};
use crate::origin::ScriptedOrigin;
use crate::verdict::{FollowUp, Observation, Verdict, judge};

/// Timeouts the subject is configured with toward the origin and the client: short, so that
/// a stalled origin shows as the subject's own timeout (504) well within a case's bound.
/// Cases that stall an origin sleep longer than this (docs/cases.md).
pub const SUBJECT_TIMEOUT: Duration = Duration::from_secs(1);

/// Time for bytes already sent to reach the origin's record after the client is done.
const SETTLE: Duration = Duration::from_millis(50);

/// One case played against one subject.
#[derive(Debug)]
pub struct Played {
    /// The class and why.
    pub verdict: Verdict,
    /// What was seen.
    pub seen: Observation,
    /// How long the case took.
    pub elapsed: Duration,
}

/// The configuration tollgate runs a case with: one listener, every request to the origin.
pub fn tollgate_config(origin: SocketAddr, protocol: Protocol) -> String {
    let protocol = match protocol {
        Protocol::H1 => "h1",
        Protocol::H2 => "h2c",
    };
    let timeout = format!("{}ms", SUBJECT_TIMEOUT.as_millis());
    format!(
        "[[listeners]]\nname = \"harness\"\nlisten = \"127.0.0.1:0\"\n\
         [listeners.limits]\nheader_read_timeout = \"{timeout}\"\nidle_timeout = \"{timeout}\"\n\n\
         [[routes]]\ncluster = \"origin\"\n\n\
         [clusters.origin]\norigins = [\"{origin}\"]\nprotocol = \"{protocol}\"\n\
         [clusters.origin.timeouts]\nconnect = \"{timeout}\"\nfirst_byte = \"{timeout}\"\n\
         idle = \"{timeout}\"\ntotal = \"30s\"\n"
    )
}

/// A future that can cross threads, boxed: what a [`Subject`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Something cases are played against: started per case in front of that case's origin.
pub trait Subject: Send + Sync {
    /// Its name in reports.
    fn name(&self) -> &str;
    /// Whether `anomaly` conditions can be checked (tollgate's anomalies are visible).
    fn is_tollgate(&self) -> bool;
    /// Starts in front of `origin`, which speaks `protocol`.
    fn start(
        &self,
        origin: SocketAddr,
        protocol: Protocol,
    ) -> BoxFuture<'_, Result<Box<dyn Running>, StartError>>;
}

/// Why a subject did not start for a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartError {
    /// It cannot play this case (an origin protocol it is not set up for): skipped.
    Skip(String),
    /// It should have started and did not: a failure.
    Fail(String),
}

/// A subject started for one case.
pub trait Running: Send {
    /// Where a client speaking `protocol` connects.
    fn addr(&self, protocol: Protocol) -> SocketAddr;
    /// Stops it; the deviation ids it recorded.
    fn stop(self: Box<Self>) -> BoxFuture<'static, Vec<String>>;
}

/// tollgate itself, started in-process for each case.
pub struct Tollgate;

struct RunningTollgate {
    proxy: Proxy,
    addr: SocketAddr,
}

impl Subject for Tollgate {
    fn name(&self) -> &str {
        "tollgate"
    }

    fn is_tollgate(&self) -> bool {
        true
    }

    fn start(
        &self,
        origin: SocketAddr,
        protocol: Protocol,
    ) -> BoxFuture<'_, Result<Box<dyn Running>, StartError>> {
        Box::pin(async move {
            let text = tollgate_config(origin, protocol);
            let config = Config::from_str(&text, Path::new("harness.toml"))
                .map_err(|error| {
                    StartError::Fail(format!("tollgate's harness config does not load: {error}"))
                })?
                .config;
            let proxy = Proxy::start(&config)
                .await
                .map_err(|error| StartError::Fail(format!("tollgate did not start: {error}")))?;
            let addr = proxy
                .listeners()
                .first()
                .map(|listener| listener.addr)
                .ok_or_else(|| StartError::Fail("tollgate started without a listener".into()))?;
            Ok(Box::new(RunningTollgate { proxy, addr }) as Box<dyn Running>)
        })
    }
}

impl Running for RunningTollgate {
    fn addr(&self, _protocol: Protocol) -> SocketAddr {
        self.addr
    }

    fn stop(self: Box<Self>) -> BoxFuture<'static, Vec<String>> {
        Box::pin(async move {
            let ids = anomaly_ids(&self.proxy.metrics().encode());
            let _ = self.proxy.shutdown(Duration::ZERO).await;
            ids
        })
    }
}

/// Plays `case` against `subject`, started for it in front of the case's scripted origin.
pub async fn play(case: &Case, subject: &dyn Subject) -> Played {
    let started = Instant::now();
    let mut seen = Observation {
        response: None,
        client_received: Vec::new(),
        client_methods: Vec::new(),
        closed: false,
        reset: false,
        follow_up: FollowUp::NotSent,
        origin: Default::default(),
        origin_h2: case.origin.protocol == Protocol::H2,
        anomalies: Vec::new(),
        failure: None,
        skipped: None,
    };
    let tollgate = subject.is_tollgate();
    let any: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 0));
    let origin = match ScriptedOrigin::start(&case.origin, any).await {
        Ok(origin) => origin,
        Err(error) => {
            seen.failure = Some(format!("the scripted origin could not start: {error}"));
            return finish(case, seen, started, tollgate);
        }
    };
    let running = match subject.start(origin.addr(), case.origin.protocol).await {
        Ok(running) => running,
        Err(StartError::Skip(reason)) => {
            seen.skipped = Some(reason);
            return finish(case, seen, started, tollgate);
        }
        Err(StartError::Fail(error)) => {
            seen.failure = Some(error);
            return finish(case, seen, started, tollgate);
        }
    };
    let addr = running.addr(case.client.protocol);
    match tokio::time::timeout(case.timeout, client::play(&case.client, addr)).await {
        Ok(Ok(played)) => {
            seen.response = played.response;
            seen.client_received = played.received;
            seen.client_methods = played.methods;
            seen.closed = played.closed;
            seen.reset = played.reset;
            seen.follow_up = played.follow_up.unwrap_or(FollowUp::NotSent);
        }
        Ok(Err(ClientError::Failed(error))) => seen.failure = Some(error),
        Ok(Err(ClientError::Unsendable(reason))) => seen.skipped = Some(reason),
        Err(_) => {
            seen.failure = Some(format!(
                "the case did not finish within {} ms",
                case.timeout.as_millis()
            ));
        }
    }
    tokio::time::sleep(SETTLE).await;
    seen.origin = origin.record();
    seen.anomalies = running.stop().await;
    finish(case, seen, started, tollgate)
}

fn finish(case: &Case, seen: Observation, started: Instant, tollgate: bool) -> Played {
    Played {
        verdict: judge(case, &seen, tollgate),
        seen,
        elapsed: started.elapsed(),
    }
}

/// The deviation ids counted in a Prometheus text exposition of tollgate's metrics.
fn anomaly_ids(metrics: &str) -> Vec<String> {
    let mut ids: Vec<String> = metrics
        .lines()
        .filter_map(|line| line.strip_prefix("tollgate_anomalies_total{"))
        .filter(|line| !line.trim_end().ends_with(" 0"))
        .filter_map(|labels| {
            let start = labels.find("id=\"")? + 4;
            let end = labels.get(start..)?.find('"')? + start;
            labels.get(start..end).map(str::to_owned)
        })
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The report entry for one case played against one subject.
pub fn result_of(case: &Case, subject: &str, played: &Played) -> tollgate_reports::CaseResult {
    use tollgate_reports::{BodyDigest, Capture, CaseResult, Observed, Timings, Transcript};
    let seen = &played.seen;
    let mut result = CaseResult::new(
        case.id.clone(),
        subject,
        played.verdict.class,
        played.verdict.reason.clone(),
    )
    .title(case.title.clone())
    .tags(case.tags.clone())
    .refs(case.refs.clone())
    .suite(case.kind.as_str())
    .observed(Observed {
        status: seen.response.as_ref().map(|response| response.status),
        body: seen
            .response
            .as_ref()
            .map(|response| BodyDigest::of(&response.body)),
        anomalies: seen.anomalies.clone(),
        origin_received: Some(Capture::of(
            &seen.origin.connections.concat(),
            Transcript::LIMIT,
        )),
    })
    .timings(Timings {
        total_ms: played.elapsed.as_secs_f64() * 1000.0,
        first_byte_ms: None,
    });
    if let Some((index, expectation)) = &played.verdict.matched {
        result = result.matched(*index, expectation.clone());
    }
    let mut transcript = Transcript::default();
    for (index, bytes) in seen.origin.connections.iter().enumerate() {
        transcript.push(subject, format!("origin (connection {index})"), bytes);
    }
    if !seen.client_received.is_empty() {
        transcript.push(subject, "client", &seen.client_received);
    }
    result.transcript(transcript)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anomaly_ids_come_from_counters_above_zero() {
        let text = "# TYPE tollgate_anomalies_total counter\n\
            tollgate_anomalies_total{action=\"repair\",id=\"h1.obs-fold\",side=\"origin\"} 2\n\
            tollgate_anomalies_total{action=\"reject\",id=\"h1.cl-te\",side=\"client\"} 0\n\
            tollgate_requests_total{client=\"h1\"} 1\n";
        assert_eq!(anomaly_ids(text), ["h1.obs-fold"]);
    }
}
