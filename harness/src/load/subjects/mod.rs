//! The proxies a benchmark compares: tollgate, nginx and haproxy, each started with a
//! generated configuration of one worker, listening on loopback for HTTP/1 and HTTP/2 (prior
//! knowledge) and forwarding to the same origin over HTTP/1.1 keep-alive.
//!
//! [`plan`] finds the binary, reads its version, picks ports and writes the configuration
//! in a scratch directory; [`Plan::check`] has the subject validate it; [`Plan::start`] runs it
//! and waits until its ports accept. A subject whose binary is not installed fails with
//! [`LoadErrorKind::Missing`], which a benchmark reports as skipped.

pub mod config;
mod process;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use config::{NginxHttp2, ProxyConfig};
pub use process::ScratchDir;
pub(crate) use process::output_of;

use crate::load::{LoadError, LoadErrorKind};
use process::{accepts, find_binary, free_port};

/// How long a subject has to accept connections after it is started.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a subject has to exit after being asked to stop, before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);
/// How often a starting or stopping subject is looked at.
const POLL: Duration = Duration::from_millis(20);
/// How much of a failed subject's log goes into the error.
const LOG_TAIL: usize = 600;

/// A proxy the benchmark knows how to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubjectKind {
    /// This binary's `proxy` command.
    Tollgate,
    /// nginx (Debian package `nginx`).
    Nginx,
    /// haproxy (Debian package `haproxy`).
    Haproxy,
}

impl SubjectKind {
    /// Every subject, in the order a benchmark runs them.
    pub const ALL: [SubjectKind; 3] = [
        SubjectKind::Tollgate,
        SubjectKind::Nginx,
        SubjectKind::Haproxy,
    ];

    /// `tollgate`, `nginx` or `haproxy`.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Tollgate => "tollgate",
            SubjectKind::Nginx => "nginx",
            SubjectKind::Haproxy => "haproxy",
        }
    }

    /// The subject called `name`, as [`SubjectKind::as_str`] spells it.
    pub fn from_name(name: &str) -> Option<SubjectKind> {
        SubjectKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

/// How to run tollgate: normally this very binary (`std::env::current_exe()`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TollgateBinary {
    /// The executable.
    pub exe: PathBuf,
    /// Its version, as reported.
    pub version: String,
}

/// A subject ready to start: binary found, version read, configuration written.
#[derive(Debug)]
pub struct Plan {
    kind: SubjectKind,
    binary: PathBuf,
    version: String,
    config: ProxyConfig,
    args: Vec<String>,
    check_args: Option<Vec<String>>,
    dir: ScratchDir,
}

/// Prepares `kind` to forward to `origin`.
///
/// # Errors
///
/// [`LoadErrorKind::Missing`] when its binary is not installed (the benchmark skips it);
/// [`LoadErrorKind::Bind`] or [`LoadErrorKind::Config`] when ports or files cannot be had;
/// [`LoadErrorKind::Start`] when its version cannot be asked.
pub fn plan(
    kind: SubjectKind,
    origin: SocketAddr,
    tollgate: &TollgateBinary,
) -> Result<Plan, LoadError> {
    let dir = ScratchDir::new(kind.as_str())?;
    let prefix = |path: &Path| path.display().to_string();
    match kind {
        SubjectKind::Tollgate => {
            if !tollgate.exe.is_file() {
                return Err(LoadError::new(
                    LoadErrorKind::Missing,
                    format!("{} does not exist", tollgate.exe.display()),
                ));
            }
            let listen = free_port()?;
            let config = ProxyConfig {
                h1: listen,
                h2: listen,
                origin,
            };
            Ok(Plan {
                kind,
                binary: tollgate.exe.clone(),
                version: format!("tollgate {}", tollgate.version),
                args: config::tollgate_args(&config),
                config,
                check_args: None,
                dir,
            })
        }
        SubjectKind::Nginx => {
            let binary = installed("nginx")?;
            let version = first_line(&output_of(&binary, &["-v"])?.1);
            let config = two_ports(origin)?;
            let text = config::nginx(&config, dir.path(), NginxHttp2::for_version(&version));
            let file = prefix(&dir.write("nginx.conf", &text)?);
            let base = ["-p", &format!("{}/", prefix(dir.path())), "-c", &file];
            let with = |extra: &[&str]| -> Vec<String> {
                extra.iter().chain(&base).map(|s| (*s).to_owned()).collect()
            };
            Ok(Plan {
                kind,
                version,
                args: with(&["-g", "daemon off;"]),
                check_args: Some(with(&["-t", "-q", "-g", "daemon off;"])),
                binary,
                config,
                dir,
            })
        }
        SubjectKind::Haproxy => {
            let binary = installed("haproxy")?;
            let version = first_line(&output_of(&binary, &["-v"])?.1);
            let config = two_ports(origin)?;
            let file = prefix(&dir.write("haproxy.cfg", &config::haproxy(&config))?);
            Ok(Plan {
                kind,
                version,
                args: vec!["-db".to_owned(), "-f".to_owned(), file.clone()],
                check_args: Some(vec!["-c".to_owned(), "-f".to_owned(), file]),
                binary,
                config,
                dir,
            })
        }
    }
}

