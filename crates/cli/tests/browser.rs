//! The HTML report seen in a real browser: headless Chromium driven over WebDriver
//! (chromedriver). The page must load with no console error, show its diagrams, filter
//! the threat register when a reader picks a filter, and print to a readable PDF.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test says so and
//! passes, unless THREATWRIGHT_REQUIRE_BROWSER is set (as `.ci/run` does).

mod common;
use common::tw;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|n| {
        std::env::split_paths(&path)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
    })
}

fn tools() -> Option<(PathBuf, PathBuf)> {
    let found =
        which(&["chromium", "chromium-browser", "google-chrome"]).zip(which(&["chromedriver"]));
    if found.is_none() {
        assert!(
            std::env::var_os("THREATWRIGHT_REQUIRE_BROWSER").is_none(),
            "chromium or chromedriver is missing but THREATWRIGHT_REQUIRE_BROWSER is set"
        );
        eprintln!(
            "SKIPPED: chromium and chromedriver are not installed; the browser test did not run (apt-get install chromium chromium-driver)"
        );
    }
    found
}

/// chromedriver, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start(chromedriver: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let d = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if d.call("GET", "/status", None)
                .is_some_and(|v| v["value"]["ready"] == true)
            {
                return d;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("chromedriver did not become ready on port {port}");
    }

    /// One HTTP/1.1 request to chromedriver; `None` when it cannot be reached.
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Option<Value> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(120))).ok()?;
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).ok()?;
        // Read the head, then exactly the body it announces: chromedriver may keep the
        // connection open whatever the request says.
        let mut raw = Vec::new();
        let mut buf = [0u8; 65536];
        let head_end = loop {
            let n = s.read(&mut buf).ok()?;
            if n == 0 {
                return None;
            }
            raw.extend_from_slice(&buf[..n]);
            if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok());
        let chunked = head.contains("transfer-encoding: chunked");
        loop {
            let have = raw.len() - head_end;
            let done = match length {
                Some(l) => have >= l,
                None if chunked => raw.ends_with(b"0\r\n\r\n"),
                None => false,
            };
            if done {
                break;
            }
            let n = s.read(&mut buf).ok()?;
            if n == 0 {
                break;
            }
            raw.extend_from_slice(&buf[..n]);
        }
        let rest = String::from_utf8_lossy(&raw[head_end..]).into_owned();
        let body = if chunked { dechunk(&rest) } else { rest };
        serde_json::from_str(&body).ok()
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

struct Session<'a> {
    driver: &'a Driver,
    id: String,
}

impl Session<'_> {
    fn new<'a>(driver: &'a Driver, chromium: &Path) -> Session<'a> {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync",
                         "--proxy-server=127.0.0.1:9", "--window-size=1400,1000"]
            },
            "goog:loggingPrefs": {"browser": "ALL"}
        }}});
        let v = driver
            .call("POST", "/session", Some(&caps))
            .expect("chromedriver answers");
        let id = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_owned();
        Session { driver, id }
    }

    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let v = self
            .driver
            .call(method, &format!("/session/{}{path}", self.id), Some(&body))
            .unwrap_or_else(|| panic!("{method} {path}: no answer"));
        assert!(v["value"].get("error").is_none(), "{method} {path}: {v}");
        v["value"].clone()
    }

    fn js(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": []}),
        )
    }

    fn find(&self, css: &str) -> String {
        let v = self.cmd(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_owned()
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/click"), json!({}));
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            json!({"text": text}),
        );
    }

    fn shown(&self) -> u64 {
        self.js("return document.querySelectorAll('tbody.tw-threat:not([hidden])').length")
            .as_u64()
            .unwrap()
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = self
            .driver
            .call("DELETE", &format!("/session/{}", self.id), None);
    }
}

fn pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
}

