//! The client's TCP connection as `serve` reads and writes it. It does three things a bare
//! `TcpStream` does not:
//!
//! - it remembers whether the last wait was for the client's bytes or for room to write, so a
//!   timeout is reported as the one it was ("no data from the client for 10 s", or "the client
//!   read nothing for 10 s");
//! - it holds a phase (the handshake) to a deadline, so a peer that sends one byte every few
//!   seconds cannot keep a thread for ever;
//! - it closes by lingering: after our close_notify it stops writing and reads what the client
//!   still sends until the client closes too (or goes quiet), so the kernel does not answer
//!   unread bytes with a reset that destroys our last records before the client reads them.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use super::seconds;
use crate::capture::writer::Recording;
use crate::error::Error;
use crate::phrase;
use crate::rng::Side;

/// How long a closing connection waits, at most, for the client to close its side.
const LINGER: Duration = Duration::from_secs(2);
/// A closing connection whose client sends nothing for this long is closed: what it had in
/// flight has arrived.
const QUIET: Duration = Duration::from_millis(200);

/// The client's connection.
pub(super) struct Peer {
    stream: TcpStream,
    /// The longest single wait for the client.
    timeout: Duration,
    /// The end of the current phase, if it has one, and the phase's length.
    deadline: Option<(Instant, Duration)>,
    /// What we last waited for.
    waiting: Waiting,
    /// Whether the client has sent a byte.
    spoke: bool,
    /// What the connection carried, for `serve --pcap`.
    recording: Option<Recording>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Waiting {
    ForData,
    ToWrite,
    ForDeadline,
}

impl Peer {
    /// A connection whose every wait for the client is at most `timeout`.
    pub(super) fn new(stream: TcpStream, timeout: Duration) -> Result<Peer, Error> {
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        Ok(Peer {
            stream,
            timeout,
            deadline: None,
            waiting: Waiting::ForData,
            spoke: false,
            recording: None,
        })
    }

    /// Waits for the client's first bytes and copies them into `buf`, leaving them to be read.
    pub(super) fn peek(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.arm()?;
        let seen = self.stream.peek(buf)?;
        self.spoke |= seen > 0;
        Ok(seen)
    }

    /// From now on, what is read and written is recorded into `recording` (`serve --pcap`).
    pub(super) fn record_into(&mut self, recording: Recording) {
        self.recording = Some(recording);
    }

    /// The recording, if there is one; recording stops.
    pub(super) fn take_recording(&mut self) -> Option<Recording> {
        self.recording.take()
    }

    /// Whether the client has sent anything at all.
    pub(super) fn spoke(&self) -> bool {
        self.spoke
    }

    /// From now on, everything must be done within `within` (`None`: no deadline).
    pub(super) fn set_deadline(&mut self, within: Option<Duration>) {
        self.deadline = within.map(|d| (Instant::now() + d, d));
    }

    /// A timeout in `error`, said as what it was; any other error as it is.
    pub(super) fn explain(&self, error: Error) -> Error {
        let timeout = self.timeout;
        let phase = self.deadline.map_or(timeout, |(_, length)| length);
        error.timeout_as(|| match self.waiting {
            Waiting::ForData => phrase!("no data from the client for {}", seconds(timeout)),
            Waiting::ToWrite => phrase!(
                "the client read nothing for {}: what we sent stayed unread",
                seconds(timeout)
            ),
            Waiting::ForDeadline => phrase!(
                "the client did not finish its handshake within {}",
                seconds(phase)
            ),
        })
    }

    /// Our side is done (close_notify, if any, already sent): stop writing, read and drop what
    /// the client still sends (its close_notify, a pipelined request) until it closes or is
    /// quiet for `QUIET`, at most `LINGER` in all, then close.
    pub(super) fn linger_and_close(mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
        let until = Instant::now() + LINGER;
        let mut sink = [0u8; 4096];
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            let wait = left.min(QUIET);
            if wait.is_zero() || self.stream.set_read_timeout(Some(wait)).is_err() {
                break;
            }
            match self.stream.read(&mut sink) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
        let _ = self.stream.shutdown(Shutdown::Both);
    }

    /// Sets the read timeout for the next wait: the shorter of `timeout` and what is left of
    /// the phase.
    fn arm(&mut self) -> std::io::Result<()> {
        let Some((end, _)) = self.deadline else {
            self.waiting = Waiting::ForData;
            return self.stream.set_read_timeout(Some(self.timeout));
        };
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            self.waiting = Waiting::ForDeadline;
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.waiting = if left < self.timeout {
            Waiting::ForDeadline
        } else {
            Waiting::ForData
        };
        self.stream.set_read_timeout(Some(left.min(self.timeout)))
    }
}

impl Read for Peer {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.arm()?;
        let got = self.stream.read(buf)?;
        self.spoke |= got > 0;
        if let Some(recording) = &mut self.recording {
            recording.record(Side::Client, &buf[..got]);
        }
        Ok(got)
    }
}

impl Write for Peer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.waiting = Waiting::ToWrite;
        let wrote = self.stream.write(buf)?;
        if let Some(recording) = &mut self.recording {
            recording.record(Side::Server, &buf[..wrote]);
        }
        Ok(wrote)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.stream.flush()
    }
}
