//! The command line: parses arguments and calls the library. Run with no arguments for the
//! default handshake and its annotated trace.

use std::io::{ErrorKind, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tls12_sim::client::ServerTrust;
use tls12_sim::demo_pki::{self, DemoClient};
use tls12_sim::error::Error;
use tls12_sim::net::{self, ConnectOptions, ServeOptions};
use tls12_sim::phrase;
use tls12_sim::pki::{self, Identity};
use tls12_sim::render::Lang;
use tls12_sim::render::report;
use tls12_sim::rng::DEFAULT_SIMULATION_TIME;
use tls12_sim::server::ClientAuth;
use tls12_sim::session::{self, Resumption};
use tls12_sim::simulate::{self, Options};
use tls12_sim::suites::CipherSuite;

#[derive(Parser)]
#[command(
    name = "tls12-sim",
    version,
    about = "A hand-written TLS 1.2 handshake, for teaching: every message, byte, key and cost",
    long_about = "With no command, runs `simulate`: a full TLS 1.2 handshake between a client and a \
                  server in one process, printed as an annotated trace."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a full handshake in memory and print its annotated trace.
    Simulate(SimulateArgs),
    /// Run a lab: a short experiment whose output is the lesson (`--list` lists them).
    Lab(LabArgs),
    /// Serve TLS 1.2 on a TCP port: an HTTP request gets a page about the session, anything else
    /// is echoed.
    Serve(ServeArgs),
    /// Connect to a TLS 1.2 server, send a line, print what comes back.
    Connect(ConnectArgs),
    /// Load a TLS 1.2 server: many full handshakes, several at once, optionally with idle
    /// connections held open; prints handshakes/s, latency percentiles and failures.
    Load(LoadArgs),
    /// Explain the TLS connections of a capture file (pcap or pcapng): list them, then explain
    /// one or all, decrypted with a key log or the server's private key.
    Inspect(InspectArgs),
    /// Write the demo PKI (CA, server, clients good/expired/revoked, CRL, another CA) as PEM.
    Pki(PkiArgs),
    /// What things cost: asymmetric against symmetric crypto, handshakes against records, as
    /// ratios measured in one run, beside OpenSSL's on this machine.
    Bench(BenchArgs),
}

#[derive(clap::Args)]
struct BenchArgs {
    /// A short run (well under 30 seconds), for a class.
    #[arg(long)]
    quick: bool,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on (use 127.0.0.1:0 for any free port).
    #[arg(long, default_value = "127.0.0.1:4433")]
    listen: String,
    /// Certificate chain, PEM (default: the embedded demo certificate).
    #[arg(long, requires = "key")]
    cert: Option<PathBuf>,
    /// Private key of the certificate, PEM, PKCS#1 or PKCS#8.
    #[arg(long, requires = "cert")]
    key: Option<PathBuf>,
    /// Suites to accept, comma-separated IANA or OpenSSL names (default: all twelve, GCM and
    /// CBC).
    #[arg(long, value_delimiter = ',')]
    suites: Vec<String>,
    /// Append each session's NSS key log line to this file (a line already in it is not written
    /// again).
    #[arg(long)]
    keylog: Option<PathBuf>,
    /// Serve one connection, then exit (non-zero if its handshake failed).
    #[arg(long)]
    once: bool,
    /// Print each connection's annotated trace on standard error.
    #[arg(long)]
    trace: bool,
    /// Write each connection's trace as a web page to this file (the latest replaces the last).
    #[arg(long)]
    html: Option<PathBuf>,
    /// The language of the trace's explanations (--trace, --html).
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
    /// Refuse extended_master_secret (RFC 7627).
    #[arg(long)]
    no_ems: bool,
    /// Refuse encrypt_then_mac (RFC 7366): CBC records are MAC-then-encrypt.
    #[arg(long)]
    no_etm: bool,
    /// Drop a peer that sends nothing for this long; the whole handshake must also be done
    /// within it.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    read_timeout_ms: u64,
    /// Serve at most this many connections at once (one thread each); one more is closed at
    /// once, with a line on standard error that says why.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    max_connections: u64,
    /// Mutual TLS: the CA certificates (PEM) whose client certificates we accept.
    #[arg(long)]
    client_ca: Option<PathBuf>,
    /// Ask for a client certificate; a client may still send none.
    #[arg(long, requires = "client_ca", conflicts_with = "require_client_cert")]
    request_client_cert: bool,
    /// Require a client certificate: none is refused with handshake_failure.
    #[arg(long, requires = "client_ca")]
    require_client_cert: bool,
    /// Certificate revocation lists (PEM) to check client certificates against.
    #[arg(long, requires = "client_ca")]
    crl: Option<PathBuf>,
    /// ALPN (RFC 7301): the server speaks http/1.1 and chooses it when a client offers it; a
    /// client that offers only other protocols (h2 alone, say) gets no_application_protocol.
    /// With this flag it gets a ServerHello without ALPN instead, and the handshake goes on.
    #[arg(long)]
    alpn_optional: bool,
    /// Record every TLS connection into this pcapng file (made-up Ethernet/IP/TCP headers around the real
    /// bytes), each session's key log line in a Decryption Secrets Block: Wireshark and
    /// `tls12-sim inspect` open it with nothing else.
    #[arg(long, value_name = "FILE")]
    pcap: Option<PathBuf>,
    /// Resumption by session ID (RFC 5246 7.3): keep at most this many sessions, shared by all
    /// connections, the oldest evicted first; 0: keep none.
    #[arg(long, value_name = "N", default_value_t = session::DEFAULT_CACHE_SIZE)]
    session_cache: usize,
    /// How long a session may be resumed (by id or ticket), in seconds; ticket keys rotate
    /// after as long.
    #[arg(long, value_name = "SECONDS", default_value_t = session::DEFAULT_SESSION_LIFETIME,
          value_parser = clap::value_parser!(u64).range(1..=u64::from(u32::MAX)))]
    session_lifetime: u64,
    /// Issue no session tickets (RFC 5077): a client's session_ticket extension goes
    /// unanswered, and sessions are resumed by id only.
    #[arg(long)]
    no_tickets: bool,
}

