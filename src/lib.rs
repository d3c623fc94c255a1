//! # tls12-sim: a hand-written TLS 1.2 handshake, for teaching
//!
//! The TLS protocol itself (the codec, the messages, the PRF key schedule, the record layer and
//! both sides of the handshake) is written out here by hand, from the RFCs. The cryptographic
//! primitives (RSA, X25519, AES-GCM, SHA-2, HMAC) and X.509 parsing come from RustCrypto crates.
//!
//! ## Read in this order
//!
//! `lib.rs` declares the modules in three groups, and this list follows them: the protocol
//! core, presentation, applications.
//!
//! **The protocol core**, from the top down:
//!
//! 1. [`simulate`]: the sequence diagram as code: client and server in one thread, flight by
//!    flight. Start at [`simulate::handshake_and_exchange`].
//! 2. [`client`] and [`server`]: each side's flights, one function per message, in wire order.
//! 3. [`conn`]: the steps both sides share: reading a handshake message (`Conn::expect::<M>()`
//!    reads it, checks its type, decodes and traces it), key derivation, ChangeCipherSpec,
//!    Finished.
//! 4. [`messages`]: one file per message, the RFC's structure quoted above its code, each a
//!    [`HandshakeMessage`](messages::HandshakeMessage); built on [`codec`], which labels every
//!    byte for the trace and fails with its own [`CodecError`](codec::CodecError).
//! 5. [`key_exchange`]: where the private key is used (RSA decryption with the Bleichenbacher
//!    defence, signatures), and [`prf`]: master secret, key block, Finished.
//! 6. [`record`]: framing and AES-GCM protection of records.
//! 7. [`observer`]: a passive observer that decrypts a recording, given the server's private key
//!    or a key log: what Wireshark does, and what an attacker who stole the key could do.
//! 8. [`event`]: the event model: each side's [`Trace`](event::Trace) of
//!    [`Event`](event::Event)s, the [`Key`](event::Key)s of the key ledger, the
//!    [`GcmDetails`](event::GcmDetails) of a protected record. A leaf: the core writes events,
//!    the renderers read them.
//!
//! Supporting the core: [`phrase`](mod@phrase) (every explanation as a pattern and its values,
//! written with [`phrase!`]), [`pki`] (certificates; a chain check reports structured
//! [`ChainCheck`](pki::ChainCheck)s), [`demo_pki`] (the embedded demo CA, server and clients),
//! [`session`] (resumption: the server's session cache, tickets, the client's saved session),
//! [`wire`] (in-memory wire and recorded flows), [`suites`] (the twelve suites, and the
//! [`HashAlg`](suites::HashAlg) of their PRF and transcript), [`transcript`] (the handshake
//! messages that Finished covers), [`rng`] (seeded RNG per role, injected clock), [`error`] (one
//! error type, one mapping to alerts).
//!
//! **Measurement and presentation**, what things cost and what a learner sees, built from the
//! core (layers: ARCHITECTURE.md; `tests/architecture.rs` checks them):
//!
//! 9. [`render`]: every rendering of a run: [`text`](render::text), [`html`](render::html),
//!    [`mermaid`](render::mermaid), [`json`](render::json), [`worksheet`](render::worksheet),
//!    [`walkthrough`](render::walkthrough), [`report`](render::report), and
//!    [`ja`](render::ja), the Japanese translations (their table is `locales/ja.txt`).
//! 10. [`labs`]: short experiments whose output is the lesson (forward secrecy, tampering,
//!     mutual TLS, ...).
//! 11. [`bench`](mod@bench): what things cost, one file per concern in `src/bench/`.
//!
//! **Applications**, on top of everything:
//!
//! 12. [`net`]: `serve` and `connect`: the same flights over TCP.
//! 13. [`load`]: `load`: many concurrent handshakes against a server, with idle connections
//!     held, for handshakes per second and latency percentiles.
//!
//! ## Specifications
//! RFC 5246 (TLS 1.2), RFC 5288 (AES-GCM suites), RFC 5746 (renegotiation_info), RFC 6066
//! (server_name), RFC 7627 (extended master secret), RFC 5077 (session tickets), RFC 8422
//! (ECDHE), RFC 8446 4.2.3 (signature scheme code points), RFC 5280 (certificates).

#![warn(missing_docs)]

// ---- layer 1, the protocol core: it never imports a module of the layers after it ----
pub mod client;
pub mod codec;
pub mod conn;
pub mod demo_pki;
pub mod error;
pub mod event;
pub mod key_exchange;
pub mod keylog;
pub mod messages;
pub mod observer;
pub mod phrase;
pub mod pki;
pub mod prf;
pub mod record;
pub mod rng;
pub mod server;
pub mod session;
pub mod simulate;
pub mod suites;
pub mod transcript;
pub mod wire;

// ---- between layers 1 and 2, recordings: capture files, read and written ----
pub mod capture;

// ---- layer 2, measurement: what things cost ----
pub mod bench;

// ---- layer 3, presentation: what a learner sees ----
pub mod labs;
pub mod render;

// ---- layer 4, applications ----
pub mod inspect;
pub mod load;
pub mod net;

pub use error::Error;
