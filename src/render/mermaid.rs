//! The trace as a mermaid `sequenceDiagram` (`--format mermaid`): the run drawn the way the
//! source article draws a TLS 1.2 handshake (RFC 5246 7.3, Figure 1), but from what this run
//! actually did, read off the merged trace of both sides:
//!
//! - one arrow per message a side sent, in wire order: handshake messages (RFC 5246 7.4),
//!   ChangeCipherSpec (7.1, dotted, as the article draws it), application data (10) and alerts
//!   (7.2; a fatal one is a cross);
//! - a note where an optional message of Figure 1 is absent, and why (no ServerKeyExchange in
//!   RSA key exchange; no CertificateRequest, client Certificate or CertificateVerify without
//!   mutual TLS);
//! - a note over the side whose private key is used, from the key ledger (`KeyUse` events): the
//!   server's to RSA-decrypt the pre-master secret (7.4.7.1) or to sign the ServerKeyExchange
//!   (RFC 8422 5.4), the client's to sign CertificateVerify (7.4.8);
//! - where each side's session keys take over (after its ChangeCipherSpec), a note, and a `rect`
//!   block around the arrows whose records were protected (`Record` events with GCM details,
//!   RFC 5246 6.2.3.3, RFC 5288), one colour per direction since each has its own key;
//! - a failed run ends with the fatal alert and a note over the side that failed.
//!
//! Every piece of text goes through `label`, so no event list can break mermaid's syntax; and
//! no event list, the empty one included, makes this panic.

use super::{Event, Key};
use crate::codec::{Field, FieldKind};
use crate::messages::alert::{AlertDescription, AlertLevel};
use crate::messages::extensions::group_name;
use crate::rng::Side;
use crate::session::Resumption;
use crate::suites::{CipherSuite, KeyExchange};

/// Background of the arrows the client protected with client_write_key.
const CLIENT_SEALED: &str = "rgb(225, 238, 252)";
/// Background of the arrows the server protected with server_write_key.
const SERVER_SEALED: &str = "rgb(226, 243, 228)";
/// Longest note taken from the trace's own words (key uses, a failure's reason), in characters.
const MAX_NOTE: usize = 100;

/// A mermaid `sequenceDiagram` of the run whose merged trace is `events`.
pub fn render_mermaid(events: &[Event]) -> String {
    let mut diagram = Diagram::new(events);
    if events.is_empty() {
        diagram.note_over_both("no trace events, nothing was sent");
    }
    for (at, event) in events.iter().enumerate() {
        diagram.event(at, event);
    }
    diagram.finish()
}

/// The diagram being written, and what it has drawn so far.
struct Diagram<'a> {
    events: &'a [Event],
    out: String,
    /// The cipher suite the run's ServerHello chose, if the run got that far.
    suite: Option<CipherSuite>,
    /// Whether each side traced anything itself. The simulator merges both sides; a trace of
    /// one side only (a real peer on the other end) is drawn from what that side received.
    client_logged: bool,
    server_logged: bool,
    /// Indices of messages a side built but never sent (see [`never_sent`]).
    unsent: Vec<usize>,
    /// Messages drawn so far: who sent them, and their names.
    drawn: Vec<(Side, String)>,
    /// Whether the client's Certificate was the empty one (it had none to offer).
    client_certificate_empty: bool,
    /// The side whose protected arrows the open `rect` holds, if one is open.
    rect: Option<Side>,
    /// The "handshake complete" note is written once, before the first application data.
    channel_noted: bool,
    /// The run resumed a session (an abbreviated handshake), and how.
    resumed: Option<Resumption>,
}

