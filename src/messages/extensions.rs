//! Hello extensions (RFC 5246 7.4.1.4), the ones this program speaks, parsed into one struct.
//!
//! ```text
//! struct {
//!     ExtensionType extension_type;
//!     opaque extension_data<0..2^16-1>;
//! } Extension;
//! ```
//!
//! | type   | name                   | defined in        | here                              |
//! |--------|------------------------|-------------------|-----------------------------------|
//! | 0      | server_name            | RFC 6066 3        | the host name the client wants     |
//! | 10     | supported_groups       | RFC 8422 5.1.1    | x25519 for ECDHE                   |
//! | 11     | ec_point_formats       | RFC 8422 5.1.2    | uncompressed                       |
//! | 13     | signature_algorithms   | RFC 5246 7.4.1.4.1| which signatures the client checks |
//! | 23     | extended_master_secret | RFC 7627 5.1      | bind the master secret to the handshake |
//! | 0xff01 | renegotiation_info     | RFC 5746 3.2      | "I know about the renegotiation attack" |
//!
//! Any other extension is skipped and listed in `other`: a server must ignore extensions it
//! does not understand (RFC 5246 7.4.1.4), while a client must refuse a ServerHello extension it
//! did not offer (that check is in `client.rs`).

use crate::codec::{Reader, Writer};
use crate::error::{DecodeProblem, Error};
use crate::phrase;

/// `server_name` (0): the host name the client wants to reach, SNI (RFC 6066 3).
pub const SERVER_NAME: u16 = 0;
/// `supported_groups` (10): the groups the client can do ECDHE with (RFC 8422 5.1.1).
pub const SUPPORTED_GROUPS: u16 = 10;
/// `ec_point_formats` (11): the point encodings the sender can read (RFC 8422 5.1.2).
pub const EC_POINT_FORMATS: u16 = 11;
/// `signature_algorithms` (13): the signature schemes the client will verify (RFC 5246
/// 7.4.1.4.1).
pub const SIGNATURE_ALGORITHMS: u16 = 13;
/// `extended_master_secret` (23): derive the master secret from the session hash (RFC 7627
/// 5.1).
pub const EXTENDED_MASTER_SECRET: u16 = 23;
/// `session_ticket` (35): session resumption by ticket (RFC 5077 3.2); only recognised here,
/// and listed in `other`.
pub const SESSION_TICKET: u16 = 35;
/// `renegotiation_info` (0xff01): ties a renegotiation to the handshake before it; empty on
/// a first handshake (RFC 5746 3.2).
pub const RENEGOTIATION_INFO: u16 = 0xff01;

/// NamedGroup x25519 (RFC 8422 5.1.1).
pub const GROUP_X25519: u16 = 0x001d;
/// ECPointFormat uncompressed (RFC 8422 5.1.2).
pub const POINT_FORMAT_UNCOMPRESSED: u8 = 0;

/// The IANA name of an extension type, e.g. `server_name`, whether we speak it or not.
pub fn extension_name(ext_type: u16) -> String {
    match ext_type {
        SERVER_NAME => "server_name".into(),
        5 => "status_request".into(),
        SUPPORTED_GROUPS => "supported_groups".into(),
        EC_POINT_FORMATS => "ec_point_formats".into(),
        SIGNATURE_ALGORITHMS => "signature_algorithms".into(),
        16 => "application_layer_protocol_negotiation".into(),
        18 => "signed_certificate_timestamp".into(),
        21 => "padding".into(),
        22 => "encrypt_then_mac".into(),
        EXTENDED_MASTER_SECRET => "extended_master_secret".into(),
        SESSION_TICKET => "session_ticket".into(),
        43 => "supported_versions".into(),
        45 => "psk_key_exchange_modes".into(),
        49 => "post_handshake_auth".into(),
        50 => "signature_algorithms_cert".into(),
        51 => "key_share".into(),
        RENEGOTIATION_INFO => "renegotiation_info".into(),
        other => format!("extension 0x{other:04x}"),
    }
}

/// The IANA name of a NamedGroup, e.g. `x25519` (RFC 8422 5.1.1).
pub fn group_name(group: u16) -> String {
    match group {
        0x0017 => "secp256r1".into(),
        0x0018 => "secp384r1".into(),
        0x0019 => "secp521r1".into(),
        GROUP_X25519 => "x25519".into(),
        0x001e => "x448".into(),
        0x0100 => "ffdhe2048".into(),
        other => format!("group 0x{other:04x}"),
    }
}

/// The extensions of a ClientHello or ServerHello, as far as this program understands them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HelloExtensions {
    /// `server_name`: the host name (ClientHello), or `Some("")` for the server's empty
    /// acknowledgement.
    pub server_name: Option<String>,
    /// `supported_groups`: NamedGroup list.
    pub supported_groups: Option<Vec<u16>>,
    /// `ec_point_formats`: ECPointFormat list.
    pub ec_point_formats: Option<Vec<u8>>,
    /// `signature_algorithms`: SignatureScheme list (RFC 8446 code points, as TLS 1.2 uses
    /// them: hash byte then signature byte).
    pub signature_algorithms: Option<Vec<u16>>,
    /// `extended_master_secret` present (its body is always empty).
    pub extended_master_secret: bool,
    /// `renegotiation_info`: the renegotiated_connection bytes (empty on a first handshake).
    pub renegotiation_info: Option<Vec<u8>>,
    /// Types of the extensions present that this program does not interpret, in wire order.
    pub other: Vec<u16>,
}

