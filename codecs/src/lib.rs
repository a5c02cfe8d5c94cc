//! Sans-IO HTTP codecs for tollgate.
//!
//! Every decoder here takes bytes and returns complete items, "need more" (`Ok(None)`) or a
//! typed error; none of them reads a socket or a clock. The I/O loops live in the proxy and the
//! harness, so the fuzz targets, property tests and corpus replays drive exactly the code the
//! proxy runs.
//!
//! Three ideas run through every codec:
//!
//! - **Every leniency is a named [`Deviation`].** Each has a stable id (`h1.obs-fold`), an RFC
//!   reference and a set of supported [`Action`]s. A [`Policy`] picks the action per deviation
//!   and per [`Side`]: strict toward clients, forgiving toward origins by default.
//! - **Every deviation met is reported as an [`Anomaly`]** (id, action taken, side, byte
//!   offset), whether it was accepted, repaired or rejected.
//! - **Sizes are limits** (see [`h1::Limits`]), each a named constant with its reason, and each
//!   error knows its wire answer ([`h1::WireAnswer`]).

pub mod anomaly;
pub mod deviation;
pub mod h1;
pub mod h2;
pub mod policy;

pub use anomaly::Anomaly;
pub use deviation::{AppliesTo, Deviation, DeviationInfo, MessageKind};
pub use policy::{Action, Policy, PolicyError, Preset, Side};
