//! A load generator: `tls12-sim load HOST:PORT`. Many full TLS 1.2 handshakes with our own
//! [`Client`], several at once, optionally while idle connections are held open; the report
//! gives handshakes per second, latency percentiles and the failures by cause, like
//! `openssl s_time` but concurrent.
//!
//! **One handshake**, as measured: the TCP connect, the client's flights, and the check of the
//! server's Finished: the latency runs from the start of the TCP connect to that check. Then the
//! client sends close_notify and waits for the server's close_notify (or its close), outside the
//! latency, so that a worker's next connection does not overlap the server's work on this one:
//! with one worker the server really serves one connection at a time.
//!
//! **Workers**: `concurrency` threads take handshakes from one shared counter until
//! `connections` have been made, so the slow ones do fewer.
//!
//! **Idle connections**: before the first handshake, `idle` TCP connections are opened and held
//! to the end, sending nothing: what a browser's spare (preconnected) connection does. A server
//! that waits for a client's bytes in the thread that accepts stalls on the first of them until
//! its read timeout, and every handshake waits behind it; a server with a thread (or an event
//! loop) per connection does not notice them. At the end each is checked: one the server closed
//! (or reset, or sent anything to) counts as closed early.
//!
//! **Resumed** (`resume`): each worker makes one full handshake, then offers the session of
//! its last connection in every next one (by session id, or by ticket), so almost every
//! handshake is an abbreviated one (RFC 5246 7.3): no certificate, no key exchange, no private
//! key on the server. The report counts how many were resumed.
//!
//! **Timeouts**: each handshake must be done within `timeout` (connect included) or counts as a
//! failure, "timed out"; with a `time_limit`, no handshake starts after it, and those left are
//! reported as not started. Both keep a run against a stalled server bounded.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::capture::writer::{PcapWriter, Recording, Tap};
use crate::client::{Client, ClientConfig, ServerTrust};
use crate::error::Error;
use crate::key_exchange::SUPPORTED_SCHEMES;
use crate::phrase;
use crate::rng::{Clock, RoleRng, Side};
use crate::session::{Resumption, Session};
use crate::suites::CipherSuite;

/// How `tls12-sim load` runs.
pub struct LoadOptions {
    /// `HOST:PORT` of the server (resolved once, at the start).
    pub address: String,
    /// For SNI and the certificate's name check; defaults to the host part of `address`.
    pub server_name: Option<String>,
    /// Which server certificates to accept.
    pub trust: ServerTrust,
    /// The suites to offer, in order of preference.
    pub suites: Vec<CipherSuite>,
    /// How many handshakes to make in all.
    pub connections: usize,
    /// How many handshakes are in flight at once (worker threads; at least one).
    pub concurrency: usize,
    /// How many idle connections to open first and hold open to the end.
    pub idle: usize,
    /// A handshake not done within this long (TCP connect included) fails as "timed out".
    pub timeout: Duration,
    /// No handshake starts after this long from the first; the rest are not started.
    pub time_limit: Option<Duration>,
    /// Record every connection into this pcapng file, its key log line with it.
    pub pcap: Option<Arc<PcapWriter>>,
    /// Resumed handshakes: each worker offers the session of its previous connection, this
    /// way. `None`: every handshake is a full one.
    pub resume: Option<Resumption>,
}

/// What a load run did: its settings, and what came of them.
#[derive(Debug, Clone)]
pub struct LoadReport {
    /// The server's address, as resolved.
    pub target: SocketAddr,
    /// Handshakes asked for.
    pub connections: usize,
    /// Worker threads.
    pub concurrency: usize,
    /// Idle connections asked for.
    pub idle: usize,
    /// The suites offered.
    pub suites: Vec<CipherSuite>,
    /// Each handshake's timeout.
    pub timeout: Duration,
    /// From the first handshake's start to the last one's end (idle connections opened before).
    pub elapsed: Duration,
    /// The latency of each completed handshake, shortest first.
    pub latencies: Vec<Duration>,
    /// How many completed handshakes agreed on each suite.
    pub negotiated: BTreeMap<&'static str, usize>,
    /// Failed handshakes (and idle connections that could not be opened), counted by cause:
    /// the error's text, or "timed out".
    pub failures: BTreeMap<String, usize>,
    /// Handshakes not started because the time limit had passed.
    pub not_started: usize,
    /// Idle connections opened.
    pub idle_opened: usize,
    /// Idle connections the server closed, reset or wrote to before the end.
    pub idle_closed_early: usize,
    /// How the handshakes offered to resume, if they did.
    pub resume: Option<Resumption>,
    /// Completed handshakes that the server resumed.
    pub resumed: usize,
}

