//! OpenSSL on the same machine: `openssl speed` for the same operations, so that the summary
//! can set RustCrypto's figures beside hand-tuned C and assembly. Optional: without an
//! `openssl` command there is simply no such section.

use std::process::Command;

/// What `openssl speed` measured: nanoseconds per operation (RSA private op, X25519) and per
/// 16 KiB of AES-GCM.
#[derive(Clone, Debug, Default)]
pub struct OpenSslSpeed {
    /// What `openssl version` says.
    pub version: String,
    /// One RSA-2048 private-key operation (OpenSSL's "sign").
    pub rsa2048_private_ns: Option<f64>,
    /// One RSA-2048 public-key operation (OpenSSL's "verify").
    pub rsa2048_public_ns: Option<f64>,
    /// One X25519 operation (one scalar multiplication).
    pub x25519_ns: Option<f64>,
    /// AES-128-GCM on 16 KiB.
    pub aes128gcm_16k_ns: Option<f64>,
    /// AES-256-GCM on 16 KiB.
    pub aes256gcm_16k_ns: Option<f64>,
}

/// Runs `openssl speed` (about `seconds` per measurement), if OpenSSL is installed.
pub fn openssl_speed(seconds: u32) -> Option<OpenSslSpeed> {
    let version = run(&["version"])?.trim().to_string();
    let secs = seconds.to_string();
    let mut speed = OpenSslSpeed {
        version,
        ..OpenSslSpeed::default()
    };
    if let Some(text) = run(&["speed", "-seconds", &secs, "rsa2048"]) {
        (speed.rsa2048_private_ns, speed.rsa2048_public_ns) = parse_rsa2048(&text);
    }
    if let Some(text) = run(&["speed", "-seconds", &secs, "ecdhx25519"]) {
        speed.x25519_ns = parse_x25519(&text);
    }
    for (cipher, slot) in [
        ("aes-128-gcm", &mut speed.aes128gcm_16k_ns),
        ("aes-256-gcm", &mut speed.aes256gcm_16k_ns),
    ] {
        if let Some(text) = run(&[
            "speed", "-seconds", &secs, "-bytes", "16384", "-evp", cipher,
        ]) {
            *slot = parse_aes_16k(&text, cipher);
        }
    }
    Some(speed)
}

/// `openssl ARGS`'s standard output, if it ran and succeeded.
fn run(args: &[&str]) -> Option<String> {
    let out = Command::new("openssl").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// (private, public) nanoseconds per RSA-2048 operation.
fn parse_rsa2048(text: &str) -> (Option<f64>, Option<f64>) {
    // "rsa 2048 bits 0.000578s 0.000016s   1730.4  62135.1": the last two are sign/s
    // (the private-key operation) and verify/s (the public-key one).
    let Some(line) = text.lines().find(|l| l.starts_with("rsa 2048 bits")) else {
        return (None, None);
    };
    let rates: Vec<f64> = line
        .split_whitespace()
        .rev()
        .take(2)
        .filter_map(|w| w.parse().ok())
        .collect();
    (
        rates.get(1).map(|r| 1e9 / r),
        rates.first().map(|r| 1e9 / r),
    )
}

/// Nanoseconds per X25519 operation.
fn parse_x25519(text: &str) -> Option<f64> {
    // " 253 bits ecdh (X25519)   0.0000s  42208.1": the last is operations per second.
    let line = text.lines().find(|l| l.contains("(X25519)"))?;
    line.split_whitespace()
        .last()
        .and_then(|w| w.parse::<f64>().ok())
        .map(|r| 1e9 / r)
}

/// Nanoseconds per 16 KiB of `cipher` (as `openssl speed -evp` names it, lower case).
fn parse_aes_16k(text: &str, cipher: &str) -> Option<f64> {
    // "AES-128-GCM   12345678.90k": thousands of bytes per second.
    let line = text
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with(cipher))?;
    let kbps = line
        .split_whitespace()
        .last()
        .and_then(|w| w.strip_suffix('k'))
        .and_then(|n| n.parse::<f64>().ok());
    kbps.map(|k| 16384.0 / (k * 1000.0) * 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_lines_become_nanoseconds() {
        let (private, public) = parse_rsa2048(
            "sign verify sign/s verify/s\nrsa 2048 bits 0.000578s 0.000016s 2000.0 50000.0\n",
        );
        assert_eq!((private, public), (Some(500_000.0), Some(20_000.0)));
        let x = parse_x25519(" 253 bits ecdh (X25519)   0.0000s  40000.0\n");
        assert_eq!(x, Some(25_000.0));
        let aes = parse_aes_16k("type 16384 bytes\nAES-128-GCM   16384.00k\n", "aes-128-gcm");
        assert!(aes.is_some_and(|ns| (ns - 1e6).abs() < 1e-3), "{aes:?}");
        assert_eq!(parse_x25519("nothing here"), None);
    }
}
