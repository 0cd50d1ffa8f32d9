//! The `bedrock-request` binary, run as a user would (native only; needs feature `cli`).

use std::process::{Command, Output};

use crate::common::repo_path;

pub(crate) fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    // Never let a test reach a real instance metadata service: the loopback tests that play
    // IMDS set AWS_EC2_METADATA_SERVICE_ENDPOINT instead.
    let imds_off = if env
        .iter()
        .any(|(k, _)| *k == "AWS_EC2_METADATA_SERVICE_ENDPOINT")
    {
        None
    } else {
        Some(("AWS_EC2_METADATA_DISABLED", "true"))
    };
    Command::new(env!("CARGO_BIN_EXE_bedrock-request"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied().chain(imds_off))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .unwrap()
}

pub(crate) fn ok(args: &[&str], env: &[(&str, &str)]) -> String {
    let out = run(args, env);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub(crate) fn fails(args: &[&str], env: &[(&str, &str)]) -> String {
    let out = run(args, env);
    assert!(
        !out.status.success(),
        "{args:?} succeeded: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr).unwrap()
}

const EXAMPLE: [&str; 8] = [
    "request",
    "--baml",
    "examples/bedrock.baml",
    "--client",
    "Example",
    "--prompt",
    "Hello",
    "--time",
];

/// A request from the example client that takes its credentials from the environment.
const SONNET_HI: [&str; 7] = [
    "request",
    "--baml",
    "examples/bedrock.baml",
    "--client",
    "Sonnet",
    "--prompt",
    "hi",
];

fn vector() -> serde_json::Value {
    let text =
        std::fs::read_to_string(repo_path("vectors/bedrock/model-id-with-colon.json")).unwrap();
    serde_json::from_str::<serde_json::Value>(&text).unwrap()["botocore"].clone()
}

#[test]
fn request_json_is_the_botocore_vector() {
    let args = [&EXAMPLE[..], &["20150830T123600Z", "--format", "json"]].concat();
    let out: serde_json::Value = serde_json::from_str(&ok(&args, &[])).unwrap();
    let v = vector();
    assert_eq!(out["method"], "POST");
    assert_eq!(out["url"], v["url"]);
    assert_eq!(out["headers"], v["headers"]);
    assert_eq!(out["body_text"], v["body_text"]);
    assert_eq!(out["body"], v["body"]);
    // RFC 3339 names the same instant.
    let args = [&EXAMPLE[..], &["2015-08-30T14:36:00+02:00"]].concat();
    let again: serde_json::Value = serde_json::from_str(&ok(&args, &[])).unwrap();
    assert_eq!(again, out);
}

/// Runs a `--format curl` command with a stand-in `curl` that prints its arguments
/// (NUL-separated) and then the body it reads from standard input.
fn run_curl(command: &str) -> (Vec<String>, String) {
    let script = format!("curl() {{ printf '%s\\0' \"$@\"; printf 'STDIN:'; cat; }}\n{command}\n");
    let path = crate::common::scratch("curl").join("curl.sh");
    std::fs::write(&path, script).unwrap();
    let out = Command::new("sh").arg(&path).output().unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let (args, body) = text.split_once("STDIN:").unwrap();
    (
        args.split('\0').map(str::to_owned).collect(),
        body.to_owned(),
    )
}

#[test]
fn request_curl_is_a_runnable_command_with_the_exact_bytes() {
    let args = [&EXAMPLE[..], &["20150830T123600Z", "--format", "curl"]].concat();
    let (argv, body) = run_curl(&ok(&args, &[]));
    let v = vector();
    assert!(argv.contains(&v["url"].as_str().unwrap().to_owned()));
    assert!(argv
        .windows(2)
        .any(|w| w[0] == "--data-binary" && w[1] == "@-"));
    assert_eq!(body, v["body_text"].as_str().unwrap());
    for h in v["headers"].as_array().unwrap() {
        let line = format!("{}: {}", h[0].as_str().unwrap(), h[1].as_str().unwrap());
        assert!(argv.contains(&line), "missing header {line}");
    }
    // A body far over the 128 KiB limit of one command-line argument still goes through.
    let big = "x'y\"z ".repeat(60_000);
    let file = crate::common::scratch("big").join("big.json");
    let messages = serde_json::json!([{"role": "user", "content": big}]);
    std::fs::write(&file, messages.to_string()).unwrap();
    let args = [
        &EXAMPLE[..5],
        &["--messages", file.to_str().unwrap(), "--format", "curl"],
    ]
    .concat();
    let (_, body) = run_curl(&ok(&args, &[]));
    std::fs::remove_file(&file).unwrap();
    assert_eq!(
        body.len(),
        big.len() + r#"{"messages":[{"role":"user","content":[{"text":""}]}]}"#.len() + 60_000
    );
    assert!(body.ends_with(r#"x'y\"z "}]}]}"#));
}

#[test]
fn request_http_is_raw_http() {
    let args = [&EXAMPLE[..], &["20150830T123600Z", "--format", "http"]].concat();
    let raw = ok(&args, &[]);
    let v = vector();
    assert!(raw
        .starts_with("POST /model/anthropic.claude-3-haiku-20240307-v1%3A0/converse HTTP/1.1\r\n"));
    let body = v["body_text"].as_str().unwrap();
    // The body, then a line end past Content-Length (issue 29: the output ends as text does).
    assert!(raw.ends_with(&format!("\r\n\r\n{body}\r\n")), "{raw}");
    assert!(raw.contains(&format!("\r\ncontent-length: {}\r\n", body.len())));
    assert!(raw.contains(&format!(
        "authorization: {}\r\n",
        v["headers"][3][1].as_str().unwrap()
    )));
    // Sent as is, Python's HTTP/1.1 server reads one request with that body and takes the
    // line end after it as the empty line before a next request, not as an error.
    assert_eq!(python_server_reads(raw.as_bytes()), vec![body.to_owned()]);
}

/// What Python's `http.server` (HTTP/1.1, one connection) reads from `raw`: each request's body,
/// or `error N` for a request it refused.
fn python_server_reads(raw: &[u8]) -> Vec<String> {
    use std::io::{BufRead, Read, Write};
    const SERVER: &str = r#"
import http.server, json, sys
seen = []
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        seen.append(self.rfile.read(int(self.headers["content-length"])).decode())
        self.send_response(200); self.send_header("content-length", "0"); self.end_headers()
    def send_error(self, code, *rest):
        seen.append(f"error {code}"); super().send_error(code, *rest)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.handle_request()
print(json.dumps(seen))
"#;
    let mut python = Command::new("python3")
        .args(["-c", SERVER])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 (the README's test machine has it)");
    let mut out = std::io::BufReader::new(python.stdout.take().unwrap());
    let mut port = String::new();
    out.read_line(&mut port).unwrap();
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port.trim().parse().unwrap()))
        .expect("the loopback server");
    conn.write_all(raw).unwrap();
    conn.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let mut seen = String::new();
    out.read_to_string(&mut seen).unwrap();
    assert!(python.wait().unwrap().success());
    serde_json::from_str(&seen).unwrap()
}

#[test]
fn unsigned_needs_no_credentials() {
    let dir = crate::common::scratch("cli");
    let options = dir.join("options.json");
    std::fs::write(
        &options,
        r#"{"model": "amazon.nova-micro-v1:0", "inference_configuration": {"max_tokens": 64}}"#,
    )
    .unwrap();
    let messages = dir.join("messages.json");
    std::fs::write(
        &messages,
        r#"[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]"#,
    )
    .unwrap();
    let out = ok(
        &[
            "request",
            "--options",
            options.to_str().unwrap(),
            "--messages",
            messages.to_str().unwrap(),
            "--unsigned",
        ],
        &[("AWS_REGION", "eu-west-1")],
    );
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        out["url"],
        "https://bedrock-runtime.eu-west-1.amazonaws.com/model/amazon.nova-micro-v1%3A0/converse"
    );
    assert_eq!(
        out["headers"],
        serde_json::json!([
            ["content-type", "application/json"],
            ["host", "bedrock-runtime.eu-west-1.amazonaws.com"]
        ])
    );
    assert_eq!(
        out["body_text"],
        r#"{"messages":[{"role":"user","content":[{"text":"Hi"}]}],"system":[{"text":"Be brief."}],"inferenceConfig":{"maxTokens":64}}"#
    );
    // Signed from the process environment, the session token included.
    let out = ok(
        &[
            "request",
            "--options",
            options.to_str().unwrap(),
            "--prompt",
            "Hi",
            "--time",
            "20240115T123456Z",
        ],
        &[
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ACCESS_KEY_ID", "ASIAX"),
            ("AWS_SECRET_ACCESS_KEY", "S"),
            ("AWS_SESSION_TOKEN", "TOK"),
        ],
    );
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        out["headers"][3],
        serde_json::json!(["x-amz-security-token", "TOK"])
    );
    assert!(out["headers"][4][1]
        .as_str()
        .unwrap()
        .starts_with("AWS4-HMAC-SHA256 Credential=ASIAX/20240115/eu-west-1/bedrock/aws4_request"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn errors_go_to_stderr_with_a_nonzero_exit() {
    let region = [("AWS_REGION", "us-east-1")];
    for (command, env, expected) in [
        (
            "request --baml examples/bedrock.baml --client Nope --prompt x",
            &[][..],
            "error: no client named Nope; the BAML source defines: Example, Sonnet\n",
        ),
        (
            "request --baml examples/bedrock.baml --client Example --prompt x --time yesterday",
            &[],
            "error: --time \"yesterday\" is not a time",
        ),
        (
            "request --baml examples/bedrock.baml --client Sonnet --prompt x",
            &region,
            "error: no credentials found",
        ),
        (
            "request --baml examples/bedrock.baml --client Sonnet --prompt x --unsigned",
            &[],
            "error: no region",
        ),
        (
            "request --baml missing.baml --client A --prompt x",
            &[],
            "error: cannot read missing.baml",
        ),
        // Usage errors (clap) also exit non-zero.
        (
            "request --baml examples/bedrock.baml --prompt x",
            &[],
            "error: the following required arguments were not provided:\n  --client <NAME>",
        ),
        (
            "request --options o.json --prompt x --messages m.json",
            &[],
            "error: the argument '--prompt <TEXT>' cannot be used with '--messages <FILE.json>'",
        ),
    ] {
        let args: Vec<&str> = command.split_whitespace().collect();
        let e = fails(&args, env);
        assert!(e.starts_with(expected), "{command}: {e}");
    }
}

#[test]
fn secrets_are_not_printed_on_errors() {
    let e = fails(
        &[
            "request",
            "--baml",
            "examples/bedrock.baml",
            "--client",
            "Sonnet",
            "--prompt",
            "x",
        ],
        &[
            ("AWS_REGION", "us-east-1"),
            ("AWS_SECRET_ACCESS_KEY", "VERYSECRET"),
        ],
    );
    assert!(
        e.contains("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
            && !e.contains("VERYSECRET"),
        "{e}"
    );
}

pub(crate) fn run_stdin(args: &[&str], stdin: &[u8]) -> Output {
    run_stdin_env(args, stdin, &[])
}

const RESPONSE: &str = r#"{"output":{"message":{"role":"assistant","content":[{"reasoningContent":{"reasoningText":{"text":"hmm","signature":"s"}}},{"text":"Hello"},{"text":" world"}]}},"stopReason":"end_turn","usage":{"inputTokens":3,"outputTokens":4,"totalTokens":7},"metrics":{"latencyMs":99}}"#;

#[test]
fn parse_prints_text_or_json() {
    let out = run_stdin(&["parse"], RESPONSE.as_bytes());
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "Hello world\n");
    let out = run_stdin(&["parse", "--format", "json", "-"], RESPONSE.as_bytes());
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["text"], "Hello world");
    assert_eq!(json["stop_reason"], "end_turn");
    assert_eq!(json["usage"]["total_tokens"], 7);
    assert_eq!(json["reasoning"][0]["text"], "hmm");
    assert_eq!(json["tool_calls"], serde_json::json!([]));
}

#[test]
fn parse_reports_aws_errors_with_a_hint_and_fails() {
    let body = r#"{"message":"Invocation of model ID anthropic.claude-3-5-sonnet-20241022-v2:0 with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model."}"#;
    let out = run_stdin(&["parse", "--status", "400"], body.as_bytes());
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    // No code in the body and no header: the status is kept, the kind comes from the message.
    assert!(
        err.starts_with("error: HTTP 400: Invocation of model ID"),
        "{err}"
    );
    let body = r#"{"__type":"com.amazon.coral.service#ValidationException","message":"Invocation of model ID x with on-demand throughput isn't supported."}"#;
    let out = run_stdin(&["parse"], body.as_bytes());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!out.status.success());
    assert!(
        err.starts_with("error: ValidationException: Invocation of model ID x"),
        "{err}"
    );
    assert!(err.contains("\nhint: this model cannot be called on demand by its model id: use an inference profile id"), "{err}");
    let out = run_stdin(&["parse"], br#"{"message":"Signature expired: 20240115T120000Z is now earlier than 20240115T122000Z (20240115T123500Z - 15 min.)"}"#);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("clock skew: AWS's clock is 35m ahead of the signing time"),
        "{err}"
    );
    let out = run_stdin(&["parse"], b"{\"output\": ");
    assert!(!out.status.success());
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .starts_with("error: not a Converse response: "));
}

/// A loopback HTTP/1.1 server for the credential endpoints: each connection is answered by
/// `route(method, path, headers, body) -> (status, body)` and closed. Returns the base URL
/// and the log of "METHOD path" lines.
type Route = dyn Fn(&str, &str, &[(String, String)], &[u8]) -> (u16, String) + Send + Sync;

/// One HTTP/1.1 request read off a loopback connection: method, path, headers (names
/// lowercased) and the body (`content-length` bytes).
pub(crate) type Received = (String, String, Vec<(String, String)>, Vec<u8>);

pub(crate) fn read_request(stream: &std::net::TcpStream) -> Option<Received> {
    use std::io::{BufRead, BufReader, Read};
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or("").to_owned(),
        parts.next().unwrap_or("").to_owned(),
    );
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    Some((method, path, headers, body))
}

