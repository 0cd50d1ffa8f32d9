//! Real HTTP stacks (ureq, reqwest) send a signed request to a loopback server that verifies it
//! with `sign::verify`: proof that they do not alter what was signed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

use bedrock_request::sign::{verify, Verification};
use bedrock_request::{converse, Auth, Body, ClientConfig, Credentials, Env, HttpRequest, Message};

/// One HTTP/1.1 request read off a loopback connection: method, target, headers (names
/// lowercased) and the body (`content-length` bytes).
fn read_request(stream: &std::net::TcpStream) -> (String, String, Vec<(String, String)>, Vec<u8>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap().to_owned();
    let target = parts.next().unwrap().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        if h == "\r\n" || h.is_empty() {
            break;
        }
        let (k, v) = h.trim_end().split_once(':').unwrap();
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (method, target, headers, body)
}

/// Serves one request on loopback: verifies it and answers 200 "valid" or 403 with the stage.
fn verifying_server(creds: Credentials) -> (String, mpsc::Receiver<HttpRequest>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    let base_for_thread = base.clone();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let (method, target, headers, body) = read_request(&stream);
        let received = HttpRequest {
            method,
            url: format!("{base_for_thread}{target}"),
            headers,
            body: Body::new(body),
        };
        let (status, text) = match verify(&received, &creds, "us-east-1", "bedrock", None) {
            Verification::Valid => (200, "valid".to_owned()),
            Verification::Invalid { stage, detail } => (403, format!("{stage:?}: {detail}")),
            _ => (500, "unknown".to_owned()),
        };
        write!(
            stream,
            "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
            text.len()
        )
        .unwrap();
        tx.send(received).unwrap();
    });
    (base, rx)
}

fn signed_request(base: &str, creds: &Credentials) -> HttpRequest {
    // A model id with ':' (sent %3A, signed %253A), an endpoint with a path prefix, unicode.
    let config = ClientConfig::builder()
        .model("anthropic.claude-3-haiku-20240307-v1:0")
        .region("us-east-1")
        .endpoint_url(&format!("{base}/proxy/bedrock"))
        .build()
        .unwrap();
    converse::Builder::new(
        &config,
        &[Message::user("Grüße 🎉 \"quoted\"")],
        &Env::new(),
    )
    .build()
    .unwrap()
    .sign(&Auth::SigV4(creds.clone()), time::OffsetDateTime::now_utc())
    .unwrap()
}

fn creds() -> Credentials {
    Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        .with_session_token("token/==")
}

#[cfg(feature = "blocking")]
#[test]
fn ureq_sends_what_was_signed() {
    let (base, rx) = verifying_server(creds());
    let signed = signed_request(&base, &creds());
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let response = agent.run(signed.to_http_request().unwrap()).unwrap();
    let status = response.status().as_u16();
    let text = response.into_body().read_to_string().unwrap();
    assert_eq!((status, text.as_str()), (200, "valid"));
    let received = rx.recv().unwrap();
    assert_eq!(
        received.path_and_query(),
        "/proxy/bedrock/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
    );
    assert_eq!(received.body, signed.body);
}

#[test]
fn reqwest_sends_what_was_signed() {
    let (base, rx) = verifying_server(creds());
    let signed = signed_request(&base, &creds());
    let client = reqwest::blocking::Client::new();
    let mut builder = client.request(reqwest::Method::POST, signed.url.as_str());
    for (k, v) in &signed.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let response = builder
        .body(signed.body.as_bytes().to_vec())
        .send()
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().unwrap();
    assert_eq!((status, text.as_str()), (200, "valid"));
    assert_eq!(
        rx.recv().unwrap().path_and_query(),
        "/proxy/bedrock/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
    );
}