#[derive(clap::Args)]
struct ConnectArgs {
    /// HOST:PORT of the server.
    address: String,
    /// Trust anchors, PEM (default: the embedded demo CA, with its CRL).
    #[arg(long)]
    ca: Option<PathBuf>,
    /// Name for SNI and the certificate check (default: the host in HOST:PORT).
    #[arg(long)]
    server_name: Option<String>,
    /// Offer only this suite (default: all twelve, GCM first).
    #[arg(long)]
    suite: Option<String>,
    /// Append the session's NSS key log line to this file (a line already in it is not written
    /// again).
    #[arg(long)]
    keylog: Option<PathBuf>,
    /// Send TEXT and a newline (default: send standard input).
    #[arg(long)]
    send: Option<String>,
    /// Stop reading when nothing arrives for this many milliseconds.
    #[arg(long, default_value_t = 1000)]
    idle_ms: u64,
    /// Give up on a server that does not accept, or does not answer during the handshake,
    /// after this many seconds.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    timeout: u64,
    /// Print the annotated trace on standard error.
    #[arg(long)]
    trace: bool,
    /// Write the session's trace as a web page to this file.
    #[arg(long)]
    html: Option<PathBuf>,
    /// The language of the trace's explanations (--trace, --html).
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
    /// Do not offer extended_master_secret (RFC 7627).
    #[arg(long)]
    no_ems: bool,
    /// Do not offer encrypt_then_mac (RFC 7366): CBC records are MAC-then-encrypt.
    #[arg(long)]
    no_etm: bool,
    /// Mutual TLS: our certificate (PEM), for a server that asks for one.
    #[arg(long, requires = "key")]
    cert: Option<PathBuf>,
    /// The private key of --cert (PEM, PKCS#1 or PKCS#8).
    #[arg(long, requires = "cert")]
    key: Option<PathBuf>,
    /// Offer these application protocols by ALPN (RFC 7301), comma-separated, in this order
    /// of preference, e.g. h2,http/1.1; the server's choice is printed on standard error
    /// (default: no ALPN extension).
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    alpn: Vec<String>,
    /// Record the connection into this pcapng file (made-up Ethernet/IP/TCP headers around the real
    /// bytes), each session's key log line in a Decryption Secrets Block: Wireshark and
    /// `tls12-sim inspect` open it with nothing else.
    #[arg(long, value_name = "FILE")]
    pcap: Option<PathBuf>,
    /// After the first connection, connect N more times, each offering the session of the one
    /// before; standard error says whether the server resumed it.
    #[arg(long, value_name = "N", default_value_t = 0)]
    reconnect: u32,
    /// Offer the session saved in FILE (by --session-out) in the first connection.
    #[arg(long, value_name = "FILE")]
    session_in: Option<PathBuf>,
    /// Save the (last) connection's session to FILE, as JSON: its id or ticket and its master
    /// secret (keep the file as secret as a key).
    #[arg(long, value_name = "FILE")]
    session_out: Option<PathBuf>,
    /// Do not offer the session_ticket extension (RFC 5077): sessions are resumed by id only.
    #[arg(long)]
    no_tickets: bool,
}

