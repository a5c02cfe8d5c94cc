//! Shared helpers of the `tollgate proxy` end-to-end tests (tests/proxy_*.rs): the binary as a
//! child process, in-process origins, and clients (real ones run as commands, raw HTTP/1.1
//! and HTTP/2 ones for what the real ones cannot show).

#![cfg(test)]
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]

// The proxy crate's test CA helper, shared rather than copied.
#[path = "../../proxy/tests/support/certs.rs"]
pub(crate) mod certs;
pub(crate) mod clients;
pub(crate) mod origin;
pub(crate) mod tollgate;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest as _, Sha256};

/// Lowercase hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The body the origins send for `/bytes/N`: not periodic in any power of two, so a chunk
/// lost, repeated or reordered on the way changes the checksum.
pub(crate) fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from((i * 7 + i / 251) % 256).unwrap())
        .collect()
}

/// Whether `command` can be run (found on PATH); prints why a test is skipped when not.
pub(crate) fn have(command: &str, test: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {command}")])
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        eprintln!("skipping {test}: `{command}` is not installed (scripts/test installs it)");
    }
    found
}

/// A fresh directory under the temp dir, removed on drop.
pub(crate) struct TempDir {
    pub(crate) path: PathBuf,
}

static DIRS: AtomicU64 = AtomicU64::new(0);

impl TempDir {
    pub(crate) fn new() -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "tollgate-e2e-{}-{}",
            std::process::id(),
            DIRS.fetch_add(1, Ordering::Relaxed)
        ));
        drop(fs::remove_dir_all(&path));
        fs::create_dir(&path).unwrap();
        TempDir { path }
    }

    /// Writes `contents` to `name` in the directory and returns its path.
    pub(crate) fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path.join(name);
        fs::write(&path, contents).unwrap();
        path
    }

    pub(crate) fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        drop(fs::remove_dir_all(&self.path));
    }
}

/// The repository root (for examples/tollgate.toml).
pub(crate) fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}
