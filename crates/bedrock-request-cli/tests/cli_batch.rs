//! Issue 27: `batch prepare`, as users run it: records named by id or line, errors naming the
//! line, quota warnings, and memory flat in the number of records.

use crate::cli::run;

fn dir() -> std::path::PathBuf {
    crate::common::scratch("batch")
}

/// `batch prepare` of the example client: records from `input` into `out`.
fn run_prepare(input: &std::path::Path, out: &std::path::Path) -> std::process::Output {
    run(
        &[
            "batch",
            "prepare",
            "--baml",
            "examples/bedrock.baml",
            "--client",
            "Example",
            "--input",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    )
}

fn prepare(input: &str) -> (bool, String, String) {
    let d = dir();
    let (inp, out) = (d.join("in.jsonl"), d.join("records.jsonl"));
    std::fs::write(&inp, input).unwrap();
    let o = run_prepare(&inp, &out);
    let records = std::fs::read_to_string(&out).unwrap_or_default();
    (
        o.status.success(),
        records,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn records_are_named_by_id_or_line_and_hold_the_converse_body() {
    let input = "{\"prompt\": \"Hello\"}\n\n{\"id\": \"q7\", \"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"}]}\n";
    let (ok, records, err) = prepare(input);
    assert!(ok, "{err}");
    let lines: Vec<serde_json::Value> = records
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["recordId"], "L0000001");
    assert_eq!(lines[1]["recordId"], "q7");
    assert_eq!(
        lines[0]["modelInput"]["messages"][0]["content"][0]["text"],
        "Hello"
    );
    assert_eq!(lines[1]["modelInput"]["system"][0]["text"], "Be brief.");
    assert!(lines[0]["modelInput"].get("modelId").is_none());
    // The same body `request` builds for the same prompt.
    let request = run(
        &[
            "request",
            "--baml",
            "examples/bedrock.baml",
            "--client",
            "Example",
            "--prompt",
            "Hello",
            "--unsigned",
        ],
        &[],
    );
    let built: serde_json::Value = serde_json::from_slice(&request.stdout).unwrap();
    let body: serde_json::Value =
        serde_json::from_str(built["body_text"].as_str().unwrap()).unwrap();
    assert_eq!(lines[0]["modelInput"], body);
    assert!(
        err.contains("warning: 2 records are fewer than the 100 a batch inference job takes"),
        "{err}"
    );
}

#[test]
fn a_bad_line_is_an_error_naming_it() {
    for (input, says) in [
        ("{\"prompt\": \"a\"}\n{\"prompt\": \n", "line 2: "),
        (
            "{\"id\": \"a1\", \"prompt\": \"a\"}\n{\"id\": \"a1\", \"prompt\": \"b\"}\n",
            "line 2: record id a1 is given twice",
        ),
        (
            "\n\n{\"id\": \"a-1\", \"prompt\": \"a\"}\n",
            "line 3: record id \"a-1\" must be letters and digits only",
        ),
        (
            "{\"text\": \"a\"}\n",
            "line 1: text is not a field of an input line (id, prompt, messages)",
        ),
        ("{\"id\": \"x\"}\n", "line 1: give prompt or messages"),
        ("{\"messages\": [{\"content\": \"hi\"}]}\n", "line 1: "),
    ] {
        let (ok, _, err) = prepare(input);
        assert!(!ok && err.contains(says), "{input:?}: {err}");
    }
}

/// 200,000 records with 120 MB of address space: the records are written as they are made.
#[cfg(target_os = "linux")]
#[test]
fn two_hundred_thousand_records_in_flat_memory() {
    let d = dir();
    let (inp, out) = (d.join("in.jsonl"), d.join("records.jsonl"));
    let mut input = String::with_capacity(200_000 * 40);
    for i in 0..200_000 {
        input.push_str(&format!("{{\"prompt\": \"Question number {i}?\"}}\n"));
    }
    std::fs::write(&inp, input).unwrap();
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 120000 && exec \"$0\" batch prepare --baml examples/bedrock.baml --client Example --input \"$1\" --out \"$2\"")
        .arg(env!("CARGO_BIN_EXE_bedrock-request"))
        .arg(&inp)
        .arg(&out)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("200000 records pass Bedrock's default quota of 50000 records"),
        "{err}"
    );
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().count(), 200_000);
    assert!(written
        .lines()
        .last()
        .unwrap()
        .starts_with("{\"recordId\":\"L0200000\""));
}