#[derive(clap::Args)]
struct LoadArgs {
    /// HOST:PORT of the server.
    address: String,
    /// How many handshakes to make in all.
    #[arg(long, default_value_t = 200)]
    connections: usize,
    /// How many handshakes are in flight at once (one worker thread each).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..))]
    concurrency: u64,
    /// Open this many TCP connections first and hold them open to the end, sending nothing (as a
    /// browser's spare connection does); a server that waits on one must not stall the rest.
    #[arg(long, default_value_t = 0)]
    idle: usize,
    /// Offer only this suite (default: all twelve, GCM first).
    #[arg(long)]
    suite: Option<String>,
    /// Trust anchors, PEM (default: the embedded demo CA, with its CRL).
    #[arg(long)]
    ca: Option<PathBuf>,
    /// Name for SNI and the certificate check (default: the host in HOST:PORT).
    #[arg(long)]
    server_name: Option<String>,
    /// A handshake not done within this many seconds (TCP connect included) fails as "timed
    /// out".
    #[arg(long, default_value_t = 10, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
    /// Start no handshake after this many seconds; those left are reported as not started.
    #[arg(long, value_name = "SECONDS")]
    time_limit: Option<u64>,
    /// Record every connection into this pcapng file (made-up Ethernet/IP/TCP headers around the real
    /// bytes), each session's key log line in a Decryption Secrets Block: Wireshark and
    /// `tls12-sim inspect` open it with nothing else.
    #[arg(long, value_name = "FILE")]
    pcap: Option<PathBuf>,
    /// Resumed handshakes: each worker offers the session of its previous connection, by
    /// session id or by ticket (the report counts how many the server resumed).
    #[arg(long, value_enum, value_name = "HOW")]
    resume: Option<ResumeArg>,
}

#[derive(clap::Args)]
struct InspectArgs {
    /// The capture: pcap or pcapng (Ethernet, Linux cooked, raw IP or loopback; IPv4, IPv6);
    /// `-` reads it from standard input (`zcat my.pcap.gz | tls12-sim inspect -`).
    capture: PathBuf,
    /// An NSS key log (CLIENT_RANDOM lines), as browsers, curl and `openssl s_client
    /// -keylogfile` write it; may be given more than once. A pcapng's own Decryption Secrets
    /// Blocks are read too.
    #[arg(long)]
    keylog: Vec<PathBuf>,
    /// The server's RSA private key (PEM): opens RSA key exchange, not ECDHE.
    #[arg(long)]
    key: Option<PathBuf>,
    /// Explain this connection (its number in the list, Wireshark's tcp.stream), or `all`.
    #[arg(long, value_name = "N|all")]
    stream: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The language of the explanations, in the text and HTML output.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
}

#[derive(clap::Args)]
struct PkiArgs {
    /// The directory to write the PEM files into.
    #[arg(long)]
    out: PathBuf,
    /// Make a new PKI (new keys) instead of writing the embedded demo one.
    #[arg(long)]
    fresh: bool,
    /// With --fresh: the seed of the new keys (default: from the operating system).
    #[arg(long, requires = "fresh", allow_negative_numbers = true, value_parser = parse_seed)]
    seed: Option<u64>,
}

#[derive(clap::Args)]
struct LabArgs {
    /// The lab to run, e.g. forward-secrecy.
    name: Option<String>,
    /// List the labs.
    #[arg(long)]
    list: bool,
    /// The language of the lab's text (and of the list's summaries).
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Annotated text for people.
    Text,
    /// JSON for tools (records and secrets in hex; docs/trace-format.md).
    Json,
    /// A mermaid sequence diagram of the run.
    Mermaid,
    /// One self-contained web page: every record, byte and derived value, and the key ledger.
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    /// English.
    En,
    /// Japanese (日本語): the explanations; field names and RFC terms stay as in the RFC.
    Ja,
}