fn serve(route: Box<Route>) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Some((method, path, headers, body)) = read_request(&stream) else {
                continue;
            };
            seen.lock().unwrap().push(format!("{method} {path}"));
            let (status, text) = route(&method, &path, &headers, &body);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    (base, log)
}

/// The library's one-call resolution (`credentials::blocking`) finds what the CLI printed.
fn assert_same_as_the_library(
    cli: &serde_json::Value,
    env: &[(&str, &str)],
    profile: Option<&str>,
) {
    use bedrock_request::credentials::blocking;
    let mut env: bedrock_request::Env = env.iter().copied().collect();
    if env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT").is_none() {
        env.set("AWS_EC2_METADATA_DISABLED", "true");
    }
    let chain = bedrock_request::credentials::Chain::from_env(&env);
    let chain = match profile {
        Some(profile) => chain.with_profile(profile),
        None => chain,
    };
    let resolved = blocking::resolve(chain).unwrap();
    let access_key_id = match &resolved.auth {
        bedrock_request::Auth::SigV4(c) => Some(c.access_key_id().to_owned()),
        _ => None,
    };
    assert_eq!(
        (
            Some(resolved.source.as_str()),
            resolved.profile.as_deref(),
            access_key_id.as_deref()
        ),
        (
            cli["source"].as_str(),
            cli["profile"].as_str(),
            cli["access_key_id"].as_str()
        )
    );
}