pub(crate) fn installed(name: &str) -> Result<PathBuf, LoadError> {
    find_binary(name).ok_or_else(|| {
        LoadError::new(
            LoadErrorKind::Missing,
            format!("{name} is not installed (Debian: apt-get install {name})"),
        )
    })
}

pub(crate) fn two_ports(origin: SocketAddr) -> Result<ProxyConfig, LoadError> {
    let h1 = free_port()?;
    let mut h2 = free_port()?;
    // The OS may hand the same free port out twice, since the first was released at once.
    for _ in 0..8 {
        if h2 != h1 {
            break;
        }
        h2 = free_port()?;
    }
    Ok(ProxyConfig { h1, h2, origin })
}

pub(crate) fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("unknown").trim().to_owned()
}

impl Plan {
    /// Which subject.
    pub fn kind(&self) -> SubjectKind {
        self.kind
    }

    /// Its version line (`nginx version: nginx/1.22.1`, `HAProxy version 2.6.12…`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Its listeners and origin.
    pub fn config(&self) -> &ProxyConfig {
        &self.config
    }

    /// The directory holding its configuration and logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Has the subject validate its configuration (`nginx -t`, `haproxy -c`); tollgate has no
    /// separate check, its arguments are checked when it starts.
    ///
    /// # Errors
    ///
    /// [`LoadErrorKind::Config`] with the subject's own words when it refuses the
    /// configuration.
    pub fn check(&self) -> Result<(), LoadError> {
        let Some(args) = &self.check_args else {
            return Ok(());
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match output_of(&self.binary, &args)? {
            (true, _) => Ok(()),
            (false, text) => Err(LoadError::new(
                LoadErrorKind::Config,
                format!(
                    "{} refuses its configuration: {}",
                    self.kind.as_str(),
                    text.trim()
                ),
            )),
        }
    }

    /// Starts the subject and waits until every listener accepts connections.
    ///
    /// # Errors
    ///
    /// [`LoadErrorKind::Start`] when it cannot be run, exits, or does not accept within 10 s;
    /// the message carries the end of its log.
    pub fn start(self) -> Result<Subject, LoadError> {
        let log = |name: &str| {
            std::fs::File::create(self.dir.path().join(name))
                .map(Stdio::from)
                .map_err(|error| {
                    LoadError::new(
                        LoadErrorKind::Config,
                        format!("cannot create a log: {error}"),
                    )
                })
        };
        let child = Command::new(&self.binary)
            .args(&self.args)
            .stdin(Stdio::null())
            // Into files, not pipes: a chatty subject must never block on a full pipe.
            .stdout(log("stdout.log")?)
            .stderr(log("stderr.log")?)
            .spawn()
            .map_err(|error| {
                LoadError::new(
                    LoadErrorKind::Start,
                    format!("cannot run {}: {error}", self.binary.display()),
                )
            })?;
        let mut subject = Subject {
            plan: self,
            child,
            running: true,
        };
        subject.wait_ready()?;
        Ok(subject)
    }
}

/// A running subject. Dropping it stops it.
#[derive(Debug)]
pub struct Subject {
    plan: Plan,
    child: Child,
    running: bool,
}

impl Subject {
    /// Which subject.
    pub fn kind(&self) -> SubjectKind {
        self.plan.kind
    }

