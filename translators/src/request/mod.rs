//! Requests: from clients into the neutral form ([`inbound`]) and from it toward origins
//! ([`outbound`]).

pub(crate) mod inbound;
pub(crate) mod outbound;
