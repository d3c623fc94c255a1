//! The HTML trace (`simulate --format html`) in a real browser. Headless Chromium, driven through
//! chromedriver's W3C WebDriver HTTP API, opens each page from a file, and the test checks what a
//! reader would see:
//!
//! 1. the page loads with no network request (everything is inline);
//! 2. records start collapsed: the ClientHello's field table is not rendered;
//! 3. a click on its summary shows its labelled bytes and field table (`client_version`,
//!    `cipher_suite`, the suite's name);
//! 4. the client's Finished, expanded, shows the AES-GCM nonce and additional_data, equal to the
//!    values the JSON trace of the same seed gives;
//! 5. the master secret is on the page with the JSON trace's value;
//! 6. "expand all" and "collapse all" work;
//! 7. the ladder diagram is on screen at the top, above the records: one arrow per message of the
//!    JSON trace (its sender's copy), each linking to a record card; a failed run has its fatal
//!    alert in red and the failure marked; a click on an arrow opens its record and scrolls to it.
//!
//! A screenshot of each ladder and each expanded ClientHello is left in `target/browser/` for a
//! person to look at.
//! Needs `chromium` and `chromedriver` (Debian packages chromium and chromium-driver, installed
//! by ./scripts/install-test-deps.sh); without them the test prints SKIPPED, or fails when
//! TLS12SIM_REQUIRE_PEERS=1.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use base64ct::{Base64, Encoding};
use serde_json::{Value, json};

use common::peers::{BIN, Running, peer};

/// One page to look at.
struct Run {
    /// The stem of its files: `target/browser/<name>-clienthello.png`.
    name: &'static str,
    suite: &'static str,
    extra: &'static [&'static str],
    /// Whether the handshake fails (the page is written all the same, and the exit status is 1).
    fails: bool,
}

const RUNS: &[Run] = &[
    Run {
        name: "rsa-aes128",
        suite: "TLS_RSA_WITH_AES_128_GCM_SHA256",
        extra: &[],
        fails: false,
    },
    Run {
        name: "rsa-aes256",
        suite: "TLS_RSA_WITH_AES_256_GCM_SHA384",
        extra: &[],
        fails: false,
    },
    Run {
        name: "ecdhe-aes128",
        suite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        extra: &[],
        fails: false,
    },
    Run {
        name: "ecdhe-aes256",
        suite: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        extra: &[],
        fails: false,
    },
    Run {
        name: "rsa-aes128-mtls",
        suite: "TLS_RSA_WITH_AES_128_GCM_SHA256",
        extra: &["--mtls"],
        fails: false,
    },
    Run {
        name: "rsa-aes128-mtls-bob",
        suite: "TLS_RSA_WITH_AES_128_GCM_SHA256",
        extra: &["--mtls", "--client", "bob"],
        fails: true,
    },
    Run {
        name: "ecdhe-aes128-ja",
        suite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        extra: &["--lang", "ja"],
        fails: false,
    },
];

/// How long one WebDriver command may take before the test fails (starting Chromium on a busy
/// 2-core machine is the slow one).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

#[test]
fn html_trace_pages_in_headless_chromium() {
    let (Some(chromedriver), Some(chromium)) = (peer("chromedriver"), peer("chromium")) else {
        return;
    };
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let pages = target.join(format!("browser-{}", std::process::id()));
    let shots = target.parent().expect("target dir").join("browser");
    std::fs::create_dir_all(&pages).unwrap();
    std::fs::create_dir_all(&shots).unwrap();

    let started = Instant::now();
    let browser = Browser::start(&chromedriver, &chromium, &pages.join("profile"));
    eprintln!("browser started in {:?}", started.elapsed());
    for run in RUNS {
        let t = Instant::now();
        check_page(&browser, run, &pages, &shots);
        eprintln!("{:<16} ok in {:?}", run.name, t.elapsed());
    }
    drop(browser);
    eprintln!(
        "total {:?}; screenshots in {}",
        started.elapsed(),
        shots.display()
    );
    let _ = std::fs::remove_dir_all(&pages);
}

