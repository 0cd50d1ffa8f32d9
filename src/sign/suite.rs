//! A runner for the AWS SigV4 test suite (aws-c-auth's `v4/` layout), stage by stage.
//!
//! A case is a folder of files: `context.json` (credentials, region, service, time, options),
//! `request.txt` (the raw request) and, per flavour (`header`, `query`),
//! `{flavour}-canonical-request.txt`, `-string-to-sign.txt`, `-signature.txt`,
//! `-signed-request.txt`. A case passes only if every file present matches. The canonical
//! request and string to sign are ours ([`CanonicalRequest`]); the signature is checked both
//! from our string to sign and from aws-sigv4's own `sign()`; the signed request is aws-sigv4's
//! output applied to the request. The runner is sans-IO: the caller hands in each file.

use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, SessionTokenMode, SignableBody, SignableRequest, SignatureLocation,
    SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::canonical::CanonicalRequest;
use crate::codec::{form_encode, parse_rfc3339};

/// One case's outcome: the stages that failed (empty: passed).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CaseReport {
    /// The case's name (its folder).
    pub name: String,
    /// `"{flavour} {stage}: why"` for each failed stage.
    pub failures: Vec<String>,
    /// How many files were compared.
    pub checked: usize,
}

impl CaseReport {
    /// Whether every file present matched.
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.checked > 0
    }
}

struct Context {
    access_key_id: String,
    secret: String,
    token: Option<String>,
    region: String,
    service: String,
    time: OffsetDateTime,
    normalize: bool,
    sign_body: bool,
    omit_session_token: bool,
    expires: u64,
}

fn context(text: &str) -> Result<Context, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("context.json: {e}"))?;
    let s = |p: &str| {
        v.pointer(p)
            .and_then(|x| x.as_str())
            .map(str::to_owned)
            .ok_or(format!("context.json has no {p}"))
    };
    let b = |k: &str, d: bool| v.get(k).and_then(|x| x.as_bool()).unwrap_or(d);
    Ok(Context {
        access_key_id: s("/credentials/access_key_id")?,
        secret: s("/credentials/secret_access_key")?,
        token: v
            .pointer("/credentials/token")
            .and_then(|x| x.as_str())
            .map(str::to_owned),
        region: s("/region")?,
        service: s("/service")?,
        time: parse_rfc3339(&s("/timestamp")?)
            .ok_or_else(|| "context.json timestamp is not RFC 3339".to_owned())
            .and_then(|t| {
                if t.unix_timestamp() < 0 {
                    Err("context.json timestamp is before 1970".to_owned())
                } else {
                    Ok(t)
                }
            })?,
        normalize: b("normalize", true),
        sign_body: b("sign_body", false),
        omit_session_token: b("omit_session_token", false),
        expires: v
            .get("expiration_in_seconds")
            .and_then(|x| x.as_u64())
            .unwrap_or(3600),
    })
}

/// A raw HTTP/1.1 request as the suite writes it (`Name:value` headers, folded lines joined).
#[derive(Clone, Debug, PartialEq, Eq)]
struct RawRequest {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn parse_request(bytes: &[u8]) -> Result<RawRequest, String> {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = match text.find("\n\n") {
        Some(i) => (&text[..i], text[i + 2..].as_bytes().to_vec()),
        None => (text.trim_end_matches('\n'), Vec::new()),
    };
    let mut lines = head.split('\n').map(|l| l.trim_end_matches('\r'));
    let first = lines.next().ok_or("empty request")?;
    // METHOD TARGET HTTP/1.1, where the target may hold raw spaces (get-space-*).
    let (method, rest) = first.split_once(' ').ok_or("no method")?;
    let target = rest.rsplit_once(" HTTP/").map_or(rest, |(t, _)| t);
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let method = method.to_owned();
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            let last = headers
                .last_mut()
                .ok_or("a continuation line before any header")?;
            last.1.push(' ');
            last.1.push_str(line.trim());
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.to_owned(), v.to_owned()));
        } else if !line.is_empty() {
            return Err(format!("not a header line: {line:?}"));
        }
    }
    Ok(RawRequest {
        method,
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body,
    })
}

fn host_of(r: &RawRequest) -> Result<String, String> {
    r.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.trim().to_owned())
        .ok_or_else(|| "request.txt has no Host header".to_owned())
}

fn text_of(get: &dyn Fn(&str) -> Option<Vec<u8>>, name: &str) -> Option<String> {
    get(name).map(|b| {
        String::from_utf8_lossy(&b)
            .trim_end_matches('\n')
            .to_owned()
    })
}

/// Runs one case; `get(file_name)` returns a file's bytes, `None` when absent.
pub fn run_case(name: &str, get: &dyn Fn(&str) -> Option<Vec<u8>>) -> CaseReport {
    let mut report = CaseReport {
        name: name.to_owned(),
        failures: Vec::new(),
        checked: 0,
    };
    let setup = (|| {
        let ctx = context(&text_of(get, "context.json").ok_or("no context.json")?)?;
        let req = parse_request(&get("request.txt").ok_or("no request.txt")?)?;
        Ok::<_, String>((ctx, req))
    })();
    let (ctx, req) = match setup {
        Ok(x) => x,
        Err(e) => {
            report.failures.push(e);
            return report;
        }
    };
    for flavour in ["header", "query"] {
        if let Err(e) = run_flavour(&ctx, &req, flavour, get, &mut report) {
            report.failures.push(format!("{flavour}: {e}"));
        }
    }
    report
}

