//! Issue 25, items 9 to 13 and 16: what the CLI sends, fetches and reads, and how much. Each
//! test runs the binary against loopback servers that misbehave (redirect, stall, never stop)
//! and messages files that reach outside their folder.

use std::io::Write;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use crate::cli::{fails, ok};

type Log = Arc<Mutex<Vec<String>>>;

/// A loopback server that logs each request line and answers with `answer(path)`'s bytes
/// (`None`: accept and say nothing for a minute).
fn server(answer: impl Fn(&str) -> Option<Vec<u8>> + Send + 'static) -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log = Log::default();
    let seen = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Some((_, path, _, _)) = crate::cli::read_request(&stream) else {
                continue;
            };
            seen.lock().unwrap().push(path.clone());
            match answer(&path) {
                Some(bytes) => {
                    let _ = stream.write_all(&bytes);
                }
                None => std::thread::sleep(std::time::Duration::from_secs(60)),
            }
        }
    });
    (base, log)
}

fn head(status: &str, extra: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

const KEYS: [(&str, &str); 3] = [
    ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
    (
        "AWS_SECRET_ACCESS_KEY",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    ),
    ("AWS_SESSION_TOKEN", "SESSIONTOKEN"),
];

fn options_for(endpoint: &str) -> std::path::PathBuf {
    let file = crate::common::scratch("limits").join("options.json");
    std::fs::write(
        &file,
        format!(r#"{{"model": "m", "region": "us-east-1", "endpoint_url": "{endpoint}"}}"#),
    )
    .unwrap();
    file
}

fn send(endpoint: &str, more: &[&str]) -> String {
    let options = options_for(endpoint);
    let mut args = vec![
        "send",
        "--options",
        options.to_str().unwrap(),
        "--prompt",
        "hi",
    ];
    args.extend_from_slice(more);
    fails(&args, &KEYS)
}

#[test]
fn send_never_follows_a_redirect() {
    let (elsewhere, seen_elsewhere) = server(|_| Some(head("200 OK", "", b"{}")));
    let target = format!("{elsewhere}/steal");
    let (base, log) =
        server(move |_| Some(head("302 Found", &format!("location: {target}\r\n"), b"")));
    let e = send(&base, &[]);
    assert!(
        e.contains("answered 302, a redirect to http://127.0.0.1:")
            && e.contains("never sent on to another address"),
        "{e}"
    );
    assert_eq!(log.lock().unwrap().len(), 1);
    assert!(
        seen_elsewhere.lock().unwrap().is_empty(),
        "the redirect was followed"
    );
}

#[test]
fn send_gives_up_on_a_silent_endpoint_and_caps_replies() {
    let (silent, _) = server(|_| None);
    let e = send(&silent, &["--read-timeout", "1"]);
    assert!(
        e.contains("sent nothing for 1 s: raise --read-timeout"),
        "{e}"
    );
    let (big, _) = server(|_| Some(head("200 OK", "", &vec![b' '; 2_000_000])));
    let e = send(&big, &["--max-reply-bytes", "1000000"]);
    assert!(
        e.contains("the reply passed --max-reply-bytes 1000000"),
        "{e}"
    );
    // An endless stream of deltas: the text cap ends it.
    let mut stream = Vec::new();
    for _ in 0..2000 {
        stream.extend(crate::common::frame(
            "contentBlockDelta",
            br#"{"contentBlockIndex":0,"delta":{"text":"0123456789"}}"#,
        ));
    }
    let (deltas, _) = server(move |_| {
        Some(head(
            "200 OK",
            "content-type: application/vnd.amazon.eventstream\r\n",
            &stream,
        ))
    });
    // Text is printed as it arrives, up to the cap.
    let options = options_for(&deltas);
    let out = crate::cli::run(
        &[
            "send",
            "--options",
            options.to_str().unwrap(),
            "--prompt",
            "hi",
            "--stream",
            "--max-stream-text",
            "5000",
        ],
        &KEYS,
    );
    let e = stderr(&out);
    assert!(
        e.contains("the stream's text passed --max-stream-text 5000"),
        "{e}"
    );
    assert!(out.stdout.len() <= 5000, "{}", out.stdout.len());
}

#[test]
fn a_session_token_or_api_key_is_not_sent_in_clear_text_off_this_machine() {
    let options = options_for("http://proxy.example:8080");
    let args = [
        "request",
        "--options",
        options.to_str().unwrap(),
        "--prompt",
        "hi",
    ];
    let e = fails(&args, &KEYS);
    assert!(
        e.contains("the session token would travel in clear text to http://proxy.example:8080")
            && e.contains("--allow-insecure-http"),
        "{e}"
    );
    let e = fails(&args, &[("AWS_BEARER_TOKEN_BEDROCK", "ABSKsecret")]);
    assert!(e.contains("the API key would travel in clear text"), "{e}");
    assert!(!e.contains("ABSKsecret"));
    let mut allowed = args.to_vec();
    allowed.push("--allow-insecure-http");
    assert!(ok(&allowed, &KEYS).contains("x-amz-security-token"));
}

/// A messages file with one image part, in its own folder; returns the folder and the file.
fn messages_with(image: &str) -> (std::path::PathBuf, String) {
    let dir = crate::common::scratch("media-limits");
    std::fs::create_dir_all(dir.join("chat")).unwrap();
    let file = dir.join("chat/messages.json");
    std::fs::write(
        &file,
        format!(r#"[{{"role": "user", "content": [{{"type": "image", {image}}}, {{"type": "text", "text": "What is it?"}}]}}]"#),
    )
    .unwrap();
    (dir, file.to_str().unwrap().to_owned())
}

fn request_with(messages: &str, more: &[&str]) -> std::process::Output {
    let mut args = vec![
        "request",
        "--baml",
        "examples/bedrock.baml",
        "--client",
        "Example",
        "--messages",
        messages,
        "--time",
        "20150830T123600Z",
    ];
    args.extend_from_slice(more);
    crate::cli::run(&args, &KEYS[..2])
}

fn stderr(out: &std::process::Output) -> String {
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn media_urls_are_https_public_hosts_and_no_redirects_unless_allowed() {
    let png = b"\x89PNG\r\n\x1a\n0123".to_vec();
    let (base, log) = server(move |path| match path {
        "/cat.png" => Some(head("200 OK", "content-type: image/png\r\n", &png)),
        _ => Some(head(
            "301 Moved",
            "location: http://169.254.169.254/latest/meta-data/\r\n",
            b"",
        )),
    });
    let (_, messages) = messages_with(&format!(r#""url": "{base}/cat.png""#));
    let e = stderr(&request_with(&messages, &[]));
    assert!(
        e.contains("is plain http: media are fetched over https only (--media-http allows http)"),
        "{e}"
    );
    let e = stderr(&request_with(&messages, &["--media-http"]));
    assert!(
        e.contains("127.0.0.1 is at 127.0.0.1, a loopback, private or link-local address")
            && e.contains("--media-private-hosts"),
        "{e}"
    );
    assert!(
        log.lock().unwrap().is_empty(),
        "a refused host was contacted"
    );
    let allowed = request_with(&messages, &["--media-http", "--media-private-hosts"]);
    assert!(
        allowed.status.success(),
        "{}",
        String::from_utf8_lossy(&allowed.stderr)
    );
    let e = stderr(&request_with(
        &messages,
        &[
            "--media-http",
            "--media-private-hosts",
            "--max-media-bytes",
            "8",
        ],
    ));
    assert!(e.contains("pass --max-media-bytes 8 at"), "{e}");
    let (_, moved) = messages_with(&format!(r#""url": "{base}/moved.png""#));
    let e = stderr(&request_with(
        &moved,
        &["--media-http", "--media-private-hosts"],
    ));
    assert!(e.contains("answered 301, a redirect to http://169.254.169.254/latest/meta-data/: redirects are not followed"), "{e}");
    assert_eq!(
        log.lock().unwrap().as_slice(),
        ["/cat.png", "/cat.png", "/moved.png"]
    );
}

#[cfg(unix)]
#[test]
fn media_paths_stay_in_the_messages_folder_and_are_regular_files() {
    let (dir, outside) = messages_with(r#""path": "../secret.png""#);
    std::fs::write(dir.join("secret.png"), b"\x89PNG\r\n\x1a\nsecret").unwrap();
    let e = stderr(&request_with(&outside, &[]));
    assert!(
        e.contains("media path ../secret.png is outside the messages file's folder")
            && e.contains("--media-any-path"),
        "{e}"
    );
    assert!(request_with(&outside, &["--media-any-path"])
        .status
        .success());
    let (_, absolute) = messages_with(r#""url": "file:///etc/hostname""#);
    let e = stderr(&request_with(&absolute, &[]));
    assert!(e.contains("is outside the messages file's folder"), "{e}");
    let (dir, fifo) = messages_with(r#""path": "pipe.png""#);
    let made = std::process::Command::new("mkfifo")
        .arg(dir.join("chat/pipe.png"))
        .status()
        .unwrap();
    assert!(made.success());
    let e = stderr(&request_with(&fifo, &[]));
    assert!(e.contains("it is not a regular file"), "{e}");
    let (dir, big) = messages_with(r#""path": "big.png""#);
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(4096, 0);
    std::fs::write(dir.join("chat/big.png"), bytes).unwrap();
    let e = stderr(&request_with(&big, &["--max-media-bytes", "1000"]));
    assert!(e.contains("pass --max-media-bytes 1000 at big.png"), "{e}");
    assert!(request_with(&big, &[]).status.success());
}

#[test]
fn parse_stream_bounds_a_head_of_interim_responses() {
    let heads = "HTTP/1.1 100 Continue\r\n\r\n".repeat(100_000);
    let out = run_ignoring_a_closed_stdin(&["parse", "--stream"], heads.as_bytes());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("the HTTP response's head passes 1048576 bytes without ending"),
        "{e}"
    );
    let mut fine = "HTTP/1.1 100 Continue\r\n\r\n".repeat(3).into_bytes();
    fine.extend(b"HTTP/1.1 200 OK\r\ncontent-type: application/vnd.amazon.eventstream\r\n\r\n");
    fine.extend(crate::common::frame(
        "contentBlockDelta",
        br#"{"contentBlockIndex":0,"delta":{"text":"hi"}}"#,
    ));
    fine.extend(crate::common::frame(
        "messageStop",
        br#"{"stopReason":"end_turn"}"#,
    ));
    let out = crate::cli::run_stdin(&["parse", "--stream"], &fine);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "hi\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the binary with `stdin`, which it may stop reading early (it refused what it read).
fn run_ignoring_a_closed_stdin(args: &[&str], stdin: &[u8]) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bedrock-request"))
        .args(args)
        .env_clear()
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let bytes = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}
