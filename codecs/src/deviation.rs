//! The deviation catalogue: every way tollgate can be asked to tolerate input the RFCs forbid
//! or discourage, each with a stable id, an RFC reference and the actions it supports.
//!
//! The table in `docs/deviations.md` is generated from [`markdown_table`]; a test fails when
//! the two differ, so the documentation cannot drift from the code.
//!
//! Naming: ids are `<protocol>.<name>` when the deviation can occur in requests and responses
//! alike, and `<protocol>.request.<name>` or `<protocol>.response.<name>` when it concerns only
//! one kind of message or when the two kinds need different handling.

use std::fmt;

use crate::policy::Action;

/// The kind of HTTP message being decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// A request (normally received from a client).
    Request,
    /// A response (normally received from an origin).
    Response,
}

impl MessageKind {
    /// `"request"` or `"response"`.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Request => "request",
            MessageKind::Response => "response",
        }
    }
}

/// Which kinds of message a deviation, or one of its actions, applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AppliesTo {
    /// Requests only.
    Requests,
    /// Responses only.
    Responses,
    /// Requests and responses.
    Both,
}

impl AppliesTo {
    /// Whether messages of `kind` are covered.
    pub fn includes(self, kind: MessageKind) -> bool {
        matches!(
            (self, kind),
            (AppliesTo::Both, _)
                | (AppliesTo::Requests, MessageKind::Request)
                | (AppliesTo::Responses, MessageKind::Response)
        )
    }

    /// `"requests"`, `"responses"` or `"both"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AppliesTo::Requests => "requests",
            AppliesTo::Responses => "responses",
            AppliesTo::Both => "both",
        }
    }
}

/// What a non-reject action does for one deviation, and which messages it is possible for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionDoc {
    /// One line saying what the codec does when this action is chosen.
    pub effect: &'static str,
    /// The messages for which the action exists; for the others the codec rejects.
    pub applies_to: AppliesTo,
}

impl ActionDoc {
    const fn both(effect: &'static str) -> Option<ActionDoc> {
        Some(ActionDoc {
            effect,
            applies_to: AppliesTo::Both,
        })
    }

    const fn responses(effect: &'static str) -> Option<ActionDoc> {
        Some(ActionDoc {
            effect,
            applies_to: AppliesTo::Responses,
        })
    }

    const fn requests(effect: &'static str) -> Option<ActionDoc> {
        Some(ActionDoc {
            effect,
            applies_to: AppliesTo::Requests,
        })
    }
}

/// The actions the built-in presets choose for one deviation (the `strict` preset rejects
/// everything, so it needs no column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Defaults {
    /// `default` preset, toward clients.
    pub client: Action,
    /// `default` preset, toward origins.
    pub origin: Action,
    /// `lenient` preset, toward clients.
    pub lenient_client: Action,
    /// `lenient` preset, toward origins.
    pub lenient_origin: Action,
}

/// Everything known about one deviation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviationInfo {
    /// The deviation this entry describes.
    pub deviation: Deviation,
    /// Stable id, used in policies, anomalies and reports.
    pub id: &'static str,
    /// The messages in which it can occur.
    pub applies_to: AppliesTo,
    /// Where the rule it departs from is written.
    pub rfc: &'static str,
    /// One line describing the input.
    pub summary: &'static str,
    /// What `repair` does, when it is supported.
    pub repair: Option<ActionDoc>,
    /// What `accept` does, when it is supported.
    pub accept: Option<ActionDoc>,
    /// The presets' choices.
    pub defaults: Defaults,
    /// The status answered to a client whose request is rejected for this deviation
    /// (an origin's rejected response always becomes 502).
    pub reject_status: u16,
    /// Why the defaults are what they are.
    pub rationale: &'static str,
}

impl DeviationInfo {
    /// The protocol the deviation belongs to: the id's first part (`h1`, `h2`).
    pub fn protocol(&self) -> &'static str {
        self.id.split('.').next().unwrap_or(self.id)
    }

    /// Whether `action` exists for messages of `kind`. `reject` always does.
    pub fn supports(&self, action: Action, kind: MessageKind) -> bool {
        let doc = match action {
            Action::Reject => return true,
            Action::Repair => self.repair,
            Action::Accept => self.accept,
        };
        doc.is_some_and(|doc| doc.applies_to.includes(kind))
    }

    /// Whether `action` exists for at least one kind of message: what a policy may choose.
    pub fn supports_any(&self, action: Action) -> bool {
        self.supports(action, MessageKind::Request) || self.supports(action, MessageKind::Response)
    }

    /// The action actually taken when `configured` is chosen for a message of `kind`: the
    /// configured one when it exists for that kind, else the next stricter one that does.
    pub fn effective(&self, configured: Action, kind: MessageKind) -> Action {
        [Action::Accept, Action::Repair, Action::Reject]
            .into_iter()
            .filter(|action| *action >= configured)
            .find(|action| self.supports(*action, kind))
            .unwrap_or(Action::Reject)
    }

    /// The supported actions, strictest first, as written in the docs (`reject, repair`).
    pub fn supported_actions(&self) -> Vec<Action> {
        [Action::Reject, Action::Repair, Action::Accept]
            .into_iter()
            .filter(|action| self.supports_any(*action))
            .collect()
    }
}

macro_rules! catalogue {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $id:literal {
            applies: $applies:ident,
            rfc: $rfc:literal,
            summary: $summary:literal,
            repair: $repair:expr,
            accept: $accept:expr,
            defaults: [$client:ident, $origin:ident, $lenient_client:ident, $lenient_origin:ident],
            reject_status: $status:literal,
            why: $why:literal $(,)?
        }
    ),* $(,)?) => {
        /// A named departure from the HTTP specifications that tollgate knows how to detect.
        ///
        /// See the module documentation and `docs/deviations.md` for the whole table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Deviation {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Deviation {
            /// Every deviation, in catalogue order.
            pub const ALL: &'static [Deviation] = &[ $( Deviation::$variant, )* ];
            /// The number of deviations.
            pub const COUNT: usize = Self::ALL.len();
        }

        static CATALOGUE: [DeviationInfo; Deviation::COUNT] = [ $(
            DeviationInfo {
                deviation: Deviation::$variant,
                id: $id,
                applies_to: AppliesTo::$applies,
                rfc: $rfc,
                summary: $summary,
                repair: $repair,
                accept: $accept,
                defaults: Defaults {
                    client: Action::$client,
                    origin: Action::$origin,
                    lenient_client: Action::$lenient_client,
                    lenient_origin: Action::$lenient_origin,
                },
                reject_status: $status,
                rationale: $why,
            },
        )* ];
    };
}

impl Deviation {
    /// The catalogue entry.
    pub fn info(self) -> &'static DeviationInfo {
        &CATALOGUE[self as usize]
    }

    /// The stable id, e.g. `h1.obs-fold`.
    pub fn id(self) -> &'static str {
        self.info().id
    }

    /// The position in [`Deviation::ALL`], usable as a table index.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Looks a deviation up by its id.
    pub fn from_id(id: &str) -> Option<Deviation> {
        CATALOGUE
            .iter()
            .find(|info| info.id == id)
            .map(|info| info.deviation)
    }
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Every catalogue entry, in catalogue order.
pub fn catalogue() -> &'static [DeviationInfo] {
    &CATALOGUE
}