impl From<LangArg> for Lang {
    fn from(lang: LangArg) -> Lang {
        match lang {
            LangArg::En => Lang::En,
            LangArg::Ja => Lang::Ja,
        }
    }
}

#[derive(clap::Args)]
struct SimulateArgs {
    /// Cipher suite, IANA name (TLS_RSA_WITH_AES_128_GCM_SHA256, ...) or OpenSSL name.
    #[arg(long, default_value = "TLS_RSA_WITH_AES_128_GCM_SHA256")]
    suite: String,
    /// Seed for both sides' RNGs: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = parse_seed)]
    seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The language of the explanations, in the text and HTML output. JSON and mermaid stay in
    /// English: JSON is for tools, and the diagram's labels are message names.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
    /// Append the NSS key log line (CLIENT_RANDOM ...) to this file, for Wireshark (a line already
    /// in it is not written again).
    #[arg(long)]
    keylog: Option<PathBuf>,
    /// Leave extended_master_secret (RFC 7627) out, to see the classic master secret.
    #[arg(long)]
    no_ems: bool,
    /// Leave encrypt_then_mac (RFC 7366) out: a CBC suite's records are MAC-then-encrypt.
    #[arg(long)]
    no_etm: bool,
    /// The clock both sides use, in Unix seconds.
    #[arg(long, default_value_t = DEFAULT_SIMULATION_TIME)]
    time: u64,
    /// Mutual TLS: the server requires a client certificate (from the embedded demo PKI).
    #[arg(long)]
    mtls: bool,
    /// With --mtls, which demo client connects.
    #[arg(long, value_enum, default_value_t = ClientArg::Alice, requires = "mtls")]
    client: ClientArg,
    /// Session resumption: a full handshake, then a second connection that resumes its
    /// session by session ID (the server's cache) or by ticket (RFC 5077); the trace is the
    /// second's, the abbreviated handshake.
    #[arg(long, value_enum, value_name = "HOW")]
    resume: Option<ResumeArg>,
}

/// How `simulate --resume` resumes.
#[derive(Clone, Copy, ValueEnum)]
enum ResumeArg {
    /// By session ID: the server keeps the session in its cache.
    Id,
    /// By ticket: the server keeps nothing, the client hands the sealed session back.
    Ticket,
}

impl From<ResumeArg> for Resumption {
    fn from(how: ResumeArg) -> Self {
        match how {
            ResumeArg::Id => Resumption::SessionId,
            ResumeArg::Ticket => Resumption::Ticket,
        }
    }
}

/// The demo clients of `simulate --mtls`.
#[derive(Clone, Copy, ValueEnum)]
enum ClientArg {
    /// A valid certificate from the demo CA.
    Alice,
    /// An expired certificate.
    Bob,
    /// A revoked certificate.
    Carol,
    /// A certificate from a CA the server does not trust.
    Mallory,
    /// No certificate at all.
    None,
}

impl From<ClientArg> for Option<DemoClient> {
    fn from(client: ClientArg) -> Self {
        match client {
            ClientArg::Alice => Some(DemoClient::Alice),
            ClientArg::Bob => Some(DemoClient::Bob),
            ClientArg::Carol => Some(DemoClient::Carol),
            ClientArg::Mallory => Some(DemoClient::Mallory),
            ClientArg::None => None,
        }
    }
}