#[test]
fn a_stack_that_changes_the_request_is_caught() {
    // Sent with a different body than signed: the server says which stage failed.
    let (base, rx) = verifying_server(creds());
    let mut signed = signed_request(&base, &creds());
    signed.body = Body::new(b"{\"messages\":[]}".to_vec());
    let mut stream = std::net::TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    stream.write_all(&signed.to_http()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 403")
            && answer.contains("Signature: the signature does not match"),
        "{answer}"
    );
    let _ = rx.recv();
    // And a wrong key is caught before the signature.
    let other = Credentials::new("AKIDOTHER", "x");
    assert!(matches!(
        verify(&signed, &other, "us-east-1", "bedrock", None),
        Verification::Invalid {
            stage: bedrock_request::sign::VerifyStage::AccessKey,
            ..
        }
    ));
}

/// How any HTTP stack drives the credential chain (here reqwest; an async program does the
/// same with `.await`): poll, perform the step with your own client, hand the result back.
/// STS on loopback checks the AssumeRole signature made with the source profile's keys.
#[test]
fn the_credential_chain_driven_by_reqwest_against_a_loopback_sts() {
    use bedrock_request::credentials::{Chain, CredentialSource, Performed, Step};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let sts = format!("http://{}", listener.local_addr().unwrap());
    let sts_for_thread = sts.clone();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let (_, target, headers, body) = read_request(&stream);
        let received = HttpRequest {
            method: "POST".into(),
            url: format!("{sts_for_thread}{target}"),
            headers,
            body: Body::new(body),
        };
        let answer = match verify(
            &received,
            &Credentials::new("BASEKEY", "basesecret"),
            // The profile's region: STS is called regionally, as botocore does.
            "eu-west-3",
            "sts",
            None,
        ) {
            Verification::Valid => "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>rs</SecretAccessKey><SessionToken>rt</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>",
            _ => "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>bad</Message></Error></ErrorResponse>",
        };
        let status = if answer.starts_with("<AssumeRole") {
            200
        } else {
            403
        };
        write!(
            stream,
            "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
            answer.len()
        )
        .unwrap();
    });
    let home = crate::common::scratch("reqwest");
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    std::fs::write(
        home.join(".aws/config"),
        "[profile app]\nrole_arn = arn:aws:iam::123456789012:role/App\nsource_profile = base\nregion = eu-west-3\n",
    )
    .unwrap();
    std::fs::write(
        home.join(".aws/credentials"),
        "[base]\naws_access_key_id = BASEKEY\naws_secret_access_key = basesecret\n",
    )
    .unwrap();
    let env = Env::from_iter([
        ("HOME", home.to_str().unwrap()),
        ("AWS_ENDPOINT_URL_STS", sts.as_str()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let config = ClientConfig::builder().model("m").build().unwrap();
    let mut chain = Chain::new(&config, &env).with_profile("app");
    let client = reqwest::blocking::Client::new();
    let now = time::OffsetDateTime::now_utc();
    let resolved = loop {
        let performed = match chain.poll(now).unwrap() {
            Step::ReadFile { path, .. } => Performed::File(std::fs::read_to_string(path).ok()),
            Step::Send(request) => {
                let request =
                    reqwest::blocking::Request::try_from(request.to_http_request().unwrap())
                        .unwrap();
                match client.execute(request) {
                    Ok(response) => Performed::Response(bedrock_request::HttpResponse {
                        status: response.status().as_u16(),
                        headers: response
                            .headers()
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
                            .collect(),
                        body: response.bytes().unwrap().to_vec(),
                    }),
                    Err(e) => Performed::Unreachable(e.to_string()),
                }
            }
            Step::Done(resolved) => break resolved,
            other => panic!("unexpected step {other:?}"),
        };
        chain.handle(performed).unwrap();
    };
    std::fs::remove_dir_all(&home).unwrap();
    assert_eq!(resolved.source, CredentialSource::AssumeRole);
    assert_eq!(resolved.region.as_deref(), Some("eu-west-3"));
    assert!(matches!(&resolved.auth, Auth::SigV4(c) if c.access_key_id() == "ASIAROLE"));
}
