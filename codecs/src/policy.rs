//! Policies: which [`Action`] each [`Deviation`] gets, per [`Side`], plus the codec limits.
//!
//! A policy is a runtime value (never a cargo feature) so that the proxy can load it from its
//! configuration and every harness report can print the exact policy in force.
//!
//! # File format
//!
//! ```toml
//! # start from a preset: "strict", "default" or "lenient"
//! base = "default"
//!
//! [client]                       # toward clients (requests we serve)
//! "h1.request.upgrade-h2c" = "reject"
//!
//! [origin]                       # toward origins (responses we read)
//! "h1.response.invalid-content-length" = "repair"
//!
//! [h1.limits]
//! max_head_bytes = 65536
//! ```
//!
//! Unknown keys, unknown deviation ids and actions a deviation does not support are errors
//! that name the line and column.

use std::collections::BTreeMap;
use std::fmt;
use std::fmt::Write as _;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::deviation::{Deviation, DeviationInfo, MessageKind};
use crate::h1::Limits;
use crate::h2::budgets::{Budget, Budgets, Rate};

/// What to do when a deviation is met.
///
/// Ordered from the most permissive to the strictest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Pass the input on as received.
    Accept,
    /// Normalise the input, then go on.
    Repair,
    /// Refuse the message.
    Reject,
}

impl Action {
    /// `"accept"`, `"repair"` or `"reject"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Repair => "repair",
            Action::Reject => "reject",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The peer a message comes from, which decides the column of the policy that applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// A client we serve: strict by default, since its input can smuggle requests.
    Client,
    /// An origin we forward to: forgiving by default, since its output is re-framed by us.
    Origin,
}

impl Side {
    /// `"client"` or `"origin"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Origin => "origin",
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A built-in starting point for a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    /// Reject every deviation on both sides: for conformance testing.
    Strict,
    /// Strict toward clients, forgiving but never ambiguous toward origins.
    Default,
    /// Repair or accept whatever can be handled without passing on an ambiguity.
    Lenient,
}

impl Preset {
    /// `"strict"`, `"default"` or `"lenient"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Strict => "strict",
            Preset::Default => "default",
            Preset::Lenient => "lenient",
        }
    }

    /// Parses a preset name.
    pub fn from_name(name: &str) -> Option<Preset> {
        match name {
            "strict" => Some(Preset::Strict),
            "default" => Some(Preset::Default),
            "lenient" => Some(Preset::Lenient),
            _ => None,
        }
    }

    fn action(self, info: &DeviationInfo, side: Side) -> Action {
        match (self, side) {
            (Preset::Strict, _) => Action::Reject,
            (Preset::Default, Side::Client) => info.defaults.client,
            (Preset::Default, Side::Origin) => info.defaults.origin,
            (Preset::Lenient, Side::Client) => info.defaults.lenient_client,
            (Preset::Lenient, Side::Origin) => info.defaults.lenient_origin,
        }
    }
}

/// The actions for every deviation on both sides, and the limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    base: Preset,
    client: [Action; Deviation::COUNT],
    origin: [Action; Deviation::COUNT],
    /// HTTP/1 size limits.
    pub h1_limits: Limits,
    /// HTTP/2 guard budgets.
    pub h2_budgets: Budgets,
}

impl Default for Policy {
    fn default() -> Self {
        Policy::preset(Preset::Default)
    }
}

impl Policy {
    /// A built-in policy with default limits.
    pub fn preset(preset: Preset) -> Policy {
        let mut client = [Action::Reject; Deviation::COUNT];
        let mut origin = [Action::Reject; Deviation::COUNT];
        for deviation in Deviation::ALL {
            client[deviation.index()] = preset.action(deviation.info(), Side::Client);
            origin[deviation.index()] = preset.action(deviation.info(), Side::Origin);
        }
        Policy {
            base: preset,
            client,
            origin,
            h1_limits: Limits::default(),
            h2_budgets: Budgets::default(),
        }
    }

    /// The preset this policy started from.
    pub fn base(&self) -> Preset {
        self.base
    }

    /// The configured action for `deviation` on `side`.
    pub fn action(&self, side: Side, deviation: Deviation) -> Action {
        match side {
            Side::Client => self.client[deviation.index()],
            Side::Origin => self.origin[deviation.index()],
        }
    }

    /// The action actually taken for `deviation` in a message of `kind` from `side` (see
    /// [`DeviationInfo::effective`]).
    pub fn effective_action(&self, side: Side, deviation: Deviation, kind: MessageKind) -> Action {
        deviation
            .info()
            .effective(self.action(side, deviation), kind)
    }

