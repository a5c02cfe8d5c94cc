//! Responses: from origins into the neutral form ([`inbound`]) and from it toward clients
//! ([`outbound`]).

pub(crate) mod inbound;
pub(crate) mod outbound;