impl Default for SimulateArgs {
    fn default() -> Self {
        SimulateArgs {
            suite: CipherSuite::RsaAes128GcmSha256.name().into(),
            seed: 1,
            format: Format::Text,
            lang: LangArg::En,
            keylog: None,
            no_ems: false,
            no_etm: false,
            time: DEFAULT_SIMULATION_TIME,
            mtls: false,
            client: ClientArg::Alice,
            resume: None,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => simulate_command(SimulateArgs::default()),
        Some(Command::Simulate(args)) => simulate_command(args),
        Some(Command::Lab(args)) => lab_command(args),
        Some(Command::Serve(args)) => serve_command(args),
        Some(Command::Connect(args)) => connect_command(args),
        Some(Command::Load(args)) => load_command(args),
        Some(Command::Inspect(args)) => inspect_command(args),
        Some(Command::Pki(args)) => pki_command(args),
        Some(Command::Bench(args)) => bench_command(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            err_line(&format!("tls12-sim: {e}"));
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Printing: a closed pipe is not an error

/// Writes `text` to standard output. When the reader has gone (`tls12-sim ... | head -1`), the
/// program ends here, quietly and with status 0, as `rg` and `bat` do: there is nobody left to
/// read the rest, and that is not a failure. Any other write error ends it with a message.
fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if e.kind() == ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        err_line(&format!("tls12-sim: cannot write to standard output: {e}"));
        std::process::exit(1);
    }
}

/// A line on standard error. If standard error is closed too, there is nobody to tell.
fn err_line(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// Standard output as `connect` writes what the server sent: a closed pipe ends the program
/// quietly (see [`out`]) instead of failing the connection as a transport error.
struct PipeAwareStdout;

impl Write for PipeAwareStdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        out(&String::from_utf8_lossy(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A seed: a whole number from 0 to 2^64 - 1 (clap would call `-1` an unknown argument).
fn parse_seed(text: &str) -> Result<u64, String> {
    text.parse::<u64>().map_err(|_| {
        format!(
            "a seed is a whole number from 0 to {}, not {text:?}",
            u64::MAX
        )
    })
}

fn bench_command(args: BenchArgs) -> Result<ExitCode, Error> {
    err_line(&format!(
        "measuring ({}) ...",
        if args.quick {
            "quick"
        } else {
            "about a minute"
        }
    ));
    out(&tls12_sim::bench::run(args.quick)?);
    Ok(ExitCode::SUCCESS)
}

fn parse_suite(name: &str) -> Result<CipherSuite, Error> {
    CipherSuite::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = CipherSuite::ALL.iter().map(|s| s.name()).collect();
        Error::Config(phrase!(
            "unknown suite {}; choose one of: {}",
            format!("{:?}", name),
            known.join(", ")
        ))
    })
}

fn simulate_command(args: SimulateArgs) -> Result<ExitCode, Error> {
    if let Some(path) = &args.keylog {
        check_output_file("--keylog", path)?;
    }
    let client_certificate: Option<DemoClient> = args.client.into();
    let options = Options {
        suite: parse_suite(&args.suite)?,
        seed: args.seed,
        time: args.time,
        extended_master_secret: !args.no_ems,
        encrypt_then_mac: !args.no_etm,
        mtls: args.mtls,
        client_certificate: if args.mtls { client_certificate } else { None },
        resume: args.resume.map(Resumption::from),
        ..Options::default()
    };
    if matches!(args.lang, LangArg::Ja) && matches!(args.format, Format::Json | Format::Mermaid) {
        err_line(
            "note: --lang ja translates the text and HTML output; JSON and mermaid stay in English",
        );
    }
    let report = simulate::run(&options)?;
    if let (Some(path), Some(line)) = (&args.keylog, &report.keylog) {
        append_keylog(path, line)?;
    }
    match args.format {
        Format::Text => out(&report::render_text(&options, &report, args.lang.into())),
        Format::Json => out(&format!("{}\n", report::render_json(&options, &report))),
        Format::Mermaid => out(&tls12_sim::render::render_mermaid(&report.events)),
        Format::Html => out(&report::render_html(&options, &report, args.lang.into())),
    }
    Ok(match &report.outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            err_line(&format!(
                "tls12-sim: the handshake failed at the {}: {}",
                failure.side.name(),
                failure.error
            ));
            ExitCode::FAILURE
        }
    })
}

fn lab_command(args: LabArgs) -> Result<ExitCode, Error> {
    match args.name {
        Some(name) if !args.list => {
            out(&tls12_sim::labs::run(&name, args.lang.into())?);
        }
        _ => out(&tls12_sim::labs::list(args.lang.into())),
    }
    Ok(ExitCode::SUCCESS)
}

fn append_keylog(path: &Path, line: &str) -> Result<(), Error> {
    net::append(path, line).map_err(|e| {
        Error::Config(phrase!(
            "cannot write key log {}: {}",
            path.display().to_string(),
            e.to_string()
        ))
    })
}

/// Checks, before any work is done, that the file given with `option` can be written: not a
/// directory, in a directory that exists, and writable (it is created if missing, never
/// truncated here). An output that cannot be written is refused at start-up, with a non-zero
/// exit, rather than after the work it was to record.
fn check_output_file(option: &str, path: &Path) -> Result<(), Error> {
    let shown = path.display().to_string();
    if path.is_dir() {
        return Err(Error::Config(phrase!(
            "{} {}: a directory, not a file; give a file name",
            option,
            shown
        )));
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent.filter(|p| !p.is_dir()) {
        return Err(Error::Config(phrase!(
            "{} {}: the directory {} does not exist",
            option,
            shown.clone(),
            parent.display().to_string()
        )));
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map(|_| ())
        .map_err(|e| {
            Error::Config(phrase!(
                "{} {}: cannot be written: {}",
                option,
                shown.clone(),
                e.to_string()
            ))
        })
}

/// The pcapng file of `--pcap`, created (or emptied) now: a file that cannot be written is
/// refused before any connection.
fn pcap_writer(
    path: Option<&Path>,
) -> Result<Option<std::sync::Arc<tls12_sim::capture::writer::PcapWriter>>, Error> {
    path.map(|path| {
        check_output_file("--pcap", path)?;
        tls12_sim::capture::writer::PcapWriter::create(path).map(std::sync::Arc::new)
    })
    .transpose()
}

/// The text of the file given with `option`. PEM is text: a file that is not (DER, say) is
/// named as such.
fn read_text_file(option: &str, path: &Path) -> Result<String, Error> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        Error::Config(phrase!(
            "{} {}: cannot be read: {}",
            option,
            shown.clone(),
            e.to_string()
        ))
    })?;
    String::from_utf8(bytes).map_err(|_| {
        Error::Config(phrase!(
            "{} {}: expected PEM text, found binary data (DER? `openssl x509 -inform der` \
             converts a certificate)",
            option,
            shown.clone()
        ))
    })
}