impl<'a> Diagram<'a> {
    fn new(events: &'a [Event]) -> Self {
        let suite = events.iter().find_map(|event| match event {
            Event::Message { name, fields, .. } if name == "ServerHello" => {
                int_field(fields, "cipher_suite").and_then(|id| CipherSuite::from_id(id as u16))
            }
            _ => None,
        });
        let mut diagram = Diagram {
            events,
            out: String::from("sequenceDiagram\n"),
            suite,
            client_logged: events.iter().any(|e| event_side(e) == Side::Client),
            server_logged: events.iter().any(|e| event_side(e) == Side::Server),
            unsent: never_sent(events),
            drawn: Vec::new(),
            client_certificate_empty: false,
            rect: None,
            channel_noted: false,
            resumed: super::resumption_of(events),
        };
        match (suite, diagram.resumed) {
            (Some(suite), Some(how)) => diagram.line(&format!(
                "title TLS 1.2 abbreviated handshake, {}, resumed by {}",
                suite.name(),
                how.name()
            )),
            (Some(suite), None) => {
                diagram.line(&format!("title TLS 1.2 handshake, {}", suite.name()))
            }
            (None, _) => diagram.line("title TLS 1.2 handshake"),
        }
        diagram.line("participant Client");
        diagram.line("participant Server");
        diagram
    }

    /// One trace event: most draw nothing (secrets, checks, records are in the text trace).
    fn event(&mut self, at: usize, event: &Event) {
        match event {
            Event::Flight { call, .. } => {
                self.close_rect();
                self.line(&format!("%% flight {}", one_line(call)));
            }
            Event::Message {
                side,
                from,
                name,
                fields,
                ..
            } if self.draws(at, *side, *from) => {
                let sealed = self.carried_sealed(at, *side, *from, *side != *from);
                self.message(*from, name, fields, sealed);
            }
            Event::KeyUse {
                side,
                key,
                operation,
            } => self.key_use(*side, *key, &operation.to_string()),
            Event::AppData {
                side, from, data, ..
            } if self.draws(at, *side, *from) => {
                // The sender logs application data after the record that carried it.
                let sealed = self.carried_sealed(at, *side, *from, true);
                self.app_data(*from, data.len(), sealed);
            }
            Event::Alert {
                side,
                from,
                level,
                description,
            } if self.draws(at, *side, *from) => {
                let sealed = self.carried_sealed(at, *side, *from, *side != *from);
                self.alert(at, *from, *level, *description, sealed);
            }
            _ => {}
        }
    }

    /// Whether the message, alert or application data at `at` gets an arrow: when its sender
    /// logged it (the receiver's copy of the same message is not a second arrow), and sent it;
    /// or, in a trace of one side only, when that side received it.
    fn draws(&self, at: usize, side: Side, from: Side) -> bool {
        if side == from {
            !self.unsent.contains(&at)
        } else {
            !self.logged(from)
        }
    }

    fn logged(&self, side: Side) -> bool {
        match side {
            Side::Client => self.client_logged,
            Side::Server => self.server_logged,
        }
    }

    /// Whether the record that carried the event at `at` was protected by the session keys
    /// (its `Record` event has GCM or CBC details). A side logs a handshake message or alert it sends
    /// before the record that carries it, and a record it reads before what is inside.
    fn carried_sealed(&self, at: usize, side: Side, from: Side, record_first: bool) -> bool {
        let is_carrier = |event: &Event| match event {
            Event::Record {
                side: s,
                from: f,
                gcm,
                cbc,
                ..
            } if *s == side && *f == from => Some(gcm.is_some() || cbc.is_some()),
            _ => None,
        };
        if record_first {
            let before = self.events.get(..at).unwrap_or(&[]);
            before.iter().rev().find_map(is_carrier).unwrap_or(false)
        } else {
            let after = self.events.get(at + 1..).unwrap_or(&[]);
            after.iter().find_map(is_carrier).unwrap_or(false)
        }
    }

