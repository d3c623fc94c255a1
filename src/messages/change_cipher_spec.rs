//! ChangeCipherSpec (RFC 5246 7.1): not a handshake message but a record type of its own, one
//! byte long. It tells the peer: "my next record is protected with the keys we just agreed".
//!
//! ```text
//! struct {
//!     enum { change_cipher_spec(1), (255) } type;
//! } ChangeCipherSpec;
//! ```

use crate::codec::{Labelled, Reader, Writer};
use crate::error::{DecodeProblem, Error};

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

    /// Accepts exactly the byte `01`; anything else is `decode_error`.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes);
        if r.u8("type")? != 1 {
            return Err(Error::decode(
                "change_cipher_spec",
                DecodeProblem::OutOfRange,
            ));
        }
        r.finish("ChangeCipherSpec")?;
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