impl HelloExtensions {
    /// True when no extension at all is present (then the field is left out of the hello).
    pub fn is_empty(&self) -> bool {
        *self == HelloExtensions::default()
    }

    /// The types present, in the order `encode` writes them.
    pub fn types(&self) -> Vec<u16> {
        let mut types = Vec::new();
        if self.server_name.is_some() {
            types.push(SERVER_NAME);
        }
        if self.supported_groups.is_some() {
            types.push(SUPPORTED_GROUPS);
        }
        if self.ec_point_formats.is_some() {
            types.push(EC_POINT_FORMATS);
        }
        if self.signature_algorithms.is_some() {
            types.push(SIGNATURE_ALGORITHMS);
        }
        if self.extended_master_secret {
            types.push(EXTENDED_MASTER_SECRET);
        }
        if self.renegotiation_info.is_some() {
            types.push(RENEGOTIATION_INFO);
        }
        types.extend(&self.other);
        types
    }

    /// If the peer lists point formats, uncompressed must be among them: it is the only one we
    /// read (RFC 8422 5.1.2 for the client's list, 5.2 for the server's).
    pub fn check_point_formats(&self) -> Result<(), Error> {
        match &self.ec_point_formats {
            Some(formats) if !formats.contains(&POINT_FORMAT_UNCOMPRESSED) => Err(
                Error::IllegalParameter(phrase!("ec_point_formats does not include uncompressed")),
            ),
            _ => Ok(()),
        }
    }

    /// On a first handshake, renegotiated_connection must be empty (RFC 5746 3.4 for the
    /// client's check, 3.6 for the server's).
    pub fn check_renegotiation_info_is_empty(&self) -> Result<(), Error> {
        match &self.renegotiation_info {
            Some(data) if !data.is_empty() => Err(Error::HandshakeFailure(phrase!(
                "renegotiation_info is not empty on a first handshake"
            ))),
            _ => Ok(()),
        }
    }

    /// Writes `Extension extensions<0..2^16-1>`. Extensions in `other` cannot be written (we
    /// do not know their bodies) and are skipped.
    pub fn encode(&self, w: &mut Writer) -> Result<(), Error> {
        let list = w.begin_u16("extensions");
        if let Some(name) = &self.server_name {
            w.u16("extension_type", SERVER_NAME);
            let data = w.begin_u16("extension_data");
            if !name.is_empty() {
                // struct { NameType name_type; HostName host_name; } ServerName;
                // ServerName server_name_list<1..2^16-1>
                let names = w.begin_u16("server_name_list");
                w.u8("name_type", 0); // host_name(0)
                w.opaque_u16("host_name", name.as_bytes())?;
                w.end(names)?;
            }
            w.end(data)?;
        }
        if let Some(groups) = &self.supported_groups {
            w.u16("extension_type", SUPPORTED_GROUPS);
            let data = w.begin_u16("extension_data");
            w.u16_list("named_group_list", "named_group", groups)?;
            w.end(data)?;
        }
        if let Some(formats) = &self.ec_point_formats {
            w.u16("extension_type", EC_POINT_FORMATS);
            let data = w.begin_u16("extension_data");
            let list = w.begin_u8("ec_point_format_list");
            for &format in formats {
                w.u8("ec_point_format", format);
            }
            w.end(list)?;
            w.end(data)?;
        }
        if let Some(schemes) = &self.signature_algorithms {
            w.u16("extension_type", SIGNATURE_ALGORITHMS);
            let data = w.begin_u16("extension_data");
            w.u16_list(
                "supported_signature_algorithms",
                "signature_scheme",
                schemes,
            )?;
            w.end(data)?;
        }
        if self.extended_master_secret {
            w.u16("extension_type", EXTENDED_MASTER_SECRET);
            w.opaque_u16("extension_data", &[])?;
        }
        if let Some(renegotiated_connection) = &self.renegotiation_info {
            w.u16("extension_type", RENEGOTIATION_INFO);
            let data = w.begin_u16("extension_data");
            w.opaque_u8("renegotiated_connection", renegotiated_connection)?;
            w.end(data)?;
        }
        Ok(w.end(list)?)
    }