fn check_page(browser: &Browser, run: &Run, pages: &Path, shots: &Path) {
    let html = simulate(run, "html");
    let trace: Value = serde_json::from_str(&simulate(run, "json")).expect("JSON trace");
    let secret = |name: &str| -> String {
        trace["events"]
            .as_array()
            .expect("events")
            .iter()
            .find(|e| e["event"] == "secret" && e["side"] == "client" && e["name"] == name)
            .and_then(|e| e["value"].as_str())
            .unwrap_or_else(|| panic!("{}: no client {name} in the JSON trace", run.name))
            .to_string()
    };
    let context = run.name;

    // 1. Self-contained: nothing to fetch, checked in the source and then in the browser.
    for bad in [
        "<link",
        "<script src",
        "<img",
        "<iframe",
        "src=\"http",
        "href=\"http",
    ] {
        assert!(!html.contains(bad), "{context}: the page has {bad:?}");
    }
    let file = pages.join(format!("{}.html", run.name));
    std::fs::write(&file, &html).unwrap();
    browser.open(&file);
    let title = browser.title();
    assert_eq!(
        title,
        format!("tls12-sim: {} (seed 1)", run.suite),
        "{context}"
    );
    let fetched = browser.script("return performance.getEntriesByType('resource').length;");
    assert_eq!(fetched, json!(0), "{context}: the page fetched resources");
    check_ladder(browser, run, &trace, shots);

    // 2. Collapsed at first: the field table is in the DOM but not rendered.
    let hello = browser.find("#record-1");
    let table = browser.find("#record-1 table.fields");
    assert!(
        !browser.displayed(&table),
        "{context}: record 1 starts open"
    );
    assert_eq!(
        browser.text(&table),
        "",
        "{context}: hidden text is rendered"
    );
    let summary = browser.text(&browser.find("#record-1 > summary"));
    assert!(
        summary.contains("client → server") && summary.contains("ClientHello"),
        "{context}: record 1 is {summary:?}"
    );

    // 3. Click the summary: labelled bytes and the field table appear.
    browser.click(&browser.find("#record-1 > summary"));
    assert!(
        browser.displayed(&table),
        "{context}: the click did not open record 1"
    );
    let bytes = browser.find("#record-1 .bytes");
    assert!(browser.displayed(&bytes), "{context}: bytes not shown");
    let first = browser.find("#record-1 .bytes span.f");
    let label = browser.attribute(&first, "title");
    assert!(
        label.starts_with("content_type: handshake"),
        "{context}: first byte labelled {label:?}"
    );
    let text = browser.text(&hello);
    for want in ["client_version", "random", "cipher_suite", run.suite] {
        assert!(
            text.contains(want),
            "{context}: {want:?} not shown in\n{text}"
        );
    }
    if run.extra.contains(&"ja") {
        assert!(
            text.contains("ワイヤ上のバイト列"),
            "{context}: no Japanese heading"
        );
    }
    // An element screenshot is clipped to the viewport, and the window is tall enough for the
    // largest ClientHello card (scrolled to the top, under the ladder): check that it still is.
    let fits = browser.script(
        "var card = document.getElementById('record-1'); card.scrollIntoView(); \
         return card.getBoundingClientRect().bottom <= innerHeight;",
    );
    assert_eq!(fits, json!(true), "{context}: make the window taller");

    // Hovering over the cipher_suite row highlights its bytes in the hex grid (and the
    // screenshot shows which bytes those are).
    let row = browser.find_xpath("//*[@id='record-1']//tr[td[@class='label'][.='cipher_suite']]");
    let field = browser.attribute(&row, "data-f");
    browser.hover(&row);
    let span = browser.find(&format!("#record-1 .bytes span[data-f='{field}']"));
    let in_grid = browser.text(&span).replace(' ', "");
    assert_eq!(
        in_grid,
        browser.text(&browser.find_in(&row, "code")),
        "{context}"
    );
    let class = browser.attribute(&span, "class");
    assert!(
        class.split(' ').any(|c| c == "hl"),
        "{context}: hover did not highlight {field}: {class:?}"
    );
    let png = browser.screenshot(&hello);
    std::fs::write(shots.join(format!("{}-clienthello.png", run.name)), png).unwrap();

    // 4. The client's Finished: the first protected record, sealed with sequence number 0.
    let finished = browser.find_xpath(
        "//details[contains(@class,'client')][summary/span[@class='what'][.='Finished']]",
    );
    let gcm = browser.find_in(&finished, ".gcm");
    assert!(!browser.displayed(&gcm), "{context}: Finished starts open");
    browser.click(&browser.find_in(&finished, "summary"));
    let gcm = browser.text(&gcm);
    let nonce = format!("{}0000000000000000", secret("client_write_iv"));
    // seq_num 0 ‖ type handshake ‖ version 3,3 ‖ length 16 (the Finished message)
    let aad = "00000000000000001603030010";
    for want in ["nonce", &nonce, "additional_data", aad] {
        assert!(
            gcm.contains(want),
            "{context}: {want:?} not in the GCM block\n{gcm}"
        );
    }

    // 5. A derived value, with the JSON trace's hex.
    let master = browser.find_xpath("//div[contains(@class,'derived')][b[.='master_secret']]");
    let shown = browser.text(&master);
    let hex = secret("master_secret");
    assert!(
        shown.contains("master_secret") && shown.contains(&hex),
        "{context}: master_secret {hex} not shown in {shown:?}"
    );

    // 6. The buttons open and close every record.
    let count = |selector: &str| {
        browser.script(&format!(
            "return document.querySelectorAll('{selector}').length;"
        ))
    };
    browser.click(&browser.find("#expand"));
    assert_eq!(count("details.record:not([open])"), json!(0), "{context}");
    browser.click(&browser.find("#collapse"));
    assert_eq!(count("details.record[open]"), json!(0), "{context}");

    // 7. An arrow of the ladder opens its record and scrolls to it: the last one (the farthest
    // down the page), then the second of several messages in the server's first record.
    for arrow in [
        "svg.ladder a.arrow:last-of-type",
        "svg.ladder a.arrow[href='#record-2']:nth-of-type(3)",
    ] {
        browser.script("window.scrollTo(0, 0);");
        let arrow = browser.find(arrow);
        let href = browser.attribute(&arrow, "href");
        let id = href.trim_start_matches('#');
        let card = format!("document.getElementById('{id}')");
        assert_eq!(
            browser.script(&format!("return {card}.open;")),
            json!(false)
        );
        browser.click(&arrow);
        let seen = browser.script(&format!(
            "var r = {card}.getBoundingClientRect(); \
             return [{card}.open, location.hash, r.top > -2 && r.top < innerHeight - 40, scrollY > 0, r.top, innerHeight, scrollY];"
        ));
        assert_eq!(
            seen.as_array().map(|v| &v[..4]),
            Some(&[json!(true), json!(href), json!(true), json!(true)][..]),
            "{context}: a click on the arrow to {href} did not open it in view: \
             [open, hash, top in view, scrolled, top, innerHeight, scrollY] = {seen}"
        );
    }
}