#[test]
fn html_report_works_in_headless_chromium() {
    let Some((chromium, chromedriver)) = tools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    tw().args([
        "report",
        "examples/rag-support-assistant.yaml",
        "--today",
        "2026-11-29",
        "-o",
        page.to_str().unwrap(),
    ])
    .assert()
    .success();
    let analysis: Value = serde_json::from_slice(
        &tw()
            .args([
                "analyze",
                "examples/rag-support-assistant.yaml",
                "--format",
                "json",
                "--today",
                "2026-11-29",
            ])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let threats = analysis["threats"].as_array().unwrap();
    let critical = threats
        .iter()
        .filter(|t| t["residual"]["severity"] == "critical")
        .count() as u64;
    assert!(critical > 0 && (critical as usize) < threats.len());

    let driver = Driver::start(&chromedriver);
    let s = Session::new(&driver, &chromium);
    s.cmd(
        "POST",
        "/url",
        json!({"url": format!("file://{}", page.display())}),
    );
    assert_eq!(s.js("return document.readyState"), "complete");

    // No console errors or warnings from our page.
    let logs = s.cmd("POST", "/se/log", json!({"type": "browser"}));
    let bad: Vec<&Value> = logs
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["level"] == "SEVERE" || l["level"] == "WARNING")
        .collect();
    assert!(bad.is_empty(), "console: {bad:#?}");

    // The diagrams are drawn with a real size, and every component is on the DFD.
    let dfd = s.js(
        "var s = document.querySelector('#dfd svg.tw-diagram'); var r = s.getBoundingClientRect(); return [r.width, r.height, s.querySelectorAll('g.tw-node').length]",
    );
    assert!(
        dfd[0].as_f64().unwrap() > 600.0 && dfd[1].as_f64().unwrap() > 300.0,
        "{dfd}"
    );
    let components = analysis["facts"]["components"].as_array().unwrap().len() as u64;
    assert_eq!(dfd[2].as_u64().unwrap(), components, "{dfd}");
    let trees = s.js(
        "return Array.prototype.map.call(document.querySelectorAll('#trees svg.tw-tree'), function (t) { var r = t.getBoundingClientRect(); return r.width > 300 && r.height > 100; })",
    );
    let trees = trees.as_array().unwrap();
    assert!(
        !trees.is_empty() && trees.iter().all(|v| v == true),
        "{trees:?}"
    );
    let lineage = s.js("return document.querySelectorAll('#lineage svg.tw-diagram').length");
    assert!(lineage.as_u64().unwrap() > 0);

    // Filters: all rows, then only critical, then a text search on top.
    assert_eq!(s.shown(), threats.len() as u64);
    s.click("select[name=severity] option[value=critical]");
    assert_eq!(s.shown(), critical);
    let count = s.js("return document.getElementById('tw-count').textContent");
    assert_eq!(
        count,
        format!("{critical} of {} threats shown", threats.len())
    );
    s.click("select[name=severity] option[value='']");
    s.type_into("#tw-filters input[name=q]", "kb-index");
    let shown = s.shown();
    let with_kb = threats
        .iter()
        .filter(|t| t.to_string().contains("kb-index"))
        .count() as u64;
    assert!(shown > 0 && shown < threats.len() as u64, "{shown}");
    assert!(shown >= with_kb.min(1));
    let all_match = s.js(
        "return Array.prototype.every.call(document.querySelectorAll('tbody.tw-threat:not([hidden])'), function (r) { return r.textContent.toLowerCase().indexOf('kb-index') >= 0; })",
    );
    assert_eq!(all_match, true);

    // Printing gives a PDF of several pages (every section, details opened).
    let pdf = s.cmd("POST", "/print", json!({"background": true}));
    let pdf = base64_decode(pdf.as_str().unwrap());
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pages(&pdf) >= 5, "{} pages", pages(&pdf));
}

#[test]
fn report_prints_pdf_through_chromium() {
    let Some((_, _)) = tools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("report.pdf");
    tw().args([
        "report",
        "examples/fraud-detection.yaml",
        "-o",
        pdf.to_str().unwrap(),
    ])
    .assert()
    .success();
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(pages(&bytes) >= 5, "{} pages", pages(&bytes));
    // The PDF is readable: its text layer holds the report's words.
    if let Some(pdftotext) = which(&["pdftotext"]) {
        let out = Command::new(pdftotext).arg(&pdf).arg("-").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Management summary"),
            "{}",
            &text[..text.len().min(400)]
        );
        assert!(text.contains("Threat register"));
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => 0,
        }
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= val(*c) << (18 - 6 * i);
        }
        out.push((n >> 16) as u8);
        if chunk.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(n as u8);
        }
    }
    out
}