    /// A handshake message or ChangeCipherSpec, with a note first for any optional message of
    /// RFC 5246 7.3 Figure 1 that this run left out where it would have gone.
    fn message(&mut self, from: Side, name: &str, fields: &[Field], sealed: bool) {
        match (from, name) {
            // Server flight: Certificate, [ServerKeyExchange], [CertificateRequest],
            // ServerHelloDone (RFC 5246 7.4.2 - 7.4.5).
            (Side::Server, "CertificateRequest") => self.note_if_no_server_key_exchange(),
            (Side::Server, "ServerHelloDone") if !self.drew(Side::Server, "CertificateRequest") => {
                self.note_if_no_server_key_exchange();
                self.note(Side::Server, "no CertificateRequest - not mutual TLS");
            }
            // Client flight: [Certificate], ClientKeyExchange, [CertificateVerify],
            // ChangeCipherSpec (RFC 5246 7.4.6 - 7.4.8, 7.1).
            (Side::Client, "ClientKeyExchange") if !self.drew(Side::Client, "Certificate") => {
                if self.drew(Side::Server, "CertificateRequest") {
                    self.note(Side::Client, "no client Certificate");
                } else {
                    self.note(
                        Side::Client,
                        "no client Certificate, no CertificateVerify - not mutual TLS",
                    );
                }
            }
            (Side::Client, "ChangeCipherSpec")
                if self.drew(Side::Client, "Certificate")
                    && !self.drew(Side::Client, "CertificateVerify") =>
            {
                if self.client_certificate_empty {
                    self.note(
                        Side::Client,
                        "no CertificateVerify - no client certificate, no key to prove",
                    );
                } else {
                    self.note(Side::Client, "no CertificateVerify");
                }
            }
            _ => {}
        }
        if from == Side::Client && name == "Certificate" {
            self.client_certificate_empty = length_field(fields, "certificate_list") == Some(0);
        }
        if let (Some(how), Side::Server, "ChangeCipherSpec") = (self.resumed, from, name)
            && !self.drew(Side::Server, "ChangeCipherSpec")
        {
            // RFC 5246 7.3: the abbreviated handshake goes from ServerHello straight to the
            // server's ChangeCipherSpec.
            self.note_over_both(&format!(
                "resumed by {} - no Certificate, no key exchange, no private key: new session \
                 keys from the session's master secret and the new randoms",
                how.name()
            ));
        }
        let text = self.message_label(from, name, fields);
        // ChangeCipherSpec is not a handshake message (RFC 5246 7.1): dotted, as in the article.
        let arrow = if name == "ChangeCipherSpec" {
            "-->>"
        } else {
            "->>"
        };
        self.arrow(from, arrow, &text, sealed);
        self.drawn.push((from, name.to_string()));
    }

    /// RFC 5246 7.4.3: an RSA key exchange has no ServerKeyExchange; the client encrypts the
    /// pre-master secret with the public key in the server's Certificate instead.
    fn note_if_no_server_key_exchange(&mut self) {
        if self.drew(Side::Server, "ServerKeyExchange") {
            return;
        }
        match self.key_exchange() {
            Some(KeyExchange::Rsa) => {
                self.note(Side::Server, "no ServerKeyExchange - RSA key exchange")
            }
            _ => self.note(Side::Server, "no ServerKeyExchange"),
        }
    }

    /// What an arrow says: the message's name and, in brackets, what it carries, as the article
    /// labels its arrows.
    fn message_label(&self, from: Side, name: &str, fields: &[Field]) -> String {
        match (from, name) {
            (_, "ClientHello") => match self.resumed {
                Some(Resumption::Ticket) => "ClientHello (client_random, SessionTicket)".into(),
                Some(Resumption::SessionId) => "ClientHello (client_random, session_id)".into(),
                None => "ClientHello (client_random, cipher suites)".into(),
            },
            (_, "ServerHello") if self.resumed.is_some() => {
                "ServerHello (server_random, the same session_id - resumed)".into()
            }
            (_, "NewSessionTicket") => {
                "NewSessionTicket (the session, sealed under the server's ticket key)".into()
            }
            (_, "ServerHello") => match self.suite {
                Some(suite) => format!("ServerHello (server_random, {})", suite.name()),
                None => "ServerHello (server_random, chosen suite)".into(),
            },
            (Side::Server, "Certificate") => "Certificate (server chain, public key)".into(),
            (Side::Client, "Certificate") if self.client_certificate_empty => {
                "Certificate (empty, the client has none)".into()
            }
            (Side::Client, "Certificate") => "Certificate (client chain, public key)".into(),
            (_, "ServerKeyExchange") => match int_field(fields, "named_curve") {
                Some(group) => format!(
                    "ServerKeyExchange (ephemeral {} key, signed)",
                    group_name(group as u16)
                ),
                None => "ServerKeyExchange (ephemeral key, signed)".into(),
            },
            (_, "CertificateRequest") => "CertificateRequest (accepted CAs)".into(),
            (_, "ClientKeyExchange") => match self.key_exchange() {
                Some(KeyExchange::Rsa) => {
                    "ClientKeyExchange (pre-master encrypted with the server public key)".into()
                }
                Some(KeyExchange::Ecdhe) => {
                    "ClientKeyExchange (client ephemeral public key)".into()
                }
                None => "ClientKeyExchange".into(),
            },
            (_, "CertificateVerify") => "CertificateVerify (signature over the handshake)".into(),
            (_, "Finished") => "Finished (verify_data over the handshake)".into(),
            (_, "") => "(unnamed message)".into(),
            _ => name.to_string(),
        }
    }

