//! The hand-written codec: TLS's presentation language (RFC 5246 section 4) as a `Writer` and a
//! `Reader`.
//!
//! TLS messages are built from a handful of shapes: `uint8`, `uint16`, `uint24`, fixed-length
//! `opaque` arrays, and variable-length vectors `<floor..ceiling>` whose length is written in
//! front of them in 1, 2 or 3 bytes (RFC 5246 4.3). Vectors nest: an extension is a vector inside
//! the extensions vector inside the ClientHello, which sits inside the handshake header's 24-bit
//! length.
//!
//! Every read and write names the field it touches ("cipher_suite", "random", ...). The names are
//! recorded as [`Field`]s with the byte range they cover, so the annotated hex dump in the trace
//! comes from the very code that encodes and decodes: the explanation cannot drift from the bytes.
//!
//! The `Reader` never panics on peer input: every read checks the bytes left, both in the whole
//! message and inside the innermost open vector, and fails with a typed [`CodecError::Decode`]
//! (which becomes `Error::Decode`, the `decode_error` alert).
//!
//! ```
//! use tls12_sim::codec::{Reader, Writer};
//!
//! // struct { uint16 version; opaque data<0..2^8-1>; } written and read back.
//! let mut w = Writer::new();
//! w.u16("version", 0x0303);
//! w.opaque_u8("data", b"hi").unwrap();
//! let out = w.finish().unwrap();
//! assert_eq!(out.bytes, [0x03, 0x03, 0x02, b'h', b'i']);
//! // Every byte is labelled: version (2 bytes), the length of data (1), data (2).
//! let labels: Vec<_> = out.fields.iter().map(|f| (f.label, f.len)).collect();
//! assert_eq!(labels, [("version", 2), ("data", 1), ("data", 2)]);
//!
//! let mut r = Reader::new(&out.bytes);
//! assert_eq!(r.u16("version").unwrap(), 0x0303);
//! assert_eq!(r.opaque_u8("data").unwrap(), b"hi");
//! r.finish("example").unwrap();
//! // A length that runs past the end is refused, never read past.
//! assert!(Reader::new(&[0x05, b'h']).opaque_u8("data").is_err());
//! ```

use crate::phrase;
use crate::phrase::Phrase;

/// What was wrong with a length or a byte count while decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeProblem {
    /// The input ended before the field did.
    Truncated,
    /// A length prefix claims more bytes than there are.
    LengthTooLong,
    /// Bytes were left over after the field or message should have ended.
    TrailingBytes,
    /// A length or value outside the range the RFC allows.
    OutOfRange,
    /// A vector the RFC requires to hold at least one element (or byte) is empty, e.g.
    /// `ProtocolName<1..2^8-1>`.
    Empty,
    /// A field that must be empty here is not (RFC 6066 3: the server's `server_name`).
    NotEmpty,
    /// A list that must hold exactly one element holds another number (RFC 7301 3.1: the
    /// server's `protocol_name_list`).
    NotExactlyOne,
    /// A length over a limit of ours, refused before anything is buffered (the RFC's own
    /// limit is higher).
    OverLimit {
        /// The length claimed.
        len: usize,
        /// Our limit.
        limit: usize,
    },
}

/// What went wrong in the codec. The codec knows nothing of alerts: `error.rs` turns a
/// `CodecError` into the program's one [`Error`](crate::error::Error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodecError {
    /// The bytes do not parse (`decode_error`): which field, and what was wrong with it.
    Decode {
        /// The label of the field being read.
        field: &'static str,
        /// What was wrong.
        problem: DecodeProblem,
    },
    /// The codec was misused by our own code (a vector left open, a value too long for its
    /// length prefix): a bug, `internal_error`.
    Misuse(Phrase),
}

/// Shorthand for the codec's results.
type Result<T> = std::result::Result<T, CodecError>;

