//! Hello extensions (RFC 5246 7.4.1.4), the ones this program speaks, parsed into one struct.
//!
//! ```text
//! struct {
//!     ExtensionType extension_type;
//!     opaque extension_data<0..2^16-1>;
//! } Extension;
//! ```
//!
//! [`KNOWN_EXTENSIONS`] is every extension type this program knows by name (the IANA registry
//! "TLS ExtensionType Values", and a few code points browsers send without registering them),
//! with its RFC and what this program does with it; `docs/extensions.md` is generated from it.
//! The ones it acts on:
//!
//! | type   | name                   | defined in        | here                              |
//! |--------|------------------------|-------------------|-----------------------------------|
//! | 0      | server_name            | RFC 6066 3        | the host name the client wants     |
//! | 10     | supported_groups       | RFC 8422 5.1.1    | x25519 for ECDHE                   |
//! | 11     | ec_point_formats       | RFC 8422 5.1.2    | uncompressed                       |
//! | 13     | signature_algorithms   | RFC 5246 7.4.1.4.1| which signatures the client checks |
//! | 16     | application_layer_protocol_negotiation | RFC 7301 3 | the application protocol (ALPN) |
//! | 22     | encrypt_then_mac       | RFC 7366 2        | CBC records MAC the ciphertext, not the plaintext |
//! | 23     | extended_master_secret | RFC 7627 5.1      | bind the master secret to the handshake |
//! | 35     | session_ticket         | RFC 5077 3.2      | ask for a ticket, or hand one back to resume |
//! | 43     | supported_versions     | RFC 8446 4.2.1    | read in a ClientHello: which versions the client speaks |
//! | 0xff01 | renegotiation_info     | RFC 5746 3.2      | "I know about the renegotiation attack" |
//!
//! Each of these has its own decoder below, with its own rules in the hello it appears in
//! ([`Hello`]): anything malformed is `decode_error`. Any other extension is skipped and listed
//! in `other`: a server must ignore extensions it does not understand (RFC 5246 7.4.1.4), while
//! a client must refuse a ServerHello extension it did not offer (that check is in
//! `client.rs`).

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
/// `application_layer_protocol_negotiation` (16), ALPN: the client lists the application
/// protocols it speaks, the server picks one (RFC 7301 3.1).
pub const ALPN: u16 = 16;
/// `encrypt_then_mac` (22): for a CBC suite, MAC the ciphertext instead of the plaintext
/// (RFC 7366 2).
pub const ENCRYPT_THEN_MAC: u16 = 22;
/// `extended_master_secret` (23): derive the master secret from the session hash (RFC 7627
/// 5.1).
pub const EXTENDED_MASTER_SECRET: u16 = 23;
/// `session_ticket` (35): session resumption by ticket (RFC 5077 3.2). In a ClientHello, empty
/// ("I take tickets") or a ticket to resume with; in a ServerHello, always empty ("a
/// NewSessionTicket will follow").
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

/// What this program does with an extension type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handling {
    /// Read, checked and acted on; the words say what it does here.
    ActedOn(&'static str),
    /// Read, named in the trace, and passed over (RFC 5246 7.4.1.4): a server ignores what it
    /// does not understand, and a client refuses it in a ServerHello, since it never offers it.
    PassedOver,
}

/// One extension type this program knows by name: a row of [`KNOWN_EXTENSIONS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExtensionInfo {
    /// The ExtensionType code point.
    pub number: u16,
    /// Its name in the IANA registry (or, for the few unregistered ones, its usual name, marked
    /// so).
    pub name: &'static str,
    /// Where it is defined: an RFC and section, or a draft or another standard.
    pub rfc: &'static str,
    /// What this program does with it.
    pub handling: Handling,
}

const fn acted(
    number: u16,
    name: &'static str,
    rfc: &'static str,
    does: &'static str,
) -> ExtensionInfo {
    ExtensionInfo {
        number,
        name,
        rfc,
        handling: Handling::ActedOn(does),
    }
}

const fn passed(number: u16, name: &'static str, rfc: &'static str) -> ExtensionInfo {
    ExtensionInfo {
        number,
        name,
        rfc,
        handling: Handling::PassedOver,
    }
}

