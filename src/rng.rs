//! Where randomness and time come from: one RNG per role, and one clock.
//!
//! Every random byte a side uses (its hello random, the RSA pre-master and its PKCS#1 padding,
//! X25519 secrets, the server's fallback pre-master, RSA blinding factors) is drawn from that
//! side's [`RoleRng`], in a fixed order. Seed it, and the whole run is reproducible byte for byte:
//! the same seed gives the same transcript, which is what makes our own transcripts usable as
//! test vectors (the habit of BearSSL's one DRBG per engine, and of Go's `Config.Rand`).
//!
//! The seeded stream is ChaCha20 keyed with SHA-256("tls12-sim rng v1" || role || seed), so the
//! client and the server of one run draw from independent streams. For real connections
//! (`serve`, `connect`) the key comes from the operating system instead.

use std::convert::Infallible;

use rand::{TryCryptoRng, TryRng};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use sha2::{Digest, Sha256};

/// Which end of the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The side that connects and sends ClientHello.
    Client,
    /// The side that answers, with the certificate.
    Server,
}

impl Side {
    /// `"client"` or `"server"`, untranslated: hashed into the seeded RNG's key, and used in
    /// messages outside the trace.
    pub fn name(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "server",
        }
    }

    /// The side's name as a word of the trace ("client", translated in other languages).
    pub fn phrase(self) -> crate::phrase::Phrase {
        match self {
            Side::Client => crate::phrase!("client"),
            Side::Server => crate::phrase!("server"),
        }
    }

    /// The other side.
    pub fn peer(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }
}

/// One side's random number generator.
pub struct RoleRng {
    chacha: ChaCha20Rng,
    /// Which side draws from it.
    side: Side,
    /// The seed, when the run is reproducible.
    seed: Option<u64>,
    /// Bytes drawn so far: watch it grow in a debugger (`p rng.drawn`).
    drawn: u64,
}

impl RoleRng {
    /// Which side draws from it.
    pub fn side(&self) -> Side {
        self.side
    }

    /// The seed, when the run is reproducible (`None` for the operating system's entropy).
    pub fn seed(&self) -> Option<u64> {
        self.seed
    }

    /// How many bytes have been drawn so far.
    pub fn drawn(&self) -> u64 {
        self.drawn
    }

    /// A reproducible stream for `side`, from `seed`.
    pub fn seeded(seed: u64, side: Side) -> Self {
        Self::seeded_stream(seed, side, "")
    }

    /// Another reproducible stream of `side` from the same `seed`, told apart by `stream`
    /// (the second connection of a resumption, the server's ticket keys): the key is
    /// SHA-256("tls12-sim rng v1" || role || stream || seed), so the empty stream is
    /// [`RoleRng::seeded`]'s.
    pub fn seeded_stream(seed: u64, side: Side, stream: &str) -> Self {
        let mut h = Sha256::new();
        h.update(b"tls12-sim rng v1");
        h.update(side.name().as_bytes());
        h.update(stream.as_bytes());
        h.update(seed.to_be_bytes());
        let key: [u8; 32] = h.finalize().into();
        RoleRng {
            chacha: ChaCha20Rng::from_seed(key),
            side,
            seed: Some(seed),
            drawn: 0,
        }
    }

    /// A stream keyed by the operating system's entropy, for real connections.
    pub fn from_os(side: Side) -> Result<Self, crate::error::Error> {
        let mut key = [0u8; 32];
        rand::rngs::SysRng.try_fill_bytes(&mut key).map_err(|e| {
            crate::error::Error::Internal(crate::phrase!("no OS randomness: {}", e.to_string()))
        })?;
        Ok(RoleRng {
            chacha: ChaCha20Rng::from_seed(key),
            side,
            seed: None,
            drawn: 0,
        })
    }

    /// Fills `buf` with random bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        self.drawn += buf.len() as u64;
        // ChaCha20Rng's error type is Infallible.
        let Ok(()) = self.chacha.try_fill_bytes(buf);
    }

    /// `N` random bytes.
    pub fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        self.fill(&mut out);
        out
    }

    /// A stream of its own for one job (the explicit IVs of a CBC direction), keyed with 32
    /// bytes drawn from this one: still all from the side's one seed, and the job's draws do
    /// not move this stream on.
    pub fn fork(&mut self) -> RoleRng {
        RoleRng {
            chacha: ChaCha20Rng::from_seed(self.array()),
            side: self.side,
            seed: self.seed,
            drawn: 0,
        }
    }
}

/// So that the `rsa` and `x25519` crates draw from the same stream (PKCS#1 padding, blinding).
impl TryRng for RoleRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(u32::from_le_bytes(self.array()))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(u64::from_le_bytes(self.array()))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.fill(dst);
        Ok(())
    }
}

impl TryCryptoRng for RoleRng {}

/// The time a side believes it is, in seconds since the Unix epoch.
///
/// Certificate validity is checked against this clock, never against the machine's directly, so
/// that a lab about an expired certificate gives the same answer every year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// Always this instant.
    Fixed(u64),
    /// The machine's clock.
    System,
}

/// The simulator's default instant: 2026-11-23T00:00:00Z.
pub const DEFAULT_SIMULATION_TIME: u64 = 1_795_392_000;

impl Clock {
    /// Seconds since the Unix epoch, by this clock.
    pub fn now(self) -> u64 {
        match self {
            Clock::Fixed(t) => t,
            Clock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_and_sides_differ() {
        let a: [u8; 16] = RoleRng::seeded(7, Side::Client).array();
        let b: [u8; 16] = RoleRng::seeded(7, Side::Client).array();
        let c: [u8; 16] = RoleRng::seeded(7, Side::Server).array();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
