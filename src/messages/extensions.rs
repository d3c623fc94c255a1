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
//! | 43     | supported_versions     | RFC 8446 4.2.1    | read in a ClientHello: which versions the client speaks |
//! | 0xff01 | renegotiation_info     | RFC 5746 3.2      | "I know about the renegotiation attack" |
//!
//! Any other extension is skipped and listed in `other`: a server must ignore extensions it
//! does not understand (RFC 5246 7.4.1.4), while a client must refuse a ServerHello extension it
//! did not offer (that check is in `client.rs`).

use crate::codec::{Reader, Writer};
use crate::error::{DecodeProblem, Error};
use crate::phrase;

/// Whether this program acts on an extension of this type (the table above); any other is read
/// and passed over, as RFC 5246 7.4.1.4 asks of a server.
pub fn acted_on(ext_type: u16) -> bool {
    matches!(
        ext_type,
        SERVER_NAME
            | SUPPORTED_GROUPS
            | EC_POINT_FORMATS
            | SIGNATURE_ALGORITHMS
            | EXTENDED_MASTER_SECRET
            | SUPPORTED_VERSIONS
            | RENEGOTIATION_INFO
    )
}

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
/// `supported_versions` (43): in a ClientHello, the versions the client speaks, best first
/// (RFC 8446 4.2.1). A TLS 1.3 client offers TLS 1.3 there and may offer nothing else.
pub const SUPPORTED_VERSIONS: u16 = 43;
/// `renegotiation_info` (0xff01): ties a renegotiation to the handshake before it; empty on
/// a first handshake (RFC 5746 3.2).
pub const RENEGOTIATION_INFO: u16 = 0xff01;

/// NamedGroup x25519 (RFC 8422 5.1.1).
pub const GROUP_X25519: u16 = 0x001d;
/// ECPointFormat uncompressed (RFC 8422 5.1.2).
pub const POINT_FORMAT_UNCOMPRESSED: u8 = 0;

/// The name of a GREASE value (RFC 8701), in any registry it is sent in.
pub const GREASE: &str = "GREASE (RFC 8701)";

/// True for the 16 GREASE values of RFC 8701 2 (0x0a0a, 0x1a1a, ... 0xfafa: both bytes equal,
/// low nibble 0xa). Clients send them among cipher suites, extensions, groups, signature
/// schemes and versions so that servers learn to ignore what they do not know.
pub fn is_grease(value: u16) -> bool {
    let [high, low] = value.to_be_bytes();
    high == low && low & 0x0f == 0x0a
}

/// The IANA name of an extension type, e.g. `server_name`, whether we speak it or not (IANA
/// "TLS ExtensionType Values"; a few code points browsers send without registering them are
/// marked so).
pub fn extension_name(ext_type: u16) -> String {
    let name = match ext_type {
        SERVER_NAME => "server_name",
        1 => "max_fragment_length",
        2 => "client_certificate_url",
        3 => "trusted_ca_keys",
        4 => "truncated_hmac",
        5 => "status_request",
        6 => "user_mapping",
        7 => "client_authz",
        8 => "server_authz",
        9 => "cert_type",
        SUPPORTED_GROUPS => "supported_groups",
        EC_POINT_FORMATS => "ec_point_formats",
        12 => "srp",
        SIGNATURE_ALGORITHMS => "signature_algorithms",
        14 => "use_srtp",
        15 => "heartbeat",
        16 => "application_layer_protocol_negotiation",
        17 => "status_request_v2",
        18 => "signed_certificate_timestamp",
        19 => "client_certificate_type",
        20 => "server_certificate_type",
        21 => "padding",
        22 => "encrypt_then_mac",
        EXTENDED_MASTER_SECRET => "extended_master_secret",
        24 => "token_binding",
        25 => "cached_info",
        26 => "tls_lts",
        27 => "compress_certificate",
        28 => "record_size_limit",
        29 => "pwd_protect",
        30 => "pwd_clear",
        31 => "password_salt",
        32 => "ticket_pinning",
        33 => "tls_cert_with_extern_psk",
        34 => "delegated_credential",
        SESSION_TICKET => "session_ticket",
        36 => "TLMSP",
        37 => "TLMSP_proxying",
        38 => "TLMSP_delegate",
        39 => "supported_ekt_ciphers",
        41 => "pre_shared_key",
        42 => "early_data",
        SUPPORTED_VERSIONS => "supported_versions",
        44 => "cookie",
        45 => "psk_key_exchange_modes",
        47 => "certificate_authorities",
        48 => "oid_filters",
        49 => "post_handshake_auth",
        50 => "signature_algorithms_cert",
        51 => "key_share",
        52 => "transparency_info",
        53 => "connection_id_deprecated",
        54 => "connection_id",
        55 => "external_id_hash",
        56 => "external_session_id",
        57 => "quic_transport_parameters",
        58 => "ticket_request",
        59 => "dnssec_chain",
        60 => "sequence_number_encryption_algorithms",
        61 => "rrc",
        // Chromium's ALPS, under its old and its new code point; not in the IANA registry.
        0x4469 | 0x44cd => "application_settings (ALPS, unregistered)",
        // Next Protocol Negotiation, ALPN's predecessor; never registered.
        0x3374 => "next_protocol_negotiation (NPN, unregistered)",
        0xfd00 => "ech_outer_extensions",
        0xfe0d => "encrypted_client_hello",
        RENEGOTIATION_INFO => "renegotiation_info",
        other if is_grease(other) => GREASE,
        other => return format!("extension 0x{other:04x}"),
    };
    name.into()
}