/// Every extension type this program knows by name, in code point order: the IANA registry
/// "TLS ExtensionType Values" (reserved and unassigned values aside), and the code points
/// browsers send without registering them. The GREASE values (RFC 8701) are not listed: see
/// [`is_grease`]. [`extension_name`] and [`acted_on`] read this table, and so does the
/// generated `docs/extensions.md`.
pub const KNOWN_EXTENSIONS: &[ExtensionInfo] = &[
    acted(
        SERVER_NAME,
        "server_name",
        "RFC 6066 3",
        "the host name the client wants: our client sends it (a name, never an IP address) and \
         checks the server's certificate against it; our server shows it",
    ),
    passed(1, "max_fragment_length", "RFC 6066 4"),
    passed(2, "client_certificate_url", "RFC 6066 5"),
    passed(3, "trusted_ca_keys", "RFC 6066 6"),
    passed(4, "truncated_hmac", "RFC 6066 7"),
    passed(5, "status_request", "RFC 6066 8"),
    passed(6, "user_mapping", "RFC 4681"),
    passed(7, "client_authz", "RFC 5878"),
    passed(8, "server_authz", "RFC 5878"),
    passed(9, "cert_type", "RFC 6091"),
    acted(
        SUPPORTED_GROUPS,
        "supported_groups",
        "RFC 8422 5.1.1",
        "the groups for ECDHE: x25519 must be among them for an ECDHE suite",
    ),
    acted(
        EC_POINT_FORMATS,
        "ec_point_formats",
        "RFC 8422 5.1.2",
        "point formats: uncompressed must be among them; our server answers it with an ECDHE \
         suite",
    ),
    passed(12, "srp", "RFC 5054"),
    acted(
        SIGNATURE_ALGORITHMS,
        "signature_algorithms",
        "RFC 5246 7.4.1.4.1",
        "the signatures the client checks: our server signs its ServerKeyExchange with one of \
         them",
    ),
    passed(14, "use_srtp", "RFC 5764"),
    passed(15, "heartbeat", "RFC 6520"),
    acted(
        ALPN,
        "application_layer_protocol_negotiation",
        "RFC 7301 3",
        "the application protocol (ALPN): `serve` picks http/1.1 (never h2) or refuses with \
         no_application_protocol; `connect --alpn` offers a list and checks the choice",
    ),
    passed(17, "status_request_v2", "RFC 6961"),
    passed(18, "signed_certificate_timestamp", "RFC 6962"),
    passed(19, "client_certificate_type", "RFC 7250"),
    passed(20, "server_certificate_type", "RFC 7250"),
    passed(21, "padding", "RFC 7685"),
    acted(
        ENCRYPT_THEN_MAC,
        "encrypt_then_mac",
        "RFC 7366 2",
        "with a CBC suite, the MAC covers the IV and ciphertext and is checked before anything is \
         decrypted (no padding oracle): our client offers it with CBC suites, our server answers \
         it when it chooses one",
    ),
    acted(
        EXTENDED_MASTER_SECRET,
        "extended_master_secret",
        "RFC 7627 5.1",
        "the master secret is derived from the session hash, binding it to this handshake",
    ),
    passed(24, "token_binding", "RFC 8472"),
    passed(25, "cached_info", "RFC 7924"),
    passed(26, "tls_lts", "draft-gutmann-tls-lts"),
    passed(27, "compress_certificate", "RFC 8879"),
    passed(28, "record_size_limit", "RFC 8449"),
    passed(29, "pwd_protect", "RFC 8492"),
    passed(30, "pwd_clear", "RFC 8492"),
    passed(31, "password_salt", "RFC 8492"),
    passed(32, "ticket_pinning", "RFC 8672"),
    passed(33, "tls_cert_with_extern_psk", "RFC 8773"),
    passed(34, "delegated_credential", "RFC 9345"),
    acted(
        SESSION_TICKET,
        "session_ticket",
        "RFC 5077 3.2",
        "session tickets: a client sends it empty to ask for one, or with a ticket to resume; \
         our server answers it empty, sends NewSessionTicket, and resumes from a ticket that \
         opens (one that does not gives a full handshake)",
    ),
    passed(36, "TLMSP", "ETSI TS 103 523-2"),
    passed(37, "TLMSP_proxying", "ETSI TS 103 523-2"),
    passed(38, "TLMSP_delegate", "ETSI TS 103 523-2"),
    passed(39, "supported_ekt_ciphers", "RFC 8870"),
    passed(41, "pre_shared_key", "RFC 8446 4.2.11"),
    passed(42, "early_data", "RFC 8446 4.2.10"),
    acted(
        SUPPORTED_VERSIONS,
        "supported_versions",
        "RFC 8446 4.2.1",
        "read in a ClientHello: the versions the client speaks; TLS 1.2 must be among them",
    ),
    passed(44, "cookie", "RFC 8446 4.2.2"),
    passed(45, "psk_key_exchange_modes", "RFC 8446 4.2.9"),
    passed(47, "certificate_authorities", "RFC 8446 4.2.4"),
    passed(48, "oid_filters", "RFC 8446 4.2.5"),
    passed(49, "post_handshake_auth", "RFC 8446 4.2.6"),
    passed(50, "signature_algorithms_cert", "RFC 8446 4.2.3"),
    passed(51, "key_share", "RFC 8446 4.2.8"),
    passed(52, "transparency_info", "RFC 9162"),
    passed(53, "connection_id_deprecated", "RFC 9146"),
    passed(54, "connection_id", "RFC 9146"),
    passed(55, "external_id_hash", "RFC 8844"),
    passed(56, "external_session_id", "RFC 8844"),
    passed(57, "quic_transport_parameters", "RFC 9001"),
    passed(58, "ticket_request", "RFC 9149"),
    passed(59, "dnssec_chain", "RFC 9102"),
    passed(
        60,
        "sequence_number_encryption_algorithms",
        "draft-pismenny-tls-dtls-plaintext-sequence-number",
    ),
    passed(61, "rrc", "draft-ietf-tls-dtls-rrc"),
    // Next Protocol Negotiation, ALPN's predecessor; never registered.
    passed(
        0x3374,
        "next_protocol_negotiation (NPN, unregistered)",
        "draft-agl-tls-nextprotoneg",
    ),
    // Chromium's ALPS, under its old and its new code point; not in the IANA registry.
    passed(
        0x4469,
        "application_settings (ALPS, unregistered)",
        "draft-vvv-tls-alps",
    ),
    passed(
        0x44cd,
        "application_settings (ALPS, unregistered)",
        "draft-vvv-tls-alps",
    ),
    passed(0xfd00, "ech_outer_extensions", "draft-ietf-tls-esni"),
    passed(0xfe0d, "encrypted_client_hello", "draft-ietf-tls-esni"),
    acted(
        RENEGOTIATION_INFO,
        "renegotiation_info",
        "RFC 5746 3.2",
        "secure renegotiation: empty on a first handshake, as both sides check; this program \
         never renegotiates",
    ),
];