/// The settings one worker needs, shared by all of them.
struct Job {
    target: SocketAddr,
    pcap: Option<Arc<PcapWriter>>,
    config: ClientConfig,
    resume: bool,
    timeout: Duration,
    connections: usize,
    stop_starting: Option<Instant>,
}

/// What came of one handshake.
enum Outcome {
    Done {
        latency: Duration,
        suite: Option<CipherSuite>,
        resumed: bool,
    },
    Failed(String),
    NotStarted,
}

/// Runs the load: opens the idle connections, makes the handshakes with `concurrency` workers,
/// checks the idle connections, and reports. An address that does not resolve is an error;
/// everything that goes wrong with a connection is counted in the report.
pub fn run(options: &LoadOptions) -> Result<LoadReport, Error> {
    let target = resolve(&options.address)?;
    let config = ClientConfig {
        suites: options.suites.clone(),
        server_name: options
            .server_name
            .clone()
            .or_else(|| host_of(&options.address)),
        trust: options.trust.clone(),
        offer_extended_master_secret: true,
        offer_encrypt_then_mac: true,
        signature_schemes: SUPPORTED_SCHEMES.to_vec(),
        identity: None,
        offer_session_ticket: options.resume == Some(Resumption::Ticket),
        resume: None,
        alpn_protocols: Vec::new(),
    };
    let mut failures = BTreeMap::new();
    let idle = open_idle(target, options.idle, options.timeout, &mut failures);
    let started = Instant::now();
    let job = Job {
        target,
        pcap: options.pcap.clone(),
        config,
        resume: options.resume.is_some(),
        timeout: options.timeout,
        connections: options.connections,
        stop_starting: options.time_limit.map(|limit| started + limit),
    };
    // No more workers than handshakes: the others would have nothing to do.
    let workers = options.concurrency.clamp(1, options.connections.max(1));
    let outcomes = run_workers(&job, workers);
    let elapsed = started.elapsed();
    let idle_opened = idle.len();
    let idle_closed_early = idle.iter().filter(|s| closed_by_peer(s)).count();
    drop(idle);
    let mut report = LoadReport {
        target,
        connections: options.connections,
        concurrency: options.concurrency.max(1),
        idle: options.idle,
        suites: options.suites.clone(),
        timeout: options.timeout,
        elapsed,
        latencies: Vec::new(),
        negotiated: BTreeMap::new(),
        failures,
        not_started: 0,
        idle_opened,
        idle_closed_early,
        resume: options.resume,
        resumed: 0,
    };
    report.add(outcomes);
    Ok(report)
}

/// The first address `address` (`HOST:PORT`) resolves to.
fn resolve(address: &str) -> Result<SocketAddr, Error> {
    let cannot = |why: String| {
        Error::Config(phrase!(
            "cannot connect to {}: {}",
            address.to_string(),
            why
        ))
    };
    address
        .to_socket_addrs()
        .map_err(|e| cannot(e.to_string()))?
        .next()
        .ok_or_else(|| cannot("no address".to_string()))
}

/// The host part of `HOST:PORT` (without the brackets of an IPv6 address).
fn host_of(address: &str) -> Option<String> {
    address.rsplit_once(':').map(|(host, _)| {
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_string()
    })
}

/// Opens `count` TCP connections to `target` that send nothing; one that cannot be opened is
/// counted in `failures`.
fn open_idle(
    target: SocketAddr,
    count: usize,
    timeout: Duration,
    failures: &mut BTreeMap<String, usize>,
) -> Vec<TcpStream> {
    let mut idle = Vec::with_capacity(count);
    for _ in 0..count {
        match TcpStream::connect_timeout(&target, timeout) {
            Ok(stream) => idle.push(stream),
            Err(e) => {
                let cause = format!("idle connection: {}", connect_failure(&e));
                *failures.entry(cause).or_default() += 1;
            }
        }
    }
    idle
}