/// The IANA name of a NamedGroup, e.g. `x25519` (RFC 8422 5.1.1, RFC 7919 2, IANA "TLS
/// Supported Groups", with the hybrid post-quantum groups browsers offer).
pub fn group_name(group: u16) -> String {
    let name = match group {
        0x0017 => "secp256r1",
        0x0018 => "secp384r1",
        0x0019 => "secp521r1",
        0x001a => "brainpoolP256r1",
        0x001b => "brainpoolP384r1",
        0x001c => "brainpoolP512r1",
        GROUP_X25519 => "x25519",
        0x001e => "x448",
        0x001f => "brainpoolP256r1tls13",
        0x0020 => "brainpoolP384r1tls13",
        0x0021 => "brainpoolP512r1tls13",
        0x0100 => "ffdhe2048",
        0x0101 => "ffdhe3072",
        0x0102 => "ffdhe4096",
        0x0103 => "ffdhe6144",
        0x0104 => "ffdhe8192",
        0x0200 => "MLKEM512",
        0x0201 => "MLKEM768",
        0x0202 => "MLKEM1024",
        0x11eb => "SecP256r1MLKEM768",
        0x11ec => "X25519MLKEM768",
        0x11ed => "SecP384r1MLKEM1024",
        0x6399 => "X25519Kyber768Draft00",
        0x639a => "SecP256r1Kyber768Draft00",
        other if is_grease(other) => GREASE,
        other => return format!("group 0x{other:04x}"),
    };
    name.into()
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
    /// `supported_versions`, in a ClientHello only: the ProtocolVersion list, in the client's
    /// order (RFC 8446 4.2.1). In a ServerHello the extension has another body (one selected
    /// version) and TLS 1.2 does not allow it there: it is left in `other`.
    pub supported_versions: Option<Vec<u16>>,
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
        if self.supported_versions.is_some() {
            types.push(SUPPORTED_VERSIONS);
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
        if let Some(versions) = &self.supported_versions {
            // Only a ClientHello's form: we never send it (a TLS 1.2 ServerHello must not), but
            // what we decode must encode back the same.
            w.u16("extension_type", SUPPORTED_VERSIONS);
            let data = w.begin_u16("extension_data");
            let list = w.begin_u8("supported_versions");
            for &version in versions {
                w.u16("version", version);
            }
            w.end(list)?;
            w.end(data)?;
        }
        Ok(w.end(list)?)
    }

    /// Reads the extensions block if present (a hello may end before it, RFC 5246 7.4.1.2).
    /// `hello` says which hello it is in: `supported_versions` has a body of its own in each.
    pub fn decode(r: &mut Reader, hello: Hello) -> Result<Self, Error> {
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
            ext.decode_one(r, ext_type, hello)?;
            r.end()?;
        }
        r.end()?;
        Ok(ext)
    }

    /// Reads the body of one extension (its `extension_data` is open in `r`) into its field.
    fn decode_one(&mut self, r: &mut Reader, ext_type: u16, hello: Hello) -> Result<(), Error> {
        match ext_type {
            SERVER_NAME => self.server_name = Some(decode_server_name(r)?),
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
                self.supported_groups = Some(groups);
            }
            EC_POINT_FORMATS => {
                let formats = r.opaque_u8("ec_point_format_list")?;
                if formats.is_empty() {
                    return Err(Error::decode(
                        "ec_point_format_list",
                        DecodeProblem::OutOfRange,
                    ));
                }
                self.ec_point_formats = Some(formats.to_vec());
            }
            SIGNATURE_ALGORITHMS => {
                self.signature_algorithms =
                    Some(r.u16_list("supported_signature_algorithms", "signature_scheme")?);
            }
            EXTENDED_MASTER_SECRET => {
                // RFC 7627 5.1: "The extension_data field of this extension SHALL be empty."
                if r.has_more() {
                    return Err(Error::decode(
                        "extended_master_secret",
                        DecodeProblem::TrailingBytes,
                    ));
                }
                self.extended_master_secret = true;
            }
            RENEGOTIATION_INFO => {
                self.renegotiation_info = Some(r.opaque_u8("renegotiated_connection")?.to_vec());
            }
            SUPPORTED_VERSIONS if hello == Hello::Client => {
                self.supported_versions = Some(decode_supported_versions(r)?);
            }
            _ => {
                r.rest("extension_data")?;
                self.other.push(ext_type);
            }
        }
        Ok(())
    }
}

