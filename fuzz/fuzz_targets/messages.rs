//! `messages`: arbitrary bytes as one handshake message (header included), given to the parser
//! its type byte names, as `Conn::expect` does (src/messages/*.rs); and to the Alert and
//! ChangeCipherSpec parsers, whose bytes come straight from a record.
//!
//! A message that parses must also encode, and its encoding parse back to the same value: what
//! the parser accepts, the writer can say. (Extensions we do not interpret are skipped when
//! writing, so they are left out of that comparison.)
#![no_main]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use tls12_sim::codec::{Field, Labelled};
use tls12_sim::error::Error;
use tls12_sim::messages::HandshakeMessage;
use tls12_sim::messages::HandshakeType;
use tls12_sim::messages::alert::Alert;
use tls12_sim::messages::certificate::Certificate;
use tls12_sim::messages::certificate_request::CertificateRequest;
use tls12_sim::messages::certificate_verify::CertificateVerify;
use tls12_sim::messages::change_cipher_spec::ChangeCipherSpec;
use tls12_sim::messages::client_hello::ClientHello;
use tls12_sim::messages::client_key_exchange::{EcdheClientKeyExchange, RsaClientKeyExchange};
use tls12_sim::messages::finished::Finished;
use tls12_sim::messages::server_hello::ServerHello;
use tls12_sim::messages::hello_request::HelloRequest;
use tls12_sim::messages::new_session_ticket::NewSessionTicket;
use tls12_sim::messages::server_hello_done::ServerHelloDone;
use tls12_sim::messages::server_key_exchange::ServerKeyExchange;

fuzz_target!(|message: &[u8]| {
    if let Ok(alert) = Alert::decode(message) {
        assert_eq!(
            Alert::decode(&alert.encode().unwrap().bytes).unwrap(),
            alert
        );
    }
    let _ = ChangeCipherSpec::decode(message);

    let Some(msg_type) = message.first().copied().and_then(HandshakeType::from_code) else {
        return;
    };
    match msg_type {
        HandshakeType::ClientHello => {
            if let Ok((mut hello, _)) = ClientHello::decode(message) {
                let encoded = hello.encode();
                hello.extensions.other.clear();
                round_trip(hello, encoded, ClientHello::decode);
            }
        }
        HandshakeType::ServerHello => {
            if let Ok((mut hello, _)) = ServerHello::decode(message) {
                let encoded = hello.encode();
                hello.extensions.other.clear();
                round_trip(hello, encoded, ServerHello::decode);
            }
        }
        HandshakeType::Certificate => {
            if let Ok((m, _)) = Certificate::decode(message) {
                round_trip(m.clone(), m.encode(), Certificate::decode);
            }
        }
        HandshakeType::ServerKeyExchange => {
            if let Ok((m, _)) = ServerKeyExchange::decode(message) {
                round_trip(m.clone(), m.encode(), ServerKeyExchange::decode);
            }
        }
        HandshakeType::CertificateRequest => {
            if let Ok((m, _)) = CertificateRequest::decode(message) {
                round_trip(m.clone(), m.encode(), CertificateRequest::decode);
            }
        }
        HandshakeType::ServerHelloDone => {
            if let Ok((m, _)) = ServerHelloDone::decode(message) {
                round_trip(m.clone(), m.encode(), ServerHelloDone::decode);
            }
        }
        HandshakeType::ClientKeyExchange => {
            // Its body depends on the suite's key exchange: try both readings.
            if let Ok((m, _)) = RsaClientKeyExchange::decode(message) {
                round_trip(m.clone(), m.encode(), RsaClientKeyExchange::decode);
            }
            if let Ok((m, _)) = EcdheClientKeyExchange::decode(message) {
                round_trip(m.clone(), m.encode(), EcdheClientKeyExchange::decode);
            }
        }
        HandshakeType::CertificateVerify => {
            if let Ok((m, _)) = CertificateVerify::decode(message) {
                round_trip(m.clone(), m.encode(), CertificateVerify::decode);
            }
        }
        HandshakeType::Finished => {
            if let Ok((m, _)) = Finished::decode(message) {
                round_trip(m.clone(), m.encode(), Finished::decode);
            }
        }
        HandshakeType::HelloRequest => {
            if let Ok((m, _)) = HelloRequest::decode(message) {
                round_trip(m.clone(), m.encode(), HelloRequest::decode);
            }
        }
        HandshakeType::NewSessionTicket => {
            if let Ok((m, _)) = NewSessionTicket::decode(message) {
                round_trip(m.clone(), m.encode(), NewSessionTicket::decode);
            }
        }
    }
});

/// `expected` came from the parser; its encoding must parse back to it.
fn round_trip<T: PartialEq + Debug>(
    expected: T,
    encoded: Result<Labelled, Error>,
    decode: impl Fn(&[u8]) -> Result<(T, Vec<Field>), Error>,
) {
    let bytes = encoded.expect("a message that parsed must encode").bytes;
    let (again, _) = decode(&bytes).expect("an encoded message must parse");
    assert_eq!(again, expected, "encoded as {bytes:02x?}");
}