/// Whether the server closed, reset or wrote to an idle connection (which sent nothing).
fn closed_by_peer(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return true;
    }
    let mut byte = [0u8; 1];
    !matches!(stream.peek(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

/// Runs `workers` threads on `job`; returns every handshake's outcome.
fn run_workers(job: &Job, workers: usize) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..workers)
            .map(|_| scope.spawn(|| worker(job, &next)))
            .collect();
        threads
            .into_iter()
            .flat_map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|_| vec![Outcome::Failed("a worker panicked".to_string())])
            })
            .collect()
    })
}

/// One worker: takes the next handshake from the shared counter until all are taken; when
/// resuming, each offers the session of the worker's connection before.
fn worker(job: &Job, next: &AtomicUsize) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let mut session = None;
    while next.fetch_add(1, Ordering::Relaxed) < job.connections {
        let too_late = job.stop_starting.is_some_and(|stop| Instant::now() >= stop);
        outcomes.push(if too_late {
            Outcome::NotStarted
        } else {
            handshake_once(job, &mut session)
        });
    }
    outcomes
}

/// One connection: TCP connect, the handshake (the latency ends when the server's Finished has
/// been checked), then close_notify and the server's answer to it. With `job.resume`, it
/// offers `session` and leaves its own there for the next.
fn handshake_once(job: &Job, session: &mut Option<Session>) -> Outcome {
    let start = Instant::now();
    let stream = match TcpStream::connect_timeout(&job.target, job.timeout) {
        Ok(stream) => stream,
        Err(e) => return Outcome::Failed(connect_failure(&e)),
    };
    // Each flight goes out at once (Nagle's algorithm would hold a small write behind an
    // unacknowledged one: after an abbreviated handshake the client's Finished and its
    // close_notify are two writes in a row, and the server's delayed ACK would cost 40 ms).
    let _ = stream.set_nodelay(true);
    let rng = match RoleRng::from_os(Side::Client) {
        Ok(rng) => rng,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let mut config = job.config.clone();
    if job.resume {
        config.resume = session.take();
    }
    let mut client = Client::new(config, rng, Clock::System, false);
    let mut recording = match (&job.pcap, stream.local_addr(), stream.peer_addr()) {
        (Some(_), Ok(client), Ok(server)) => Some(Recording::new(client, server)),
        _ => None,
    };
    let deadline = Deadline {
        stream: &stream,
        until: start + job.timeout,
    };
    let mut wire = Tap::new(deadline, Side::Client, recording.as_mut());
    let result = client
        .send_hello(&mut wire)
        .and_then(|()| client.answer_server(&mut wire))
        .and_then(|()| client.finish(&mut wire));
    let latency = start.elapsed();
    if let Err(e) = result {
        return Outcome::Failed(failure_cause(&e));
    }
    close_politely(&mut client, &mut wire);
    if let (Some(pcap), Some(recording)) = (&job.pcap, &recording) {
        // A file that cannot be written does not fail the handshake it records.
        let _ = pcap.add(recording, client.conn().keylog_line().as_deref());
    }
    *session = client.session();
    Outcome::Done {
        latency,
        suite: client.conn().negotiated_suite(),
        resumed: client.resumed().is_some(),
    }
}

/// Sends close_notify and reads until the server's close_notify, its close or the deadline.
/// The handshake succeeded; what happens here is not counted.
fn close_politely(client: &mut Client, wire: &mut Tap<'_, Deadline<'_>>) {
    if client.close(wire).is_err() {
        return;
    }
    while let Ok(Some(_)) = client.receive(wire) {}
}

/// A failed handshake's cause, as counted: "timed out" for any timeout, else the error's text.
fn failure_cause(e: &Error) -> String {
    if e.is_timeout() {
        "timed out".to_string()
    } else {
        e.to_string()
    }
}

/// A failed TCP connect's cause, as counted.
fn connect_failure(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => "timed out".to_string(),
        _ => format!("cannot connect: {e}"),
    }
}

/// A TCP stream with one deadline for everything read and written through it: each call may
/// wait only for the time left.
struct Deadline<'a> {
    stream: &'a TcpStream,
    until: Instant,
}

impl Deadline<'_> {
    /// The time left, or a timeout error once there is none.
    fn left(&self) -> std::io::Result<Duration> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(std::io::ErrorKind::TimedOut.into())
        } else {
            Ok(left)
        }
    }
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.stream.set_read_timeout(Some(self.left()?))?;
        let mut stream = self.stream;
        stream.read(buf)
    }
}