/// One labelled byte range of an encoded message.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Field {
    /// The field's name, as in the RFC's structure definitions.
    pub label: &'static str,
    /// Offset of the first byte within the message.
    pub start: usize,
    /// Number of bytes.
    pub len: usize,
    /// Nesting depth: 0 for top-level fields, +1 inside each vector.
    pub depth: usize,
    /// What kind of field this is.
    pub kind: FieldKind,
}

/// What a [`Field`] holds.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// An unsigned integer (`uint8`, `uint16`, `uint24`, `uint32`) and its value.
    Int(u32),
    /// The length prefix of a vector; the value is the vector's length in bytes.
    Length(usize),
    /// Opaque bytes.
    Bytes,
}

/// A finished encoding: the bytes and the labels that explain them.
#[derive(Clone, Debug, Default)]
pub struct Labelled {
    /// The encoded message, as it goes on the wire.
    pub bytes: Vec<u8>,
    /// One [`Field`] per value written, in byte order: the labels of the trace's hex dump.
    pub fields: Vec<Field>,
}

/// An open vector in a [`Writer`]: where its length prefix sits, to be filled in by
/// [`Writer::end`].
#[must_use = "an open vector must be closed with Writer::end"]
#[derive(Debug)]
pub struct Mark {
    label: &'static str,
    length_at: usize,
    length_bytes: usize,
    field_index: usize,
}

/// Builds a message, recording a [`Field`] for every value written.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
    fields: Vec<Field>,
    depth: usize,
}

impl Writer {
    /// An empty writer, no vector open.
    pub fn new() -> Self {
        Self::default()
    }

    fn record(&mut self, label: &'static str, start: usize, kind: FieldKind) {
        let len = self.buf.len() - start;
        let depth = self.depth;
        self.fields.push(Field {
            label,
            start,
            len,
            depth,
            kind,
        });
    }

    /// Writes a `uint8`.
    pub fn u8(&mut self, label: &'static str, value: u8) {
        let start = self.buf.len();
        self.buf.push(value);
        self.record(label, start, FieldKind::Int(value.into()));
    }

    /// Writes a `uint16`, big-endian (network byte order, RFC 5246 4.4).
    pub fn u16(&mut self, label: &'static str, value: u16) {
        let start = self.buf.len();
        self.buf.extend_from_slice(&value.to_be_bytes());
        self.record(label, start, FieldKind::Int(value.into()));
    }

    /// A `uint24`; only the low 24 bits of `value` are written.
    pub fn u24(&mut self, label: &'static str, value: u32) {
        let start = self.buf.len();
        self.buf.extend_from_slice(&value.to_be_bytes()[1..]);
        self.record(label, start, FieldKind::Int(value & 0x00ff_ffff));
    }

    /// Writes a `uint32`, big-endian (NewSessionTicket's ticket_lifetime_hint, RFC 5077 3.3).
    pub fn u32(&mut self, label: &'static str, value: u32) {
        let start = self.buf.len();
        self.buf.extend_from_slice(&value.to_be_bytes());
        self.record(label, start, FieldKind::Int(value));
    }

    /// Fixed-length opaque bytes (no length prefix), e.g. `opaque random[32]`.
    pub fn bytes(&mut self, label: &'static str, value: &[u8]) {
        let start = self.buf.len();
        self.buf.extend_from_slice(value);
        self.record(label, start, FieldKind::Bytes);
    }

    /// Opens a vector with a 1-byte length, `<0..2^8-1>`.
    pub fn begin_u8(&mut self, label: &'static str) -> Mark {
        self.begin(label, 1)
    }

    /// Opens a vector with a 2-byte length, `<0..2^16-1>`.
    pub fn begin_u16(&mut self, label: &'static str) -> Mark {
        self.begin(label, 2)
    }

    /// Opens a vector with a 3-byte length, `<0..2^24-1>`.
    pub fn begin_u24(&mut self, label: &'static str) -> Mark {
        self.begin(label, 3)
    }

    fn begin(&mut self, label: &'static str, length_bytes: usize) -> Mark {
        let length_at = self.buf.len();
        self.buf.resize(length_at + length_bytes, 0);
        let field_index = self.fields.len();
        self.record(label, length_at, FieldKind::Length(0));
        self.depth += 1;
        Mark {
            label,
            length_at,
            length_bytes,
            field_index,
        }
    }

