//! ChangeCipherSpec (RFC 5246 7.1): not a handshake message but a record type of its own, one
//! byte long. It tells the peer: "my next record is protected with the keys we just agreed".
//!
//! ```text
//! struct {
//!     enum { change_cipher_spec(1), (255) } type;
//! } ChangeCipherSpec;
//! ```

use crate::codec::{Labelled, Writer};
use crate::error::Error;
use crate::phrase;

/// The ChangeCipherSpec message, in a record of its own type: a single byte, 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeCipherSpec;

impl ChangeCipherSpec {
    /// The one byte `01`, labelled `type`.
    pub fn encode(&self) -> Result<Labelled, Error> {
        let mut w = Writer::new();
        w.u8("type", 1);
        Ok(w.finish()?)
    }

    /// Accepts exactly the byte `01`; anything else is `unexpected_message`, as OpenSSL answers
    /// it: the record is not a ChangeCipherSpec at all. (BoringSSL answers illegal_parameter;
    /// RFC 5246 7.1 names neither.)
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        if bytes != [1] {
            return Err(Error::UnexpectedMessage(phrase!(
                "a ChangeCipherSpec record must hold the one byte 01; this one holds {} bytes: {}",
                bytes.len(),
                hex::encode(bytes)
            )));
        }
        Ok(ChangeCipherSpec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_single_byte_one() {
        assert!(ChangeCipherSpec::decode(&[1]).is_ok());
        assert!(ChangeCipherSpec::decode(&[2]).is_err());
        assert!(ChangeCipherSpec::decode(&[]).is_err());
        assert!(ChangeCipherSpec::decode(&[1, 1]).is_err());
    }
}