/// The row of [`KNOWN_EXTENSIONS`] for an extension type, if it has one.
pub fn known_extension(ext_type: u16) -> Option<&'static ExtensionInfo> {
    KNOWN_EXTENSIONS.iter().find(|info| info.number == ext_type)
}

/// Whether this program acts on an extension of this type ([`KNOWN_EXTENSIONS`]); any other is
/// read and passed over, as RFC 5246 7.4.1.4 asks of a server.
pub fn acted_on(ext_type: u16) -> bool {
    known_extension(ext_type).is_some_and(|info| matches!(info.handling, Handling::ActedOn(_)))
}

/// True for the 16 GREASE values of RFC 8701 2 (0x0a0a, 0x1a1a, ... 0xfafa: both bytes equal,
/// low nibble 0xa). Clients send them among cipher suites, extensions, groups, signature
/// schemes and versions so that servers learn to ignore what they do not know.
pub fn is_grease(value: u16) -> bool {
    let [high, low] = value.to_be_bytes();
    high == low && low & 0x0f == 0x0a
}

/// The IANA name of an extension type, e.g. `server_name`, whether we speak it or not (from
/// [`KNOWN_EXTENSIONS`]); `GREASE (RFC 8701)`, or `extension 0x1234` for a number we do not
/// know.
pub fn extension_name(ext_type: u16) -> String {
    match known_extension(ext_type) {
        Some(info) => info.name.into(),
        None if is_grease(ext_type) => GREASE.into(),
        None => format!("extension 0x{ext_type:04x}"),
    }
}

