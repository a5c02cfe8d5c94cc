//! `tollgate proxy` as a child process: started, waited for until it says where it listens,
//! signalled, and killed when the test ends (pass or fail).

use std::ffi::OsStr;
use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a start may take before the test fails: a debug build binds in milliseconds.
const READY: Duration = Duration::from_secs(10);

/// A running `tollgate proxy`; killed and reaped on drop.
pub(crate) struct Tollgate {
    child: Child,
    /// The listeners' addresses, in the order the binary announced them.
    pub(crate) listeners: Vec<SocketAddr>,
    /// The admin listener's address, when the configuration has one.
    pub(crate) admin: Option<SocketAddr>,
    stderr: Arc<Mutex<Vec<String>>>,
    exited: Option<ExitStatus>,
}

/// What a start that did not get ready looked like.
pub(crate) struct Failed {
    pub(crate) status: Option<ExitStatus>,
    pub(crate) stderr: String,
}

/// The binary under test, with a clean logging environment.
pub(crate) fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tollgate"));
    command.env_remove("RUST_LOG").env_remove("COLUMNS");
    command
}

/// Runs `tollgate ARGS` to completion (bounded by the caller's arguments, e.g. `--check`).
pub(crate) fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    command().args(args).stdin(Stdio::null()).output().unwrap()
}

impl Tollgate {
    /// Starts `tollgate proxy ARGS` and waits until `listeners` listeners (and the admin
    /// listener when `admin`) are announced on stderr. Panics with the stderr otherwise.
    pub(crate) fn start<S: AsRef<OsStr>>(args: &[S], listeners: usize, admin: bool) -> Tollgate {
        match Tollgate::try_start(args, listeners, admin) {
            Ok(tollgate) => tollgate,
            Err(failed) => panic!(
                "tollgate proxy did not start (exit {:?}):\n{}",
                failed.status, failed.stderr
            ),
        }
    }

    /// Like [`Tollgate::start`], returning what happened when it did not get ready.
    pub(crate) fn try_start<S: AsRef<OsStr>>(
        args: &[S],
        listeners: usize,
        admin: bool,
    ) -> Result<Tollgate, Failed> {
        let mut child = command()
            .arg("proxy")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (lines_tx, lines_rx) = mpsc::channel();
        let pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        // Reads until the child's stderr closes (it exits), keeping every line for the
        // assertions on logs.
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                sink.lock().unwrap().push(line.clone());
                let _ = lines_tx.send(line);
            }
        });
        let mut tollgate = Tollgate {
            child,
            listeners: Vec::new(),
            admin: None,
            stderr,
            exited: None,
        };
        let deadline = Instant::now() + READY;
        while tollgate.listeners.len() < listeners || (admin && tollgate.admin.is_none()) {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines_rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(addr) = announced(&line, "listening on ") {
                        tollgate.listeners.push(addr);
                    } else if let Some(addr) = announced(&line, "admin on ") {
                        tollgate.admin = Some(addr);
                    }
                }
                Err(_) => {
                    // Exited (stderr closed) or too slow: either way not ready.
                    let status = tollgate.wait_exit(Duration::from_secs(2));
                    return Err(Failed {
                        status,
                        stderr: tollgate.stderr(),
                    });
                }
            }
        }
        Ok(tollgate)
    }

    /// The first listener's address.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.listeners[0]
    }

    /// The child's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (`TERM`, `HUP`, ...) with kill(1): the test crates use no FFI.
    pub(crate) fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success(), "kill -{signal} failed");
    }

    /// Waits up to `limit` for the process to exit; its status, or `None` if it still runs.
    pub(crate) fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.exited {
                return Some(status);
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                self.exited = Some(status);
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Everything written to stderr so far.
    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().unwrap().join("\n")
    }

    /// Waits up to `limit` for a stderr line containing every one of `needles`.
    pub(crate) fn wait_log(&self, needles: &[&str], limit: Duration) -> Option<String> {
        let deadline = Instant::now() + limit;
        loop {
            let found = self
                .stderr
                .lock()
                .unwrap()
                .iter()
                .find(|line| needles.iter().all(|needle| line.contains(needle)))
                .cloned();
            if found.is_some() || Instant::now() >= deadline {
                return found;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Tollgate {
    fn drop(&mut self) {
        if self.exited.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The address in `PREFIX ADDR (...)`.
fn announced(line: &str, prefix: &str) -> Option<SocketAddr> {
    let rest = line.strip_prefix(prefix)?;
    rest.split_whitespace().next()?.parse().ok()
}
