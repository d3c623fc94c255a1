//! NewSessionTicket (RFC 5077 3.3): the server hands the client a ticket, the session's state
//! sealed under a key only the server holds, so that the server need keep nothing to resume it.
//!
//! ```text
//! struct {
//!     uint32 ticket_lifetime_hint;
//!     opaque ticket<0..2^16-1>;
//! } NewSessionTicket;
//! ```
//!
//! "The ticket_lifetime_hint field contains a hint from the server about how long the ticket
//! should be stored. The value indicates the lifetime in seconds relative to when the ticket
//! is received. A value of zero is reserved to indicate that the lifetime of the ticket is
//! unspecified." The ticket is opaque to the client (RFC 5077 3.3); what our server puts in it
//! is in `session.rs` ([`crate::session::TicketKeys`]). It is sent after the client's Finished
//! and before the server's ChangeCipherSpec, so it travels *unprotected*, and it is part of the
//! handshake messages that Finished covers.

use super::{HandshakeMessage, HandshakeType, begin_handshake, read_handshake_header};
use crate::codec::{Field, Labelled, Reader, Writer};
use crate::error::Error;

/// The NewSessionTicket message: a lifetime hint and the opaque ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSessionTicket {
    /// How long the client may keep the ticket, in seconds; 0: unspecified.
    pub ticket_lifetime_hint: u32,
    /// The sealed session state; empty when the server changed its mind about issuing one
    /// ("it sends a zero-length ticket in the NewSessionTicket handshake message", RFC 5077 3.3).
    pub ticket: Vec<u8>,
}

impl HandshakeMessage for NewSessionTicket {
    const TYPE: HandshakeType = HandshakeType::NewSessionTicket;

    fn encode(&self) -> Result<Labelled, Error> {
        let mut w = Writer::new();
        let body = begin_handshake(&mut w, Self::TYPE);
        w.u32("ticket_lifetime_hint", self.ticket_lifetime_hint);
        w.opaque_u16("ticket", &self.ticket)?;
        w.end(body)?;
        Ok(w.finish()?)
    }

    fn decode(message: &[u8]) -> Result<(Self, Vec<Field>), Error> {
        let mut r = Reader::new(message);
        read_handshake_header(&mut r, Self::TYPE)?;
        let ticket_lifetime_hint = r.u32("ticket_lifetime_hint")?;
        let ticket = r.opaque_u16("ticket")?.to_vec();
        r.end()?;
        let fields = r.finish("NewSessionTicket")?;
        Ok((
            NewSessionTicket {
                ticket_lifetime_hint,
                ticket,
            },
            fields,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_cut_is_refused() {
        let message = NewSessionTicket {
            ticket_lifetime_hint: 7200,
            ticket: vec![0xab; 70],
        };
        let bytes = message.encode().unwrap().bytes;
        assert_eq!(&bytes[..4], &[4, 0, 0, 76]);
        assert_eq!(&bytes[4..8], &7200u32.to_be_bytes());
        assert_eq!(NewSessionTicket::decode(&bytes).unwrap().0, message);
        for len in 0..bytes.len() {
            assert!(NewSessionTicket::decode(&bytes[..len]).is_err(), "{len}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        longer[3] += 1;
        assert!(matches!(
            NewSessionTicket::decode(&longer),
            Err(Error::Decode { .. })
        ));
    }

    #[test]
    fn an_empty_ticket_is_well_formed() {
        let empty = NewSessionTicket {
            ticket_lifetime_hint: 0,
            ticket: Vec::new(),
        };
        let bytes = empty.encode().unwrap().bytes;
        assert_eq!(bytes, [4, 0, 0, 6, 0, 0, 0, 0, 0, 0]);
        assert_eq!(NewSessionTicket::decode(&bytes).unwrap().0, empty);
    }
}
