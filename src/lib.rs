//! # tls12-sim: a hand-written TLS 1.2 handshake, for teaching
//!
//! The TLS protocol itself (the codec, the messages, the PRF key schedule, the record layer and
//! both sides of the handshake) is written out here by hand, from the RFCs. The cryptographic
//! primitives (RSA, X25519, AES-GCM, SHA-2, HMAC) and X.509 parsing come from RustCrypto crates.
//!
//! ## Read in this order
//!
//! 1. [`simulate`]: the sequence diagram as code: client and server in one thread, flight by
//!    flight. Start at [`simulate::handshake_and_exchange`].
//! 2. [`client`] and [`server`]: each side's flights, one function per message, in wire order.
//! 3. [`conn`]: the steps both sides share: key derivation, ChangeCipherSpec, Finished.
//! 4. [`messages`]: one file per message, the RFC's structure quoted above its code; built on
//!    [`codec`], which labels every byte for the trace.
//! 5. [`key_exchange`]: where the private key is used (RSA decryption with the Bleichenbacher
//!    defence, signatures), and [`prf`]: master secret, key block, Finished.
//! 6. [`record`]: framing and AES-GCM protection of records.
//! 7. [`observer`]: a passive observer that decrypts a recording, given the server's private key
//!    or a key log: what Wireshark does, and what an attacker who stole the key could do.
//! 8. [`net`]: `serve` and `connect`: the same flights over TCP.
//! 9. [`labs`]: short experiments whose output is the lesson (forward secrecy, ...).
//!
//! Supporting: [`bench`] (what things cost), [`error`] (one error type, one mapping to alerts), [`rng`] (seeded RNG per role,
//! injected clock), [`trace`] (what the learner sees), [`pki`] (certificates), [`demo_pki`]
//! (the embedded demo CA, server and clients), [`wire`]
//! (in-memory wire and recorded flows), [`suites`], [`transcript`].
//!
//! ## Specifications
//! RFC 5246 (TLS 1.2), RFC 5288 (AES-GCM suites), RFC 5746 (renegotiation_info), RFC 6066
//! (server_name), RFC 7627 (extended master secret), RFC 8422 (ECDHE), RFC 8446 4.2.3
//! (signature scheme code points), RFC 5280 (certificates).

#![warn(missing_docs)]

// ---- the protocol core (never imports the layers below it) ----
pub mod client;
pub mod codec;
pub mod conn;
pub mod demo_pki;
pub mod error;
pub mod event;
pub mod key_exchange;
pub mod messages;
pub mod observer;
pub mod phrase;
pub mod pki;
pub mod prf;
pub mod record;
pub mod rng;
pub mod server;
pub mod simulate;
pub mod suites;
pub mod transcript;
pub mod wire;

// ---- presentation: what a learner sees, built from the core's events ----
pub mod labs;
pub mod render;

// ---- applications: the network, measurement ----
pub mod bench;
pub mod net;

pub use error::Error;