/// A loopback S3 (path-style) and Bedrock control plane: objects in memory, multipart uploads
/// assembled, a job that "runs" on its first GetModelInvocationJob by writing the output of
/// every record but the last, in reverse order, the first one failed. Every request must carry
/// a SigV4 authorization for the right service, and S3's x-amz-content-sha256 must be the body's.
mod fake {
    use std::collections::HashMap;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    #[derive(Default)]
    pub struct State {
        pub objects: HashMap<String, Vec<u8>>,
        pub parts: HashMap<u32, Vec<u8>>,
        pub job: Option<(String, String)>,
        pub log: Vec<String>,
        pub bad: Vec<String>,
    }

    pub fn start() -> (String, Arc<Mutex<State>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let mut headers = HashMap::new();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
                    }
                }
                let length = headers
                    .get("content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let mut parts = line.split(' ');
                let method = parts.next().unwrap_or("").to_owned();
                let target = parts.next().unwrap_or("").to_owned();
                let (status, extra, answer) = handle(&shared, &method, &target, &headers, body);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n",
                    answer.len()
                );
                let _ = stream.write_all(&answer);
            }
        });
        (base, state)
    }

    fn handle(
        state: &Mutex<State>,
        method: &str,
        target: &str,
        headers: &HashMap<String, String>,
        body: Vec<u8>,
    ) -> (u16, String, Vec<u8>) {
        let mut s = state.lock().unwrap();
        s.log.push(format!("{method} {target}"));
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let control = path.starts_with("/model-invocation-job");
        let auth = headers.get("authorization").cloned().unwrap_or_default();
        let service = if control {
            "/bedrock/aws4_request"
        } else {
            "/s3/aws4_request"
        };
        if !auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !auth.contains(service)
        {
            s.bad
                .push(format!("{method} {target}: authorization {auth:?}"));
        }
        if !control
            && headers.get("x-amz-content-sha256")
                != Some(&bedrock_request::sign::sha256_hex(&body))
        {
            s.bad
                .push(format!("{method} {target}: x-amz-content-sha256"));
        }
        let json = |v: String| {
            (
                200,
                "content-type: application/json\r\n".to_owned(),
                v.into_bytes(),
            )
        };
        if control {
            if method == "POST" {
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(v["modelInvocationType"], "Converse");
                let input = v["inputDataConfig"]["s3InputDataConfig"]["s3Uri"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                let output = v["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                s.job = Some((input, output));
                return json(r#"{"jobArn":"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/job0001"}"#.into());
            }
            let (input, output) = s.job.clone().unwrap();
            let key = |uri: &str| uri.trim_start_matches("s3://").to_owned();
            let records =
                String::from_utf8(s.objects.get(&key(&input)).cloned().unwrap_or_default())
                    .unwrap();
            let ids: Vec<String> = records
                .lines()
                .map(|l| {
                    serde_json::from_str::<serde_json::Value>(l).unwrap()["recordId"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
                .collect();
            let mut out = String::new();
            for (n, id) in ids.iter().enumerate().rev().skip(1) {
                if n == 0 {
                    out.push_str(&format!("{{\"recordId\":\"{id}\",\"modelInput\":{{}},\"error\":{{\"errorCode\":400,\"errorMessage\":\"Malformed input request\"}}}}\n"));
                } else {
                    out.push_str(&format!("{{\"recordId\":\"{id}\",\"modelInput\":{{}},\"modelOutput\":{{\"output\":{{\"message\":{{\"role\":\"assistant\",\"content\":[{{\"text\":\"answer {n}\"}}]}}}},\"stopReason\":\"end_turn\",\"usage\":{{\"inputTokens\":5,\"outputTokens\":2,\"totalTokens\":7}},\"metrics\":{{\"latencyMs\":9}}}}}}\n"));
                }
            }
            let name = input.rsplit('/').next().unwrap().to_owned();
            s.objects.insert(
                format!("{}job0001/{name}.out", key(&output)),
                out.into_bytes(),
            );
            s.objects.insert(
                format!("{}job0001/manifest.json.out", key(&output)),
                b"{}".to_vec(),
            );
            let n = ids.len();
            let answered = n.saturating_sub(2);
            return json(format!(
                r#"{{"jobArn":"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/job0001","status":"Completed","totalRecordCount":{n},"processedRecordCount":{n},"successRecordCount":{answered},"errorRecordCount":1,"outputDataConfig":{{"s3OutputDataConfig":{{"s3Uri":"{output}"}}}},"inputDataConfig":{{"s3InputDataConfig":{{"s3Uri":"{input}"}}}},"modelId":"m","roleArn":"r","submitTime":"2025-01-01T00:00:00Z"}}"#,
            ));
        }
        let key = bedrock_request_percent_decode(path.trim_start_matches('/'));
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|p| p.strip_prefix(&format!("{name}=")).map(str::to_owned))
        };
        match method {
            "PUT" if param("partNumber").is_some() => {
                let n: u32 = param("partNumber").unwrap().parse().unwrap();
                s.parts.insert(n, body);
                (200, format!("etag: \"etag{n}\"\r\n"), Vec::new())
            }
            "PUT" => {
                s.objects.insert(key, body);
                (200, String::new(), Vec::new())
            }
            "POST" if query == "uploads" => (200, String::new(), b"<InitiateMultipartUploadResult><UploadId>up1</UploadId></InitiateMultipartUploadResult>".to_vec()),
            "POST" => {
                let xml = String::from_utf8(body).unwrap();
                let mut whole = Vec::new();
                for n in 1..=s.parts.len() as u32 {
                    assert!(xml.contains(&format!("<PartNumber>{n}</PartNumber><ETag>\"etag{n}\"</ETag>")), "{xml}");
                    whole.extend_from_slice(&s.parts[&n]);
                }
                s.objects.insert(key, whole);
                (200, String::new(), b"<CompleteMultipartUploadResult/>".to_vec())
            }
            "GET" if query.contains("list-type=2") => {
                let prefix = bedrock_request_percent_decode(&param("prefix").unwrap());
                let bucket = key;
                let mut xml = String::from("<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>");
                let mut keys: Vec<&String> = s.objects.keys().filter(|k| k.starts_with(&format!("{bucket}/{prefix}"))).collect();
                keys.sort();
                for k in keys {
                    xml.push_str(&format!("<Contents><Key>{}</Key></Contents>", k.trim_start_matches(&format!("{bucket}/")).replace(' ', "+")));
                }
                xml.push_str("</ListBucketResult>");
                (200, String::new(), xml.into_bytes())
            }
            "GET" => match s.objects.get(&key) {
                Some(o) => (200, String::new(), o.clone()),
                None => (404, String::new(), b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>".to_vec()),
            },
            _ => (400, String::new(), Vec::new()),
        }
    }

    fn bedrock_request_percent_decode(text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                    out.push(b);
                    i += 3;
                    continue;
                }
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8(out).unwrap()
    }
}

fn batch_env(base: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE".into()),
        (
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
        ),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ENDPOINT_URL_S3", base.into()),
        ("AWS_ENDPOINT_URL_BEDROCK", base.into()),
    ]
}

#[test]
fn submit_status_and_results_against_a_loopback_s3_and_control_plane() {
    let (base, state) = fake::start();
    let env_owned = batch_env(&base);
    let env: Vec<(&str, &str)> = env_owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let d = dir();
    let (inp, records) = (d.join("in.jsonl"), d.join("records.jsonl"));
    let input: String = (0..120)
        .map(|i| format!("{{\"prompt\": \"Question {i}?\"}}\n"))
        .collect();
    std::fs::write(&inp, input).unwrap();
    let o = run_prepare(&inp, &records);
    assert!(o.status.success());
    let o = run(
        &[
            "batch",
            "submit",
            "--baml",
            "examples/bedrock.baml",
            "--client",
            "Example",
            "--records",
            records.to_str().unwrap(),
            "--input-uri",
            "s3://my-bucket/batch/in/",
            "--output-uri",
            "s3://my-bucket/batch/out/",
            "--role-arn",
            "arn:aws:iam::123456789012:role/BedrockBatch",
            "--job-name",
            "eval-1",
        ],
        &env,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        printed["jobArn"],
        "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/job0001"
    );
    assert_eq!(printed["inputKey"], "batch/in/records.jsonl");
    assert_eq!(
        state.lock().unwrap().objects["my-bucket/batch/in/records.jsonl"],
        std::fs::read(&records).unwrap()
    );
    let job = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/job0001";
    let o = run(&["batch", "status", job], &env);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let status: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (
            status["status"].as_str(),
            status["errorRecordCount"].as_u64()
        ),
        (Some("Completed"), Some(1))
    );
    let o = run(
        &[
            "batch",
            "results",
            job,
            "--records",
            records.to_str().unwrap(),
        ],
        &env,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("record L0000120: no output line names it")
            && err.contains("1 of the records have no output"),
        "{err}"
    );
    let lines: Vec<serde_json::Value> = o
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 120);
    assert_eq!(lines[0]["recordId"], "L0000001");
    assert_eq!(lines[0]["error"]["code"], "400");
    assert_eq!(lines[5]["text"], "answer 5");
    assert_eq!(lines[5]["usage"]["output_tokens"], 2);
    assert_eq!(lines[119]["error"]["code"], "Missing");
    let s = state.lock().unwrap();
    assert!(s.bad.is_empty(), "{:?}", s.bad);
}

