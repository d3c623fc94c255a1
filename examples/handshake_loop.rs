//! The workload of `scripts/handshake-profile.sh`: ten full in-memory handshakes of one kind
//! (`rsa`, `ecdhe`, `rsa_mtls`, `ecdhe_mtls`), set up first so that only the handshakes run
//! inside `run_handshakes`, where callgrind counts instructions.

use tls12_sim::bench::{self, HandshakeKind};
use tls12_sim::simulate::Simulation;

#[inline(never)]
fn run_handshakes(sims: &mut [Simulation]) {
    for sim in sims {
        bench::full_handshake(sim).expect("handshake");
    }
}

fn main() {
    let name = std::env::args().nth(1).unwrap_or_else(|| "rsa".into());
    let kind = HandshakeKind::ALL
        .into_iter()
        .find(|k| k.name() == name)
        .expect("kind: rsa, ecdhe, rsa_mtls or ecdhe_mtls");
    let mut sims: Vec<Simulation> = (0..10)
        .map(|_| bench::fresh_pair(kind).expect("client and server"))
        .collect();
    run_handshakes(&mut sims);
}