    /// Sets one action.
    ///
    /// # Errors
    ///
    /// When the deviation supports `action` for no kind of message.
    pub fn set(
        &mut self,
        side: Side,
        deviation: Deviation,
        action: Action,
    ) -> Result<(), UnsupportedAction> {
        if !deviation.info().supports_any(action) {
            return Err(UnsupportedAction { deviation, action });
        }
        match side {
            Side::Client => self.client[deviation.index()] = action,
            Side::Origin => self.origin[deviation.index()] = action,
        }
        Ok(())
    }

    /// Loads a policy from the TOML format described in the module documentation.
    ///
    /// # Errors
    ///
    /// A [`PolicyError`] naming the line and column of the first problem.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let file: PolicyFile = toml::from_str(text).map_err(|err| {
            let span = err.span().unwrap_or(0..0);
            PolicyError::at(
                text,
                span,
                PolicyErrorKind::Syntax,
                err.message().to_owned(),
            )
        })?;
        let base = match &file.base {
            None => Preset::Default,
            Some(name) => Preset::from_name(name.get_ref()).ok_or_else(|| {
                PolicyError::at(
                    text,
                    name.span(),
                    PolicyErrorKind::UnknownPreset,
                    format!(
                        "unknown base `{}`: expected \"strict\", \"default\" or \"lenient\"",
                        name.get_ref()
                    ),
                )
            })?,
        };
        let mut policy = Policy::preset(base);
        for (side, table) in [(Side::Client, &file.client), (Side::Origin, &file.origin)] {
            for (id, action) in table {
                let deviation = Deviation::from_id(id.get_ref()).ok_or_else(|| {
                    PolicyError::at(
                        text,
                        id.span(),
                        PolicyErrorKind::UnknownDeviation,
                        format!(
                            "unknown deviation `{}` (`tollgate policy list` shows them all)",
                            id.get_ref()
                        ),
                    )
                })?;
                policy
                    .set(side, deviation, *action.get_ref())
                    .map_err(|err| {
                        PolicyError::at(
                            text,
                            action.span(),
                            PolicyErrorKind::UnsupportedAction,
                            err.to_string(),
                        )
                    })?;
            }
        }
        if let Some(limits) = file.h1.and_then(|h1| h1.limits) {
            limits.apply(text, &mut policy.h1_limits)?;
        }
        if let Some(budgets) = file.h2.and_then(|h2| h2.budgets) {
            apply_budgets(text, &budgets, &mut policy.h2_budgets)?;
        }
        Ok(policy)
    }

    /// The complete effective policy in the TOML format, every deviation listed: loading the
    /// output gives back an equal policy.
    pub fn to_toml(&self) -> String {
        let mut out = format!(
            "# effective tollgate policy (base preset: {})\nbase = \"{}\"\n",
            self.base.as_str(),
            self.base.as_str()
        );
        for side in [Side::Client, Side::Origin] {
            let _ = write!(out, "\n[{}]\n", side.as_str());
            for deviation in Deviation::ALL {
                let _ = writeln!(
                    out,
                    "{:<48} = \"{}\"",
                    format!("\"{}\"", deviation.id()),
                    self.action(side, *deviation)
                );
            }
        }
        out.push_str("\n[h1.limits]\n");
        for (name, value, _) in self.h1_limits.entries() {
            let _ = writeln!(out, "{name} = {value}");
        }
        out.push_str("\n[h2.budgets]\n");
        for budget in Budget::ALL {
            let name = budget.setting();
            if let Some(rate) = budget.rate(&self.h2_budgets) {
                let window = rate.window.as_millis();
                let _ = writeln!(
                    out,
                    "{name} = {{ max = {}, window_ms = {window} }}",
                    rate.max
                );
            } else if let Some(cap) = budget.cap(&self.h2_budgets) {
                let _ = writeln!(out, "{name} = {cap}");
            }
        }
        out
    }
}

/// A deviation was given an action it does not support.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnsupportedAction {
    /// The deviation.
    pub deviation: Deviation,
    /// The action asked for.
    pub action: Action,
}

impl fmt::Display for UnsupportedAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let supported: Vec<&str> = self
            .deviation
            .info()
            .supported_actions()
            .iter()
            .map(|a| a.as_str())
            .collect();
        write!(
            f,
            "`{}` does not support `{}` (supported: {})",
            self.deviation,
            self.action,
            supported.join(", ")
        )
    }
}

impl std::error::Error for UnsupportedAction {}

/// What went wrong when loading a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyErrorKind {
    /// Not valid TOML, an unknown key, or a value of the wrong type.
    Syntax,
    /// `base` names no preset.
    UnknownPreset,
    /// A key names no deviation.
    UnknownDeviation,
    /// The deviation does not support the action.
    UnsupportedAction,
    /// A limit is out of range.
    InvalidLimit,
}