/// Reads a `--keylog` file: text, or an error that says what it looks like instead.
fn read_keylog_file(path: &Path) -> Result<String, Error> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        Error::Config(phrase!(
            "{} {}: cannot be read: {}",
            "--keylog",
            shown.clone(),
            e.to_string()
        ))
    })?;
    String::from_utf8(bytes).map_err(|_| {
        Error::Config(phrase!(
            "--keylog {}: binary data, not a key log (an NSS key log is text: CLIENT_RANDOM \
             lines). A capture file is the CAPTURE argument; a pcapng's own key log is read \
             from it",
            shown.clone()
        ))
    })
}

/// Reads the file given with `option` and loads it with `load` (a certificate chain, a key,
/// CRLs); an error names the option and the file, then what was expected and what was found.
fn load_file<T>(
    option: &str,
    path: &Path,
    load: impl FnOnce(&str) -> Result<T, Error>,
) -> Result<T, Error> {
    let text = read_text_file(option, path)?;
    load(&text).map_err(|e| about_file(option, path, &e))
}

/// `--cert` and `--key`: the chain, and the private key of its first certificate, which must
/// be an RSA key (refused now, by name, rather than at every handshake).
fn load_identity(cert: &Path, key: &Path) -> Result<Identity, Error> {
    let chain = load_file("--cert", cert, pki::load_certificates_pem)?;
    let key = load_file("--key", key, pki::load_private_key_pem)?;
    if let Some(leaf) = chain.first() {
        pki::parse_certificate(leaf)
            .and_then(|c| pki::rsa_public_key(&c))
            .map_err(|e| about_file("--cert", cert, &e))?;
    }
    Ok(Identity { chain, key })
}

/// `error`, about the file given with `option`: "--crl FILE: the CRL from ... is not signed".
fn about_file(option: &str, path: &Path, error: &Error) -> Error {
    Error::Config(phrase!(
        "{} {}: {}",
        option,
        path.display().to_string(),
        error.reason()
    ))
}

fn serve_command(args: ServeArgs) -> Result<ExitCode, Error> {
    if let Some(path) = &args.keylog {
        check_output_file("--keylog", path)?;
    }
    if let Some(path) = &args.html {
        check_output_file("--html", path)?;
    }
    let identity = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => load_identity(cert, key)?,
        _ => demo_pki::server()?,
    };
    if !pki::key_matches_certificate(&identity.key, &identity.chain[0]) {
        err_line(
            "warning: the private key does not match the certificate: every handshake will fail \
             (RSA key exchange at the client's Finished, with bad_record_mac: the server decrypts \
             a different pre-master; ECDHE at the ServerKeyExchange, with decrypt_error: the \
             client cannot verify the signature)",
        );
    }
    let suites = if args.suites.is_empty() {
        CipherSuite::ALL.to_vec()
    } else {
        args.suites
            .iter()
            .map(|name| parse_suite(name))
            .collect::<Result<_, _>>()?
    };
    let (client_auth, client_trust) = client_auth(&args)?;
    let ticket_keys = ticket_keys(&args)?;
    let options = ServeOptions {
        listen: args.listen,
        client_auth,
        client_trust,
        identity,
        suites,
        allow_extended_master_secret: !args.no_ems,
        allow_encrypt_then_mac: !args.no_etm,
        keylog: args.keylog,
        trace: args.trace,
        html: args.html,
        lang: args.lang.into(),
        once: args.once,
        read_timeout: Duration::from_millis(args.read_timeout_ms),
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        alpn_optional: args.alpn_optional,
        session_cache: (args.session_cache > 0).then(|| {
            Arc::new(session::SessionCache::new(
                args.session_cache,
                args.session_lifetime,
            ))
        }),
        ticket_keys,
        pcap: pcap_writer(args.pcap.as_deref())?,
    };
    let served = net::serve(options)?;
    Ok(match served.result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            report_failure(&e);
            ExitCode::FAILURE
        }
    })
}