/// Which hello an extensions block is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hello {
    /// A ClientHello.
    Client,
    /// A ServerHello.
    Server,
}

/// ```text
/// struct {
///     select (Handshake.msg_type) {
///         case client_hello:
///              ProtocolVersion versions<2..254>;
///         case server_hello: /* and HelloRetryRequest */
///              ProtocolVersion selected_version;
///     };
/// } SupportedVersions;
/// ```
/// The ClientHello's form (RFC 8446 4.2.1): a 1-byte length, then at least one version.
fn decode_supported_versions(r: &mut Reader) -> Result<Vec<u16>, Error> {
    r.begin_u8("supported_versions")?;
    let mut versions = Vec::new();
    while r.has_more() {
        versions.push(r.u16("version")?);
    }
    r.end()?;
    if versions.is_empty() {
        return Err(Error::decode(
            "supported_versions",
            DecodeProblem::OutOfRange,
        ));
    }
    Ok(versions)
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
        let back = HelloExtensions::decode(&mut r, Hello::Client).unwrap();
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
            supported_versions: Some(vec![0x0304, 0x0303]),
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
        let ext = HelloExtensions::decode(&mut r, Hello::Client).unwrap();
        assert_eq!(ext.other, vec![SESSION_TICKET]);
        assert!(ext.extended_master_secret);
    }

    #[test]
    fn duplicates_and_bad_bodies_are_refused() {
        let dup = [0x00, 0x08, 0x00, 0x17, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00];
        assert!(matches!(
            HelloExtensions::decode(&mut Reader::new(&dup), Hello::Client),
            Err(Error::IllegalParameter(_))
        ));
        let ems_with_body = [0x00, 0x05, 0x00, 0x17, 0x00, 0x01, 0x00];
        assert!(matches!(
            HelloExtensions::decode(&mut Reader::new(&ems_with_body), Hello::Client),
            Err(Error::Decode { .. })
        ));
    }

    /// The 16 GREASE values of RFC 8701 2.
    const GREASE_VALUES: [u16; 16] = [
        0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a, 0x8a8a, 0x9a9a, 0xaaaa,
        0xbaba, 0xcaca, 0xdada, 0xeaea, 0xfafa,
    ];

    #[test]
    fn grease_is_exactly_the_sixteen_values() {
        let found: Vec<u16> = (0..=u16::MAX).filter(|&v| is_grease(v)).collect();
        assert_eq!(found, GREASE_VALUES);
        for v in GREASE_VALUES {
            assert_eq!(extension_name(v), GREASE);
            assert_eq!(group_name(v), GREASE);
        }
        assert!(!is_grease(0x0a1a) && !is_grease(0x0b0b) && !is_grease(0xaaab));
        assert_eq!(super::super::version_name(0x0304), "TLS 1.3");
        assert_eq!(super::super::version_name(0x8a8a), GREASE);
        assert_eq!(super::super::version_name(0x7f1c), "0x7f1c");
    }

    #[test]
    fn extension_names_follow_the_registry() {
        for (ext_type, name) in [
            (0, "server_name"),
            (5, "status_request"),
            (10, "supported_groups"),
            (16, "application_layer_protocol_negotiation"),
            (18, "signed_certificate_timestamp"),
            (23, "extended_master_secret"),
            (27, "compress_certificate"),
            (28, "record_size_limit"),
            (35, "session_ticket"),
            (43, "supported_versions"),
            (45, "psk_key_exchange_modes"),
            (51, "key_share"),
            (57, "quic_transport_parameters"),
            (0x4469, "application_settings (ALPS, unregistered)"),
            (0x44cd, "application_settings (ALPS, unregistered)"),
            (0xfe0d, "encrypted_client_hello"),
            (0xff01, "renegotiation_info"),
            (40, "extension 0x0028"),
            (0x1234, "extension 0x1234"),
        ] {
            assert_eq!(extension_name(ext_type), name);
        }
    }

    #[test]
    fn group_names_follow_the_registry() {
        for (group, name) in [
            (0x0017, "secp256r1"),
            (0x001d, "x25519"),
            (0x001e, "x448"),
            (0x0100, "ffdhe2048"),
            (0x0104, "ffdhe8192"),
            (0x11ec, "X25519MLKEM768"),
            (0x6399, "X25519Kyber768Draft00"),
            (0x11eb, "SecP256r1MLKEM768"),
            (0x11ed, "SecP384r1MLKEM1024"),
            (0x0105, "group 0x0105"),
        ] {
            assert_eq!(group_name(group), name);
        }
    }

    fn decode_client(bytes: &[u8]) -> Result<HelloExtensions, Error> {
        let mut r = Reader::new(bytes);
        let ext = HelloExtensions::decode(&mut r, Hello::Client)?;
        r.finish("extensions")?;
        Ok(ext)
    }

    /// An extensions block holding only supported_versions with `body` as its data.
    fn with_supported_versions(body: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0, 0, 0x00, 0x2b, 0, body.len() as u8];
        bytes[1] = (4 + body.len()) as u8;
        bytes.extend_from_slice(body);
        bytes
    }

    #[test]
    fn supported_versions_is_read_in_a_client_hello() {
        // GREASE, TLS 1.3, TLS 1.2: what Chrome sends.
        let bytes = with_supported_versions(&[6, 0x7a, 0x7a, 0x03, 0x04, 0x03, 0x03]);
        let ext = decode_client(&bytes).unwrap();
        assert_eq!(ext.supported_versions, Some(vec![0x7a7a, 0x0304, 0x0303]));
        assert!(ext.other.is_empty());
        assert_eq!(round_trip(&ext), ext);
        // In a ServerHello it is one selected version: not ours to read, left in `other`.
        let bytes = with_supported_versions(&[0x03, 0x04]);
        let mut r = Reader::new(&bytes);
        let ext = HelloExtensions::decode(&mut r, Hello::Server).unwrap();
        assert_eq!(ext.supported_versions, None);
        assert_eq!(ext.other, vec![SUPPORTED_VERSIONS]);
    }

    #[test]
    fn malformed_supported_versions_is_a_decode_error() {
        for body in [
            &[0][..],                   // empty list
            &[][..],                    // no list at all
            &[3, 0x03, 0x04, 0x03][..], // odd length
            &[2, 0x03, 0x04, 0x03][..], // a byte after the list
            &[4, 0x03, 0x04][..],       // the list runs past the data
        ] {
            let bytes = with_supported_versions(body);
            assert!(
                matches!(decode_client(&bytes), Err(Error::Decode { .. })),
                "{body:02x?}"
            );
        }
    }
}