fn json_out(args: &[&str], env: &[(&str, &str)]) -> serde_json::Value {
    serde_json::from_str(&ok(args, env)).unwrap()
}

const INSTANCE_CREDS: &str = r#"{"Code":"Success","AccessKeyId":"ASIAEC2","SecretAccessKey":"s","Token":"EC2TOKEN","Expiration":"2099-01-15T17:00:00Z"}"#;

#[test]
fn credentials_from_imds_v2_and_v1_over_loopback() {
    for v2 in [true, false] {
        let (base, log) = serve(Box::new(move |method, path, headers, _| {
            let token_ok = headers
                .iter()
                .any(|(k, v)| k == "x-aws-ec2-metadata-token" && v == "IMDSTOKEN");
            match (method, path) {
                ("PUT", "/latest/api/token") if v2 => (200, "IMDSTOKEN".into()),
                ("PUT", "/latest/api/token") => (405, String::new()),
                _ if v2 && !token_ok => (401, String::new()),
                ("GET", "/latest/meta-data/iam/security-credentials/") => {
                    (200, "bedrock-role\n".into())
                }
                ("GET", "/latest/meta-data/iam/security-credentials/bedrock-role") => {
                    (200, INSTANCE_CREDS.into())
                }
                _ => (404, String::new()),
            }
        }));
        let env = [
            ("HOME", "/nonexistent"),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", base.as_str()),
            ("AWS_REGION", "us-east-1"),
        ];
        let out = json_out(&["credentials", "--format", "json"], &env);
        assert_eq!(out["source"], "imds");
        assert_eq!(out["access_key_id"], "ASIAEC2");
        assert_eq!(out["expires_at"], "2099-01-15T17:00:00Z");
        assert_eq!(out["region"], "us-east-1");
        assert_same_as_the_library(&out, &env, None);
        let text = ok(&["credentials"], &env);
        assert!(
            text.starts_with("source: imds\nprofile: -\naccess_key_id: ASIAEC2\n")
                && !text.contains("EC2TOKEN"),
            "{text}"
        );
        // `request` signs with the instance's temporary credentials.
        let signed = json_out(&SONNET_HI, &env);
        let headers = signed["headers"].as_array().unwrap();
        assert!(
            headers.contains(&serde_json::json!(["x-amz-security-token", "EC2TOKEN"])),
            "{headers:?}"
        );
        assert_eq!(log.lock().unwrap()[0], "PUT /latest/api/token");
    }
}