/// Step 7, the ladder diagram: at the top of the page, above the first record; one arrow for each
/// message (and each record of application data or alert) its sender traced, each a link to a
/// record card; a failed run's fatal alert in red and its failure marked. Leaves a screenshot.
fn check_ladder(browser: &Browser, run: &Run, trace: &Value, shots: &Path) {
    let context = run.name;
    let svg = browser.find("svg.ladder");
    assert!(
        browser.displayed(&svg),
        "{context}: the ladder is not shown"
    );
    let place = browser.script(
        "var l = document.querySelector('svg.ladder').getBoundingClientRect(); \
         var r = document.getElementById('record-1').getBoundingClientRect(); \
         return [l.top > 0 && l.bottom < innerHeight, l.bottom < r.top, l.width > 500, l.height > 300];",
    );
    assert_eq!(
        place,
        json!([true, true, true, true]),
        "{context}: the ladder is not whole on the first screen, above the records"
    );
    let sent = trace["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["side"] == e["from"])
        .filter(|e| {
            e["event"] == "message"
                || (e["event"] == "record"
                    && [21, 23].contains(&e["content_type"].as_u64().unwrap()))
        })
        .count();
    let arrows = browser.script(
        "var a = document.querySelectorAll('svg.ladder a.arrow'); \
         var linked = Array.prototype.every.call(a, function (x) { \
           var t = document.getElementById(x.getAttribute('href').slice(1)); \
           return t !== null && t.tagName === 'DETAILS'; }); \
         return [a.length, linked, document.querySelectorAll('svg.ladder a.fatal').length, \
                 document.querySelectorAll('svg.ladder .failure').length];",
    );
    let failed = usize::from(run.fails);
    assert_eq!(
        arrows,
        json!([sent, true, failed, failed]),
        "{context}: [arrows, all linked to a record, fatal alerts, failures]"
    );
    if run.fails {
        let failure = browser.text(&browser.find("svg.ladder .failure"));
        assert!(
            failure.contains("server") && failure.contains("expired at"),
            "{context}: the failure says {failure:?}"
        );
    }
    let png = browser.screenshot(&svg);
    std::fs::write(shots.join(format!("{}-ladder.png", run.name)), png).unwrap();
}

/// `tls12-sim simulate` for `run` with `--format format`.
fn simulate(run: &Run, format: &str) -> String {
    let out = Command::new(BIN)
        .args(["simulate", "--suite", run.suite])
        .args(run.extra)
        .args(["--format", format])
        .output()
        .unwrap();
    assert!(
        out.status.success() != run.fails && !out.stdout.is_empty(),
        "{}: simulate --format {format}: {}",
        run.name,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A chromedriver process with one Chromium session. Dropping it ends the session (Chromium
/// quits) and kills chromedriver, so nothing outlives a failed test.
struct Browser {
    driver: Running,
    address: String,
    session: Option<String>,
}

/// The key under which WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    fn start(chromedriver: &Path, chromium: &Path, profile: &Path) -> Browser {
        // Port 0: chromedriver picks a free port and prints it.
        let mut command = Command::new(chromedriver);
        command.arg("--port=0");
        let mut driver = Running::spawn(command);
        let line = driver.wait_for("started successfully on port", COMMAND_TIMEOUT);
        let port: String = line
            .rsplit("port ")
            .next()
            .unwrap_or_default()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let mut browser = Browser {
            driver,
            address: format!("127.0.0.1:{port}"),
            session: None,
        };
        let _ = std::fs::remove_dir_all(profile);
        let args = [
            // Chromium talks to chromedriver over a pipe, and quits when the pipe closes: killing
            // chromedriver (Drop, or a Ctrl-C) ends the browser too.
            "--remote-debugging-pipe",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            // Without these, Chromium phones home and its connections are refused on a closed
            // network.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--window-size=1280,1800",
            &format!("--user-data-dir={}", profile.display()),
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": {"pageLoad": 20_000, "script": 10_000, "implicit": 0},
            "goog:chromeOptions": {"binary": chromium, "args": args},
        }}});
        let answer = browser.request("POST", "/session", Some(&capabilities));
        let id = answer["sessionId"].as_str().expect("sessionId").to_string();
        browser.session = Some(id);
        browser
    }

    /// One WebDriver command on the session; returns its `value`, fails the test on an error.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let session = self.session.as_deref().expect("a session");
        self.request(method, &format!("/session/{session}{path}"), body.as_ref())
    }

    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        match http(&self.address, method, path, body, COMMAND_TIMEOUT) {
            Ok((200, answer)) => answer["value"].clone(),
            Ok((status, answer)) => panic!("WebDriver {method} {path}: {status} {answer}"),
            Err(e) => panic!("WebDriver {method} {path}: {e}"),
        }
    }

    fn open(&self, file: &Path) {
        let url = format!("file://{}", file.canonicalize().unwrap().display());
        assert!(
            !url.contains([' ', '#', '?', '%']),
            "{url} would need escaping"
        );
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn title(&self) -> String {
        self.call("GET", "/title", None)
            .as_str()
            .unwrap()
            .to_string()
    }

    fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    fn find(&self, css: &str) -> String {
        self.locate("", "css selector", css)
    }

    fn find_in(&self, element: &str, css: &str) -> String {
        self.locate(&format!("/element/{element}"), "css selector", css)
    }

    fn find_xpath(&self, xpath: &str) -> String {
        self.locate("", "xpath", xpath)
    }

    /// The first element matching `value`, within the element at `under` ("" for the page).
    fn locate(&self, under: &str, using: &str, value: &str) -> String {
        let query = json!({"using": using, "value": value});
        let found = self.call("POST", &format!("{under}/element"), Some(query));
        let id = found[ELEMENT].as_str();
        id.unwrap_or_else(|| panic!("{value}: {found}")).to_string()
    }

    /// Whether the element is rendered (chromedriver's "Is Element Displayed").
    fn displayed(&self, element: &str) -> bool {
        let shown = self.call("GET", &format!("/element/{element}/displayed"), None);
        shown.as_bool().expect("a boolean")
    }

    /// The element's rendered text: what a reader sees, nothing hidden.
    fn text(&self, element: &str) -> String {
        let text = self.call("GET", &format!("/element/{element}/text"), None);
        text.as_str().expect("text").to_string()
    }

    fn attribute(&self, element: &str, name: &str) -> String {
        let value = self.call("GET", &format!("/element/{element}/attribute/{name}"), None);
        value.as_str().unwrap_or_default().to_string()
    }

    /// Moves the mouse to the element's centre (the Actions API), as a reader hovering.
    fn hover(&self, element: &str) {
        let mouse = json!({"actions": [{
            "type": "pointer",
            "id": "mouse",
            "parameters": {"pointerType": "mouse"},
            "actions": [{
                "type": "pointerMove", "duration": 0, "origin": {ELEMENT: element}, "x": 0, "y": 0,
            }],
        }]});
        self.call("POST", "/actions", Some(mouse));
    }

    fn click(&self, element: &str) {
        self.call(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        );
    }

    /// A PNG of the element.
    fn screenshot(&self, element: &str) -> Vec<u8> {
        let png = self.call("GET", &format!("/element/{element}/screenshot"), None);
        let png = Base64::decode_vec(png.as_str().expect("base64")).expect("base64");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
        png
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            let path = format!("/session/{session}");
            let _ = http(
                &self.address,
                "DELETE",
                &path,
                None,
                Duration::from_secs(10),
            );
        }
        // Chromium, if the session did not end, sees its pipe close and quits.
        let _ = self.driver.child.kill();
        let _ = self.driver.child.wait();
    }
}

/// One HTTP/1.1 request with a JSON body; returns the status and the JSON answer.
fn http(
    address: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
    timeout: Duration,
) -> Result<(u16, Value), String> {
    let addr = address.parse().map_err(|e| format!("{address}: {e}"))?;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .map_err(|e| format!("connect {address}: {e}"))?;
    stream.set_read_timeout(Some(timeout)).unwrap();
    stream.set_write_timeout(Some(timeout)).unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n\
         Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;

    // Status line, headers up to the empty line, then Content-Length bytes of JSON.
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| e.to_string())?;
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {line:?}"))?;
    let mut length = None;
    loop {
        line.clear();
        reader.read_line(&mut line).map_err(|e| e.to_string())?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let mut answer = Vec::new();
    match length {
        Some(n) => {
            answer.resize(n, 0);
            reader.read_exact(&mut answer).map_err(|e| e.to_string())?;
        }
        None => {
            reader.read_to_end(&mut answer).map_err(|e| e.to_string())?;
        }
    }
    let answer = serde_json::from_slice(&answer).map_err(|e| format!("{e} in {answer:?}"))?;
    Ok((status, answer))
}
