//! A case's files: `context.json` and the raw requests, and how the suite compares them.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// `context.json`: credentials, region, service, time and signing options.
pub struct Context {
    pub access_key_id: String,
    pub secret: String,
    pub token: Option<String>,
    pub region: String,
    pub service: String,
    pub time: OffsetDateTime,
    pub normalize: bool,
    pub sign_body: bool,
    pub omit_session_token: bool,
    pub expires: u64,
}

pub fn context(text: &str) -> Result<Context, String> {
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
        time: OffsetDateTime::parse(&s("/timestamp")?, &Rfc3339)
            .map_err(|e| format!("context.json timestamp is not RFC 3339: {e}"))
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
pub struct RawRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

pub fn parse_request(bytes: &[u8]) -> Result<RawRequest, String> {
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

pub fn host_of(r: &RawRequest) -> Result<String, String> {
    r.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.trim().to_owned())
        .ok_or_else(|| "request.txt has no Host header".to_owned())
}

/// Compares requests as the suite means them: method, path, query parameters as a set,
/// headers as a set (names case-insensitive), body.
pub fn requests_differ(want: &RawRequest, got: &RawRequest) -> Option<String> {
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