impl Write for Deadline<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.stream.set_write_timeout(Some(self.left()?))?;
        let mut stream = self.stream;
        stream.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let mut stream = self.stream;
        stream.flush()
    }
}

/// The latency below which a fraction `p` (0 to 1) of `sorted` lies, by the nearest-rank
/// method: the smallest value with at least `p` of the values at or below it. `None` if there
/// are no values.
pub fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    let rank = (p.clamp(0.0, 1.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.max(1) - 1).copied()
}

impl LoadReport {
    /// Counts `outcomes` in.
    fn add(&mut self, outcomes: Vec<Outcome>) {
        for outcome in outcomes {
            match outcome {
                Outcome::Done {
                    latency,
                    suite,
                    resumed,
                } => {
                    self.latencies.push(latency);
                    self.resumed += usize::from(resumed);
                    let name = suite.map_or("?", |s| s.name());
                    *self.negotiated.entry(name).or_default() += 1;
                }
                Outcome::Failed(cause) => *self.failures.entry(cause).or_default() += 1,
                Outcome::NotStarted => self.not_started += 1,
            }
        }
        self.latencies.sort();
    }

    /// Handshakes completed.
    pub fn completed(&self) -> usize {
        self.latencies.len()
    }

    /// Failures of every cause (idle connections that could not be opened included).
    pub fn failed(&self) -> usize {
        self.failures.values().sum()
    }

    /// Completed handshakes per second of the run.
    pub fn handshakes_per_second(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.completed() as f64 / seconds
        } else {
            0.0
        }
    }

    /// The `p` percentile (0 to 1) of the completed handshakes' latencies.
    pub fn latency(&self, p: f64) -> Option<Duration> {
        percentile(&self.latencies, p)
    }

    /// The longest latency of a completed handshake.
    pub fn max_latency(&self) -> Option<Duration> {
        self.latencies.last().copied()
    }

    /// Every handshake completed, and every idle connection was opened and held to the end.
    pub fn is_clean(&self) -> bool {
        self.failed() == 0 && self.not_started == 0 && self.idle_closed_early == 0
    }
}

/// The report as `tls12-sim load` prints it: the settings, then throughput, latency, suites,
/// failures and the idle connections.
impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let suites = if self.suites.len() == CipherSuite::ALL.len() {
            "all twelve".to_string()
        } else {
            let names: Vec<&str> = self.suites.iter().map(|s| s.name()).collect();
            names.join(", ")
        };
        writeln!(
            f,
            "load: {} handshakes to {}, concurrency {}, {} idle connections held, suites \
             offered: {suites}, timeout {} s",
            self.connections,
            self.target,
            self.concurrency,
            self.idle,
            self.timeout.as_secs_f64()
        )?;
        writeln!(
            f,
            "  completed  {} of {} in {:.3} s: {:.1} handshakes/s",
            self.completed(),
            self.connections,
            self.elapsed.as_secs_f64(),
            self.handshakes_per_second()
        )?;
        let ms =
            |d: Option<Duration>| d.map_or("-".to_string(), |d| format!("{:.1} ms", millis(d)));
        writeln!(
            f,
            "  latency    p50 {}, p99 {}, max {} (TCP connect to the server's Finished checked)",
            ms(self.latency(0.5)),
            ms(self.latency(0.99)),
            ms(self.max_latency())
        )?;
        for (suite, count) in &self.negotiated {
            writeln!(f, "  suite      {suite}: {count}")?;
        }
        if let Some(how) = self.resume {
            writeln!(
                f,
                "  resumed    {} of {} completed (by {}; each worker's first is a full handshake)",
                self.resumed,
                self.completed(),
                how.name()
            )?;
        }
        self.fmt_failures(f)?;
        writeln!(
            f,
            "  idle       {} opened, {} closed early by the server",
            self.idle_opened, self.idle_closed_early
        )
    }
}