#[test]
fn credentials_from_ecs_and_sts_over_loopback() {
    let (base, log) = serve(Box::new(|method, path, headers, body| {
        let body = String::from_utf8_lossy(body);
        match (method, path) {
            ("GET", "/creds") if headers.iter().any(|(k, v)| k == "authorization" && v == "ecs-secret-token") => {
                (200, r#"{"AccessKeyId":"ASIAECS","SecretAccessKey":"s","Token":"t","Expiration":"2099-01-01T00:00:00Z"}"#.into())
            }
            ("GET", "/creds") => (401, String::new()),
            ("POST", "/") if body.starts_with("Action=AssumeRole&") && headers.iter().any(|(k, v)| k == "authorization" && v.contains("Credential=BASEKEY/")) => (
                200,
                "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>rs</SecretAccessKey><SessionToken>ROLETOKEN</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>".into(),
            ),
            _ => (400, "<ErrorResponse><Error><Code>Bad</Code><Message>unexpected</Message></Error></ErrorResponse>".into()),
        }
    }));
    let full_uri = format!("{base}/creds");
    let env = [
        ("HOME", "/nonexistent"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ecs-secret-token"),
    ];
    let out = json_out(&["credentials", "--format", "json"], &env);
    assert_eq!(
        (out["source"].as_str(), out["access_key_id"].as_str()),
        (Some("container"), Some("ASIAECS"))
    );
    assert_same_as_the_library(&out, &env, None);

    // A profile that assumes a role with a source profile's keys, STS on loopback.
    let home = crate::common::aws_home("home", "[profile bedrock]\nrole_arn = arn:aws:iam::123456789012:role/Bedrock\nsource_profile = base\nregion = eu-west-3\n[profile base]\nregion = us-east-1\n");
    std::fs::write(
        home.join(".aws/credentials"),
        "[base]\naws_access_key_id = BASEKEY\naws_secret_access_key = basesecret\n",
    )
    .unwrap();
    let env = [
        ("HOME", home.to_str().unwrap()),
        ("AWS_ENDPOINT_URL_STS", base.as_str()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let out = json_out(
        &["credentials", "--profile", "bedrock", "--format", "json"],
        &env,
    );
    assert_eq!(
        out,
        serde_json::json!({"source": "assume_role", "profile": "bedrock", "access_key_id": "ASIAROLE", "expires_at": "2099-01-01T00:00:00Z", "region": "eu-west-3"})
    );
    assert_same_as_the_library(&out, &env, Some("bedrock"));
    // The library's Resolver keeps them while they are fresh: one STS call for two resolves.
    let calls = |log: &std::sync::Mutex<Vec<String>>| {
        log.lock()
            .unwrap()
            .iter()
            .filter(|l| *l == "POST /")
            .count()
    };
    let before = calls(&log);
    let mut resolver = bedrock_request::credentials::blocking::Resolver::new(
        bedrock_request::credentials::Chain::from_env(&env.iter().copied().collect())
            .with_profile("bedrock"),
    );
    let first = resolver.resolve().unwrap();
    let second = resolver.resolve().unwrap();
    assert_eq!(first, second);
    assert_eq!(calls(&log), before + 1);
    // `request` with AWS_PROFILE: the role's credentials sign it, in the profile's region.
    let env = [
        ("HOME", home.to_str().unwrap()),
        ("AWS_ENDPOINT_URL_STS", base.as_str()),
        ("AWS_PROFILE", "bedrock"),
    ];
    let signed = json_out(&SONNET_HI, &env);
    assert!(
        signed["url"]
            .as_str()
            .unwrap()
            .starts_with("https://bedrock-runtime.eu-west-3.amazonaws.com/"),
        "{signed}"
    );
    let headers = signed["headers"].as_array().unwrap();
    assert!(
        headers.contains(&serde_json::json!(["x-amz-security-token", "ROLETOKEN"])),
        "{headers:?}"
    );
    // Never a secret in the output.
    let text = ok(&["credentials", "--profile", "bedrock"], &env);
    assert!(
        !text.contains("ROLETOKEN") && !text.contains("basesecret"),
        "{text}"
    );
    std::fs::remove_dir_all(&home).unwrap();
    assert!(log.lock().unwrap().iter().any(|l| l == "POST /"));
}

fn stream_body() -> Vec<u8> {
    use aws_smithy_eventstream::frame::write_message_to;
    use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
    let frame = |kind: &str, name: &str, payload: &str| {
        let m = Message::new(payload.as_bytes().to_vec())
            .add_header(Header::new(
                ":message-type",
                HeaderValue::String(kind.to_owned().into()),
            ))
            .add_header(Header::new(
                if kind == "event" {
                    ":event-type"
                } else {
                    ":exception-type"
                },
                HeaderValue::String(name.to_owned().into()),
            ));
        let mut out = Vec::new();
        write_message_to(&m, &mut out).unwrap();
        out
    };
    [
        frame("event", "messageStart", r#"{"role":"assistant"}"#),
        frame(
            "event",
            "contentBlockDelta",
            r#"{"contentBlockIndex":0,"delta":{"text":"Bonjour"}}"#,
        ),
        frame(
            "event",
            "contentBlockDelta",
            r#"{"contentBlockIndex":0,"delta":{"text":" !"}}"#,
        ),
        frame("event", "messageStop", r#"{"stopReason":"end_turn"}"#),
        frame(
            "event",
            "metadata",
            r#"{"usage":{"inputTokens":1,"outputTokens":2,"totalTokens":3}}"#,
        ),
    ]
    .concat()
}

#[test]
fn parse_stream_prints_text_and_json_and_reports_exceptions() {
    let out = run_stdin(&["parse", "--stream"], &stream_body());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "Bonjour !\n");
    let out = run_stdin(
        &["parse", "--stream", "--format", "json", "-"],
        &stream_body(),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            json["text"].as_str(),
            json["stop_reason"].as_str(),
            json["usage"]["total_tokens"].as_u64()
        ),
        (Some("Bonjour !"), Some("end_turn"), Some(3))
    );
    // Truncated at the end: an error, after the text that did arrive.
    let body = stream_body();
    let out = run_stdin(&["parse", "--stream"], &body[..body.len() - 3]);
    assert!(!out.status.success());
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .starts_with("error: event stream: the stream ended inside a message"));
    // An exception frame is the typed error with its hint.
    let mut with_exception = stream_body()[..].to_vec();
    let exception = {
        use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
        let m = Message::new(br#"{"message":"Too many tokens"}"#.to_vec())
            .add_header(Header::new(
                ":message-type",
                HeaderValue::String("exception".into()),
            ))
            .add_header(Header::new(
                ":exception-type",
                HeaderValue::String("throttlingException".into()),
            ));
        let mut out = Vec::new();
        aws_smithy_eventstream::frame::write_message_to(&m, &mut out).unwrap();
        out
    };
    with_exception.extend_from_slice(&exception);
    let out = run_stdin(&["parse", "--stream"], &with_exception);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: ThrottlingException: Too many tokens\nhint: too many requests"),
        "{err}"
    );
}

#[test]
fn request_stream() {
    let args = [&EXAMPLE[..], &["20150830T123600Z", "--stream"]].concat();
    let out = json_out(&args, &[]);
    assert_eq!(out["url"], "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream");
    let dir = crate::common::scratch("stream");
    let options = dir.join("options.json");
    std::fs::write(
        &options,
        r#"{"model": "m", "region": "us-east-1", "supports_streaming": false}"#,
    )
    .unwrap();
    let e = fails(
        &[
            "request",
            "--options",
            options.to_str().unwrap(),
            "--prompt",
            "x",
            "--stream",
            "--unsigned",
        ],
        &[],
    );
    assert!(
        e.starts_with("error: client (options) sets supports_streaming false"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn request_with_tools_and_media_fetched_over_loopback() {
    let (base, log) = serve(Box::new(|_, path, _, _| match path {
        "/cat.png" => (200, "\u{89}PNG\r\n\u{1a}\n".into()),
        _ => (404, String::new()),
    }));
    let dir = crate::common::scratch("media");
    let messages = dir.join("messages.json");
    std::fs::write(&messages, format!(r#"[{{"role":"user","content":[{{"type":"image","url":"{base}/cat.png"}},{{"type":"text","text":"What animal?"}}]}}]"#)).unwrap();
    let tools = dir.join("tools.json");
    std::fs::write(&tools, r#"{"tools":[{"name":"answer","description":"Give the answer","input_schema":{"type":"object"}}],"tool_choice":"any"}"#).unwrap();
    let out = json_out(
        &[
            "request",
            "--baml",
            "examples/bedrock.baml",
            "--client",
            "Example",
            "--messages",
            messages.to_str().unwrap(),
            "--tools",
            tools.to_str().unwrap(),
            "--time",
            "20150830T123600Z",
            "--media-http",
            "--media-private-hosts",
        ],
        &[],
    );
    let body = &out["body"];
    // The server sends no Content-Type and its text body is not PNG bytes: the format comes
    // from the URL's extension.
    assert_eq!(body["messages"][0]["content"][0]["image"]["format"], "png");
    assert!(
        body["messages"][0]["content"][0]["image"]["source"]["bytes"]
            .as_str()
            .unwrap()
            .starts_with("wolQTkcNChoK")
    );
    assert_eq!(
        body["toolConfig"]["toolChoice"],
        serde_json::json!({"any": {}})
    );
    assert_eq!(log.lock().unwrap().as_slice(), ["GET /cat.png"]);
    let e = fails(
        &[
            "request",
            "--baml",
            "examples/bedrock.baml",
            "--client",
            "Example",
            "--prompt",
            "x",
            "--tools",
            messages.to_str().unwrap(),
        ],
        &[],
    );
    assert!(e.contains("tools file: must be an object"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn api_key_and_explain() {
    let keys = [
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        (
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ),
    ];
    let key = ok(
        &[
            "api-key",
            "--region",
            "us-east-1",
            "--time",
            "2025-07-01T09:30:00Z",
        ],
        &keys,
    );
    let vector: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_path("vectors/api-key/long-term-credentials.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(key.trim_end(), vector["api_key"].as_str().unwrap());
    let e = fails(
        &["api-key", "--region", "us-east-1", "--expires-in", "50000"],
        &keys,
    );
    assert!(e.contains("lives 1 to 43200 seconds"), "{e}");
    // explain: the request the CLI printed, recomputed with the same key.
    let request = ok(&[&EXAMPLE[..], &["20150830T123600Z"]].concat(), &[]);
    let out = run_stdin_env(&["explain", "--format", "json"], request.as_bytes(), &keys);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = vector_of("model-id-with-colon");
    assert_eq!(json["canonical_request"], v["canonical_request"]);
    assert_eq!(json["string_to_sign"], v["string_to_sign"]);
    assert_eq!(json["signature"], v["signature"]);
    // The same request with another secret: the text says it differs.
    let other = [
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "not-the-key"),
    ];
    let out = run_stdin_env(&["explain"], request.as_bytes(), &other);
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("DIFFERS from the request's authorization header"));
    // ...and fails (issue 29): a script sees it.
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("the signature differs"));
    // Another key altogether: both key ids are named (identifiers, not secrets).
    let other = [
        ("AWS_ACCESS_KEY_ID", "AKIDOTHER"),
        ("AWS_SECRET_ACCESS_KEY", "not-the-key"),
    ];
    let out = run_stdin_env(&["explain"], request.as_bytes(), &other);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the request names the key AKIDEXAMPLE, and these credentials are AKIDOTHER")
            && !err.contains("not-the-key"),
        "{err}"
    );
}

fn vector_of(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(repo_path(&format!("vectors/bedrock/{name}.json"))).unwrap();
    serde_json::from_str::<serde_json::Value>(&text).unwrap()["botocore"].clone()
}

fn run_stdin_env(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_bedrock-request"))
        .args(args)
        .env_clear()
        .envs(
            env.iter()
                .copied()
                .chain([("AWS_EC2_METADATA_DISABLED", "true")]),
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn vectors_command_runs_the_suite() {
    let out = ok(&["vectors", "vectors/sigv4"], &[]);
    assert_eq!(out, "40 passed, 0 failed\n");
    // A broken copy: one case fails, named, and the exit status says so.
    let dir = crate::common::scratch("suite");
    let case = dir.join("get-vanilla");
    std::fs::create_dir_all(&case).unwrap();
    for f in std::fs::read_dir(repo_path("vectors/sigv4/get-vanilla")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, case.join(f.file_name().unwrap())).unwrap();
    }
    std::fs::write(case.join("header-signature.txt"), "0000").unwrap();
    let out = run(&["vectors", dir.to_str().unwrap()], &[]);
    assert!(!out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("FAILED get-vanilla: header signature: expected")
            && text.ends_with("0 passed, 1 failed\n"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn parse_stream_fails_on_a_known_event_that_is_not_json() {
    let mut body = crate::common::frame("messageStart", br#"{"role":"assistant"}"#);
    body.extend(crate::common::frame(
        "contentBlockDelta",
        b"{\"contentBlockIndex\":0,\"delta\":{\"text\":\"lost \xff\"}}",
    ));
    body.extend(crate::common::frame(
        "messageStop",
        br#"{"stopReason":"end_turn"}"#,
    ));
    let out = run_stdin(&["parse", "--stream"], &body);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: ConverseStream contentBlockDelta event: the payload is not JSON"),
        "{err}"
    );
}

#[test]
fn an_unreadable_credentials_file_is_an_error_naming_it() {
    let home = crate::common::scratch("unreadable");
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    let creds = home.join(".aws/credentials");
    std::fs::write(
        &creds,
        b"[default]\naws_access_key_id = AKID\naws_secret_access_key = S\xffCRET\n",
    )
    .unwrap();
    let home_text = home.to_str().unwrap();
    let err = fails(&["credentials"], &[("HOME", home_text)]);
    std::fs::remove_dir_all(&home).unwrap();
    assert!(
        err.contains(&format!("cannot read {}: ", creds.display())),
        "{err}"
    );
    assert!(!err.contains("no credentials found"), "{err}");
}

#[test]
fn the_curl_command_sends_one_request_to_the_signed_path_whatever_the_url_holds() {
    let (base, log) = serve(Box::new(|_, _, _, _| {
        (
            200,
            r#"{"output":{"message":{"role":"assistant","content":[{"text":"ok"}]}},"stopReason":"end_turn"}"#.into(),
        )
    }));
    let options = format!(
        r#"{{"model":"m","region":"us-east-1","access_key_id":"AKID","secret_access_key":"S","endpoint_url":"{base}/a[1-3]/b"}}"#
    );
    let path = crate::common::scratch("glob").join("glob.json");
    std::fs::write(&path, options).unwrap();
    let curl = ok(
        &[
            "request",
            "--options",
            path.to_str().unwrap(),
            "--prompt",
            "hi",
            "--format",
            "curl",
        ],
        &[],
    );
    std::fs::remove_file(&path).unwrap();
    let out = Command::new("sh").arg("-c").arg(&curl).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        *log.lock().unwrap(),
        vec!["POST /a[1-3]/b/model/m/converse".to_owned()]
    );
}

/// A fake Bedrock on loopback: `/model/ok/converse` answers a completion,
/// `/model/ok/converse-stream` an event stream, `/model/throttled/...` a 429 and
/// `/model/denied/...` a 403, each with Bedrock's `x-amzn-errortype` header.
pub(crate) fn fake_bedrock() -> String {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Some((_, path, received, body)) = read_request(&stream) else {
                continue;
            };
            // Like Bedrock, check the signature first (the test clients sign with AKID / S).
            let sent = bedrock_request::HttpRequest {
                method: "POST".into(),
                url: format!("http://127.0.0.1{path}"),
                headers: received,
                body: bedrock_request::Body::new(body),
            };
            let verdict = bedrock_request::sign::verify(
                &sent,
                &bedrock_request::Credentials::new("AKID", "S"),
                "us-east-1",
                "bedrock",
                None,
            );
            let valid = matches!(verdict, bedrock_request::sign::Verification::Valid);
            let (status, headers, answer): (&str, &str, Vec<u8>) = if !valid {
                (
                    "403 Forbidden",
                    "x-amzn-errortype: InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/\r\n",
                    br#"{"message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}"#.to_vec(),
                )
            } else if path.contains("/throttled/") {
                (
                    "429 Too Many Requests",
                    "x-amzn-errortype: ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/\r\ncontent-type: application/json\r\n",
                    br#"{"message":"Too many requests, please wait before trying again."}"#.to_vec(),
                )
            } else if path.contains("/denied/") {
                (
                    "403 Forbidden",
                    "x-amzn-errortype: AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/\r\n",
                    br#"{"Message":"You don't have access to the model with the specified model ID."}"#.to_vec(),
                )
            } else if path.ends_with("/count-tokens") {
                (
                    "200 OK",
                    "content-type: application/json\r\n",
                    br#"{"inputTokens":9}"#.to_vec(),
                )
            } else if path.ends_with("/converse-stream") {
                (
                    "200 OK",
                    "content-type: application/vnd.amazon.eventstream\r\n",
                    stream_body(),
                )
            } else {
                (
                    "200 OK",
                    "content-type: application/json\r\n",
                    br#"{"output":{"message":{"role":"assistant","content":[{"text":"Bonjour !"}]}},"stopReason":"end_turn"}"#.to_vec(),
                )
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\n{headers}x-amzn-requestid: req-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                answer.len()
            );
            let _ = stream.write_all(&answer);
        }
    });
    base
}

#[test]
fn the_curl_pipeline_parses_answers_and_classifies_bedrock_errors() {
    let base = fake_bedrock();
    let run_pipeline = |model: &str, stream: bool| {
        let options = format!(
            r#"{{"model":"{model}","region":"us-east-1","access_key_id":"AKID","secret_access_key":"S","endpoint_url":"{base}"}}"#
        );
        let path = crate::common::scratch("pipeline").join("options.json");
        std::fs::write(&path, options).unwrap();
        let mut args = vec![
            "request",
            "--options",
            path.to_str().unwrap(),
            "--prompt",
            "hi",
            "--format",
            "curl",
        ];
        let mut parse = vec!["parse"];
        if stream {
            args.push("--stream");
            parse.push("--stream");
        }
        let curl = ok(&args, &[]);
        std::fs::remove_file(&path).unwrap();
        let response = Command::new("sh").arg("-c").arg(&curl).output().unwrap();
        assert!(
            response.status.success(),
            "{}",
            String::from_utf8_lossy(&response.stderr)
        );
        run_stdin(&parse, &response.stdout)
    };
    let out = run_pipeline("ok", false);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "Bonjour !\n");
    let out = run_pipeline("ok", true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "Bonjour !\n");
    for stream in [false, true] {
        let out = run_pipeline("throttled", stream);
        assert!(!out.status.success());
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.starts_with("error: ThrottlingException (HTTP 429): Too many requests, please wait before trying again. [request id req-1]\nhint: too many requests"),
            "{err}"
        );
        assert!(err.contains("\nretry: yes"), "{err}");
        let out = run_pipeline("denied", stream);
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.starts_with("error: AccessDeniedException (HTTP 403): You don't have access"),
            "{err}"
        );
        assert!(err.contains("\nretry: no"), "{err}");
    }
}

#[test]
fn request_overrides_model_region_profile_and_adds_a_system_message() {
    let args = [
        &EXAMPLE[..],
        &[
            "20150830T123600Z",
            "--region",
            "eu-west-3",
            "--model",
            "us.anthropic.claude-3-5-haiku-20241022-v1:0",
            "--system",
            "Be brief.",
        ],
    ]
    .concat();
    let out = json_out(&args, &[]);
    assert_eq!(
        out["url"],
        "https://bedrock-runtime.eu-west-3.amazonaws.com/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse"
    );
    assert_eq!(
        out["body"]["system"],
        serde_json::json!([{"text": "Be brief."}])
    );
    // --region is checked as the option is.
    let bad = [&EXAMPLE[..], &["20150830T123600Z", "--region", "EU West"]].concat();
    assert!(
        fails(&bad, &[]).starts_with("error: --region: region \"EU West\" is not a region name")
    );
    // --profile: the profile's region, without credentials for an unsigned request.
    let home = crate::common::aws_home("profile", "[profile work]\nregion = ap-south-1\n");
    let options = home.join("options.json");
    std::fs::write(&options, r#"{"model":"m"}"#).unwrap();
    let out = json_out(
        &[
            "request",
            "--options",
            options.to_str().unwrap(),
            "--prompt",
            "hi",
            "--unsigned",
            "--profile",
            "work",
        ],
        &[("HOME", home.to_str().unwrap())],
    );
    std::fs::remove_dir_all(&home).unwrap();
    assert_eq!(
        out["url"],
        "https://bedrock-runtime.ap-south-1.amazonaws.com/model/m/converse"
    );
    // With the config's explicit keys, a profile is refused, as the option would be.
    let mixed = [&EXAMPLE[..], &["20150830T123600Z", "--profile", "work"]].concat();
    assert!(fails(&mixed, &[]).contains("cannot be mixed with explicit credentials"));
}

#[test]
fn vectors_on_a_folder_without_cases_is_an_error_and_each_format_help_is_its_own() {
    let empty = crate::common::scratch("empty");
    let err = fails(&["vectors", empty.to_str().unwrap()], &[]);
    std::fs::remove_dir_all(&empty).unwrap();
    assert!(err.contains("holds no test-suite cases"), "{err}");
    let help = ok(&["credentials", "--help"], &[]);
    assert!(
        help.contains("access_key_id") && !help.contains("model's text"),
        "{help}"
    );
    let help = ok(&["explain", "--help"], &[]);
    assert!(
        help.contains("string_to_sign") && !help.contains("model's text"),
        "{help}"
    );
    assert!(ok(&["request", "--help"], &[]).contains("Examples:"));
}

#[test]
fn send_signs_sends_and_prints_what_parse_would() {
    let base = fake_bedrock();
    let send = |model: &str, secret: &str, extra: &[&str]| {
        let options = format!(
            r#"{{"model":"{model}","region":"us-east-1","access_key_id":"AKID","secret_access_key":"{secret}","endpoint_url":"{base}"}}"#
        );
        let path = crate::common::scratch("send").join("options.json");
        std::fs::write(&path, options).unwrap();
        let args = [
            &[
                "send",
                "--options",
                path.to_str().unwrap(),
                "--prompt",
                "hi",
            ][..],
            extra,
        ]
        .concat();
        let out = run(&args, &[]);
        std::fs::remove_file(&path).unwrap();
        out
    };
    let out = send("ok", "S", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "Bonjour !\n");
    let out = send("ok", "S", &["--stream"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "Bonjour !\n");
    let out = send("ok", "S", &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["stop_reason"], "end_turn");
    // --no-retry: the error as the one attempt got it (retries are tests/cli_retry.rs's).
    for stream in [&["--no-retry"][..], &["--stream", "--no-retry"][..]] {
        let err = String::from_utf8(send("throttled", "S", stream).stderr).unwrap();
        assert!(
            err.starts_with("error: ThrottlingException (HTTP 429)"),
            "{err}"
        );
        assert!(err.contains("\nretry: yes"), "{err}");
        let err = String::from_utf8(send("denied", "S", stream).stderr).unwrap();
        assert!(
            err.starts_with("error: AccessDeniedException (HTTP 403)"),
            "{err}"
        );
    }
    // A wrong secret key: the fake refuses the signature, classified as Bedrock means it.
    let out = send("ok", "WRONG", &[]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: InvalidSignatureException (HTTP 403)"),
        "{err}"
    );
    assert!(
        err.contains("hint: the signature AWS computed differs from ours"),
        "{err}"
    );
}

#[test]
fn parse_with_the_request_sent_diagnoses_a_signature_mismatch() {
    let args = [&EXAMPLE[..], &["20150830T123600Z"]].concat();
    let request_json = ok(&args, &[]);
    let sent = bedrock_request::HttpRequest::from_json(&request_json).unwrap();
    let canonical = bedrock_request::sign::CanonicalRequest::of(&sent)
        .unwrap()
        .text();
    let sts = bedrock_request::sign::string_to_sign(&sent).unwrap();
    // AWS saw the path with ':' decoded: a client re-encoded the URL.
    let body = crate::common::mismatch_message(&canonical.replace("%253A", "%3A"), &sts);
    let response = format!(
        "HTTP/1.1 403 Forbidden\r\nx-amzn-errortype: InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/\r\n\r\n{body}"
    );
    let path = crate::common::scratch("sent").join("sent.json");
    std::fs::write(&path, &request_json).unwrap();
    let out = run_stdin(
        &["parse", "--request", path.to_str().unwrap()],
        response.as_bytes(),
    );
    std::fs::remove_file(&path).unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: InvalidSignatureException (HTTP 403)"),
        "{err}"
    );
    assert!(
        err.contains("\ndiagnosis: path: we signed /model/anthropic.claude-3-haiku-20240307-v1%253A0/converse"),
        "{err}"
    );
    assert!(
        err.contains("percent-encoding changed after signing"),
        "{err}"
    );
}

#[test]
fn request_reads_local_media_relative_to_the_messages_file() {
    let dir = crate::common::scratch("local-media");
    std::fs::create_dir_all(dir.join("img")).unwrap();
    // A 1x1 PNG, written as bytes.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    std::fs::write(dir.join("img/dot.png"), png).unwrap();
    std::fs::write(
        dir.join("chat.json"),
        r#"[{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image","path":"img/dot.png"}]}]"#,
    )
    .unwrap();
    let messages = dir.join("chat.json");
    let args = [
        "request",
        "--baml",
        "examples/bedrock.baml",
        "--client",
        "Example",
        "--messages",
        messages.to_str().unwrap(),
        "--time",
        "20150830T123600Z",
    ];
    let out = json_out(&args, &[]);
    let missing = messages.to_str().unwrap().replace("chat.json", "none.json");
    std::fs::write(
        &missing,
        r#"[{"role":"user","content":[{"type":"image","path":"nope.png"}]}]"#,
    )
    .unwrap();
    let err = fails(&[&args[..5], &["--messages", &missing]].concat(), &[]);
    std::fs::remove_dir_all(&dir).unwrap();
    let image = &out["body"]["messages"][0]["content"][1]["image"];
    assert_eq!(image["format"], "png");
    assert_eq!(
        image["source"]["bytes"],
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ"
    );
    assert!(err.contains("nope.png"), "{err}");
}