    /// Reads the extensions block if present (a hello may end before it, RFC 5246 7.4.1.2).
    pub fn decode(r: &mut Reader) -> Result<Self, Error> {
        let mut ext = HelloExtensions::default();
        if !r.has_more() {
            return Ok(ext);
        }
        let mut seen: Vec<u16> = Vec::new();
        r.begin_u16("extensions")?;
        while r.has_more() {
            let ext_type = r.u16("extension_type")?;
            if seen.contains(&ext_type) {
                // "There MUST NOT be more than one extension of the same type" (RFC 5246
                // 7.4.1.4); OpenSSL and BoringSSL answer illegal_parameter.
                return Err(Error::IllegalParameter(phrase!(
                    "{} appears twice",
                    extension_name(ext_type)
                )));
            }
            seen.push(ext_type);
            r.begin_u16("extension_data")?;
            match ext_type {
                SERVER_NAME => ext.server_name = Some(decode_server_name(r)?),
                SUPPORTED_GROUPS => {
                    r.begin_u16("named_group_list")?;
                    let mut groups = Vec::new();
                    while r.has_more() {
                        groups.push(r.u16("named_group")?);
                    }
                    r.end()?;
                    if groups.is_empty() {
                        return Err(Error::decode("named_group_list", DecodeProblem::OutOfRange));
                    }
                    ext.supported_groups = Some(groups);
                }
                EC_POINT_FORMATS => {
                    let formats = r.opaque_u8("ec_point_format_list")?;
                    if formats.is_empty() {
                        return Err(Error::decode(
                            "ec_point_format_list",
                            DecodeProblem::OutOfRange,
                        ));
                    }
                    ext.ec_point_formats = Some(formats.to_vec());
                }
                SIGNATURE_ALGORITHMS => {
                    ext.signature_algorithms =
                        Some(r.u16_list("supported_signature_algorithms", "signature_scheme")?);
                }
                EXTENDED_MASTER_SECRET => {
                    // RFC 7627 5.1: "The extension_data field of this extension SHALL be
                    // empty."
                    if r.has_more() {
                        return Err(Error::decode(
                            "extended_master_secret",
                            DecodeProblem::TrailingBytes,
                        ));
                    }
                    ext.extended_master_secret = true;
                }
                RENEGOTIATION_INFO => {
                    ext.renegotiation_info = Some(r.opaque_u8("renegotiated_connection")?.to_vec());
                }
                _ => {
                    r.rest("extension_data")?;
                    ext.other.push(ext_type);
                }
            }
            r.end()?;
        }
        r.end()?;
        Ok(ext)
    }
}

/// ```text
/// struct {
///     NameType name_type;
///     select (name_type) { case host_name: HostName; } name;
/// } ServerName;
/// enum { host_name(0), (255) } NameType;
/// opaque HostName<1..2^16-1>;
/// struct { ServerName server_name_list<1..2^16-1> } ServerNameList;
/// ```
/// An empty extension_data is the server's acknowledgement (RFC 6066 3).
fn decode_server_name(r: &mut Reader) -> Result<String, Error> {
    if !r.has_more() {
        return Ok(String::new());
    }
    let mut host = None;
    r.begin_u16("server_name_list")?;
    while r.has_more() {
        let name_type = r.u8("name_type")?;
        let name = r.opaque_u16("host_name")?;
        // Only host_name(0) is defined; RFC 6066 3 allows one name per type.
        if name_type == 0 && host.is_none() {
            if name.is_empty() || !name.iter().all(|b| b.is_ascii_graphic()) {
                return Err(Error::decode("host_name", DecodeProblem::OutOfRange));
            }
            host = Some(String::from_utf8_lossy(name).into_owned());
        }
    }
    r.end()?;
    host.ok_or_else(|| Error::decode("server_name_list", DecodeProblem::OutOfRange))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(ext: &HelloExtensions) -> HelloExtensions {
        let mut w = Writer::new();
        ext.encode(&mut w).unwrap();
        let bytes = w.finish().unwrap().bytes;
        let mut r = Reader::new(&bytes);
        let back = HelloExtensions::decode(&mut r).unwrap();
        r.finish("extensions").unwrap();
        back
    }

    #[test]
    fn every_known_extension_round_trips() {
        let ext = HelloExtensions {
            server_name: Some("localhost".into()),
            supported_groups: Some(vec![GROUP_X25519]),
            ec_point_formats: Some(vec![0]),
            signature_algorithms: Some(vec![0x0804, 0x0401]),
            extended_master_secret: true,
            renegotiation_info: Some(vec![]),
            other: vec![],
        };
        assert_eq!(round_trip(&ext), ext);
    }

    #[test]
    fn unknown_extensions_are_skipped_and_listed() {
        // session_ticket (35) with 2 bytes of data, then EMS.
        let bytes = [
            0x00, 0x0a, 0x00, 0x23, 0x00, 0x02, 0xab, 0xcd, 0x00, 0x17, 0x00, 0x00,
        ];
        let mut r = Reader::new(&bytes);
        let ext = HelloExtensions::decode(&mut r).unwrap();
        assert_eq!(ext.other, vec![SESSION_TICKET]);
        assert!(ext.extended_master_secret);
    }

    #[test]
    fn duplicates_and_bad_bodies_are_refused() {
        let dup = [0x00, 0x08, 0x00, 0x17, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00];
        assert!(matches!(
            HelloExtensions::decode(&mut Reader::new(&dup)),
            Err(Error::IllegalParameter(_))
        ));
        let ems_with_body = [0x00, 0x05, 0x00, 0x17, 0x00, 0x01, 0x00];
        assert!(matches!(
            HelloExtensions::decode(&mut Reader::new(&ems_with_body)),
            Err(Error::Decode { .. })
        ));
    }
}
