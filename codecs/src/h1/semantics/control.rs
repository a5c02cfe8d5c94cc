//! The control fields: Connection (persistence, hop-by-hop listings), Host, Expect and the
//! h2c upgrade offer.

use crate::deviation::Deviation;
use crate::h1::ctx::Ctx;
use crate::h1::error::Error;
use crate::h1::head::{Span, TargetForm, Version};
use crate::h1::semantics::Persistence;
use crate::h1::semantics::draft::{Class, Draft, Known};
use crate::h1::semantics::framing::split_list;
use crate::h1::syntax::list_elements;
use crate::h1::target::{self, PortRule};
use crate::policy::Action;

/// The Connection tokens that matter.
pub(super) struct Connection {
    close: bool,
    keep_alive: bool,
    pub(super) upgrade: bool,
    /// Tokens to drop when the field is rewritten (lowercase).
    drop: Vec<&'static [u8]>,
}

impl Connection {
    /// Reads the tokens that matter, applying the policy to framing and routing fields listed
    /// as hop-by-hop, in one pass.
    pub(super) fn read(
        draft: &Draft<'_>,
        indices: &[usize],
        ctx: &mut Ctx<'_>,
    ) -> Result<Connection, Error> {
        const FRAMING: [&[u8]; 3] = [b"content-length", b"transfer-encoding", b"host"];
        let mut connection = Connection {
            close: false,
            keep_alive: false,
            upgrade: false,
            drop: Vec::new(),
        };
        for index in draft.live(indices) {
            for token in list_elements(draft.value(index)) {
                if token.eq_ignore_ascii_case(b"close") {
                    connection.close = true;
                } else if token.eq_ignore_ascii_case(b"keep-alive") {
                    connection.keep_alive = true;
                } else if token.eq_ignore_ascii_case(b"upgrade") {
                    connection.upgrade = true;
                } else if let Some(name) =
                    FRAMING.iter().find(|name| token.eq_ignore_ascii_case(name))
                {
                    // The only non-reject action removes the token.
                    ctx.deviate(Deviation::ConnectionListsFramingHeader, draft.at(index))?;
                    if !connection.drop.contains(name) {
                        connection.drop.push(name);
                    }
                }
            }
        }
        Ok(connection)
    }

    /// Rewrites the Connection field without the tokens to drop.
    pub(super) fn rewrite(&self, draft: &mut Draft<'_>, indices: &[usize]) {
        if self.drop.is_empty() {
            return;
        }
        let live = draft.live_slice(indices);
        let kept: Vec<Vec<u8>> = live
            .iter()
            .flat_map(|index| list_elements(draft.value(*index)))
            .filter(|token| {
                !self
                    .drop
                    .iter()
                    .any(|drop| token.eq_ignore_ascii_case(drop))
            })
            .map(<[u8]>::to_vec)
            .collect();
        let value = kept.join(&b", "[..]);
        draft.collapse(&live, (!value.is_empty()).then_some(&value[..]));
    }

    pub(super) fn persistence(&self, version: Version, close_after: bool) -> Persistence {
        let keep = match version {
            Version::Http11 => !self.close,
            Version::Http10 => self.keep_alive && !self.close,
        };
        if keep && !close_after {
            Persistence::KeepAlive
        } else {
            Persistence::Close
        }
    }
}

pub(super) fn check_host(
    draft: &mut Draft<'_>,
    indices: &[usize],
    version: Version,
    form: TargetForm,
    target: Span,
    ctx: &mut Ctx<'_>,
) -> Result<(), Error> {
    let live = draft.live_slice(indices);
    let Some(&first) = live.first() else {
        if version == Version::Http11 {
            // The only non-reject action forwards the request without Host.
            ctx.deviate(Deviation::MissingHost, 0)?;
        }
        return Ok(());
    };
    if live.len() > 1 {
        let same = live
            .iter()
            .all(|index| draft.value(*index) == draft.value(first));
        if !same {
            return Err(ctx.refuse(Deviation::MultipleHost, draft.at(live[1])));
        }
        ctx.deviate(Deviation::MultipleHost, draft.at(live[1]))?;
        for index in &live[1..] {
            draft.remove(*index);
        }
    }
    let host = draft.value(first);
    if !host.is_empty() && !target::is_host_port(host, PortRule::Optional) {
        // The only non-reject action forwards the value as received.
        ctx.deviate(Deviation::InvalidHost, draft.at(first))?;
    }
    if form == TargetForm::Absolute {
        let target_bytes = draft.buf.get(target);
        let authority = target::authority_of(form, target_bytes).unwrap_or_default();
        let authority = authority
            .rsplit(|b| *b == b'@')
            .next()
            .unwrap_or(authority)
            .to_vec();
        if !draft.value(first).eq_ignore_ascii_case(&authority)
            && ctx.deviate(Deviation::AbsoluteFormHostMismatch, draft.at(first))? == Action::Repair
        {
            draft.set_value(first, &authority);
        }
    }
    Ok(())
}

pub(super) fn check_expect(
    draft: &mut Draft<'_>,
    indices: &[usize],
    version: Version,
    ctx: &mut Ctx<'_>,
) -> Result<bool, Error> {
    let live = draft.live_slice(indices);
    let Some(&first) = live.first() else {
        return Ok(false);
    };
    let mut continue_asked = false;
    let mut unknown = false;
    for index in live.iter() {
        let elements = split_list(draft.value(*index));
        if elements.iter().all(|element| element.is_empty()) {
            unknown = true;
        }
        for element in elements.into_iter().filter(|element| !element.is_empty()) {
            if element.eq_ignore_ascii_case(b"100-continue") {
                continue_asked = true;
            } else {
                unknown = true;
            }
        }
    }
    if unknown {
        match ctx.deviate(Deviation::ExpectUnknown, draft.at(first))? {
            Action::Repair => {
                draft.collapse(&live, None);
                return Ok(false);
            }
            // Accepted: forwarded as received, and only a clean 100-continue makes us wait.
            _ => return Ok(false),
        }
    }
    if continue_asked && version == Version::Http10 {
        // The only non-reject action drops the field.
        ctx.deviate(Deviation::ExpectHttp10, draft.at(first))?;
        draft.collapse(&live, None);
        return Ok(false);
    }
    Ok(continue_asked)
}

pub(super) fn check_h2c(
    draft: &mut Draft<'_>,
    known: &Known,
    connection: &mut Connection,
    ctx: &mut Ctx<'_>,
) -> Result<(), Error> {
    let upgrades = known.get(Class::Upgrade, draft);
    let live = draft.live_slice(&upgrades);
    let offers_h2c = live.iter().any(|index| {
        list_elements(draft.value(*index)).any(|protocol| protocol.eq_ignore_ascii_case(b"h2c"))
    });
    if !offers_h2c || ctx.deviate(Deviation::UpgradeH2c, draft.at(live[0]))? != Action::Repair {
        return Ok(());
    }
    let others: Vec<Vec<u8>> = live
        .iter()
        .flat_map(|index| list_elements(draft.value(*index)))
        .filter(|protocol| !protocol.eq_ignore_ascii_case(b"h2c"))
        .map(<[u8]>::to_vec)
        .collect();
    let value = others.join(&b", "[..]);
    draft.collapse(&live, (!value.is_empty()).then_some(&value[..]));
    let settings = known.get(Class::Http2Settings, draft);
    draft.collapse(&settings, None);
    connection.drop.push(b"http2-settings");
    if others.is_empty() {
        connection.drop.push(b"upgrade");
        connection.upgrade = false;
    }
    Ok(())
}