/// What our canonical view computes for one flavour of a case.
struct Ours {
    amz_date: String,
    scope: String,
    /// The query string after signing (the query flavour adds the `X-Amz-*` parameters).
    query: String,
    /// The signed header names, as the request and signing give them.
    signed: Vec<String>,
    canonical_request: String,
    string_to_sign: String,
    signature: String,
}

fn run_flavour(
    ctx: &Context,
    req: &RawRequest,
    flavour: &str,
    get: &dyn Fn(&str) -> Option<Vec<u8>>,
    report: &mut CaseReport,
) -> Result<(), String> {
    let file = |stage: &str| text_of(get, &format!("{flavour}-{stage}.txt"));
    let expected = [
        "canonical-request",
        "string-to-sign",
        "signature",
        "signed-request",
    ]
    .map(file);
    if expected.iter().all(Option::is_none) {
        return Ok(());
    }
    let query_flavour = flavour == "query";
    let host = host_of(req)?;
    // The request's headers, less any x-amz-date the signer replaces.
    let signer_sets = |k: &str| !query_flavour && k.eq_ignore_ascii_case("x-amz-date");
    let req = &RawRequest {
        headers: req
            .headers
            .iter()
            .filter(|(k, _)| !signer_sets(k))
            .cloned()
            .collect(),
        ..req.clone()
    };
    let ours = our_view(ctx, req, query_flavour)?;
    let sdk = sdk_signature(ctx, req, &host, query_flavour)?;

    let mut check = |stage: &str, expected: &Option<String>, actual: &str| {
        if let Some(expected) = expected {
            report.checked += 1;
            if expected != actual {
                report.failures.push(format!(
                    "{flavour} {stage}: expected\n{expected}\ngot\n{actual}"
                ));
            }
        }
    };
    check("canonical request", &expected[0], &ours.canonical_request);
    check("string to sign", &expected[1], &ours.string_to_sign);
    check("signature", &expected[2], &ours.signature);
    if let Some(sdk) = &sdk {
        if *sdk != ours.signature {
            report.failures.push(format!(
                "{flavour} signature: our view gives {}, aws-sigv4 {sdk}",
                ours.signature
            ));
        }
    }
    if let Some(signed_text) = &expected[3] {
        report.checked += 1;
        let want = parse_request(signed_text.as_bytes())?;
        let got = signed_request(ctx, req, &ours, query_flavour);
        if let Some(why) = requests_differ(&want, &got) {
            report
                .failures
                .push(format!("{flavour} signed request: {why}"));
        }
    }
    Ok(())
}

/// Our canonical request, string to sign and signature: the request's headers plus what
/// signing adds (headers, or `X-Amz-*` query parameters for the query flavour).
fn our_view(ctx: &Context, req: &RawRequest, query_flavour: bool) -> Result<Ours, String> {
    let amz_date = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        ctx.time.year(),
        u8::from(ctx.time.month()),
        ctx.time.day(),
        ctx.time.hour(),
        ctx.time.minute(),
        ctx.time.second()
    );
    let scope = format!(
        "{}/{}/{}/aws4_request",
        &amz_date[..8],
        ctx.region,
        ctx.service
    );
    let payload_hash = hex::encode(Sha256::digest(&req.body));
    let mut headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    let mut query = req.query.clone();
    let token = ctx.token.as_deref().filter(|_| !ctx.omit_session_token);
    let mut signed: Vec<String> = headers.iter().map(|(k, _)| k.clone()).collect();
    if query_flavour {
        let mut extra = vec![
            ("X-Amz-Algorithm".to_owned(), "AWS4-HMAC-SHA256".to_owned()),
            (
                "X-Amz-Credential".to_owned(),
                format!("{}/{scope}", ctx.access_key_id),
            ),
            ("X-Amz-Date".to_owned(), amz_date.clone()),
            ("X-Amz-Expires".to_owned(), ctx.expires.to_string()),
        ];
        extra.push(("X-Amz-SignedHeaders".to_owned(), header_list(&signed)));
        if let Some(t) = token {
            extra.push(("X-Amz-Security-Token".to_owned(), t.to_owned()));
        }
        for (k, v) in extra {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&form_encode(&[(&k, &v)]));
        }
    } else {
        headers.push(("x-amz-date".to_owned(), amz_date.clone()));
        signed.push("x-amz-date".to_owned());
        if let Some(t) = token {
            headers.push(("x-amz-security-token".to_owned(), t.to_owned()));
            signed.push("x-amz-security-token".to_owned());
        }
        if ctx.sign_body {
            headers.push(("x-amz-content-sha256".to_owned(), payload_hash.clone()));
            signed.push("x-amz-content-sha256".to_owned());
        }
    }
    let signed_refs: Vec<&str> = signed.iter().map(String::as_str).collect();
    let canonical_request = CanonicalRequest::build(
        &req.method,
        &req.path,
        &query,
        &headers,
        &signed_refs,
        ctx.normalize,
        payload_hash,
    )
    .map_err(|e| e.to_string())?
    .text();
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let key = v4::generate_signing_key(
        &ctx.secret,
        SystemTime::from(ctx.time),
        &ctx.region,
        &ctx.service,
    );
    let signature = v4::calculate_signature(key, string_to_sign.as_bytes());
    Ok(Ours {
        amz_date,
        scope,
        query,
        signed,
        canonical_request,
        string_to_sign,
        signature,
    })
}

