//! HPACK decode throughput against other implementations (written with the HPACK codec).

fn main() {}
