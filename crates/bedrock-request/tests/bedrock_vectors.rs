//! vectors/bedrock/: cases made by botocore (tools/make_bedrock_vectors.py). Each is built from
//! its `input` with this crate and must match botocore's URL, body bytes, headers, and
//! signature exactly.

use bedrock_request::{converse, credentials, ClientConfig, Env, Value};
use serde_json::Value as Json;
use time::macros::datetime;

use crate::common::repo_path;

/// (file name, the case as serde_json for comparisons, the case's `input` with key order kept)
fn cases() -> Vec<(String, Json, Value)> {
    let dir = repo_path("vectors/bedrock");
    let mut cases: Vec<(String, Json, Value)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let ordered = Value::from_json_str(&text)
                .unwrap()
                .get("input")
                .unwrap()
                .clone();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                serde_json::from_str(&text).unwrap(),
                ordered,
            )
        })
        .collect();
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    cases
}

#[test]
fn every_botocore_vector_matches() {
    let cases = cases();
    assert!(
        cases.len() >= 18,
        "expected the botocore vectors, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for (name, case, ordered_input) in &cases {
        assert_eq!(
            case["time"], "20150830T123600Z",
            "{name}: the tests sign at the vectors' fixed time"
        );
        let input = &case["input"];
        let expected = &case["botocore"];
        // Options and messages keep the file's key order (serde_json would sort them).
        let options = ordered_input.get("options").unwrap();
        let config =
            ClientConfig::from_options(options, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        let messages = bedrock_request::prompt::messages_from_json(
            &ordered_input.get("messages").unwrap().to_json(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let env: Env = input["env"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let tools = ordered_input.get("tools").map(|t| {
            converse::Tools::from_json(&t.to_json()).unwrap_or_else(|e| panic!("{name}: {e}"))
        });
        let mut builder = converse::Builder::new(&config, &messages, &env);
        if let Some(tools) = &tools {
            builder = builder.tools(tools);
        }
        let unsigned = match input["operation"].as_str() {
            None => builder.build(),
            Some("converse-stream") => builder
                .operation(converse::Operation::ConverseStream)
                .build(),
            Some("count-tokens") => builder.operation(converse::Operation::CountTokens).build(),
            Some(other) => panic!("{name}: unknown operation {other}"),
        }
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let auth = credentials::resolve_static(&config, &env)
            .unwrap()
            .expect("credentials")
            .auth;
        let signed = unsigned
            .sign(&auth, datetime!(2015-08-30 12:36:00 UTC))
            .unwrap();

        let mut check = |what: &str, ours: String, theirs: &str| {
            if ours != theirs {
                failures.push(format!(
                    "{name}: {what} differs\n  ours:     {ours}\n  botocore: {theirs}"
                ));
            }
        };
        check("url", signed.url.clone(), expected["url"].as_str().unwrap());
        check(
            "body bytes",
            signed.body.as_str().unwrap().to_owned(),
            expected["body_text"].as_str().unwrap(),
        );
        assert_eq!(
            serde_json::Value::from(signed.body.json().unwrap()),
            expected["body"],
            "{name}: body as JSON"
        );
        let theirs: Vec<(String, String)> = expected["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h[0].as_str().unwrap().to_owned(),
                    h[1].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        check(
            "headers",
            format!("{:?}", signed.headers),
            &format!("{theirs:?}"),
        );
        let signature = signed
            .header("authorization")
            .unwrap()
            .rsplit("Signature=")
            .next()
            .unwrap()
            .to_owned();
        check(
            "signature",
            signature,
            expected["signature"].as_str().unwrap(),
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_precomputed_payload_hash_signs_as_botocore_does() {
    // The host hashes the body (WebCrypto, say) and the signer takes the hash: the signature is
    // botocore's for every vector, and a wrong hash is refused before signing.
    for (name, case, ordered_input) in &cases() {
        if case["input"].get("operation").is_some() {
            continue;
        }
        let env: Env = case["input"]["env"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let config =
            ClientConfig::from_options(ordered_input.get("options").unwrap(), None).unwrap();
        let messages = bedrock_request::prompt::messages_from_json(
            &ordered_input.get("messages").unwrap().to_json(),
        )
        .unwrap();
        let tools = ordered_input
            .get("tools")
            .map(|t| converse::Tools::from_json(&t.to_json()).unwrap());
        let mut builder = converse::Builder::new(&config, &messages, &env);
        if let Some(tools) = &tools {
            builder = builder.tools(tools);
        }
        let unsigned = builder.build().unwrap();
        let auth = credentials::resolve_static(&config, &env)
            .unwrap()
            .unwrap()
            .auth;
        let hash = bedrock_request::sign::sha256_hex(unsigned.preview().body.as_bytes());
        let bedrock_request::Auth::SigV4(creds) = &auth else {
            panic!("{name}: the vectors sign with AWS keys")
        };
        let (region, mut signed) = (unsigned.region().to_owned(), unsigned.into_preview());
        let mut signer = bedrock_request::sign::Signer::new();
        let mut unchecked = signed.clone();
        signer
            .sign_in_place(
                &mut signed,
                creds,
                &region,
                datetime!(2015-08-30 12:36:00 UTC),
                Some(&hash),
            )
            .unwrap();
        assert!(
            signed.header("authorization").unwrap().ends_with(&format!(
                "Signature={}",
                case["botocore"]["signature"].as_str().unwrap()
            )),
            "{name}"
        );
        let e = signer
            .sign_in_place(
                &mut unchecked,
                creds,
                &region,
                datetime!(2015-08-30 12:36:00 UTC),
                Some("ABC"),
            )
            .unwrap_err();
        assert!(
            e.to_string().contains("is not a SHA-256 in lowercase hex"),
            "{e}"
        );
    }
}

#[test]
fn the_issues_reference_signature_is_reproduced_from_scratch() {
    // Stated in the foundation issue for botocore 1.44.8: these credentials, this time, region
    // and body, headers content-type and host. Computed here, not read from a vector file.
    let config = ClientConfig::builder()
        .model("anthropic.claude-3-haiku-20240307-v1:0")
        .region("us-east-1")
        .access_keys("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        .build()
        .unwrap();
    let unsigned = converse::Builder::new(
        &config,
        &[bedrock_request::Message::user("Hello")],
        &Env::new(),
    )
    .build()
    .unwrap();
    assert_eq!(
        unsigned.preview().path_and_query(),
        "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
    );
    assert_eq!(
        unsigned.preview().body.as_str(),
        Some(r#"{"messages":[{"role":"user","content":[{"text":"Hello"}]}]}"#)
    );
    let auth = credentials::resolve_static(&config, &Env::new())
        .unwrap()
        .unwrap()
        .auth;
    let signed = unsigned
        .sign(&auth, datetime!(2015-08-30 12:36:00 UTC))
        .unwrap();
    assert!(signed
        .header("authorization")
        .unwrap()
        .ends_with("Signature=19f9ff5f31b96d4983cc87f7191e49e8c39475e434ea6b9d581028226bdc060c"));
}

/// Images given as bytes in memory (`Media::from_bytes`, base64-encoded as the body is
/// written) give botocore's body byte for byte: every image of every vector, large (copied
/// into the body by reference) and small.
#[test]
fn images_from_bytes_give_botocores_body() {
    use bedrock_request::prompt::{Media, MediaSource};
    use bedrock_request::Part;
    let mut checked = 0;
    for (name, case, ordered_input) in &cases() {
        let config = ClientConfig::from_options(ordered_input.get("options").unwrap(), None)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut messages = bedrock_request::prompt::messages_from_json(
            &ordered_input.get("messages").unwrap().to_json(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut swapped = 0;
        for part in messages.iter_mut().flat_map(|m| m.parts.iter_mut()) {
            if let Part::Media(media) = part {
                if let MediaSource::Base64 { data, media_type } = &media.source {
                    let bytes = decode_base64(data);
                    *media = Media::from_bytes(media.kind, &bytes, media_type.as_deref());
                    swapped += 1;
                }
            }
        }
        if swapped == 0 || case["input"].get("operation").is_some() {
            continue;
        }
        let tools = ordered_input.get("tools").map(|t| {
            converse::Tools::from_json(&t.to_json()).unwrap_or_else(|e| panic!("{name}: {e}"))
        });
        let env = Env::new();
        let mut builder = converse::Builder::new(&config, &messages, &env);
        if let Some(tools) = &tools {
            builder = builder.tools(tools);
        }
        let body = builder
            .build()
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .into_preview()
            .body;
        assert_eq!(
            body.as_str(),
            case["botocore"]["body_text"].as_str(),
            "{name}: the body built from bytes"
        );
        checked += 1;
    }
    assert!(checked >= 2, "only {checked} vectors have images");
}

/// Standard base64 (the vectors' own encoding), decoded here for the test.
fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let digits: Vec<u8> = text.bytes().filter(|&c| c != b'=').map(value).collect();
    digits
        .chunks(4)
        .flat_map(|q| {
            let n = q
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &d)| n | u32::from(d) << (18 - 6 * i));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes[..q.len().saturating_sub(1)].to_vec()
        })
        .collect()
}

/// Issue 27: a batch record's `modelInput` is the Converse body botocore serialises for the same
/// client, messages and tools, byte for byte.
#[test]
fn batch_records_hold_botocores_converse_body() {
    let mut checked = 0;
    for (name, case, ordered_input) in &cases() {
        let input = &case["input"];
        if input.get("operation").is_some() {
            continue;
        }
        let config =
            ClientConfig::from_options(ordered_input.get("options").unwrap(), None).unwrap();
        let env: Env = input["env"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let tools = ordered_input
            .get("tools")
            .map(|t| converse::Tools::from_json(&t.to_json()).unwrap());
        let mut records = bedrock_request::batch::Records::new(&config, tools.as_ref(), env);
        let line = format!(
            r#"{{"id": "r{checked}", "messages": {}}}"#,
            ordered_input.get("messages").unwrap().to_json()
        );
        let record = records
            .line(&line)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .unwrap();
        let prefix = format!(r#"{{"recordId":"r{checked}","modelInput":"#);
        let model_input = record
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix("}\n"))
            .unwrap_or_else(|| panic!("{name}: {record}"));
        assert_eq!(
            model_input,
            case["botocore"]["body_text"].as_str().unwrap(),
            "{name}"
        );
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} Converse vectors");
}