    /// The key ledger: a note where a private key is used, and where session keys take over.
    /// The public keys and the ephemeral X25519 keys are in the text trace's ledger.
    fn key_use(&mut self, side: Side, key: Key, operation: &str) {
        match key {
            Key::ServerPrivateKey | Key::ClientPrivateKey => {
                // The ledger says "what: why"; the note keeps the what.
                let what = operation.split(':').next().unwrap_or(operation).trim();
                let text = if what.is_empty() {
                    format!("{} used", key.name())
                } else {
                    format!("{}, used to {what}", key.name())
                };
                self.note(side, &shorten(&text));
            }
            Key::SessionKeys if operation.trim().is_empty() => {
                self.note(side, "session keys take over")
            }
            Key::SessionKeys => self.note(side, &shorten(operation)),
            Key::ServerPublicKey | Key::ClientPublicKey | Key::EphemeralPrivateKey => {}
        }
    }

    /// Application data (RFC 5246 10), only ever sent once the handshake is complete.
    fn app_data(&mut self, from: Side, len: usize, sealed: bool) {
        if !self.channel_noted {
            self.channel_noted = true;
            self.note_over_both("handshake complete - from here on only the session keys are used");
        }
        self.arrow(
            from,
            "->>",
            &format!("application data ({len} bytes)"),
            sealed,
        );
    }

    /// An alert (RFC 5246 7.2). A fatal one ends the connection: a cross, and a note over the
    /// side that sent it, which is the side that failed.
    fn alert(
        &mut self,
        at: usize,
        from: Side,
        level: AlertLevel,
        description: AlertDescription,
        sealed: bool,
    ) {
        if level != AlertLevel::Fatal {
            let text = format!("Alert {} ({})", description.name(), level.name());
            self.arrow(from, "->>", &text, sealed);
            return;
        }
        let text = format!("Alert fatal {}", description.name());
        self.arrow(from, "-x", &text, sealed);
        // The arrow names the alert already; the note adds the failing side's reason.
        let reason = match self.failure_reason(at, from) {
            Some(reason) => reason,
            None => format!("sent fatal {}", description.name()),
        };
        self.note(
            from,
            &format!("the {} fails here - {}", from.name(), shorten(&reason)),
        );
    }

    /// What the failing side said about its failure, right after its alert (the note that
    /// `Conn::alert_on_error` writes).
    /// Its reason without the alert's name, which the arrow shows already.
    fn failure_reason(&self, at: usize, side: Side) -> Option<String> {
        let after: &'a [Event] = self.events.get(at + 1..).unwrap_or(&[]);
        after.iter().find_map(|event| match event {
            Event::Failure {
                side: s, reason, ..
            } if *s == side => Some(reason.to_string()),
            _ => None,
        })
    }

    fn key_exchange(&self) -> Option<KeyExchange> {
        self.suite.map(CipherSuite::key_exchange)
    }

    fn drew(&self, from: Side, name: &str) -> bool {
        self.drawn.iter().any(|(s, n)| *s == from && n == name)
    }

    // ---- writing mermaid ----

    /// One arrow from `from` to its peer. A `rect` holds consecutive arrows that one side
    /// protected with its session keys, and nothing else.
    fn arrow(&mut self, from: Side, arrow: &str, text: &str, sealed: bool) {
        let wanted = sealed.then_some(from);
        if self.rect != wanted {
            self.close_rect();
            if let Some(side) = wanted {
                let colour = match side {
                    Side::Client => CLIENT_SEALED,
                    Side::Server => SERVER_SEALED,
                };
                self.line(&format!("rect {colour}"));
                self.rect = wanted;
            }
        }
        let line = format!(
            "{}{arrow}{}: {}",
            participant(from),
            participant(from.peer()),
            label(text)
        );
        self.line(&line);
    }