/// An ALPN ProtocolName as a reader sees it: its text when it is printable ASCII (as every name
/// in the IANA registry is: `http/1.1`, `h2`), its bytes in hex otherwise.
pub fn protocol_name(name: &[u8]) -> String {
    if !name.is_empty() && name.iter().all(|b| b.is_ascii_graphic()) {
        String::from_utf8_lossy(name).into_owned()
    } else {
        let hex: String = name.iter().map(|b| format!("{b:02x}")).collect();
        format!("0x{hex}")
    }
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
    /// acknowledgement (ServerHello).
    pub server_name: Option<String>,
    /// `supported_groups`: NamedGroup list.
    pub supported_groups: Option<Vec<u16>>,
    /// `ec_point_formats`: ECPointFormat list.
    pub ec_point_formats: Option<Vec<u8>>,
    /// `signature_algorithms`: SignatureScheme list (RFC 8446 code points, as TLS 1.2 uses
    /// them: hash byte then signature byte).
    pub signature_algorithms: Option<Vec<u16>>,
    /// `application_layer_protocol_negotiation` (ALPN): the ProtocolName list, the client's in
    /// its order of preference, or the server's one choice (RFC 7301 3.1).
    pub alpn: Option<Vec<Vec<u8>>>,
    /// `encrypt_then_mac` present (its body is always empty, RFC 7366 2).
    pub encrypt_then_mac: bool,
    /// `extended_master_secret` present (its body is always empty).
    pub extended_master_secret: bool,
    /// `session_ticket` (RFC 5077 3.2): the ticket the client hands back, or empty (a client
    /// asking for one; a server promising NewSessionTicket).
    pub session_ticket: Option<Vec<u8>>,
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
        let present = [
            (SERVER_NAME, self.server_name.is_some()),
            (SUPPORTED_GROUPS, self.supported_groups.is_some()),
            (EC_POINT_FORMATS, self.ec_point_formats.is_some()),
            (SIGNATURE_ALGORITHMS, self.signature_algorithms.is_some()),
            (ALPN, self.alpn.is_some()),
            (ENCRYPT_THEN_MAC, self.encrypt_then_mac),
            (EXTENDED_MASTER_SECRET, self.extended_master_secret),
            (SESSION_TICKET, self.session_ticket.is_some()),
            (RENEGOTIATION_INFO, self.renegotiation_info.is_some()),
            (SUPPORTED_VERSIONS, self.supported_versions.is_some()),
        ];
        let mut types: Vec<u16> = present
            .iter()
            .filter(|(_, present)| *present)
            .map(|(ext_type, _)| *ext_type)
            .collect();
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

    /// Writes `Extension extensions<0..2^16-1>`, each extension by its own writer below.
    /// Extensions in `other` cannot be written (we do not know their bodies) and are skipped.
    pub fn encode(&self, w: &mut Writer) -> Result<(), Error> {
        let list = w.begin_u16("extensions");
        if let Some(name) = &self.server_name {
            extension(w, SERVER_NAME, |w| encode_server_name(w, name))?;
        }
        if let Some(groups) = &self.supported_groups {
            extension(w, SUPPORTED_GROUPS, |w| {
                Ok(w.u16_list("named_group_list", "named_group", groups)?)
            })?;
        }
        if let Some(formats) = &self.ec_point_formats {
            extension(w, EC_POINT_FORMATS, |w| encode_point_formats(w, formats))?;
        }
        if let Some(schemes) = &self.signature_algorithms {
            extension(w, SIGNATURE_ALGORITHMS, |w| {
                let label = "supported_signature_algorithms";
                Ok(w.u16_list(label, "signature_scheme", schemes)?)
            })?;
        }
        if let Some(names) = &self.alpn {
            extension(w, ALPN, |w| encode_alpn(w, names))?;
        }
        if self.encrypt_then_mac {
            w.u16("extension_type", ENCRYPT_THEN_MAC);
            w.opaque_u16("extension_data", &[])?;
        }
        if self.extended_master_secret {
            w.u16("extension_type", EXTENDED_MASTER_SECRET);
            w.opaque_u16("extension_data", &[])?;
        }
        if let Some(ticket) = &self.session_ticket {
            // RFC 5077 3.2: the extension's data *is* the ticket, with no length of its own.
            extension(w, SESSION_TICKET, |w| {
                if !ticket.is_empty() {
                    w.bytes("ticket", ticket);
                }
                Ok(())
            })?;
        }
        if let Some(renegotiated_connection) = &self.renegotiation_info {
            extension(w, RENEGOTIATION_INFO, |w| {
                Ok(w.opaque_u8("renegotiated_connection", renegotiated_connection)?)
            })?;
        }
        if let Some(versions) = &self.supported_versions {
            // Only a ClientHello's form: we never send it (a TLS 1.2 ServerHello must not), but
            // what we decode must encode back the same.
            extension(w, SUPPORTED_VERSIONS, |w| {
                encode_supported_versions(w, versions)
            })?;
        }
        Ok(w.end(list)?)
    }

    /// Reads the extensions block if present (a hello may end before it, RFC 5246 7.4.1.2).
    /// `hello` says which hello it is in: some extensions have another body, or other rules,
    /// in each.
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
            // Whatever a decoder left unread in extension_data is malformed: decode_error.
            r.end()?;
        }
        r.end()?;
        Ok(ext)
    }

    /// Reads the body of one extension (its `extension_data` is open in `r`) into its field,
    /// with the decoder of its type.
    fn decode_one(&mut self, r: &mut Reader, ext_type: u16, hello: Hello) -> Result<(), Error> {
        match ext_type {
            SERVER_NAME => self.server_name = Some(decode_server_name(r, hello)?),
            SUPPORTED_GROUPS => self.supported_groups = Some(decode_supported_groups(r)?),
            EC_POINT_FORMATS => self.ec_point_formats = Some(decode_point_formats(r)?),
            SIGNATURE_ALGORITHMS => {
                // RFC 5246 7.4.1.4.1: supported_signature_algorithms<2..2^16-2>, two bytes
                // each: an empty or odd-length list is a decode error.
                self.signature_algorithms =
                    Some(r.u16_list("supported_signature_algorithms", "signature_scheme")?);
            }
            ALPN => self.alpn = Some(decode_alpn(r, hello)?),
            ENCRYPT_THEN_MAC => {
                // RFC 7366 2: "The "extension_data" field of this extension SHALL be empty",
                // in both hellos.
                if r.has_more() {
                    return Err(Error::decode("encrypt_then_mac", DecodeProblem::NotEmpty));
                }
                self.encrypt_then_mac = true;
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
            SESSION_TICKET => self.session_ticket = Some(decode_session_ticket(r, hello)?),
            RENEGOTIATION_INFO => {
                // RFC 5746 3.2: opaque renegotiated_connection<0..255>, and nothing after it
                // (the caller's end() of extension_data refuses trailing bytes).
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

/// Writes one extension: its type, then `extension_data` as `body` writes it.
fn extension(
    w: &mut Writer,
    ext_type: u16,
    body: impl FnOnce(&mut Writer) -> Result<(), Error>,
) -> Result<(), Error> {
    w.u16("extension_type", ext_type);
    let data = w.begin_u16("extension_data");
    body(w)?;
    Ok(w.end(data)?)
}

/// `server_name`'s body: the client's ServerNameList of one host_name; nothing at all for the
/// server's acknowledgement (an empty `name`).
fn encode_server_name(w: &mut Writer, name: &str) -> Result<(), Error> {
    if !name.is_empty() {
        // struct { NameType name_type; HostName host_name; } ServerName;
        // ServerName server_name_list<1..2^16-1>
        let names = w.begin_u16("server_name_list");
        w.u8("name_type", 0); // host_name(0)
        w.opaque_u16("host_name", name.as_bytes())?;
        w.end(names)?;
    }
    Ok(())
}

/// `ec_point_formats`' body: `ECPointFormat ec_point_format_list<1..2^8-1>`.
fn encode_point_formats(w: &mut Writer, formats: &[u8]) -> Result<(), Error> {
    let list = w.begin_u8("ec_point_format_list");
    for &format in formats {
        w.u8("ec_point_format", format);
    }
    Ok(w.end(list)?)
}

/// ALPN's body: `ProtocolName protocol_name_list<2..2^16-1>`, each `opaque
/// ProtocolName<1..2^8-1>`.
fn encode_alpn(w: &mut Writer, names: &[Vec<u8>]) -> Result<(), Error> {
    let list = w.begin_u16("protocol_name_list");
    for name in names {
        w.opaque_u8("protocol_name", name)?;
    }
    Ok(w.end(list)?)
}

/// `supported_versions`' body in a ClientHello: `ProtocolVersion versions<2..254>`.
fn encode_supported_versions(w: &mut Writer, versions: &[u16]) -> Result<(), Error> {
    let list = w.begin_u8("supported_versions");
    for &version in versions {
        w.u16("version", version);
    }
    Ok(w.end(list)?)
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
/// RFC 6066 3. In a ClientHello, a ServerNameList of one host_name: the list may not be empty
/// (`<1..2^16-1>`), nor the name; host_name(0) is the only NameType, and an unknown type has no
/// defined body to skip; "The ServerNameList MUST NOT contain more than one name of the same
/// name_type", so a second entry, of either kind, is bytes we cannot read (OpenSSL reads SNI
/// the same way). In a ServerHello, "the "extension_data" field of this extension SHALL be
/// empty": the server only says it used the name. Anything else is `decode_error`.
fn decode_server_name(r: &mut Reader, hello: Hello) -> Result<String, Error> {
    if hello == Hello::Server {
        if r.has_more() {
            return Err(Error::decode("server_name", DecodeProblem::NotEmpty));
        }
        return Ok(String::new());
    }
    r.begin_u16("server_name_list")?;
    if !r.has_more() {
        return Err(Error::decode("server_name_list", DecodeProblem::Empty));
    }
    if r.u8("name_type")? != 0 {
        return Err(Error::decode("name_type", DecodeProblem::OutOfRange));
    }
    let name = r.opaque_u16("host_name")?;
    if name.is_empty() {
        return Err(Error::decode("host_name", DecodeProblem::Empty));
    }
    // A host name is ASCII (RFC 6066 3: "HostName" is a byte string of a DNS name, in ASCII,
    // with no trailing dot); anything unprintable cannot be one.
    if !name.iter().all(|b| b.is_ascii_graphic()) {
        return Err(Error::decode("host_name", DecodeProblem::OutOfRange));
    }
    // Bytes after the one entry: a second name, or garbage.
    r.end()?;
    Ok(String::from_utf8_lossy(name).into_owned())
}

/// RFC 5077 3.2: "The extension_data field of SessionTicket extension contains the ticket":
/// the ticket itself, any length (an empty one asks for a ticket). In a ServerHello the
/// server "uses a zero-length SessionTicket extension to indicate to the client that it will
/// send a new session ticket": anything in it is `decode_error`.
fn decode_session_ticket(r: &mut Reader, hello: Hello) -> Result<Vec<u8>, Error> {
    if hello == Hello::Server && r.has_more() {
        return Err(Error::decode("session_ticket", DecodeProblem::NotEmpty));
    }
    if !r.has_more() {
        return Ok(Vec::new());
    }
    Ok(r.rest("ticket")?.to_vec())
}

/// `NamedGroup named_group_list<2..2^16-1>` (RFC 8422 5.1.1): at least one group, two bytes
/// each (an odd length cuts the last one: decode_error).
fn decode_supported_groups(r: &mut Reader) -> Result<Vec<u16>, Error> {
    r.begin_u16("named_group_list")?;
    let mut groups = Vec::new();
    while r.has_more() {
        groups.push(r.u16("named_group")?);
    }
    r.end()?;
    if groups.is_empty() {
        return Err(Error::decode("named_group_list", DecodeProblem::Empty));
    }
    Ok(groups)
}

/// `ECPointFormat ec_point_format_list<1..2^8-1>` (RFC 8422 5.1.2): at least one format.
fn decode_point_formats(r: &mut Reader) -> Result<Vec<u8>, Error> {
    let formats = r.opaque_u8("ec_point_format_list")?;
    if formats.is_empty() {
        return Err(Error::decode("ec_point_format_list", DecodeProblem::Empty));
    }
    Ok(formats.to_vec())
}

/// ```text
/// opaque ProtocolName<1..2^8-1>;
/// struct {
///     ProtocolName protocol_name_list<2..2^16-1>
/// } ProtocolNameList;
/// ```
/// RFC 7301 3.1: at least one name, and "Empty strings MUST NOT be included and byte strings
/// MUST NOT be truncated" (each length must fit in the list: the reader refuses one that runs
/// past it). In a ServerHello, "the "ProtocolNameList" MUST contain exactly one
/// "ProtocolName"": the server's choice. Anything else is `decode_error` (RFC 5246 7.2.2).
fn decode_alpn(r: &mut Reader, hello: Hello) -> Result<Vec<Vec<u8>>, Error> {
    r.begin_u16("protocol_name_list")?;
    let mut names = Vec::new();
    while r.has_more() {
        let name = r.opaque_u8("protocol_name")?;
        if name.is_empty() {
            return Err(Error::decode("protocol_name", DecodeProblem::Empty));
        }
        names.push(name.to_vec());
    }
    r.end()?;
    if names.is_empty() {
        return Err(Error::decode("protocol_name_list", DecodeProblem::Empty));
    }
    if hello == Hello::Server && names.len() != 1 {
        return Err(Error::decode(
            "protocol_name_list",
            DecodeProblem::NotExactlyOne,
        ));
    }
    Ok(names)
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
        return Err(Error::decode("supported_versions", DecodeProblem::Empty));
    }
    Ok(versions)
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
            alpn: Some(vec![b"h2".to_vec(), b"http/1.1".to_vec()]),
            encrypt_then_mac: true,
            extended_master_secret: true,
            session_ticket: Some(vec![0xaa; 5]),
            renegotiation_info: Some(vec![]),
            supported_versions: Some(vec![0x0304, 0x0303]),
            other: vec![],
        };
        assert_eq!(round_trip(&ext), ext);
    }

    #[test]
    fn a_server_hello_s_answers_round_trip() {
        let ext = HelloExtensions {
            server_name: Some(String::new()),
            ec_point_formats: Some(vec![0]),
            alpn: Some(vec![b"http/1.1".to_vec()]),
            extended_master_secret: true,
            session_ticket: Some(vec![]),
            renegotiation_info: Some(vec![]),
            ..HelloExtensions::default()
        };
        let mut w = Writer::new();
        ext.encode(&mut w).unwrap();
        let bytes = w.finish().unwrap().bytes;
        let back = decode(&bytes, Hello::Server).unwrap();
        assert_eq!(back, ext);
        assert_eq!(
            back.types(),
            [
                SERVER_NAME,
                EC_POINT_FORMATS,
                ALPN,
                EXTENDED_MASTER_SECRET,
                SESSION_TICKET,
                RENEGOTIATION_INFO
            ]
        );
    }

    #[test]
    fn the_table_of_known_extensions_is_in_order_and_names_them() {
        for pair in KNOWN_EXTENSIONS.windows(2) {
            assert!(pair[0].number < pair[1].number, "{pair:?}");
        }
        for info in KNOWN_EXTENSIONS {
            assert!(!is_grease(info.number), "{info:?}");
            assert_eq!(extension_name(info.number), info.name);
            assert!(!info.rfc.is_empty());
        }
        let acted: Vec<u16> = (0..=u16::MAX).filter(|&t| acted_on(t)).collect();
        assert_eq!(
            acted,
            [
                SERVER_NAME,
                SUPPORTED_GROUPS,
                EC_POINT_FORMATS,
                SIGNATURE_ALGORITHMS,
                ALPN,
                ENCRYPT_THEN_MAC,
                EXTENDED_MASTER_SECRET,
                SESSION_TICKET,
                SUPPORTED_VERSIONS,
                RENEGOTIATION_INFO
            ]
        );
    }

    #[test]
    fn protocol_names_are_shown_as_text_or_hex() {
        assert_eq!(protocol_name(b"http/1.1"), "http/1.1");
        assert_eq!(protocol_name(b"h2"), "h2");
        assert_eq!(protocol_name(&[0x0a, 0x0a]), "0x0a0a");
        assert_eq!(protocol_name(b"a b"), "0x612062");
    }

    /// An extensions block of one extension.
    fn block(ext_type: u16, body: &[u8]) -> Vec<u8> {
        let mut bytes = ((4 + body.len()) as u16).to_be_bytes().to_vec();
        bytes.extend(ext_type.to_be_bytes());
        bytes.extend((body.len() as u16).to_be_bytes());
        bytes.extend(body);
        bytes
    }

    fn decode(bytes: &[u8], hello: Hello) -> Result<HelloExtensions, Error> {
        let mut r = Reader::new(bytes);
        let ext = HelloExtensions::decode(&mut r, hello)?;
        r.finish("extensions")?;
        Ok(ext)
    }

    #[test]
    fn each_extension_s_rules_in_its_own_hello() {
        use Hello::{Client, Server};
        let good: &[(Hello, u16, &[u8])] = &[
            (Client, SERVER_NAME, &[0, 4, 0, 0, 1, b'a']),
            (Server, SERVER_NAME, &[]),
            (Client, ALPN, &[0, 6, 2, b'h', b'2', 2, b'h', b'3']),
            (Server, ALPN, &[0, 3, 2, b'h', b'2']),
            (Client, RENEGOTIATION_INFO, &[0]),
            (Client, EC_POINT_FORMATS, &[1, 0]),
            (Client, SUPPORTED_GROUPS, &[0, 2, 0, 0x1d]),
            (Client, SIGNATURE_ALGORITHMS, &[0, 2, 8, 4]),
            (Client, SESSION_TICKET, &[]),
            (Client, SESSION_TICKET, &[1, 2, 3]),
            (Server, SESSION_TICKET, &[]),
        ];
        for &(hello, ext_type, body) in good {
            let bytes = block(ext_type, body);
            assert!(
                decode(&bytes, hello).is_ok(),
                "{hello:?} {ext_type} {body:02x?}"
            );
        }
        // (hello, type, body, the field the error names): every one is decode_error.
        let bad: &[(Hello, u16, &[u8], &str)] = &[
            // RFC 6066 3, in a ClientHello: a ServerNameList of one host_name.
            (Client, SERVER_NAME, &[], "server_name_list"),
            (Client, SERVER_NAME, &[0, 0], "server_name_list"),
            (Client, SERVER_NAME, &[0, 4, 1, 0, 1, b'a'], "name_type"),
            (Client, SERVER_NAME, &[0, 3, 0, 0, 0], "host_name"),
            (Client, SERVER_NAME, &[0, 4, 0, 0, 1, 0x07], "host_name"),
            (
                Client,
                SERVER_NAME,
                &[0, 8, 0, 0, 1, b'a', 0, 0, 1, b'b'],
                "server_name_list",
            ),
            (
                Client,
                SERVER_NAME,
                &[0, 4, 0, 0, 1, b'a', 0],
                "extension_data",
            ),
            (
                Client,
                SERVER_NAME,
                &[0, 9, 0, 0, 1, b'a'],
                "server_name_list",
            ),
            // In a ServerHello: empty, only.
            (Server, SERVER_NAME, &[0, 4, 0, 0, 1, b'a'], "server_name"),
            // RFC 7301 3.1: a non-empty list of non-empty names, lengths that fit.
            (Client, ALPN, &[], "protocol_name_list"),
            (Client, ALPN, &[0, 0], "protocol_name_list"),
            (Client, ALPN, &[0, 1, 0], "protocol_name"),
            (Client, ALPN, &[0, 3, 2, b'h', b'2', 0], "extension_data"),
            (Client, ALPN, &[0, 3, 5, b'h', b'2'], "protocol_name"),
            (Client, ALPN, &[0, 9, 2, b'h', b'2'], "protocol_name_list"),
            // In a ServerHello: exactly one name.
            (
                Server,
                ALPN,
                &[0, 6, 2, b'h', b'2', 2, b'h', b'3'],
                "protocol_name_list",
            ),
            (Server, ALPN, &[0, 1, 0], "protocol_name"),
            // RFC 7366 2: empty, in both hellos.
            (Client, ENCRYPT_THEN_MAC, &[0], "encrypt_then_mac"),
            (Server, ENCRYPT_THEN_MAC, &[0, 0], "encrypt_then_mac"),
            // RFC 7627 5.1: empty.
            (
                Client,
                EXTENDED_MASTER_SECRET,
                &[0],
                "extended_master_secret",
            ),
            // RFC 5077 3.2: in a ServerHello, empty.
            (Server, SESSION_TICKET, &[0], "session_ticket"),
            // RFC 5746 3.2: one u8 vector, nothing after it.
            (Client, RENEGOTIATION_INFO, &[], "renegotiated_connection"),
            (Client, RENEGOTIATION_INFO, &[0, 0], "extension_data"),
            (
                Server,
                RENEGOTIATION_INFO,
                &[2, 0],
                "renegotiated_connection",
            ),
            // RFC 8422 5.1.2: at least one point format.
            (Client, EC_POINT_FORMATS, &[0], "ec_point_format_list"),
            (Client, EC_POINT_FORMATS, &[], "ec_point_format_list"),
            // RFC 8422 5.1.1: at least one group, two bytes each.
            (Client, SUPPORTED_GROUPS, &[0, 0], "named_group_list"),
            (Client, SUPPORTED_GROUPS, &[0, 3, 0, 0x1d, 0], "named_group"),
            // RFC 5246 7.4.1.4.1: at least one scheme, two bytes each.
            (
                Client,
                SIGNATURE_ALGORITHMS,
                &[0, 0],
                "supported_signature_algorithms",
            ),
            (
                Client,
                SIGNATURE_ALGORITHMS,
                &[0, 3, 8, 4, 4],
                "signature_scheme",
            ),
        ];
        for &(hello, ext_type, body, field) in bad {
            let bytes = block(ext_type, body);
            match decode(&bytes, hello) {
                Err(Error::Decode { field: named, .. }) => {
                    assert_eq!(named, field, "{hello:?} {ext_type} {body:02x?}")
                }
                other => panic!("{hello:?} {ext_type} {body:02x?}: {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_extensions_are_skipped_and_listed() {
        // compress_certificate (27, read and passed over) with 2 bytes of data, then EMS.
        let bytes = [
            0x00, 0x0a, 0x00, 0x1b, 0x00, 0x02, 0xab, 0xcd, 0x00, 0x17, 0x00, 0x00,
        ];
        let mut r = Reader::new(&bytes);
        let ext = HelloExtensions::decode(&mut r, Hello::Client).unwrap();
        assert_eq!(ext.other, vec![27]);
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
