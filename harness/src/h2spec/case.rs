//! The case model: what a case is, and the [`Plan`] its builder fills in (bytes to send, frames
//! to wait for), from the server's SETTINGS and the target's address.
//!
//! Building a plan is pure: the same [`Context`] gives the same steps. The header blocks are
//! encoded with one HPACK [`Encoder`] per plan, as h2spec encodes with one encoder per
//! connection, so later blocks may refer to the dynamic table earlier ones filled.

use bytes::{BufMut, Bytes, BytesMut};
use tollgate_codecs::h2::frame::{DEFAULT_MAX_FRAME_SIZE, SettingId};
use tollgate_codecs::h2::hpack::{Encoder, HeaderField};
use tollgate_codecs::h2::script::Script;

use crate::h2spec::expect::Expectation;

/// Builds a case's plan.
pub type Build = fn(&mut Plan<'_>);

/// Something a case needs checked on a connection of its own before it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precondition {
    /// A `GET /` must be answered with at least this many bytes of body (h2spec's
    /// `ServerDataLength`); the case is skipped otherwise.
    ServerData(usize),
}

/// One h2spec case.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// The id h2spec accepts on its command line (`http2/6.5.3/1`).
    pub id: &'static str,
    /// What the case sends, in h2spec's words.
    pub description: &'static str,
    /// The requirement checked, in h2spec's words.
    pub requirement: &'static str,
    /// Whether h2spec runs the case only with `--strict` (a SHOULD, not a MUST).
    pub strict: bool,
    /// Whether the runner does h2spec's handshake (preface, SETTINGS, both ACKs) before the
    /// plan; the cases about the preface itself write their own.
    pub handshake: bool,
    /// A check to run first, on another connection.
    pub precondition: Option<Precondition>,
    build: Build,
}

impl Case {
    /// A case run after the handshake, without precondition, not strict.
    pub const fn new(
        id: &'static str,
        description: &'static str,
        requirement: &'static str,
        build: Build,
    ) -> Case {
        Case {
            id,
            description,
            requirement,
            strict: false,
            handshake: true,
            precondition: None,
            build,
        }
    }

    /// Marks the case strict.
    pub const fn strict(mut self) -> Case {
        self.strict = true;
        self
    }

    /// Leaves the handshake to the plan.
    pub const fn without_handshake(mut self) -> Case {
        self.handshake = false;
        self
    }

    /// Adds a precondition.
    pub const fn requires(mut self, precondition: Precondition) -> Case {
        self.precondition = Some(precondition);
        self
    }

    /// The section: the id without its sequence number (`http2/6.5.3`).
    pub fn section(&self) -> &'static str {
        self.id
            .rsplit_once('/')
            .map_or(self.id, |(section, _)| section)
    }

    /// The steps of the case for a server reached at `context`.
    pub fn plan(&self, context: &Context) -> Vec<Step> {
        let mut plan = Plan::new(context);
        (self.build)(&mut plan);
        plan.into_steps()
    }
}

/// What a plan is built from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// The `:authority` to send (`host:port`).
    pub authority: String,
    /// The `:path` to request (h2spec's `--path`, `/` by default).
    pub path: String,
    /// The server's SETTINGS from the handshake, in order (empty without handshake).
    pub server_settings: Vec<(SettingId, u32)>,
    /// The length of the dummy header values (h2spec's `--max-header-length`, 4000 by
    /// default).
    pub max_header_len: usize,
}

impl Context {
    /// The last value the server gave for `id`, if any.
    pub fn setting(&self, id: SettingId) -> Option<u32> {
        self.server_settings
            .iter()
            .rev()
            .find(|(setting, _)| *setting == id)
            .map(|(_, value)| *value)
    }
}

/// One step of a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Write these bytes.
    Send(Bytes),
    /// Wait for this; the case fails here if it is not met. The last step's expectation is
    /// the case's.
    Expect(Expectation),
    /// The case does not apply to this server (h2spec's `ErrSkipped`).
    Skip(String),
}

/// A header field to encode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// The name, as written (uppercase kept).
    pub name: Vec<u8>,
    /// The value.
    pub value: Vec<u8>,
}

/// A header field from its name and value.
pub fn field(name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Field {
    Field {
        name: name.as_ref().to_vec(),
        value: value.as_ref().to_vec(),
    }
}

/// The steps of a case being built.
#[derive(Debug)]
pub struct Plan<'a> {
    context: &'a Context,
    encoder: Encoder,
    script: Script,
    steps: Vec<Step>,
}

impl<'a> Plan<'a> {
    /// An empty plan.
    pub fn new(context: &'a Context) -> Plan<'a> {
        Plan {
            context,
            encoder: Encoder::new(),
            script: Script::new(),
            steps: Vec::new(),
        }
    }

    /// What the plan is built from.
    pub fn context(&self) -> &'a Context {
        self.context
    }

    /// The script the next bytes are written to (sent before the next expectation).
    pub fn script(&mut self) -> &mut Script {
        &mut self.script
    }