impl PolicyErrorKind {
    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyErrorKind::Syntax => "syntax",
            PolicyErrorKind::UnknownPreset => "unknown_preset",
            PolicyErrorKind::UnknownDeviation => "unknown_deviation",
            PolicyErrorKind::UnsupportedAction => "unsupported_action",
            PolicyErrorKind::InvalidLimit => "invalid_limit",
        }
    }
}

/// A policy file could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError {
    /// What kind of problem.
    pub kind: PolicyErrorKind,
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column of the problem.
    pub column: usize,
    /// What to fix.
    pub message: String,
}

impl PolicyError {
    fn at(text: &str, span: Range<usize>, kind: PolicyErrorKind, message: String) -> PolicyError {
        let (line, column) = line_column(text, span.start);
        PolicyError {
            kind,
            line,
            column,
            message,
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for PolicyError {}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |tail| tail.chars().count())
        + 1;
    (line, column)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    base: Option<Spanned<String>>,
    #[serde(default)]
    client: BTreeMap<Spanned<String>, Spanned<Action>>,
    #[serde(default)]
    origin: BTreeMap<Spanned<String>, Spanned<Action>>,
    h1: Option<H1Section>,
    h2: Option<H2Section>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct H2Section {
    budgets: Option<BTreeMap<Spanned<String>, Spanned<BudgetValue>>>,
}

/// A rate (`{ max = 200, window_ms = 10000 }`) or a cap (`16`).
#[derive(Deserialize)]
#[serde(untagged)]
enum BudgetValue {
    Cap(i64),
    Rate { max: i64, window_ms: i64 },
}

fn apply_budgets(
    text: &str,
    entries: &BTreeMap<Spanned<String>, Spanned<BudgetValue>>,
    budgets: &mut Budgets,
) -> Result<(), PolicyError> {
    for (name, value) in entries {
        let Some(budget) = Budget::ALL
            .into_iter()
            .find(|budget| budget.setting() == name.get_ref())
        else {
            let known: Vec<&str> = Budget::ALL.iter().map(|b| b.setting()).collect();
            return Err(PolicyError::at(
                text,
                name.span(),
                PolicyErrorKind::Syntax,
                format!(
                    "unknown budget `{}` (known: {})",
                    name.get_ref(),
                    known.join(", ")
                ),
            ));
        };
        let invalid = |message: String| {
            PolicyError::at(text, value.span(), PolicyErrorKind::InvalidLimit, message)
        };
        let positive = |n: i64| u32::try_from(n).ok().filter(|n| *n > 0);
        match (value.get_ref(), budget.rate(budgets).is_some()) {
            (BudgetValue::Rate { max, window_ms }, true) => {
                let (Some(max), Some(window)) = (positive(*max), positive(*window_ms)) else {
                    return Err(invalid(format!(
                        "`{}` needs a positive `max` and `window_ms`",
                        budget.setting()
                    )));
                };
                let rate = Rate {
                    max,
                    window: std::time::Duration::from_millis(u64::from(window)),
                };
                budget.set_rate(budgets, rate);
            }
            (BudgetValue::Cap(cap), false) => {
                let cap = positive(*cap).ok_or_else(|| {
                    invalid(format!("`{}` must be a positive number", budget.setting()))
                })?;
                budget.set_cap(budgets, cap);
            }
            (_, true) => {
                return Err(invalid(format!(
                    "`{}` is a rate: write {{ max = N, window_ms = M }}",
                    budget.setting()
                )));
            }
            (_, false) => {
                return Err(invalid(format!(
                    "`{}` is a count: write a positive number",
                    budget.setting()
                )));
            }
        }
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct H1Section {
    limits: Option<LimitsFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsFile {
    max_head_bytes: Option<Spanned<i64>>,
    max_line_bytes: Option<Spanned<i64>>,
    max_headers: Option<Spanned<i64>>,
    max_chunk_ext_bytes: Option<Spanned<i64>>,
    max_trailer_bytes: Option<Spanned<i64>>,
    max_informational: Option<Spanned<i64>>,
}

impl LimitsFile {
    fn apply(&self, text: &str, limits: &mut Limits) -> Result<(), PolicyError> {
        let fields = [
            (
                &self.max_head_bytes,
                &mut limits.max_head_bytes,
                "max_head_bytes",
            ),
            (
                &self.max_line_bytes,
                &mut limits.max_line_bytes,
                "max_line_bytes",
            ),
            (&self.max_headers, &mut limits.max_headers, "max_headers"),
            (
                &self.max_chunk_ext_bytes,
                &mut limits.max_chunk_ext_bytes,
                "max_chunk_ext_bytes",
            ),
            (
                &self.max_trailer_bytes,
                &mut limits.max_trailer_bytes,
                "max_trailer_bytes",
            ),
            (
                &self.max_informational,
                &mut limits.max_informational,
                "max_informational",
            ),
        ];
        for (given, slot, name) in fields {
            if let Some(value) = given {
                // Spans and offsets are u32 internally, so no limit may reach 4 GiB.
                let valid = usize::try_from(*value.get_ref())
                    .ok()
                    .filter(|v| (1..=Limits::MAX_CONFIGURABLE).contains(v));
                *slot = valid.ok_or_else(|| {
                    PolicyError::at(
                        text,
                        value.span(),
                        PolicyErrorKind::InvalidLimit,
                        format!(
                            "`{name}` must be between 1 and {}, got {}",
                            Limits::MAX_CONFIGURABLE,
                            value.get_ref()
                        ),
                    )
                })?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_differ_by_side_as_documented() {
        let default = Policy::preset(Preset::Default);
        assert_eq!(
            default.action(Side::Client, Deviation::ObsFold),
            Action::Reject
        );
        assert_eq!(
            default.action(Side::Origin, Deviation::ObsFold),
            Action::Repair
        );
        let strict = Policy::preset(Preset::Strict);
        assert!(
            Deviation::ALL
                .iter()
                .all(|d| strict.action(Side::Origin, *d) == Action::Reject)
        );
        let lenient = Policy::preset(Preset::Lenient);
        assert_eq!(
            lenient.action(Side::Origin, Deviation::ResponseInvalidContentLength),
            Action::Repair
        );
    }

    #[test]
    fn toml_overrides_start_from_the_base() {
        let policy = Policy::from_toml(
            "base = \"strict\"\n[origin]\n\"h1.obs-fold\" = \"repair\"\n[h1.limits]\nmax_headers = 50\n",
        )
        .unwrap();
        assert_eq!(policy.base(), Preset::Strict);
        assert_eq!(
            policy.action(Side::Origin, Deviation::ObsFold),
            Action::Repair
        );
        assert_eq!(
            policy.action(Side::Client, Deviation::ObsFold),
            Action::Reject
        );
        assert_eq!(policy.h1_limits.max_headers, 50);
    }

    #[test]
    fn to_toml_round_trips() {
        let mut policy = Policy::preset(Preset::Lenient);
        policy
            .set(Side::Client, Deviation::BareLf, Action::Reject)
            .unwrap();
        policy.h1_limits.max_trailer_bytes = 1234;
        policy.h2_budgets.max_continuations = 3;
        policy.h2_budgets.pings.max = 7;
        assert_eq!(Policy::from_toml(&policy.to_toml()).unwrap(), policy);
    }

    #[test]
    fn errors_name_line_column_and_kind() {
        let err = Policy::from_toml("base = \"default\"\n[client]\n\"h1.nope\" = \"reject\"\n")
            .unwrap_err();
        assert_eq!(err.kind, PolicyErrorKind::UnknownDeviation);
        assert_eq!((err.line, err.column), (3, 1));

        let err = Policy::from_toml("[client]\n\"h1.obs-fold\" = \"accept\"\n").unwrap_err();
        assert_eq!(err.kind, PolicyErrorKind::UnsupportedAction);
        assert_eq!(err.line, 2);
        assert!(
            err.message.contains("supported: reject, repair"),
            "{}",
            err.message
        );

        let err = Policy::from_toml("[client]\n\"h1.obs-fold\" = \"maybe\"\n").unwrap_err();
        assert_eq!(err.kind, PolicyErrorKind::Syntax);
        assert_eq!(err.line, 2);

        let err = Policy::from_toml("bogus = 1\n").unwrap_err();
        assert_eq!(err.kind, PolicyErrorKind::Syntax);

        let err = Policy::from_toml("base = \"loose\"\n").unwrap_err();
        assert_eq!(err.kind, PolicyErrorKind::UnknownPreset);

        let err = Policy::from_toml("[h1.limits]\nmax_headers = 0\n").unwrap_err();
        assert_eq!(err.kind, PolicyErrorKind::InvalidLimit);
        assert_eq!(err.line, 2);

        let err = Policy::from_toml("[h2.budgets]\npings = 5\n").unwrap_err();
        assert_eq!(err.kind, PolicyErrorKind::InvalidLimit);
        assert!(err.message.contains("is a rate"), "{}", err.message);
        let err = Policy::from_toml("[h2.budgets]\nfloods = 5\n").unwrap_err();
        assert!(err.message.contains("unknown budget"), "{}", err.message);
        let policy =
            Policy::from_toml("[h2.budgets]\npings = { max = 3, window_ms = 500 }\n").unwrap();
        assert_eq!(policy.h2_budgets.pings.max, 3);
    }
}