impl LoadReport {
    /// The failures by cause, most frequent first, and the handshakes not started.
    fn fmt_failures(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.failures.is_empty() {
            writeln!(f, "  failures   none")?;
        } else {
            writeln!(f, "  failures   {}", self.failed())?;
            let mut causes: Vec<(&String, &usize)> = self.failures.iter().collect();
            causes.sort_by(|a, b| b.1.cmp(a.1));
            for (cause, count) in causes {
                writeln!(f, "    {count:>6}  {cause}")?;
            }
        }
        if self.not_started > 0 {
            writeln!(
                f,
                "  not started {} (the time limit had passed)",
                self.not_started
            )?;
        }
        Ok(())
    }
}

/// A duration in milliseconds.
fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let sorted: Vec<Duration> = (1..=100).map(ms).collect();
        assert_eq!(percentile(&sorted, 0.5), Some(ms(50)));
        assert_eq!(percentile(&sorted, 0.99), Some(ms(99)));
        assert_eq!(percentile(&sorted, 1.0), Some(ms(100)));
        assert_eq!(percentile(&sorted, 0.0), Some(ms(1)));
        // 200 values: p99 is the 198th, so the two slowest are above it.
        let sorted: Vec<Duration> = (1..=200).map(ms).collect();
        assert_eq!(percentile(&sorted, 0.99), Some(ms(198)));
        // Few values: p50 of four is the second, p99 the last.
        let four = [ms(1), ms(2), ms(3), ms(40)];
        assert_eq!(percentile(&four, 0.5), Some(ms(2)));
        assert_eq!(percentile(&four, 0.99), Some(ms(40)));
        assert_eq!(percentile(&[ms(7)], 0.5), Some(ms(7)));
        assert_eq!(percentile(&[], 0.5), None);
    }

    fn report(outcomes: Vec<Outcome>, elapsed: Duration) -> LoadReport {
        let mut report = LoadReport {
            target: "127.0.0.1:4433".parse().unwrap(),
            connections: outcomes.len(),
            concurrency: 2,
            idle: 0,
            suites: CipherSuite::ALL.to_vec(),
            timeout: Duration::from_secs(10),
            elapsed,
            latencies: Vec::new(),
            negotiated: BTreeMap::new(),
            failures: BTreeMap::new(),
            not_started: 0,
            idle_opened: 0,
            idle_closed_early: 0,
            resume: None,
            resumed: 0,
        };
        report.add(outcomes);
        report
    }

    fn done(n: u64) -> Outcome {
        Outcome::Done {
            latency: ms(n),
            suite: Some(CipherSuite::RsaAes128GcmSha256),
            resumed: false,
        }
    }

    #[test]
    fn the_report_counts_and_sorts() {
        let r = report(
            vec![
                done(30),
                Outcome::Failed("timed out".into()),
                done(10),
                Outcome::NotStarted,
                done(20),
                Outcome::Failed("timed out".into()),
                done(40),
                Outcome::Failed("cannot connect: refused".into()),
            ],
            Duration::from_secs(2),
        );
        assert_eq!(r.completed(), 4);
        assert_eq!(r.latencies, vec![ms(10), ms(20), ms(30), ms(40)]);
        assert_eq!(r.handshakes_per_second(), 2.0);
        assert_eq!(r.latency(0.5), Some(ms(20)));
        assert_eq!(r.latency(0.99), Some(ms(40)));
        assert_eq!(r.max_latency(), Some(ms(40)));
        assert_eq!(r.failed(), 3);
        assert_eq!(r.failures["timed out"], 2);
        assert_eq!(r.not_started, 1);
        assert_eq!(r.negotiated["TLS_RSA_WITH_AES_128_GCM_SHA256"], 4);
        assert!(!r.is_clean());
        let text = r.to_string();
        assert!(
            text.contains("completed  4 of 8 in 2.000 s: 2.0 handshakes/s"),
            "{text}"
        );
        assert!(
            text.contains("p50 20.0 ms, p99 40.0 ms, max 40.0 ms"),
            "{text}"
        );
        // Most frequent cause first.
        let timed_out = text.find("timed out").unwrap();
        assert!(timed_out < text.find("cannot connect").unwrap(), "{text}");
    }

    #[test]
    fn an_empty_run_reports_without_dividing_by_zero() {
        let r = report(Vec::new(), Duration::ZERO);
        assert_eq!(r.handshakes_per_second(), 0.0);
        assert_eq!(r.latency(0.5), None);
        assert!(r.is_clean());
        assert!(r.to_string().contains("p50 -, p99 -, max -"));
    }
}
