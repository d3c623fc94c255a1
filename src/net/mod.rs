//! Real connections over TCP: `serve` and `connect`. They run the very same client and server
//! flights as the simulator, on a `TcpStream` instead of the in-memory wire: there is no second
//! code path for the protocol.
//!
//! The server is for a classroom: each connection has its own thread (the protocol code stays
//! one thread per connection, so it still steps in a debugger), the accept loop never waits on
//! a peer, and whatever one connection does (garbage, a stall, a fatal alert) ends that
//! connection only. A browser that asks for a page gets the page of its own handshake.
//!
//! - [`serve`]: the accept loop, one thread per connection, the log line of each;
//! - `http`: what an HTTP request over TLS gets (the page of this connection, its JSON, its
//!   sequence diagram, or a short text for `curl` and scripts);
//! - [`connect`]: the client;
//! - `files`: the key log and web pages both write.

mod connect;
mod files;
mod http;
mod peer;
mod serve;

pub use connect::{ConnectOptions, connect};
pub use files::{append, read_stdin};
pub use serve::{ServeOptions, ServedConnection, serve};

use std::io::Write;
use std::time::Duration;

use crate::conn::Conn;
use crate::render::{self, Lang, TextOptions};

/// How a served connection ended, when it did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The handshake completed, and the connection closed with close_notify (ours answering
    /// the client's, or ours after an HTTP answer or a quiet client).
    Closed,
    /// The handshake completed, then the client closed the TCP connection without
    /// close_notify: browsers and many scripts do; the session itself was fine.
    ClientClosedWithoutCloseNotify,
    /// The client closed the TCP connection without sending a single byte: a browser's spare
    /// connection, or a port check. Not a TLS session at all.
    NothingSent,
    /// The client sent an HTTP request in the clear (`http://` for `https://`): it was
    /// answered with a 400 that says so. Not a TLS session either.
    PlainHttp,
}

/// Prints the events of a side's trace not printed yet (to standard error), when `print`.
fn print_trace(conn: &mut Conn, print: bool, lang: Lang) {
    let events = conn.unprinted_events();
    if print && !events.is_empty() {
        let _ = write!(
            std::io::stderr(),
            "{}",
            render::render_text(
                events,
                TextOptions {
                    show_received: true,
                    lang,
                }
            )
        );
    }
}

/// A duration in seconds, as a person says it: "10 s", "0.5 s".
fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs.fract() == 0.0 {
        format!("{secs:.0} s")
    } else {
        format!("{secs} s")
    }
}