    fn note(&mut self, over: Side, text: &str) {
        self.close_rect();
        let line = format!("Note over {}: {}", participant(over), label(text));
        self.line(&line);
    }

    fn note_over_both(&mut self, text: &str) {
        self.close_rect();
        self.line(&format!("Note over Client,Server: {}", label(text)));
    }

    fn close_rect(&mut self) {
        if self.rect.take().is_some() {
            self.line("end");
        }
    }

    /// Writes one statement, indented one level more inside a `rect`.
    fn line(&mut self, statement: &str) {
        let indent = if self.rect.is_some() {
            "        "
        } else {
            "    "
        };
        self.out.push_str(indent);
        self.out.push_str(statement);
        self.out.push('\n');
    }

    fn finish(mut self) -> String {
        self.close_rect();
        self.out
    }
}

/// Indices of the messages a side built but never sent. A side that fails in the middle of a
/// flight sends its alert instead of the rest of the flight (`RecordLayer::send_alert` drops
/// what was queued), so a message it traced earlier in that flight never reached the wire.
fn never_sent(events: &[Event]) -> Vec<usize> {
    let mut queued: Vec<(Side, usize)> = Vec::new();
    let mut unsent = Vec::new();
    for (at, event) in events.iter().enumerate() {
        match event {
            // A new flight: the one before it was written out when it ended.
            Event::Flight { .. } => queued.clear(),
            Event::Message { side, from, .. } if side == from => queued.push((*side, at)),
            // Application data is written at once, with anything queued before it.
            Event::AppData { side, from, .. } if side == from => queued.retain(|(s, _)| s != side),
            // The peer read a record, or its sender wrote one (a recorded connection has only
            // the sender's account): what the sender had queued was written.
            Event::Record { from, .. } => queued.retain(|(s, _)| s != from),
            Event::Alert { side, from, .. } if side == from => {
                unsent.extend(queued.iter().filter(|(s, _)| s == side).map(|(_, i)| *i));
                queued.retain(|(s, _)| s != side);
            }
            _ => {}
        }
    }
    unsent
}

/// The side that logged an event.
fn event_side(event: &Event) -> Side {
    match event {
        Event::Flight { side, .. }
        | Event::Record { side, .. }
        | Event::Message { side, .. }
        | Event::Secret { side, .. }
        | Event::Value { side, .. }
        | Event::KeyUse { side, .. }
        | Event::Check { side, .. }
        | Event::ChainCheck { side, .. }
        | Event::Failure { side, .. }
        | Event::Note { side, .. }
        | Event::Alert { side, .. }
        | Event::AppData { side, .. } => *side,
    }
}

fn participant(side: Side) -> &'static str {
    match side {
        Side::Client => "Client",
        Side::Server => "Server",
    }
}

/// The value of the first integer field named `name`.
fn int_field(fields: &[Field], name: &str) -> Option<u32> {
    fields.iter().find_map(|field| match field.kind {
        FieldKind::Int(value) if field.label == name => Some(value),
        _ => None,
    })
}

/// The length of the first vector named `name`.
fn length_field(fields: &[Field], name: &str) -> Option<usize> {
    fields.iter().find_map(|field| match field.kind {
        FieldKind::Length(len) if field.label == name => Some(len),
        _ => None,
    })
}

/// Text that cannot break a mermaid statement, without entity codes: mermaid 12 parses `#59;`
/// but some ways of embedding it draw the code instead of `;`. So: `;` ends a statement and
/// becomes `,`; `#` cuts the rest of the text off when drawn and goes; `<` and `>` would be read
/// as markup and become `‹` and `›`; control characters (a newline ends a statement) become
/// spaces. A `:` stays: only the first one in a statement, which we write, ends the actors.
fn label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            ';' => out.push(','),
            '#' => {}
            '<' => out.push('‹'),
            '>' => out.push('›'),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A `%%` comment's text: one line, and never a `%%{ }%%` directive.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() || c == '{' { ' ' } else { c })
        .collect()
}