    /// h2spec's common request: `GET`, `http`, the path, the authority.
    pub fn common(&self) -> Vec<Field> {
        vec![
            field(":method", "GET"),
            field(":scheme", "http"),
            field(":path", &self.context.path),
            field(":authority", &self.context.authority),
        ]
    }

    /// The common request with another method.
    pub fn common_with_method(&self, method: &str) -> Vec<Field> {
        let mut fields = self.common();
        fields[0] = field(":method", method);
        fields
    }

    /// `count` fields `x-dummyN` with values of `max_header_len` times `x` (h2spec's
    /// `DummyHeaders`).
    pub fn dummy(&self, count: usize) -> Vec<Field> {
        let value = vec![b'x'; self.context.max_header_len];
        (0..count)
            .map(|index| field(format!("x-dummy{index}"), &value))
            .collect()
    }

    /// Encodes a header block with the plan's encoder.
    pub fn encode(&mut self, fields: &[Field]) -> Bytes {
        let mut block = BytesMut::new();
        self.encoder.encode(
            fields
                .iter()
                .map(|field| HeaderField::new(&field.name, &field.value)),
            &mut block,
        );
        block.freeze()
    }

    /// Encodes `fields` and writes them in one HEADERS frame with `flags`.
    pub fn headers(&mut self, stream: u32, fields: &[Field], flags: u8) -> Bytes {
        let block = self.encode(fields);
        self.script.headers(stream, &block, flags);
        block
    }

    /// Encodes the common request and writes it in one HEADERS frame with `flags`.
    pub fn request(&mut self, stream: u32, flags: u8) -> Bytes {
        let fields = self.common();
        self.headers(stream, &fields, flags)
    }

    /// Announces a new dynamic table size to the encoder: the next block starts with a
    /// dynamic table size update.
    pub fn set_max_table_size(&mut self, size: usize) {
        self.encoder.set_max_table_size(size);
    }

    /// The server's SETTINGS_MAX_FRAME_SIZE (16,384 when it did not say).
    pub fn max_frame_size(&self) -> u32 {
        self.context
            .setting(SettingId::MAX_FRAME_SIZE)
            .unwrap_or(DEFAULT_MAX_FRAME_SIZE)
    }

    /// Sends what the script holds, then waits for `expectation`.
    pub fn expect(&mut self, expectation: Expectation) {
        self.flush();
        self.steps.push(Step::Expect(expectation));
    }

    /// Ends the plan: the case does not apply.
    pub fn skip(&mut self, reason: impl Into<String>) {
        self.flush();
        self.steps.push(Step::Skip(reason.into()));
    }

    fn flush(&mut self) {
        let bytes = self.script.take();
        if !bytes.is_empty() {
            self.steps.push(Step::Send(bytes));
        }
    }

    /// The steps, with whatever the script still holds sent last.
    pub fn into_steps(mut self) -> Vec<Step> {
        self.flush();
        self.steps
    }
}

/// A dynamic table size update (RFC 7541 §6.3) of `size`: a 5-bit-prefix integer.
pub fn table_size_update(size: u64) -> Bytes {
    const PREFIX_MAX: u64 = (1 << 5) - 1;
    let low = |value: u64| value.to_le_bytes()[0];
    let mut out = BytesMut::new();
    if size < PREFIX_MAX {
        out.put_u8(0x20 | low(size));
    } else {
        out.put_u8(0x20 | low(PREFIX_MAX));
        let mut rest = size - PREFIX_MAX;
        while rest >= 128 {
            out.put_u8(0x80 | low(rest & 0x7f));
            rest >>= 7;
        }
        out.put_u8(low(rest));
    }
    out.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_codecs::h2::frame::flags;

    #[test]
    fn table_size_updates_use_a_five_bit_prefix() {
        assert_eq!(&table_size_update(1)[..], &[0x21]);
        assert_eq!(&table_size_update(4097)[..], &[0x3f, 0xe2, 0x1f]);
        // h2spec's "128 then 4096" pair.
        assert_eq!(&table_size_update(128)[..], &[0x3f, 0x61]);
        assert_eq!(&table_size_update(4096)[..], &[0x3f, 0xe1, 0x1f]);
    }

    #[test]
    fn a_plan_sends_before_each_expectation() {
        let context = Context {
            authority: "127.0.0.1:80".to_owned(),
            path: "/".to_owned(),
            ..Context::default()
        };
        let mut plan = Plan::new(&context);
        plan.request(1, flags::END_HEADERS | flags::END_STREAM);
        plan.expect(Expectation::StreamClose);
        plan.script().ping([0; 8], false);
        plan.expect(Expectation::PingAck([0; 8]));
        let steps = plan.into_steps();
        assert_eq!(steps.len(), 4);
        assert!(matches!(steps[0], Step::Send(_)));
        assert_eq!(steps[3], Step::Expect(Expectation::PingAck([0; 8])));
    }
}
