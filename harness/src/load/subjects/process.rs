//! The operating-system side of a subject: finding its binary, a scratch directory, free
//! ports, and waiting for its listeners.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::load::{LoadError, LoadErrorKind};

/// Where Debian puts daemons: often missing from a non-root user's PATH.
const SYSTEM_DIRS: [&str; 3] = ["/usr/sbin", "/usr/local/sbin", "/sbin"];

/// The first executable called `name` on PATH or in the system directories.
pub(crate) fn find_binary(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(SYSTEM_DIRS.iter().map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Runs `binary args` to completion; its stdout and stderr together.
pub(crate) fn output_of(binary: &Path, args: &[&str]) -> Result<(bool, String), LoadError> {
    let output = Command::new(binary).args(args).output().map_err(|error| {
        LoadError::new(
            LoadErrorKind::Start,
            format!("cannot run {}: {error}", binary.display()),
        )
    })?;
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Ok((output.status.success(), text))
}

/// A loopback port free a moment ago. Another process may take it before the subject binds
/// it; the subject then fails to start and says so, which is rare enough on a benchmark
/// machine not to need more.
pub(crate) fn free_port() -> Result<SocketAddr, LoadError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map_err(|error| {
            LoadError::new(
                LoadErrorKind::Bind,
                format!("no free port on 127.0.0.1: {error}"),
            )
        })
}

/// Whether something accepts connections on `addr` now.
pub(crate) fn accepts(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok()
}

/// A directory of its own under the system's temporary directory, removed on drop.
#[derive(Debug)]
pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    /// Creates `tollgate-bench-PID-N-LABEL` under the temporary directory.
    ///
    /// # Errors
    ///
    /// [`LoadErrorKind::Config`] when it cannot be created.
    pub fn new(label: &str) -> Result<ScratchDir, LoadError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("tollgate-bench-{}-{n}-{label}", std::process::id()));
        std::fs::create_dir_all(&path).map_err(|error| {
            LoadError::new(
                LoadErrorKind::Config,
                format!("cannot create {}: {error}", path.display()),
            )
        })?;
        Ok(ScratchDir { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `file` in the directory; its path.
    ///
    /// # Errors
    ///
    /// [`LoadErrorKind::Config`] when it cannot be written.
    pub fn write(&self, file: &str, text: &str) -> Result<PathBuf, LoadError> {
        let path = self.path.join(file);
        std::fs::write(&path, text).map_err(|error| {
            LoadError::new(
                LoadErrorKind::Config,
                format!("cannot write {}: {error}", path.display()),
            )
        })?;
        Ok(path)
    }

    /// The last `max` bytes of `file` in the directory (a log), or nothing.
    pub(crate) fn tail(&self, file: &str, max: usize) -> String {
        let text = std::fs::read(self.path.join(file)).unwrap_or_default();
        let start = text.len().saturating_sub(max);
        String::from_utf8_lossy(&text[start..]).trim().to_owned()
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_dirs_are_distinct_and_removed() {
        let a = ScratchDir::new("x").unwrap();
        let b = ScratchDir::new("x").unwrap();
        assert_ne!(a.path(), b.path());
        let file = a.write("f.conf", "hello").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "hello");
        assert_eq!(a.tail("f.conf", 3), "llo");
        assert_eq!(a.tail("missing", 3), "");
        let path = a.path().to_owned();
        drop(a);
        assert!(!path.exists());
    }

    #[test]
    fn a_missing_binary_is_not_found() {
        assert_eq!(find_binary("tollgate-no-such-binary-anywhere"), None);
        assert!(find_binary("sh").is_some());
    }

    #[test]
    fn a_free_port_accepts_nothing() {
        let addr = free_port().unwrap();
        assert!(addr.ip().is_loopback());
        assert!(!accepts(addr));
    }
}
