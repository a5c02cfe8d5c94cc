//! The case file as TOML gives it, before the checks that turn it into a [`super::Case`].

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCase {
    pub(super) id: Spanned<String>,
    pub(super) title: Spanned<String>,
    pub(super) tags: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    pub(super) refs: Vec<String>,
    pub(super) timeout_ms: Option<Spanned<u64>>,
    pub(super) client: Spanned<RawClient>,
    pub(super) origin: Spanned<RawOrigin>,
    pub(super) expect: Spanned<RawExpect>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawClient {
    pub(super) protocol: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) tls: bool,
    pub(super) request: Option<Spanned<RawRequest>>,
    pub(super) raw: Option<String>,
    pub(super) raw_hex: Option<Spanned<String>>,
    pub(super) follow_up: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRequest {
    pub(super) method: String,
    pub(super) path: String,
    #[serde(default)]
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Option<String>,
    pub(super) body_hex: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOrigin {
    pub(super) protocol: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) tls: bool,
    pub(super) script: Vec<Spanned<RawStep>>,
}

/// One step: exactly one action key (checked after reading).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    pub(super) expect: Option<String>,
    pub(super) count: Option<u64>,
    pub(super) send: Option<String>,
    pub(super) send_hex: Option<String>,
    pub(super) frame: Option<RawFrame>,
    pub(super) sleep_ms: Option<u64>,
    pub(super) shutdown_write: Option<bool>,
    pub(super) close: Option<bool>,
    pub(super) reset: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFrame {
    #[serde(rename = "type")]
    pub(super) kind: NameOrNumber,
    #[serde(default)]
    pub(super) stream: u32,
    pub(super) flags: Option<Flags>,
    pub(super) headers: Option<Vec<(String, String)>>,
    pub(super) data: Option<String>,
    pub(super) payload_hex: Option<String>,
    pub(super) length: Option<u32>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum NameOrNumber {
    Number(u8),
    Name(String),
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum Flags {
    Bits(u8),
    Names(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExpect {
    #[serde(default)]
    pub(super) any_of: Vec<Spanned<RawOutcome>>,
    #[serde(default)]
    pub(super) deviant: Vec<Spanned<RawOutcome>>,
    #[serde(default)]
    pub(super) unsafe_if: Vec<Spanned<RawOutcome>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOutcome {
    pub(super) status: Option<u16>,
    #[serde(default)]
    pub(super) status_in: Vec<u16>,
    pub(super) body: Option<String>,
    pub(super) body_hex: Option<String>,
    pub(super) body_contains: Option<String>,
    #[serde(default)]
    pub(super) header: Vec<(String, String)>,
    #[serde(default)]
    pub(super) header_absent: Vec<String>,
    pub(super) no_response: Option<bool>,
    pub(super) closed: Option<bool>,
    pub(super) reset: Option<bool>,
    pub(super) anomaly: Option<String>,
    pub(super) origin_requests: Option<u32>,
    pub(super) origin_received_contains: Option<String>,
    pub(super) origin_received_absent: Option<String>,
}