#[test]
fn fewer_than_100_records_are_refused_and_a_large_file_goes_in_parts() {
    let (base, state) = fake::start();
    let env_owned = batch_env(&base);
    let env: Vec<(&str, &str)> = env_owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let d = dir();
    let records = d.join("records.jsonl");
    std::fs::write(
        &records,
        "{\"recordId\":\"a\",\"modelInput\":{}}\n".repeat(99),
    )
    .unwrap();
    let args = |r: &std::path::Path| {
        vec![
            "batch".to_owned(),
            "submit".into(),
            "--baml".into(),
            "examples/bedrock.baml".into(),
            "--client".into(),
            "Example".into(),
            "--records".into(),
            r.to_str().unwrap().into(),
            "--input-uri".into(),
            "s3://my-bucket/in/".into(),
            "--output-uri".into(),
            "s3://my-bucket/out/".into(),
            "--role-arn".into(),
            "arn:aws:iam::1:role/r".into(),
            "--job-name".into(),
            "big".into(),
        ]
    };
    let a = args(&records);
    let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>(), &env);
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("holds 99 records: a batch job takes at least 100"));
    // 70 MB: 9 parts of 8 MiB.
    let line = format!(
        "{{\"recordId\":\"r\",\"modelInput\":{{\"pad\":\"{}\"}}}}\n",
        "x".repeat(699_960)
    );
    let big = d.join("big.jsonl");
    std::fs::write(&big, line.repeat(100)).unwrap();
    let a = args(&big);
    let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>(), &env);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = state.lock().unwrap();
    assert_eq!(s.parts.len(), 9);
    assert_eq!(
        s.objects["my-bucket/in/big.jsonl"],
        std::fs::read(&big).unwrap()
    );
    assert!(s.bad.is_empty(), "{:?}", s.bad);
}