/// Mutual TLS for `serve`: whether it asks for client certificates, and the CAs and CRLs it
/// checks them against (a CRL we cannot trust is refused now, not at the first client).
fn client_auth(args: &ServeArgs) -> Result<(ClientAuth, pki::TrustStore), Error> {
    let client_ca = match &args.client_ca {
        Some(path) => load_file("--client-ca", path, pki::load_certificates_pem)?,
        None => Vec::new(),
    };
    let crls = match &args.crl {
        Some(path) => load_file("--crl", path, pki::load_crls_pem)?,
        None => Vec::new(),
    };
    let client_trust = pki::TrustStore::new(&client_ca, &crls).map_err(|e| match &args.crl {
        Some(path) => about_file("--crl", path, &e),
        None => e,
    })?;
    let client_auth = if args.require_client_cert {
        ClientAuth::Require
    } else if args.request_client_cert {
        ClientAuth::Request
    } else {
        ClientAuth::None
    };
    Ok((client_auth, client_trust))
}

/// `serve`'s ticket keys, shared by all its connections: a first key from the operating
/// system's randomness; none with `--no-tickets`.
fn ticket_keys(args: &ServeArgs) -> Result<Option<Arc<session::TicketKeys>>, Error> {
    if args.no_tickets {
        return Ok(None);
    }
    let mut rng = tls12_sim::rng::RoleRng::from_os(tls12_sim::rng::Side::Server)?;
    let now = tls12_sim::rng::Clock::System.now();
    Ok(Some(Arc::new(session::TicketKeys::new(
        &mut rng,
        now,
        args.session_lifetime,
    ))))
}