/// At most [`MAX_NOTE`] characters, cut with "...".
fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_NOTE {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(MAX_NOTE - 3).collect();
    cut.push_str("...");
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(side: Side, from: Side, name: &str) -> Event {
        Event::Message {
            side,
            from,
            name: name.to_string(),
            rfc: "",
            bytes: Vec::new(),
            fields: Vec::new(),
        }
    }

    #[test]
    fn no_events_is_a_diagram_with_both_participants() {
        let diagram = render_mermaid(&[]);
        assert!(diagram.starts_with("sequenceDiagram\n"), "{diagram}");
        assert!(diagram.contains("    participant Client\n"), "{diagram}");
        assert!(diagram.contains("    participant Server\n"), "{diagram}");
        assert!(diagram.contains("Note over Client,Server: no trace events"));
        assert!(!diagram.contains("->>"), "{diagram}");
    }

    #[test]
    fn labels_keep_mermaid_syntax() {
        assert_eq!(label("a;b#c:d<e>f\ng"), "a,bc:d‹e›f g");
        assert_eq!(
            label("ClientHello (client_random)"),
            "ClientHello (client_random)"
        );
    }

    #[test]
    fn a_message_is_one_arrow_from_its_sender() {
        let events = [
            message(Side::Client, Side::Client, "ClientHello"),
            message(Side::Server, Side::Client, "ClientHello"),
        ];
        let diagram = render_mermaid(&events);
        assert_eq!(diagram.matches("Client->>Server: ClientHello").count(), 1);
    }

    #[test]
    fn a_message_name_cannot_end_its_statement() {
        let events = [message(Side::Client, Side::Client, "a;b")];
        let diagram = render_mermaid(&events);
        assert!(diagram.contains("Client->>Server: a,b\n"), "{diagram}");
    }

    #[test]
    fn a_trace_of_one_side_draws_what_it_received() {
        let events = [message(Side::Client, Side::Server, "ServerHello")];
        let diagram = render_mermaid(&events);
        assert!(
            diagram.contains("Server->>Client: ServerHello"),
            "{diagram}"
        );
    }

    #[test]
    fn a_flight_abandoned_for_an_alert_was_not_sent() {
        let events = [
            Event::Flight {
                side: Side::Client,
                call: "client.answer_server",
                reads: "",
                sends: "",
            },
            message(Side::Client, Side::Client, "ClientKeyExchange"),
            Event::Alert {
                side: Side::Client,
                from: Side::Client,
                level: AlertLevel::Fatal,
                description: AlertDescription::InternalError,
            },
        ];
        let diagram = render_mermaid(&events);
        assert!(!diagram.contains("ClientKeyExchange ("), "{diagram}");
        assert!(
            diagram.contains("Client-xServer: Alert fatal internal_error"),
            "{diagram}"
        );
        assert!(diagram.contains("Note over Client: the client fails here"));
    }

    #[test]
    fn odd_event_lists_do_not_panic() {
        let alert = |side, from| Event::Alert {
            side,
            from,
            level: AlertLevel::Unknown(9),
            description: AlertDescription::Other(200),
        };
        let lists: Vec<Vec<Event>> = vec![
            vec![alert(Side::Server, Side::Server)],
            vec![alert(Side::Client, Side::Server)],
            vec![message(Side::Server, Side::Server, "")],
            vec![message(Side::Client, Side::Client, "x;y#z:<w>\n")],
            vec![Event::KeyUse {
                side: Side::Server,
                key: Key::ServerPrivateKey,
                operation: crate::phrase!(""),
            }],
            vec![Event::Failure {
                side: Side::Client,
                error: crate::phrase!("{}", "the connection fails here: ".repeat(20)),
                reason: crate::phrase!("{}", "the connection fails here: ".repeat(20)),
            }],
        ];
        for events in lists {
            let diagram = render_mermaid(&events);
            assert!(diagram.starts_with("sequenceDiagram\n"));
            assert_eq!(
                diagram.matches("rect ").count(),
                diagram.matches(" end\n").count()
            );
        }
    }
}