catalogue! {
    // ---- message syntax (RFC 9112 §2, §5; RFC 9110 §5) ----
    /// Empty lines before the start line.
    LeadingEmptyLines = "h1.leading-empty-lines" {
        applies: Both,
        rfc: "RFC 9112 §2.2",
        summary: "empty lines (CRLF) before the start line",
        repair: ActionDoc::both("skip the empty lines"),
        accept: None,
        defaults: [Repair, Repair, Repair, Repair],
        reject_status: 400,
        why: "RFC 9112 §2.2 asks servers to ignore at least one; browsers send a stray CRLF after a POST body, and skipping it cannot change framing",
    },
    /// A line of the head ends with LF alone.
    BareLf = "h1.bare-lf" {
        applies: Both,
        rfc: "RFC 9112 §2.2",
        summary: "a line of the head ends with LF alone, without CR",
        repair: ActionDoc::both("read the LF as CRLF; the head is re-encoded with CRLF"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "a hop that splits only on CRLF sees other fields than one that also splits on LF (request smuggling); toward origins the head is re-encoded, so nothing ambiguous is passed on",
    },
    /// A CR not followed by LF inside the head.
    BareCr = "h1.bare-cr" {
        applies: Both,
        rfc: "RFC 9112 §2.2",
        summary: "a CR not followed by LF inside the head",
        repair: ActionDoc::both("replace the CR with SP, as RFC 9112 §2.2 allows"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "some parsers end a line at a bare CR, others keep it in the value: a classic desync; SP replacement is the RFC's own repair",
    },
    /// A whitespace-led line directly after the start line.
    WhitespaceBeforeFirstHeader = "h1.whitespace-before-first-header" {
        applies: Both,
        rfc: "RFC 9112 §2.2",
        summary: "a line starting with whitespace directly after the start line",
        repair: ActionDoc::both("drop each such line (RFC 9112 §2.2: consume it without further processing)"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "the line can hide a field (` Transfer-Encoding: chunked`) from one hop and not from another; dropping it is the RFC's alternative to rejecting",
    },
    /// A field value continued on the next line.
    ObsFold = "h1.obs-fold" {
        applies: Both,
        rfc: "RFC 9112 §5.2",
        summary: "a field value continued on a following line (obs-fold)",
        repair: ActionDoc::both("replace the fold with one SP"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "folded lines are read as new fields by some parsers (smuggling); real origins still fold long headers, and unfolding is the RFC's repair",
    },
    /// Whitespace between a field name and the colon.
    SpaceBeforeColon = "h1.space-before-colon" {
        applies: Both,
        rfc: "RFC 9112 §5.1",
        summary: "whitespace between a field name and the colon",
        repair: ActionDoc::both("remove the whitespace (RFC 9112 §5.1 requires a proxy to do so in responses)"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "RFC 9112 §5.1: a server MUST reject such a request (`Transfer-Encoding : chunked` is a smuggling gadget); a proxy MUST strip it from a response",
    },
    /// A field name that is empty or contains a byte outside `tchar`.
    InvalidHeaderName = "h1.invalid-header-name" {
        applies: Both,
        rfc: "RFC 9110 §5.1",
        summary: "a field name that is empty or contains a byte outside tchar",
        repair: ActionDoc::both("drop the field line"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "names with spaces, controls or non-ASCII bytes are read differently by each parser; a dropped line never reaches the next hop",
    },
    /// A field line without a colon.
    MissingColon = "h1.missing-colon" {
        applies: Both,
        rfc: "RFC 9112 §5",
        summary: "a field line without a colon",
        repair: ActionDoc::both("drop the line"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "real origins emit junk lines (`HTTP 1/1 302:`-style); dropping them is what Pingora and httparse's ignore-invalid-headers do",
    },
    /// A control byte (other than HTAB, CR, LF and NUL) or DEL in a field value.
    InvalidHeaderByte = "h1.invalid-header-byte" {
        applies: Both,
        rfc: "RFC 9110 §5.5",
        summary: "a control byte (other than HTAB, CR, LF, NUL) or DEL in a field value",
        repair: ActionDoc::both("replace each such byte with SP"),
        accept: ActionDoc::both("keep the bytes (RFC 9110 §5.5 lets recipients retain them)"),
        defaults: [Reject, Accept, Accept, Accept],
        reject_status: 400,
        why: "clients have no reason to send them; origins do (a WAF's `\\x01` in Set-Cookie, hyper #2879) and rewriting would break the value",
    },
    /// A NUL byte in a field value.
    NulInHeader = "h1.nul-in-header" {
        applies: Both,
        rfc: "RFC 9110 §5.5",
        summary: "a NUL byte in a field value",
        repair: ActionDoc::both("replace each NUL with SP (RFC 9110 §5.5)"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "C-string based hops truncate at NUL and see another value; the RFC allows only rejection or SP replacement",
    },
    // ---- start lines (RFC 9112 §3, §4) ----
    /// More than one SP between request-line parts, or SP at its end.
    RequestExtraSpaces = "h1.request.extra-spaces-in-request-line" {
        applies: Requests,
        rfc: "RFC 9112 §3",
        summary: "more than one SP between request-line parts, or SP before its end",
        repair: ActionDoc::requests("collapse to single SP"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "parsers that split on single SP see another target or version than those that split on runs of whitespace",
    },
    /// More than one SP between the version and the status code.
    ResponseExtraSpaces = "h1.response.extra-spaces-in-status-line" {
        applies: Responses,
        rfc: "RFC 9112 §4",
        summary: "more than one SP between the version and the status code",
        repair: ActionDoc::responses("collapse to single SP"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "unambiguous once collapsed; httparse offers the same as allow_multiple_spaces_in_response_status_delimiters",
    },
    /// A byte not allowed in a URI inside the request-target.
    InvalidTargetByte = "h1.request.invalid-target-byte" {
        applies: Requests,
        rfc: "RFC 9112 §3.2, RFC 3986 §2",
        summary: "a byte RFC 3986 does not allow in the request-target (non-ASCII, \" < > \\ ^ ` { | })",
        repair: ActionDoc::requests("percent-encode each such byte"),
        accept: ActionDoc::requests("forward the target as received"),
        defaults: [Repair, Repair, Repair, Accept],
        reject_status: 400,
        why: "sloppy clients send raw quotes, pipes and UTF-8; percent-encoding keeps their meaning for every decoder while removing what hops disagree on",
    },
    /// A fragment in the request-target.
    FragmentInTarget = "h1.request.fragment-in-target" {
        applies: Requests,
        rfc: "RFC 9112 §3.2, RFC 9110 §4.2.5",
        summary: "a fragment (`#...`) in the request-target",
        repair: ActionDoc::requests("strip the fragment"),
        accept: ActionDoc::requests("forward the target as received"),
        defaults: [Repair, Repair, Repair, Repair],
        reject_status: 400,
        why: "the fragment is not part of the request-target; back ends disagree on whether `#` ends the path, which matters for routing and caching",
    },
    /// An absolute-form target whose authority differs from Host.
    AbsoluteFormHostMismatch = "h1.request.absolute-form-host-mismatch" {
        applies: Requests,
        rfc: "RFC 9112 §3.2.2",
        summary: "an absolute-form target whose authority differs from the Host field",
        repair: ActionDoc::requests("replace the Host value with the target's authority (the RFC says Host is ignored)"),
        accept: ActionDoc::requests("forward both as received"),
        defaults: [Repair, Repair, Repair, Repair],
        reject_status: 400,
        why: "RFC 9112 §3.2.2 makes the target's authority win; forwarding both lets the next hop route on the other one",
    },
    /// An HTTP/1.1 request without Host.
    MissingHost = "h1.request.missing-host" {
        applies: Requests,
        rfc: "RFC 9112 §3.2",
        summary: "an HTTP/1.1 request without a Host field",
        repair: None,
        accept: ActionDoc::requests("forward the request without Host"),
        defaults: [Reject, Accept, Accept, Accept],
        reject_status: 400,
        why: "RFC 9112 §3.2: a server MUST answer 400; requests seen toward origins (the harness's view) are recorded, not refused",
    },
    /// More than one Host field line.
    MultipleHost = "h1.multiple-host" {
        applies: Requests,
        rfc: "RFC 9112 §3.2",
        summary: "more than one Host field line",
        repair: ActionDoc::requests("keep one when all values are identical; differing values are rejected"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "RFC 9112 §3.2: MUST answer 400; hops pick the first or the last Host, a routing and cache-poisoning split",
    },
    /// A Host value that is not `uri-host [ ":" port ]`.
    InvalidHost = "h1.request.invalid-host" {
        applies: Requests,
        rfc: "RFC 9110 §7.2, RFC 3986 §3.2.2",
        summary: "a Host value that is not uri-host [ \":\" port ]",
        repair: None,
        accept: ActionDoc::requests("forward the value as received"),
        defaults: [Reject, Accept, Reject, Accept],
        reject_status: 400,
        why: "RFC 9112 §3.2: MUST answer 400 to an invalid Host; values with `@`, `/` or spaces are routing-confusion probes",
    },
    /// An HTTP/1.x version with a minor version other than 0 or 1.
    UnknownMinorVersion = "h1.unknown-minor-version" {
        applies: Both,
        rfc: "RFC 9112 §2.3",
        summary: "HTTP/1.x with a minor version other than 0 or 1",
        repair: ActionDoc::both("treat the message as HTTP/1.1, as RFC 9112 §2.3 asks"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "llhttp's strict mode refuses it and no client sends it; origins that do are served as HTTP/1.1 per the RFC",
    },
    // ---- body framing (RFC 9112 §6) ----
    /// A request with both Content-Length and Transfer-Encoding.
    RequestClTeConflict = "h1.request.cl-te-conflict" {
        applies: Requests,
        rfc: "RFC 9112 §6.3 ¶3",
        summary: "a request with both Content-Length and Transfer-Encoding",
        repair: ActionDoc::requests("drop Content-Length, frame by Transfer-Encoding, close the connection after the response"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "the CL.TE / TE.CL request-smuggling signature; the RFC lets a server reject it and requires closing after it",
    },
    /// A response with both Content-Length and Transfer-Encoding.
    ResponseClTeConflict = "h1.response.cl-te-conflict" {
        applies: Responses,
        rfc: "RFC 9112 §6.3 ¶3",
        summary: "a response with both Content-Length and Transfer-Encoding",
        repair: ActionDoc::responses("drop Content-Length, frame by Transfer-Encoding, do not reuse the connection"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "Transfer-Encoding wins by RFC; the response is re-framed toward the client, so the conflict never crosses",
    },
    /// Several identical Content-Length values in a request.
    RequestDuplicateContentLengthSame = "h1.request.duplicate-content-length-same" {
        applies: Requests,
        rfc: "RFC 9110 §8.6",
        summary: "a request with several Content-Length values (lines or a list) that are all identical",
        repair: ActionDoc::requests("keep one value"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "harmless in itself, but a probe for hops that take the first or last of differing values; llhttp's strict mode refuses it",
    },
    /// Several identical Content-Length values in a response.
    ResponseDuplicateContentLengthSame = "h1.response.duplicate-content-length-same" {
        applies: Responses,
        rfc: "RFC 9110 §8.6",
        summary: "a response with several Content-Length values (lines or a list) that are all identical",
        repair: ActionDoc::responses("keep one value"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "RFC 9110 §8.6 allows collapsing identical values; origins duplicate headers through misconfigured layers",
    },
    /// A response Content-Length that is not a valid decimal length.
    ResponseInvalidContentLength = "h1.response.invalid-content-length" {
        applies: Responses,
        rfc: "RFC 9112 §6.3 ¶5",
        summary: "a response Content-Length that is not a decimal number, overflows, or lists differing values",
        repair: ActionDoc::responses("drop Content-Length and read the body until the origin closes"),
        accept: None,
        defaults: [Reject, Reject, Reject, Repair],
        reject_status: 400,
        why: "RFC 9112 §6.3 ¶5: the proxy MUST answer 502; reading until close (Pingora's allow_h1_response_invalid_content_length) is opt-in",
    },
    /// A Content-Length with leading zeros.
    ContentLengthLeadingZeros = "h1.content-length-leading-zeros" {
        applies: Both,
        rfc: "RFC 9110 §8.6",
        summary: "a Content-Length with leading zeros (valid syntax, a known desync probe)",
        repair: ActionDoc::both("re-encode the value without leading zeros"),
        accept: ActionDoc::both("forward the value as received"),
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "the grammar allows `007`, but hops that read it as octal or overflow on padding exist (PortSwigger CL-pad); clients have no reason to pad, origins get the canonical form",
    },
    /// A Transfer-Encoding whose final coding is not chunked.
    TeNotChunkedLast = "h1.te-not-chunked-last" {
        applies: Both,
        rfc: "RFC 9112 §6.3 ¶4",
        summary: "a Transfer-Encoding whose final coding is not chunked",
        repair: ActionDoc::responses("read the body until the origin closes (RFC 9112 §6.3 ¶4); a request is always rejected"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "RFC 9112 §6.3 ¶4: a request MUST be answered 400 and the connection closed; a response is read until close",
    },
    /// The obsolete `identity` coding in Transfer-Encoding.
    TeIdentity = "h1.te-identity" {
        applies: Both,
        rfc: "RFC 9112 §7, RFC 9110 §18.4",
        summary: "the obsolete `identity` coding listed in Transfer-Encoding",
        repair: ActionDoc::both("remove `identity` from the list (and the field when nothing is left); after the last chunked it stays, so chunked is not final"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "`identity` was removed from the registry; `Transfer-Encoding: identity` next to Content-Length is a TE.CL probe (PortSwigger cowComma, dualchunk)",
    },
    /// A transfer coding other than chunked before the final chunked.
    TeUnknownCoding = "h1.te-unknown-coding" {
        applies: Both,
        rfc: "RFC 9112 §6.1",
        summary: "a transfer coding other than chunked (gzip, deflate, …) before the final chunked",
        repair: None,
        accept: ActionDoc::both("decode chunked and forward the other codings as received"),
        defaults: [Reject, Accept, Accept, Accept],
        reject_status: 501,
        why: "tollgate does not decode other transfer codings; RFC 9112 §6.1 says a server SHOULD answer 501 to what it does not understand",
    },
    /// `chunked` listed more than once.
    DuplicateChunked = "h1.duplicate-chunked" {
        applies: Both,
        rfc: "RFC 9112 §6.1",
        summary: "chunked listed more than once in Transfer-Encoding",
        repair: ActionDoc::both("apply chunked once when the duplicates end the list (duplicated field lines); otherwise reject"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "a sender MUST NOT apply chunked twice; Spring, Tomcat and NGINX Unit origins duplicate the field line without double-encoding (nginx #304)",
    },
    /// Transfer-Encoding in an HTTP/1.0 message.
    TeInHttp10 = "h1.te-in-http10" {
        applies: Both,
        rfc: "RFC 9112 §6.1",
        summary: "Transfer-Encoding in an HTTP/1.0 message",
        repair: ActionDoc::both("decode by Transfer-Encoding and close the connection after the message"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "RFC 9112 §6.1: the framing is faulty and the connection MUST close; HTTP/1.0 hops may ignore the field",
    },
    /// A Transfer-Encoding value that is not a list of codings.
    TeInvalidSyntax = "h1.te-invalid-syntax" {
        applies: Both,
        rfc: "RFC 9112 §6.1, RFC 9110 §5.6.1",
        summary: "a Transfer-Encoding value that is not a list of codings (quotes, control bytes, empty, parameters on chunked)",
        repair: ActionDoc::responses("treat the coding as unknown and read until close; a request is always rejected"),
        accept: None,
        defaults: [Reject, Reject, Reject, Repair],
        reject_status: 400,
        why: "`\"chunked\"`, `chunked\\x0b` and friends are the smuggler's TE obfuscations; toward origins the sender's intent is ambiguous, so 502 by default",
    },
    // ---- chunked coding (RFC 9112 §7) ----
    /// A chunk size that does not fit in 64 bits.
    ChunkSizeOverflow = "h1.chunk-size-overflow" {
        applies: Both,
        rfc: "RFC 9112 §7.1",
        summary: "a chunk size that does not fit in 64 bits",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "hops that wrap around read another length; there is no safe repair",
    },
    /// Chunk extensions over the per-body budget.
    ChunkExtTooLong = "h1.chunk-ext-too-long" {
        applies: Both,
        rfc: "RFC 9112 §7.1.1",
        summary: "chunk extensions in one body exceed limits.max_chunk_ext_bytes",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "extensions are read and thrown away: a CPU and bandwidth sink (Go CVE-2023-39326, Node CVE-2024-22019)",
    },
    /// Chunk extensions that do not follow the grammar.
    ChunkExtInvalid = "h1.chunk-ext-invalid" {
        applies: Both,
        rfc: "RFC 9112 §7.1.1",
        summary: "chunk extensions that do not follow the grammar (no `;`, unbalanced quotes, empty name)",
        repair: ActionDoc::both("ignore the rest of the chunk-size line"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "`2 erfrferferf` and unbalanced quotes are read as other sizes or line ends by other parsers; toward origins the body is re-framed",
    },
    /// Whitespace after the chunk size without a following `;`.
    ChunkSizeTrailingWhitespace = "h1.chunk-size-trailing-whitespace" {
        applies: Both,
        rfc: "RFC 9112 §7.1",
        summary: "whitespace after the chunk size that is not followed by `;`",
        repair: ActionDoc::both("ignore the whitespace"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "BWS is only allowed before an extension; llhttp's strict mode refuses it",
    },
    /// Chunk data not followed by CRLF.
    ChunkMissingCrlf = "h1.chunk-missing-crlf" {
        applies: Both,
        rfc: "RFC 9112 §7.1",
        summary: "chunk data not followed by CRLF",
        repair: ActionDoc::both("go on as if CRLF were present"),
        accept: None,
        defaults: [Reject, Reject, Reject, Repair],
        reject_status: 400,
        why: "the next bytes may be data or the next chunk size depending on who reads them; ambiguous, so refused by default on both sides",
    },
    /// A chunked framing line that ends with LF alone.
    ChunkedBareLf = "h1.chunked-bare-lf" {
        applies: Both,
        rfc: "RFC 9112 §7.1, §2.2",
        summary: "a chunk-size line, chunk-data end or trailer line that ends with LF alone",
        repair: ActionDoc::both("read the LF as CRLF"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "chunked framing with bare LF is a known TE.TE desync; the body is re-framed toward the next hop, so repair is safe for origins",
    },
    /// A trailer field that must not be sent as a trailer.
    TrailerForbiddenField = "h1.trailer-forbidden-field" {
        applies: Both,
        rfc: "RFC 9110 §6.5.1, RFC 9112 §7.1.2",
        summary: "a trailer field that decides framing, routing or the connection (Content-Length, Transfer-Encoding, Host, Connection, TE, Trailer, …)",
        repair: ActionDoc::both("drop the field"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "hops that merge trailers into the head would re-frame or re-route on them",
    },
    // ---- responses ----
    /// A status line without the SP after the status code.
    StatusReasonMissing = "h1.response.status-reason-missing" {
        applies: Responses,
        rfc: "RFC 9112 §4",
        summary: "a status line without the SP (and reason) after the status code",
        repair: ActionDoc::responses("add the canonical reason phrase"),
        accept: ActionDoc::responses("keep an empty reason (re-encoded with its SP)"),
        defaults: [Accept, Accept, Accept, Accept],
        reject_status: 400,
        why: "clients ignore the reason; httparse and llhttp accept it",
    },
    /// A three-digit status code outside 100–599.
    StatusOutOfRange = "h1.response.status-out-of-range" {
        applies: Responses,
        rfc: "RFC 9110 §15",
        summary: "a three-digit status code outside 100–599 (000, 600, 999)",
        repair: None,
        accept: ActionDoc::responses("forward the code as received"),
        defaults: [Reject, Reject, Reject, Accept],
        reject_status: 400,
        why: "RFC 9110 §15: such values are invalid; clients cannot class them (squid #752)",
    },
    /// A response without a status line.
    Http09Response = "h1.response.http-0.9" {
        applies: Responses,
        rfc: "RFC 9112 §2.3, RFC 1945",
        summary: "a response without a status line (HTTP/0.9)",
        repair: ActionDoc::responses("read it as `HTTP/1.0 200` with a body until close (only as the first response on a connection, to a request other than HEAD or CONNECT)"),
        accept: None,
        defaults: [Reject, Reject, Reject, Repair],
        reject_status: 400,
        why: "an error page or a wrong port looks the same; hyper keeps it opt-in (http09_responses)",
    },
    /// Bytes from the origin when no response is outstanding.
    ExtraBytesAfterBody = "h1.response.extra-bytes-after-body" {
        applies: Responses,
        rfc: "RFC 9112 §6.3, RFC 9110 §6.4.1",
        summary: "bytes from the origin when no response is outstanding (after a complete response, content on HEAD/204/304, after Connection: close)",
        repair: ActionDoc::responses("discard the bytes and stop reusing the connection"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "read as the next response they would poison the next client's answer (response queue desync); the current response is complete",
    },
    /// Content-Length or Transfer-Encoding in a 1xx or 204 response.
    FramingHeaderOn1xxOr204 = "h1.response.framing-header-on-1xx-or-204" {
        applies: Responses,
        rfc: "RFC 9110 §8.6, RFC 9112 §6.1",
        summary: "Content-Length or Transfer-Encoding in a 1xx or 204 response",
        repair: ActionDoc::responses("drop the field (the response has no content either way)"),
        accept: ActionDoc::responses("forward the field (the response still has no content)"),
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "a server MUST NOT send them; a client that honours them reads the next response as a body",
    },
    // ---- requests ----
    /// Bytes after a request that closes the connection.
    DataAfterClose = "h1.request.data-after-close" {
        applies: Requests,
        rfc: "RFC 9112 §9.6",
        summary: "bytes after a request that closes the connection (Connection: close, HTTP/1.0 without keep-alive)",
        repair: ActionDoc::requests("discard the bytes"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "nothing may follow a closing request; llhttp's strict mode refuses it",
    },
    /// An Expect value other than 100-continue.
    ExpectUnknown = "h1.request.expect-unknown" {
        applies: Requests,
        rfc: "RFC 9110 §10.1.1",
        summary: "an Expect value other than 100-continue",
        repair: ActionDoc::requests("drop the Expect field"),
        accept: ActionDoc::requests("forward the field as received"),
        defaults: [Reject, Accept, Repair, Accept],
        reject_status: 417,
        why: "RFC 9110 §10.1.1 allows 417; obfuscated expectations (`x 100-continue`) split hops on whether to wait for 100",
    },
    /// Expect: 100-continue in an HTTP/1.0 request.
    ExpectHttp10 = "h1.request.expect-http10" {
        applies: Requests,
        rfc: "RFC 9110 §10.1.1",
        summary: "Expect: 100-continue in an HTTP/1.0 request",
        repair: ActionDoc::requests("drop the field (a server MUST ignore it)"),
        accept: None,
        defaults: [Repair, Repair, Repair, Repair],
        reject_status: 400,
        why: "the RFC says to ignore it; forwarding it could make an HTTP/1.1 origin send a 100 the client cannot read",
    },
    /// Connection lists a field that decides framing or routing.
    ConnectionListsFramingHeader = "h1.connection-lists-framing-header" {
        applies: Both,
        rfc: "RFC 9110 §7.6.1",
        summary: "Connection lists Content-Length, Transfer-Encoding or Host, asking the next hop to drop it",
        repair: ActionDoc::both("remove those names from Connection and keep the fields"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "a hop that honours it strips the framing field and desyncs from one that does not (PortSwigger `connection`)",
    },
    /// An `Upgrade: h2c` offer.
    UpgradeH2c = "h1.request.upgrade-h2c" {
        applies: Requests,
        rfc: "RFC 9113 §3.1",
        summary: "an Upgrade: h2c offer (h2c smuggling through proxies)",
        repair: ActionDoc::requests("remove the h2c offer (the Upgrade token and HTTP2-Settings)"),
        accept: ActionDoc::requests("forward the offer"),
        defaults: [Repair, Repair, Repair, Repair],
        reject_status: 400,
        why: "RFC 9113 removed the h2c upgrade; a proxy that forwards it lets the client open an unfiltered HTTP/2 tunnel to the origin",
    },
    /// Userinfo in an absolute-form target.
    UserinfoInTarget = "h1.request.userinfo-in-target" {
        applies: Requests,
        rfc: "RFC 9110 §4.2.4",
        summary: "userinfo (`user:pass@`) in an absolute-form target",
        repair: ActionDoc::requests("remove the userinfo"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "RFC 9110 §4.2.4: recipients SHOULD treat it as an error; hops disagree on which part is the host",
    },
    /// A field name that becomes a framing or routing field when `_` is read as `-`.
    FramingHeaderLookalike = "h1.framing-header-lookalike" {
        applies: Both,
        rfc: "RFC 9110 §5.1 (CGI maps `_` to `-`)",
        summary: "a field name that becomes Content-Length, Transfer-Encoding or Host when `_` is read as `-` or percent-escapes are decoded (Transfer_Encoding, Transfer-%45ncoding)",
        repair: ActionDoc::both("drop the field"),
        accept: ActionDoc::both("forward the field"),
        defaults: [Reject, Accept, Repair, Accept],
        reject_status: 400,
        why: "CGI, WSGI and Rack back ends fold `_` into `-`, and some decode escapes, and would frame or route on a field every proxy ignored (PortSwigger underjoin1, encode)",
    },
    // ---- HTTP/2 frames (RFC 9113 §4 to §6) ----
    /// A DATA frame on stream 0.
    H2DataOnStreamZero = "h2.data-on-stream-zero" {
        applies: Both,
        rfc: "RFC 9113 §6.1",
        summary: "a DATA frame on stream 0",
        repair: ActionDoc::both("drop the frame"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "a connection error by RFC; an origin's stray frame carries nothing a client could receive, so it is dropped",
    },
    /// A HEADERS, PUSH_PROMISE or CONTINUATION frame on stream 0.
    H2HeadersOnStreamZero = "h2.headers-on-stream-zero" {
        applies: Both,
        rfc: "RFC 9113 §6.2, §6.6, §6.10",
        summary: "a HEADERS, PUSH_PROMISE or CONTINUATION frame on stream 0",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "a connection error; its header block would still change the HPACK context, so it cannot be dropped",
    },
    /// A pad length as long as the frame payload or longer.
    H2PaddingExceedsPayload = "h2.padding-exceeds-payload" {
        applies: Both,
        rfc: "RFC 9113 §6.1",
        summary: "a pad length as long as the frame payload or longer",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "a connection error; the frame's content cannot be found",
    },
    /// Padding bytes that are not zero.
    H2PaddingNotZero = "h2.padding-not-zero" {
        applies: Both,
        rfc: "RFC 9113 §6.1",
        summary: "padding bytes that are not zero",
        repair: ActionDoc::both("re-encode the frame without the padding"),
        accept: ActionDoc::both("ignore the padding"),
        defaults: [Accept, Repair, Accept, Repair],
        reject_status: 400,
        why: "receivers are not obliged to check padding; a covert channel at most, and padding is never forwarded",
    },
    /// A PRIORITY frame whose length is not 5.
    H2PriorityBadLength = "h2.priority-bad-length" {
        applies: Both,
        rfc: "RFC 9113 §6.3",
        summary: "a PRIORITY frame whose length is not 5",
        repair: ActionDoc::both("drop the frame (priority signals are advisory)"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "a stream error by RFC, and one of the MadeYouReset primitives toward servers; an origin's priority signal is meaningless to us",
    },
    /// A stream that depends on itself.
    H2PrioritySelfDependency = "h2.priority-self-dependency" {
        applies: Both,
        rfc: "RFC 9113 §5.3.1",
        summary: "a stream that depends on itself",
        repair: ActionDoc::both("drop the priority information"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "a stream error by RFC (MadeYouReset primitive); priority is deprecated and never forwarded",
    },
    /// A HEADERS or PUSH_PROMISE frame too short for its priority fields or promised stream.
    H2FrameTruncated = "h2.frame-truncated" {
        applies: Both,
        rfc: "RFC 9113 §4.2, §6.2, §6.6",
        summary: "a HEADERS or PUSH_PROMISE frame too short for its priority fields or promised stream",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "a frame size error in a frame that carries a field block is a connection error: HPACK state cannot be kept",
    },
    /// A PRIORITY frame on stream 0.
    H2PriorityOnStreamZero = "h2.priority-on-stream-zero" {
        applies: Both,
        rfc: "RFC 9113 §6.3",
        summary: "a PRIORITY frame on stream 0",
        repair: ActionDoc::both("drop the frame"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "a connection error by RFC; it prioritises nothing, so dropping it changes nothing",
    },
    /// A RST_STREAM frame whose length is not 4.
    H2RstStreamBadLength = "h2.rst-stream-bad-length" {
        applies: Both,
        rfc: "RFC 9113 §6.4",
        summary: "a RST_STREAM frame whose length is not 4",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "a connection error; the error code cannot be read",
    },
    /// A RST_STREAM frame on stream 0.
    H2RstStreamOnStreamZero = "h2.rst-stream-on-stream-zero" {
        applies: Both,
        rfc: "RFC 9113 §6.4",
        summary: "a RST_STREAM frame on stream 0",
        repair: ActionDoc::both("drop the frame"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "a connection error by RFC; it resets nothing, so dropping it changes nothing",
    },
    /// A SETTINGS frame on a stream other than 0.
    H2SettingsOnStream = "h2.settings-on-stream" {
        applies: Both,
        rfc: "RFC 9113 §6.5",
        summary: "a SETTINGS frame on a stream other than 0",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "a connection error; which parameters the peer meant to set is unknowable",
    },
    /// A SETTINGS frame whose length is not a multiple of 6.
    H2SettingsBadLength = "h2.settings-bad-length" {
        applies: Both,
        rfc: "RFC 9113 §6.5",
        summary: "a SETTINGS frame whose length is not a multiple of 6",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "a connection error; the parameters cannot be read",
    },
    /// A SETTINGS acknowledgement with a payload.
    H2SettingsAckWithPayload = "h2.settings-ack-with-payload" {
        applies: Both,
        rfc: "RFC 9113 §6.5",
        summary: "a SETTINGS acknowledgement with a payload",
        repair: ActionDoc::both("drop the payload"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "a connection error by RFC; an acknowledgement's meaning does not depend on a payload",
    },
    /// A SETTINGS value out of range (ENABLE_PUSH above 1, INITIAL_WINDOW_SIZE above 2^31-1, MAX_FRAME_SIZE outside 2^14..2^24-1).
    H2SettingsInvalidValue = "h2.settings-invalid-value" {
        applies: Both,
        rfc: "RFC 9113 §6.5.2, RFC 8441 §3",
        summary: "a SETTINGS value out of range (ENABLE_PUSH above 1, INITIAL_WINDOW_SIZE above 2^31-1, MAX_FRAME_SIZE outside 2^14..2^24-1)",
        repair: ActionDoc::both("drop that parameter (its previous value stays)"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "a connection error by RFC; an origin's nonsense parameter is dropped, since the previous value is still a valid one",
    },
    /// A PUSH_PROMISE frame sent by a client.
    H2PushPromiseFromClient = "h2.push-promise-from-client" {
        applies: Requests,
        rfc: "RFC 9113 §8.4",
        summary: "a PUSH_PROMISE frame sent by a client",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "only servers push; a connection error",
    },
    /// A PUSH_PROMISE frame although push was disabled.
    H2PushPromiseUnwanted = "h2.push-promise-unwanted" {
        applies: Responses,
        rfc: "RFC 9113 §6.6, §8.4",
        summary: "a PUSH_PROMISE frame although push was disabled",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "a connection error; tollgate disables push toward origins and has nowhere to send a pushed response",
    },
    /// A PING frame whose length is not 8.
    H2PingBadLength = "h2.ping-bad-length" {
        applies: Both,
        rfc: "RFC 9113 §6.7",
        summary: "a PING frame whose length is not 8",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "a connection error; the opaque data cannot be echoed",
    },
    /// A PING frame on a stream other than 0.
    H2PingOnStream = "h2.ping-on-stream" {
        applies: Both,
        rfc: "RFC 9113 §6.7",
        summary: "a PING frame on a stream other than 0",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "a connection error",
    },
    /// A GOAWAY frame on a stream other than 0.
    H2GoAwayOnStream = "h2.goaway-on-stream" {
        applies: Both,
        rfc: "RFC 9113 §6.8",
        summary: "a GOAWAY frame on a stream other than 0",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "a connection error",
    },
    /// A GOAWAY frame shorter than 8 bytes.
    H2GoAwayBadLength = "h2.goaway-bad-length" {
        applies: Both,
        rfc: "RFC 9113 §6.8",
        summary: "a GOAWAY frame shorter than 8 bytes",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "a connection error; the last stream and the code cannot be read",
    },
    /// A WINDOW_UPDATE with an increment of 0.
    H2WindowUpdateZero = "h2.window-update-zero" {
        applies: Both,
        rfc: "RFC 9113 §6.9",
        summary: "a WINDOW_UPDATE with an increment of 0",
        repair: ActionDoc::both("drop the frame (it changes no window)"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "a stream or connection error by RFC and a MadeYouReset primitive toward servers; real origins send it (nginx accepted it from upstreams until 2026, PR #1622)",
    },
    /// A WINDOW_UPDATE frame whose length is not 4.
    H2WindowUpdateBadLength = "h2.window-update-bad-length" {
        applies: Both,
        rfc: "RFC 9113 §6.9",
        summary: "a WINDOW_UPDATE frame whose length is not 4",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "a connection error; the increment cannot be read",
    },
    /// A CONTINUATION frame that continues no open header block.
    H2ContinuationUnexpected = "h2.continuation-unexpected" {
        applies: Both,
        rfc: "RFC 9113 §6.10",
        summary: "a CONTINUATION frame that continues no open header block",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "a connection error; its fragment belongs to no block and would desynchronise HPACK",
    },
    /// Another frame, or a CONTINUATION for another stream, inside a header block.
    H2HeaderBlockInterrupted = "h2.header-block-interrupted" {
        applies: Both,
        rfc: "RFC 9113 §6.10",
        summary: "another frame, or a CONTINUATION for another stream, inside a header block",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "a connection error; header blocks must be contiguous",
    },
    /// The reserved bit above the stream identifier is set.
    H2ReservedBitSet = "h2.reserved-bit-set" {
        applies: Both,
        rfc: "RFC 9113 §4.1",
        summary: "the reserved bit above the stream identifier is set",
        repair: ActionDoc::both("clear the bit"),
        accept: ActionDoc::both("ignore the bit (it is kept when the frame is passed on)"),
        defaults: [Accept, Repair, Accept, Repair],
        reject_status: 400,
        why: "receivers MUST ignore it; senders MUST NOT set it, so it is cleared before forwarding",
    },
    /// A frame of a type RFC 9113 does not define (an extension frame).
    H2UnknownFrameType = "h2.unknown-frame-type" {
        applies: Both,
        rfc: "RFC 9113 §4.1, §5.5",
        summary: "a frame of a type RFC 9113 does not define (an extension frame)",
        repair: ActionDoc::both("drop the frame"),
        accept: ActionDoc::both("pass it on (receivers ignore it)"),
        defaults: [Accept, Repair, Accept, Repair],
        reject_status: 400,
        why: "extensions are legitimate and ignored by receivers; toward origins there is no extension to pass them to",
    },
    /// Flag bits the frame type does not define.
    H2UndefinedFlags = "h2.undefined-flags" {
        applies: Both,
        rfc: "RFC 9113 §4.1",
        summary: "flag bits the frame type does not define",
        repair: ActionDoc::both("clear them"),
        accept: ActionDoc::both("ignore them"),
        defaults: [Accept, Repair, Accept, Repair],
        reject_status: 400,
        why: "receivers MUST ignore them; senders MUST leave them unset, so they are cleared before forwarding",
    },
    /// A client opens a stream with an even identifier.
    H2EvenStreamFromClient = "h2.even-stream-from-client" {
        applies: Requests,
        rfc: "RFC 9113 §5.1.1",
        summary: "a client opens a stream with an even identifier",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "a connection error; even streams belong to the server",
    },
    // ---- HTTP/2 guard budgets (RFC 9113 §10.5): spending one ends the connection ----
    /// RST_STREAM frames from a client beyond budgets.client_resets.
    H2BudgetClientResets = "h2.budget-client-resets" {
        applies: Requests,
        rfc: "RFC 9113 §10.5",
        summary: "RST_STREAM frames from a client beyond budgets.client_resets",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "Rapid Reset (CVE-2023-44487): each reset request costs the server setup work and the client nothing; h2 does not limit resets of accepted streams",
    },
    /// Streams the server had to reset beyond budgets.server_resets.
    H2BudgetServerResets = "h2.budget-server-resets" {
        applies: Requests,
        rfc: "RFC 9113 §10.5",
        summary: "streams the server had to reset beyond budgets.server_resets",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "MadeYouReset (CVE-2025-8671): stream errors provoked after a valid request make the server reset streams whose backend work goes on",
    },
    /// CONTINUATION frames in one header block beyond budgets.max_continuations.
    H2BudgetContinuations = "h2.budget-continuations" {
        applies: Requests,
        rfc: "RFC 9113 §10.5",
        summary: "CONTINUATION frames in one header block beyond budgets.max_continuations",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "CONTINUATION flood (VU#421644): a header block that never ends is invisible in logs and costs memory or CPU",
    },
    /// A header block (encoded) larger than budgets.max_header_block_bytes.
    H2BudgetHeaderBlockBytes = "h2.budget-header-block-bytes" {
        applies: Requests,
        rfc: "RFC 9113 §10.5",
        summary: "a header block (encoded) larger than budgets.max_header_block_bytes",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "the bytes of an unfinished block must be bounded before HPACK decodes them (HC-01, H2-06)",
    },
    /// A header list with more fields than budgets.max_header_fields.
    H2BudgetHeaderFields = "h2.budget-header-fields" {
        applies: Requests,
        rfc: "RFC 9113 §10.5",
        summary: "a header list with more fields than budgets.max_header_fields",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "the HTTP/2 Bomb (CVE-2026-49975): tiny indexed fields evade size limits; a count limit stops them",
    },
    /// SETTINGS frames beyond budgets.settings.
    H2BudgetSettings = "h2.budget-settings" {
        applies: Requests,
        rfc: "RFC 9113 §10.5",
        summary: "SETTINGS frames beyond budgets.settings",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "SETTINGS flood (CVE-2019-9515): each one forces an acknowledgement and settings work",
    },
    /// PING frames beyond budgets.pings.
    H2BudgetPings = "h2.budget-pings" {
        applies: Requests,
        rfc: "RFC 9113 §10.5",
        summary: "PING frames beyond budgets.pings",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "PING flood (CVE-2019-9512): each one queues an acknowledgement",
    },
    /// PRIORITY frames beyond budgets.priority.
    H2BudgetPriority = "h2.budget-priority" {
        applies: Requests,
        rfc: "RFC 9113 §10.5",
        summary: "PRIORITY frames beyond budgets.priority",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "priority churn (CVE-2019-9513): tree rebalancing per frame",
    },
    /// WINDOW_UPDATE frames beyond budgets.window_updates.
    H2BudgetWindowUpdates = "h2.budget-window-updates" {
        applies: Requests,
        rfc: "RFC 9113 §10.5",
        summary: "WINDOW_UPDATE frames beyond budgets.window_updates",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "WINDOW_UPDATE floods churn the write scheduler (Envoy caps them)",
    },
    /// Empty DATA frames without END_STREAM beyond budgets.empty_data.
    H2BudgetEmptyData = "h2.budget-empty-data" {
        applies: Requests,
        rfc: "RFC 9113 §10.5",
        summary: "empty DATA frames without END_STREAM beyond budgets.empty_data",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "empty frame flood (CVE-2019-9518): work per frame, no data",
    },
    /// Empty header blocks beyond budgets.empty_header_blocks.
    H2BudgetEmptyHeaderBlocks = "h2.budget-empty-header-blocks" {
        applies: Requests,
        rfc: "RFC 9113 §10.5",
        summary: "empty header blocks beyond budgets.empty_header_blocks",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "zero-length header blocks cost a stream error each and carry nothing (CVE-2019-9516 family)",
    },
    // ---- HTTP/2 messages (RFC 9113 §8) ----
    /// A field name with uppercase letters.
    H2UppercaseHeaderName = "h2.uppercase-header-name" {
        applies: Both,
        rfc: "RFC 9113 §8.2.1",
        summary: "a field name with uppercase letters",
        repair: ActionDoc::both("lowercase the name"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "malformed by RFC; H1-to-H2 translators in front of origins leave names capitalised (tempesta #1380), and lowercasing is unambiguous",
    },
    /// A field name that is empty or holds a byte outside lowercase tchar (a colon past the first byte, controls, spaces, non-ASCII).
    H2InvalidHeaderName = "h2.invalid-header-name" {
        applies: Both,
        rfc: "RFC 9113 §8.2.1, RFC 9110 §5.1",
        summary: "a field name that is empty or holds a byte outside lowercase tchar (a colon past the first byte, controls, spaces, non-ASCII)",
        repair: ActionDoc::both("drop the field"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "malformed by RFC; empty names are the 0-length-headers memory leak (CVE-2019-9516), and odd names are read differently by each H1 hop",
    },
    /// A field value holding a control character other than HTAB (NUL, CR and LF among them).
    H2InvalidHeaderValue = "h2.invalid-header-value" {
        applies: Both,
        rfc: "RFC 9113 §8.2.1, RFC 9110 §5.5",
        summary: "a field value holding a control character other than HTAB (NUL, CR and LF among them)",
        repair: ActionDoc::both("replace each with SP"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "malformed by RFC (NUL, CR, LF) or invalid (the other controls); CR and LF forwarded to HTTP/1 are request and response splitting (PortSwigger h2 downgrade techniques), and h2 answers any control with a connection error",
    },
    /// A field value starting or ending with SP or HTAB.
    H2HeaderValueWhitespace = "h2.header-value-whitespace" {
        applies: Both,
        rfc: "RFC 9113 §8.2.1",
        summary: "a field value starting or ending with SP or HTAB",
        repair: ActionDoc::both("trim the whitespace"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "malformed by RFC; HTTP/1 cannot carry it, so hops differ on the value",
    },
    /// A connection-specific field (Connection, Proxy-Connection, Keep-Alive, Transfer-Encoding, Upgrade).
    H2ConnectionSpecificHeader = "h2.connection-specific-header" {
        applies: Both,
        rfc: "RFC 9113 §8.2.2",
        summary: "a connection-specific field (Connection, Proxy-Connection, Keep-Alive, Transfer-Encoding, Upgrade)",
        repair: ActionDoc::both("drop the field"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "malformed by RFC; origins behind H1 translation send `transfer-encoding` over HTTP/2 (curl #12172)",
    },
    /// A TE field with a value other than `trailers`.
    H2TeNotTrailers = "h2.te-not-trailers" {
        applies: Both,
        rfc: "RFC 9113 §8.2.2",
        summary: "a TE field with a value other than `trailers`",
        repair: ActionDoc::both("drop the field"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "malformed by RFC",
    },
    /// A pseudo-header field after a regular field.
    H2PseudoAfterRegular = "h2.pseudo-after-regular" {
        applies: Both,
        rfc: "RFC 9113 §8.3",
        summary: "a pseudo-header field after a regular field",
        repair: ActionDoc::both("move the pseudo-header fields first"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "malformed by RFC; a parser that stops reading pseudo-headers at the first regular field sees another request",
    },
    /// A pseudo-header field given twice.
    H2DuplicatePseudo = "h2.duplicate-pseudo" {
        applies: Both,
        rfc: "RFC 9113 §8.3.1, §8.3.2",
        summary: "a pseudo-header field given twice",
        repair: ActionDoc::both("keep one when the values are identical; differing values are rejected"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "malformed by RFC; hops pick the first or the last `:path` or `:authority`",
    },
    /// A request without :method, :scheme or :path (CONNECT aside), or a response without :status.
    H2MissingPseudo = "h2.missing-pseudo" {
        applies: Both,
        rfc: "RFC 9113 §8.3.1, §8.3.2",
        summary: "a request without :method, :scheme or :path (CONNECT aside), or a response without :status",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "malformed; nothing can stand in for the missing field",
    },
    /// An undefined pseudo-header field, or one of the other direction's (:status in a request).
    H2UnknownPseudo = "h2.unknown-pseudo" {
        applies: Both,
        rfc: "RFC 9113 §8.3",
        summary: "an undefined pseudo-header field, or one of the other direction's (:status in a request)",
        repair: ActionDoc::both("drop the field"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "malformed by RFC; PortSwigger's `:transfer-encoding` and pseudo-header injections rely on hops that pass them",
    },
    /// A pseudo-header field in a trailer section.
    H2PseudoInTrailers = "h2.pseudo-in-trailers" {
        applies: Both,
        rfc: "RFC 9113 §8.1",
        summary: "a pseudo-header field in a trailer section",
        repair: ActionDoc::both("drop the field"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "malformed by RFC; trailers must not change the request or response they end",
    },
    /// An empty :path in a request for an http or https URI.
    H2EmptyPath = "h2.empty-path" {
        applies: Requests,
        rfc: "RFC 9113 §8.3.1",
        summary: "an empty :path in a request for an http or https URI",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "malformed; `/` and `*` are different requests, so none can be guessed",
    },
    /// A CONNECT request with :scheme or :path (and no :protocol).
    H2ConnectWithPath = "h2.connect-with-path" {
        applies: Requests,
        rfc: "RFC 9113 §8.5",
        summary: "a CONNECT request with :scheme or :path (and no :protocol)",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "malformed; a tunnel and a resource request are different things",
    },
    /// A :status that is not three digits, or is below 100.
    H2StatusNotThreeDigits = "h2.status-not-three-digits" {
        applies: Responses,
        rfc: "RFC 9113 §8.3.2, RFC 9110 §15",
        summary: "a :status that is not three digits, or is outside 100–599",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "malformed; a client cannot class the response (HTTP/1 origins' 600 and up are refused the same way), and h2 answers a status below 100 with a connection error",
    },
    /// DATA frames whose total differs from content-length.
    H2ContentLengthMismatch = "h2.content-length-mismatch" {
        applies: Both,
        rfc: "RFC 9113 §8.1.1",
        summary: "DATA frames whose total differs from content-length",
        repair: ActionDoc::responses("drop content-length and deliver the body as received"),
        accept: None,
        defaults: [Reject, Reject, Reject, Repair],
        reject_status: 400,
        why: "malformed by RFC and ambiguous (h2 #536, nghttp2 #1408, netty #17450): which length did the origin mean? Opt-in only",
    },
    /// A content-length that is not a decimal number (or lists differing values).
    H2ContentLengthInvalid = "h2.content-length-invalid" {
        applies: Both,
        rfc: "RFC 9113 §8.1.1, RFC 9110 §8.6",
        summary: "a content-length that is not a decimal number (or lists differing values)",
        repair: ActionDoc::both("drop the field (DATA frames delimit the body)"),
        accept: None,
        defaults: [Reject, Repair, Reject, Repair],
        reject_status: 400,
        why: "HTTP/2 frames its own bodies, so a broken content-length from an origin can go; from a client it is a smuggling probe for H2-to-H1 downgrades",
    },
    /// A Host field that names another authority than :authority.
    H2HostAuthorityMismatch = "h2.host-authority-mismatch" {
        applies: Requests,
        rfc: "RFC 9113 §8.3.1",
        summary: "a Host field that names another authority than :authority",
        repair: ActionDoc::requests("drop Host (:authority wins)"),
        accept: None,
        defaults: [Reject, Repair, Repair, Repair],
        reject_status: 400,
        why: "a server SHOULD treat it as malformed; a downgrading hop that routes on Host would route elsewhere",
    },
    /// An interim (1xx) response that ends the stream.
    H2InterimWithEndStream = "h2.interim-with-end-stream" {
        applies: Responses,
        rfc: "RFC 9113 §8.1",
        summary: "an interim (1xx) response that ends the stream",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "malformed; the final response can no longer come",
    },
    /// A header block HPACK cannot decode (bad index, integer, Huffman string or size update).
    H2HpackInvalid = "h2.hpack-invalid" {
        applies: Both,
        rfc: "RFC 9113 §4.3, RFC 7541",
        summary: "a header block HPACK cannot decode (bad index, integer, Huffman string, or table size update)",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 400,
        why: "a connection error (COMPRESSION_ERROR): the compression context is lost, so no later block can be read",
    },
    /// A header list beyond the HPACK decoder's limits (list size, field count, string length).
    H2HeaderListTooLarge = "h2.header-list-too-large" {
        applies: Both,
        rfc: "RFC 9113 §10.5.1, RFC 7541 §7.3",
        summary: "a header list beyond the HPACK decoder's limits (decoded list size, field count, string length)",
        repair: None,
        accept: None,
        defaults: [Reject, Reject, Reject, Reject],
        reject_status: 431,
        why: "an HPACK bomb expands a small block into a large list; the block is still read for the compression context, and only its message is refused",
    },
}

/// The deviation table as Markdown: the content of `docs/deviations.md`.
pub fn markdown_table() -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "# Deviation catalogue\n\n\
         Generated from `codecs/src/deviation.rs` (`tollgate policy list --format markdown`, or\n\
         `TOLLGATE_UPDATE_DOCS=1 cargo test -p tollgate-codecs --test docs`); a test fails when\n\
         this file and the code differ.\n\n\
         Actions: **reject** refuses the message (400/417/501 to a client, 502 for an origin's\n\
         response); **repair** normalises it and goes on; **accept** passes it as received.\n\
         The `strict` preset rejects everything. Every deviation met is reported as an anomaly,\n\
         whatever the action.\n\n\
         | id | applies to | RFC | description | supported | default client | default origin | lenient client | lenient origin | repair does | accept does | why |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for info in catalogue() {
        let supported: Vec<&str> = info
            .supported_actions()
            .iter()
            .map(|a| a.as_str())
            .collect();
        let doc = |doc: Option<ActionDoc>| match doc {
            None => "—".to_owned(),
            Some(doc) if doc.applies_to == info.applies_to => doc.effect.to_owned(),
            Some(doc) => format!("({} only) {}", doc.applies_to.as_str(), doc.effect),
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            info.id,
            info.applies_to.as_str(),
            info.rfc,
            escape_cell(info.summary),
            supported.join(", "),
            info.defaults.client.as_str(),
            info.defaults.origin.as_str(),
            info.defaults.lenient_client.as_str(),
            info.defaults.lenient_origin.as_str(),
            escape_cell(&doc(info.repair)),
            escape_cell(&doc(info.accept)),
            escape_cell(info.rationale),
        );
    }
    out
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_order_matches_the_enum() {
        for (index, deviation) in Deviation::ALL.iter().enumerate() {
            assert_eq!(deviation.index(), index);
            assert_eq!(deviation.info().deviation, *deviation);
        }
    }

    #[test]
    fn ids_are_unique_well_formed_and_found_again() {
        let mut seen = std::collections::HashSet::new();
        for info in catalogue() {
            assert!(seen.insert(info.id), "duplicate id {}", info.id);
            assert!(
                info.id.starts_with("h1.") || info.id.starts_with("h2."),
                "{}",
                info.id
            );
            assert!(
                info.id[3..].bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'-'
                    || b == b'.'),
                "{}",
                info.id
            );
            assert_eq!(Deviation::from_id(info.id), Some(info.deviation));
            match info.applies_to {
                AppliesTo::Requests => assert!(!info.id.contains(".response.")),
                AppliesTo::Responses => assert!(!info.id.contains(".request.")),
                AppliesTo::Both => {}
            }
        }
        const {
            assert!(
                Deviation::COUNT >= 40,
                "the catalogue promises at least 40 deviations"
            )
        };
    }

    #[test]
    fn preset_defaults_are_supported_actions() {
        for info in catalogue() {
            let d = info.defaults;
            for action in [d.client, d.origin, d.lenient_client, d.lenient_origin] {
                assert!(info.supports_any(action), "{} default {action:?}", info.id);
            }
            // Lenient never stricter than default.
            assert!(d.lenient_client <= d.client, "{}", info.id);
            assert!(d.lenient_origin <= d.origin, "{}", info.id);
        }
    }

    #[test]
    fn effective_action_falls_back_to_the_next_stricter_supported_one() {
        let te = Deviation::TeNotChunkedLast.info();
        assert_eq!(
            te.effective(Action::Repair, MessageKind::Response),
            Action::Repair
        );
        assert_eq!(
            te.effective(Action::Repair, MessageKind::Request),
            Action::Reject
        );
        let cl = Deviation::ContentLengthLeadingZeros.info();
        assert_eq!(
            cl.effective(Action::Accept, MessageKind::Request),
            Action::Accept
        );
        let fold = Deviation::ObsFold.info();
        assert_eq!(
            fold.effective(Action::Accept, MessageKind::Request),
            Action::Repair
        );
        assert_eq!(
            fold.effective(Action::Reject, MessageKind::Request),
            Action::Reject
        );
    }
}