    /// Closes a vector: writes its length into the prefix reserved by `begin_*`.
    ///
    /// Fails (as our own bug, `internal_error`) if the contents outgrew what the prefix can hold.
    pub fn end(&mut self, mark: Mark) -> Result<()> {
        let body_start = mark.length_at + mark.length_bytes;
        let len = self.buf.len() - body_start;
        let max = (1usize << (8 * mark.length_bytes)) - 1;
        if len > max {
            return Err(CodecError::Misuse(phrase!(
                "{} is {} bytes, more than its {}-byte length can hold",
                mark.label,
                len,
                mark.length_bytes
            )));
        }
        let be = (len as u32).to_be_bytes();
        self.buf[mark.length_at..body_start].copy_from_slice(&be[4 - mark.length_bytes..]);
        self.fields[mark.field_index].kind = FieldKind::Length(len);
        self.depth -= 1;
        Ok(())
    }

    /// Convenience: `opaque label<0..2^8-1>`.
    pub fn opaque_u8(&mut self, label: &'static str, value: &[u8]) -> Result<()> {
        let mark = self.begin_u8(label);
        self.bytes(label, value);
        self.end(mark)
    }

    /// Convenience: `opaque label<0..2^16-1>`.
    pub fn opaque_u16(&mut self, label: &'static str, value: &[u8]) -> Result<()> {
        let mark = self.begin_u16(label);
        self.bytes(label, value);
        self.end(mark)
    }

    /// Convenience: `opaque label<0..2^24-1>`.
    pub fn opaque_u24(&mut self, label: &'static str, value: &[u8]) -> Result<()> {
        let mark = self.begin_u24(label);
        self.bytes(label, value);
        self.end(mark)
    }

    /// A vector of `uint16` values with a 2-byte length, e.g.
    /// `CipherSuite cipher_suites<2..2^16-2>`: `label` names the vector, `item` each value.
    pub fn u16_list(
        &mut self,
        label: &'static str,
        item: &'static str,
        values: &[u16],
    ) -> Result<()> {
        let mark = self.begin_u16(label);
        for &value in values {
            self.u16(item, value);
        }
        self.end(mark)
    }

    /// Bytes written so far, including the length prefixes reserved for open vectors.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True before anything has been written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The bytes and their labels. Vectors must all have been closed.
    pub fn finish(self) -> Result<Labelled> {
        if self.depth != 0 {
            return Err(CodecError::Misuse(phrase!("a vector was left open")));
        }
        Ok(Labelled {
            bytes: self.buf,
            fields: self.fields,
        })
    }
}