fn connect_command(args: ConnectArgs) -> Result<ExitCode, Error> {
    if let Some(path) = &args.keylog {
        check_output_file("--keylog", path)?;
    }
    if let Some(path) = &args.html {
        check_output_file("--html", path)?;
    }
    let trust = match &args.ca {
        Some(path) => ServerTrust::Anchors(
            pki::TrustStore::new(&load_file("--ca", path, pki::load_certificates_pem)?, &[])
                .map_err(|e| about_file("--ca", path, &e))?,
        ),
        None => ServerTrust::Anchors(demo_pki::trust_store()?),
    };
    let identity = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => Some(load_identity(cert, key)?),
        _ => None,
    };
    let suites = match &args.suite {
        Some(name) => vec![parse_suite(name)?],
        None => CipherSuite::ALL.to_vec(),
    };
    if let Some(path) = &args.session_out {
        check_output_file("--session-out", path)?;
    }
    let session_in = match &args.session_in {
        Some(path) => Some(
            session::Session::from_json(&read_text_file("--session-in", path)?)
                .map_err(|e| about_file("--session-in", path, &e))?,
        ),
        None => None,
    };
    let send = match &args.send {
        Some(text) => format!("{text}\n").into_bytes(),
        None => net::read_stdin()?,
    };
    let options = ConnectOptions {
        address: args.address,
        server_name: args.server_name,
        trust,
        suites,
        offer_extended_master_secret: !args.no_ems,
        offer_encrypt_then_mac: !args.no_etm,
        keylog: args.keylog,
        trace: args.trace,
        html: args.html,
        lang: args.lang.into(),
        send,
        idle: Duration::from_millis(args.idle_ms),
        timeout: Duration::from_secs(args.timeout.max(1)),
        identity,
        alpn: args.alpn,
        pcap: pcap_writer(args.pcap.as_deref())?,
        offer_tickets: !args.no_tickets,
        session_in,
        session_out: args.session_out,
        reconnect: args.reconnect,
    };
    match net::connect(&options, &mut PipeAwareStdout) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            report_failure(&e);
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Runs the load and prints its report; fails (status 1) if any handshake failed or was not
/// started, or the server closed an idle connection early.
fn load_command(args: LoadArgs) -> Result<ExitCode, Error> {
    let trust = match &args.ca {
        Some(path) => ServerTrust::Anchors(
            pki::TrustStore::new(&load_file("--ca", path, pki::load_certificates_pem)?, &[])
                .map_err(|e| about_file("--ca", path, &e))?,
        ),
        None => ServerTrust::Anchors(demo_pki::trust_store()?),
    };
    let suites = match &args.suite {
        Some(name) => vec![parse_suite(name)?],
        None => CipherSuite::ALL.to_vec(),
    };
    let options = tls12_sim::load::LoadOptions {
        address: args.address,
        server_name: args.server_name,
        trust,
        suites,
        connections: args.connections,
        concurrency: usize::try_from(args.concurrency).unwrap_or(usize::MAX),
        idle: args.idle,
        timeout: Duration::from_secs(args.timeout),
        time_limit: args.time_limit.map(Duration::from_secs),
        pcap: pcap_writer(args.pcap.as_deref())?,
        resume: args.resume.map(Resumption::from),
    };
    let report = tls12_sim::load::run(&options)?;
    out(&report.to_string());
    Ok(if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn inspect_command(args: InspectArgs) -> Result<ExitCode, Error> {
    use tls12_sim::inspect::{InspectFormat, InspectOptions, Which};
    let which = match args.stream.as_deref() {
        None => Which::List,
        Some("all") => Which::All,
        Some(number) => Which::One(number.parse().map_err(|_| {
            Error::Config(phrase!(
                "--stream {}: a connection number from the list, or all",
                number.to_string()
            ))
        })?),
    };
    let mut keylogs = Vec::new();
    for path in &args.keylog {
        keylogs.push((path.display().to_string(), read_keylog_file(path)?));
    }
    let server_key = match &args.key {
        Some(path) => Some((
            path.display().to_string(),
            load_file("--key", path, pki::load_private_key_pem)?,
        )),
        None => None,
    };
    let options = InspectOptions {
        capture: &args.capture,
        keylogs,
        server_key,
        which,
        format: match args.format {
            Format::Text => InspectFormat::Text,
            Format::Json => InspectFormat::Json,
            Format::Mermaid => InspectFormat::Mermaid,
            Format::Html => InspectFormat::Html,
        },
        lang: args.lang.into(),
    };
    out(&tls12_sim::inspect::run(options)?);
    Ok(ExitCode::SUCCESS)
}

fn pki_command(args: PkiArgs) -> Result<ExitCode, Error> {
    if args.fresh {
        let seed = match args.seed {
            Some(seed) => seed,
            None => {
                let mut bytes = [0u8; 8];
                tls12_sim::rng::RoleRng::from_os(tls12_sim::rng::Side::Server)?.fill(&mut bytes);
                u64::from_le_bytes(bytes)
            }
        };
        err_line(&format!(
            "making a new PKI (eight RSA-2048 keys) from seed {seed} ..."
        ));
        demo_pki::write_files(&args.out, &demo_pki::make(seed)?)?;
    } else {
        demo_pki::write(&args.out)?;
    }
    let mut text = format!("wrote the demo PKI to {}:\n", args.out.display());
    for (name, _) in demo_pki::FILES {
        text.push_str(&format!("  {name}\n"));
    }
    text.push_str(&format!(
        "Check it with OpenSSL, e.g.: openssl verify -CAfile {0}/ca.pem -crl_check -CRLfile \
         {0}/crl.pem {0}/revoked.pem\n",
        args.out.display()
    ));
    out(&text);
    Ok(ExitCode::SUCCESS)
}

/// Names the alert of a failed handshake on standard error.
fn report_failure(e: &Error) {
    match e.any_alert() {
        Some(alert) if matches!(e, Error::PeerAlert(_)) => err_line(&format!(
            "tls12-sim: handshake failed: the peer sent the alert {}",
            alert.name()
        )),
        Some(alert) => err_line(&format!(
            "tls12-sim: handshake failed: {e} (sent the alert {})",
            alert.name()
        )),
        None => err_line(&format!("tls12-sim: failed: {e}")),
    }
}