    /// Its version line.
    pub fn version(&self) -> &str {
        &self.plan.version
    }

    /// Its listeners and origin.
    pub fn config(&self) -> &ProxyConfig {
        &self.plan.config
    }

    /// Stops the subject and waits for it to exit.
    ///
    /// # Errors
    ///
    /// [`LoadErrorKind::Start`] when it cannot be stopped.
    pub fn stop(mut self) -> Result<(), LoadError> {
        self.terminate()
    }

    fn wait_ready(&mut self) -> Result<(), LoadError> {
        let deadline = Instant::now() + START_TIMEOUT;
        let listeners = [self.plan.config.h1, self.plan.config.h2];
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.running = false;
                return Err(self.start_error(format!("exited at start ({status})")));
            }
            if listeners.iter().all(|addr| accepts(*addr)) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let _ = self.terminate();
                return Err(self.start_error(format!(
                    "did not accept connections on {} within {}s",
                    self.plan.config.h1,
                    START_TIMEOUT.as_secs()
                )));
            }
            std::thread::sleep(POLL);
        }
    }

    fn start_error(&self, what: String) -> LoadError {
        let mut logs = self.plan.dir.tail("stderr.log", LOG_TAIL);
        if self.plan.kind == SubjectKind::Nginx {
            logs.push('\n');
            logs.push_str(&self.plan.dir.tail("error.log", LOG_TAIL));
        }
        // One line, so the reason fits a table row and a progress line.
        let logs = logs.split_whitespace().collect::<Vec<_>>().join(" ");
        LoadError::new(
            LoadErrorKind::Start,
            format!(
                "{} {what}{}{logs}",
                self.plan.kind.as_str(),
                if logs.is_empty() {
                    ""
                } else {
                    "; its log ends: "
                }
            ),
        )
    }

    fn terminate(&mut self) -> Result<(), LoadError> {
        if !self.running {
            return Ok(());
        }
        self.running = false;
        if self.plan.kind == SubjectKind::Nginx && self.graceful_nginx_stop() {
            return Ok(());
        }
        let failed = |error: std::io::Error| {
            LoadError::new(
                LoadErrorKind::Start,
                format!("cannot stop {}: {error}", self.plan.kind.as_str()),
            )
        };
        self.child.kill().map_err(failed)?;
        self.child.wait().map_err(failed)?;
        Ok(())
    }

    /// Killing nginx's master would leave its worker running and holding the ports, so it is
    /// asked to stop (`nginx -s stop`: the master stops its worker, then exits).
    fn graceful_nginx_stop(&mut self) -> bool {
        let mut args: Vec<&str> = self.plan.args.iter().map(String::as_str).collect();
        args.extend(["-s", "stop"]);
        if !matches!(output_of(&self.plan.binary, &args), Ok((true, _))) {
            return false;
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(POLL);
        }
        false
    }
}

impl Drop for Subject {
    fn drop(&mut self) {
        let _ = self.terminate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_names_round_trip() {
        for kind in SubjectKind::ALL {
            assert_eq!(SubjectKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(SubjectKind::from_name("envoy"), None);
    }

    #[test]
    fn a_missing_tollgate_binary_is_missing_not_failed() {
        let tollgate = TollgateBinary {
            exe: PathBuf::from("/nonexistent/tollgate"),
            version: "0".to_owned(),
        };
        let origin = SocketAddr::from(([127, 0, 0, 1], 9));
        let error = plan(SubjectKind::Tollgate, origin, &tollgate).unwrap_err();
        assert_eq!(error.kind(), LoadErrorKind::Missing);
    }

    #[test]
    fn a_version_is_its_first_line() {
        assert_eq!(
            first_line("HAProxy version 2.6\nStatus: x\n"),
            "HAProxy version 2.6"
        );
        assert_eq!(first_line(""), "unknown");
    }
}