/// The profile's `endpoint_url` (shared config) is used below the environment's variables, as the
/// AWS SDKs rank it, by batch and request alike.
#[test]
fn the_profiles_endpoint_url_is_used_below_the_environments() {
    let (base, state) = fake::start();
    let home = crate::common::aws_home(
        "batch-home",
        &format!("[default]\nregion = us-east-1\nendpoint_url = {base}\n"),
    );
    let home_s = home.to_str().unwrap().to_owned();
    let keys = [
        ("HOME", home_s.as_str()),
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        (
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ),
    ];
    let records = home.join("records.jsonl");
    std::fs::write(
        &records,
        "{\"recordId\":\"a\",\"modelInput\":{}}\n".repeat(100),
    )
    .unwrap();
    let o = run(
        &[
            "batch",
            "submit",
            "--baml",
            "examples/bedrock.baml",
            "--client",
            "Example",
            "--records",
            records.to_str().unwrap(),
            "--input-uri",
            "s3://my-bucket/in/",
            "--output-uri",
            "s3://my-bucket/out/",
            "--role-arn",
            "arn:aws:iam::1:role/r",
            "--job-name",
            "p1",
        ],
        &keys,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(state
        .lock()
        .unwrap()
        .objects
        .contains_key("my-bucket/in/records.jsonl"));
    // request: the profile's endpoint, unless the environment names one, or says to ignore them.
    let url = |env: &[(&str, &str)]| {
        let all: Vec<(&str, &str)> = keys.iter().chain(env).copied().collect();
        let o = run(
            &[
                "request",
                "--baml",
                "examples/bedrock.baml",
                "--client",
                "Example",
                "--prompt",
                "hi",
                "--unsigned",
            ],
            &all,
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["url"].as_str().unwrap().to_owned()
    };
    assert!(
        url(&[]).starts_with(&format!("{base}/model/")),
        "{}",
        url(&[])
    );
    assert!(
        url(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:1")]).starts_with("http://127.0.0.1:1/model/")
    );
    assert!(url(&[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")])
        .starts_with("https://bedrock-runtime."));
}