/// Sorted, deduplicated signed-header names joined by `;`.
fn header_list(names: &[String]) -> String {
    let mut names = names.to_vec();
    names.sort();
    names.dedup();
    names.join(";")
}

/// aws-sigv4's own signature of the same request, with the case's settings; `None` when it
/// cannot take the request (a raw space in the path, get-space-unnormalized, is not a URI).
fn sdk_signature(
    ctx: &Context,
    req: &RawRequest,
    host: &str,
    query_flavour: bool,
) -> Result<Option<String>, String> {
    let identity = aws_credential_types::Credentials::new(
        &ctx.access_key_id,
        &ctx.secret,
        ctx.token.clone(),
        None,
        "suite",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.uri_path_normalization_mode = if ctx.normalize {
        UriPathNormalizationMode::Enabled
    } else {
        UriPathNormalizationMode::Disabled
    };
    settings.payload_checksum_kind = if ctx.sign_body {
        PayloadChecksumKind::XAmzSha256
    } else {
        PayloadChecksumKind::NoHeader
    };
    settings.session_token_mode = if ctx.omit_session_token {
        SessionTokenMode::Exclude
    } else {
        SessionTokenMode::Include
    };
    if query_flavour {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(ctx.expires));
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&ctx.region)
        .name(&ctx.service)
        .time(SystemTime::from(ctx.time))
        .settings(settings)
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let target = if req.query.is_empty() {
        req.path.clone()
    } else {
        format!("{}?{}", req.path, req.query)
    };
    let uri = format!("https://{host}{target}");
    let sdk_headers: Vec<(&str, &str)> = req
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("host"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    Ok(SignableRequest::new(
        &req.method,
        uri.as_str(),
        sdk_headers.iter().copied(),
        SignableBody::Bytes(&req.body),
    )
    .ok()
    .and_then(|signable| sign(signable, &params).ok())
    .map(|out| out.into_parts().1))
}

/// The request as our signature sends it: signed query parameters, or the signing headers and
/// `Authorization`.
fn signed_request(ctx: &Context, req: &RawRequest, ours: &Ours, query_flavour: bool) -> RawRequest {
    let mut got = req.clone();
    let signature = &ours.signature;
    if query_flavour {
        got.query = ours.query.clone();
        if let (Some(t), true) = (&ctx.token, ctx.omit_session_token) {
            // Sent, though not signed (post-sts-header-after).
            got.query
                .push_str(&format!("&{}", form_encode(&[("X-Amz-Security-Token", t)])));
        }
        got.query.push_str(&format!("&X-Amz-Signature={signature}"));
        return got;
    }
    got.headers
        .push(("X-Amz-Date".to_owned(), ours.amz_date.clone()));
    if let Some(t) = &ctx.token {
        // Sent even when omitted from the signature (post-sts-header-after).
        got.headers
            .push(("X-Amz-Security-Token".to_owned(), t.clone()));
    }
    if ctx.sign_body {
        got.headers.push((
            "X-Amz-Content-Sha256".to_owned(),
            hex::encode(Sha256::digest(&req.body)),
        ));
    }
    got.headers.push((
        "Authorization".to_owned(),
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{}, SignedHeaders={}, Signature={signature}",
            ctx.access_key_id,
            ours.scope,
            header_list(&ours.signed)
        ),
    ));
    got
}

/// Compares requests as the suite means them: method, path, query parameters as a set,
/// headers as a set (names case-insensitive), body.
fn requests_differ(want: &RawRequest, got: &RawRequest) -> Option<String> {
    let sorted_query = |q: &str| {
        let mut p: Vec<String> = q
            .split('&')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        p.sort();
        p
    };
    let sorted_headers = |h: &[(String, String)]| {
        let mut v: Vec<(String, String)> = h
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        v.sort();
        v
    };
    if want.method != got.method || want.path != got.path {
        return Some(format!(
            "{} {} instead of {} {}",
            got.method, got.path, want.method, want.path
        ));
    }
    if sorted_query(&want.query) != sorted_query(&got.query) {
        return Some(format!("query {:?} instead of {:?}", got.query, want.query));
    }
    if sorted_headers(&want.headers) != sorted_headers(&got.headers) {
        return Some(format!(
            "headers {:?} instead of {:?}",
            sorted_headers(&got.headers),
            sorted_headers(&want.headers)
        ));
    }
    (want.body != got.body).then(|| "the body differs".to_owned())
}