/// Parses a message, recording a [`Field`] for every value read.
///
/// Vectors are read with `begin_*` ... `end()`: while a vector is open, reads may not run past its
/// end, and `end()` fails unless the vector was consumed exactly.
#[derive(Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    /// End offsets of the open vectors, innermost last.
    limits: Vec<(usize, &'static str)>,
    fields: Vec<Field>,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `data`, with no vector open.
    pub fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            pos: 0,
            limits: Vec::new(),
            fields: Vec::new(),
        }
    }

    /// Where the innermost open vector (or the whole input) ends.
    fn limit(&self) -> usize {
        self.limits.last().map_or(self.data.len(), |&(end, _)| end)
    }

    /// Bytes left before the innermost limit.
    pub fn remaining(&self) -> usize {
        self.limit().saturating_sub(self.pos)
    }

    /// True while the innermost open vector (or the input) has bytes left.
    pub fn has_more(&self) -> bool {
        self.remaining() > 0
    }

    fn take(&mut self, label: &'static str, n: usize, kind: FieldKind) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(CodecError::Decode {
                field: label,
                problem: DecodeProblem::Truncated,
            });
        }
        let start = self.pos;
        self.pos += n;
        self.fields.push(Field {
            label,
            start,
            len: n,
            depth: self.limits.len(),
            kind,
        });
        Ok(&self.data[start..start + n])
    }

    fn int(&mut self, label: &'static str, n: usize) -> Result<u32> {
        let bytes = self.take(label, n, FieldKind::Int(0))?;
        let value = bytes.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
        if let Some(field) = self.fields.last_mut() {
            field.kind = FieldKind::Int(value);
        }
        Ok(value)
    }

    /// Reads a `uint8`.
    pub fn u8(&mut self, label: &'static str) -> Result<u8> {
        Ok(self.int(label, 1)? as u8)
    }

    /// Reads a big-endian `uint16`.
    pub fn u16(&mut self, label: &'static str) -> Result<u16> {
        Ok(self.int(label, 2)? as u16)
    }

    /// Reads a big-endian `uint24` (the handshake header's length is one).
    pub fn u24(&mut self, label: &'static str) -> Result<u32> {
        self.int(label, 3)
    }

    /// Reads a big-endian `uint32`.
    pub fn u32(&mut self, label: &'static str) -> Result<u32> {
        self.int(label, 4)
    }

    /// Fixed-length opaque bytes.
    pub fn bytes(&mut self, label: &'static str, n: usize) -> Result<&'a [u8]> {
        self.take(label, n, FieldKind::Bytes)
    }

    /// Fixed-length opaque bytes into an array, e.g. `opaque random[32]`.
    pub fn array<const N: usize>(&mut self, label: &'static str) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(label, N)?);
        Ok(out)
    }

    /// Everything up to the innermost limit.
    pub fn rest(&mut self, label: &'static str) -> Result<&'a [u8]> {
        let n = self.remaining();
        self.bytes(label, n)
    }

    /// Opens a vector with a 1-byte length, `<0..2^8-1>`; a length that runs past the end is
    /// refused (`LengthTooLong`).
    pub fn begin_u8(&mut self, label: &'static str) -> Result<()> {
        self.begin(label, 1)
    }

    /// Opens a vector with a 2-byte length, `<0..2^16-1>`; a length that runs past the end is
    /// refused (`LengthTooLong`).
    pub fn begin_u16(&mut self, label: &'static str) -> Result<()> {
        self.begin(label, 2)
    }

    /// Opens a vector with a 3-byte length, `<0..2^24-1>`; a length that runs past the end is
    /// refused (`LengthTooLong`).
    pub fn begin_u24(&mut self, label: &'static str) -> Result<()> {
        self.begin(label, 3)
    }

    fn begin(&mut self, label: &'static str, length_bytes: usize) -> Result<()> {
        let len = self.int(label, length_bytes)? as usize;
        if let Some(field) = self.fields.last_mut() {
            field.kind = FieldKind::Length(len);
        }
        if len > self.remaining() {
            return Err(CodecError::Decode {
                field: label,
                problem: DecodeProblem::LengthTooLong,
            });
        }
        self.limits.push((self.pos + len, label));
        Ok(())
    }

    /// Closes the innermost vector; it must have been read exactly to its end.
    pub fn end(&mut self) -> Result<()> {
        let Some((end, label)) = self.limits.pop() else {
            return Err(CodecError::Misuse(phrase!("Reader::end without begin")));
        };
        if self.pos != end {
            return Err(CodecError::Decode {
                field: label,
                problem: DecodeProblem::TrailingBytes,
            });
        }
        Ok(())
    }

    /// Convenience: `opaque label<0..2^8-1>`.
    pub fn opaque_u8(&mut self, label: &'static str) -> Result<&'a [u8]> {
        self.begin_u8(label)?;
        let value = self.rest(label)?;
        self.end()?;
        Ok(value)
    }

    /// Convenience: `opaque label<0..2^16-1>`.
    pub fn opaque_u16(&mut self, label: &'static str) -> Result<&'a [u8]> {
        self.begin_u16(label)?;
        let value = self.rest(label)?;
        self.end()?;
        Ok(value)
    }

    /// Convenience: `opaque label<0..2^24-1>`.
    pub fn opaque_u24(&mut self, label: &'static str) -> Result<&'a [u8]> {
        self.begin_u24(label)?;
        let value = self.rest(label)?;
        self.end()?;
        Ok(value)
    }

    /// A non-empty vector of `uint16` values with a 2-byte length (the mirror of
    /// [`Writer::u16_list`]); an empty or odd-length vector is a decode error.
    pub fn u16_list(&mut self, label: &'static str, item: &'static str) -> Result<Vec<u16>> {
        self.begin_u16(label)?;
        let mut values = Vec::new();
        while self.has_more() {
            values.push(self.u16(item)?);
        }
        self.end()?;
        if values.is_empty() {
            return Err(CodecError::Decode {
                field: label,
                problem: DecodeProblem::OutOfRange,
            });
        }
        Ok(values)
    }

    /// Ends parsing: every vector closed and every byte consumed. Returns the labels.
    pub fn finish(self, what: &'static str) -> Result<Vec<Field>> {
        if !self.limits.is_empty() {
            return Err(CodecError::Misuse(phrase!("a vector was left open")));
        }
        if self.pos != self.data.len() {
            return Err(CodecError::Decode {
                field: what,
                problem: DecodeProblem::TrailingBytes,
            });
        }
        Ok(self.fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_patches_nested_lengths_and_labels() {
        let mut w = Writer::new();
        w.u16("version", 0x0303);
        let outer = w.begin_u16("extensions");
        w.u16("extension_type", 0xff01);
        w.opaque_u16("extension_data", &[0]).unwrap();
        w.end(outer).unwrap();
        let out = w.finish().unwrap();
        assert_eq!(
            out.bytes,
            [0x03, 0x03, 0x00, 0x05, 0xff, 0x01, 0x00, 0x01, 0x00]
        );
        assert_eq!(out.fields[1].kind, FieldKind::Length(5));
        assert_eq!(out.fields[2].depth, 1);
    }

    #[test]
    fn writer_refuses_overlong_vector() {
        let mut w = Writer::new();
        assert!(w.opaque_u8("x", &[0; 256]).is_err());
    }

    #[test]
    fn reader_round_trip_and_limits() {
        let data = [0x03, 0x03, 0x00, 0x05, 0xff, 0x01, 0x00, 0x01, 0x00];
        let mut r = Reader::new(&data);
        assert_eq!(r.u16("version").unwrap(), 0x0303);
        r.begin_u16("extensions").unwrap();
        assert_eq!(r.u16("extension_type").unwrap(), 0xff01);
        assert_eq!(r.opaque_u16("extension_data").unwrap(), &[0]);
        assert!(!r.has_more());
        r.end().unwrap();
        let fields = r.finish("test").unwrap();
        assert_eq!(fields.len(), 5);
    }

    #[test]
    fn reader_rejects_truncation_overlong_and_trailing() {
        let mut r = Reader::new(&[0x00]);
        assert!(matches!(
            r.u16("x"),
            Err(CodecError::Decode {
                problem: DecodeProblem::Truncated,
                ..
            })
        ));
        let mut r = Reader::new(&[0x00, 0x05, 0x01]);
        assert!(matches!(
            r.begin_u16("v"),
            Err(CodecError::Decode {
                problem: DecodeProblem::LengthTooLong,
                ..
            })
        ));
        let mut r = Reader::new(&[0x02, 0x01, 0x02]);
        r.begin_u8("v").unwrap();
        r.u8("a").unwrap();
        assert!(r.end().is_err());
        let mut r = Reader::new(&[0x01, 0x02]);
        r.u8("a").unwrap();
        assert!(r.finish("m").is_err());
    }

    #[test]
    fn reads_stay_inside_the_open_vector() {
        // The vector says 1 byte, but a u16 is read inside it: truncated, even though the
        // input has more bytes after the vector.
        let mut r = Reader::new(&[0x01, 0xaa, 0xbb, 0xcc]);
        r.begin_u8("v").unwrap();
        assert!(r.u16("x").is_err());
    }
}
