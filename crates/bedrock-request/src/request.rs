//! The output: an HTTP request as plain data, ready for any HTTP stack.

use std::borrow::Cow;
use std::fmt;

use crate::codec::{quoted, redact_tokens, split_url};
use crate::error::{CollectOk, Error, ErrorKind, Result};
use crate::value::Value;

/// An HTTP request: method, URL, ordered headers and the exact body bytes.
///
/// The URL's path is already percent-encoded exactly as it was signed: send it as it is
/// (clients that re-encode `%3A` break the signature). Headers are lowercase, in a stable
/// order; `host` is included.
///
/// `Debug` redacts the values of `authorization` and `x-amz-security-token`; the
/// [`to_curl`](Self::to_curl) and [`to_http`](Self::to_http) renderings, which exist to be
/// sent, include them.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// `POST` for every Converse call.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// Header names (lowercase) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Body,
}

/// A request body: the exact bytes that were signed.
#[derive(Clone, PartialEq, Eq)]
pub struct Body(Vec<u8>);

impl Body {
    /// Wraps bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        Body(bytes)
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes as text, if they are UTF-8 (Converse bodies always are).
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// The body parsed as JSON (what BAML's `req.body.json()` gives), numbers and key order
    /// as sent.
    pub fn json(&self) -> Result<Value> {
        let text = self
            .as_str()
            .ok_or_else(|| Error::request("the body is not JSON: it is not UTF-8"))?;
        Value::from_json_str(text).map_err(|e| Error::request(format!("the body is not JSON: {e}")))
    }

    /// Takes the bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for an empty body.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_str() {
            Some(s) if s.len() <= 512 => write!(f, "{}", quoted(s)),
            Some(s) => {
                let cut = (0..=512)
                    .rev()
                    .find(|&i| s.is_char_boundary(i))
                    .unwrap_or(0);
                write!(f, "{}... ({} bytes)", quoted(&s[..cut]), s.len())
            }
            None => write!(f, "<{} bytes>", self.0.len()),
        }
    }
}

/// Headers whose values `Debug` hides: signatures, session tokens, SSO and IMDS tokens.
const SENSITIVE: [&str; 4] = [
    "authorization",
    "x-amz-security-token",
    "x-amz-sso_bearer_token",
    "x-aws-ec2-metadata-token",
];

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Headers<'a>(&'a [(String, String)]);
        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries(self.0.iter().map(|(k, v)| {
                        if SENSITIVE.contains(&k.as_str()) {
                            (k.as_str(), "<redacted>")
                        } else {
                            (k.as_str(), v.as_str())
                        }
                    }))
                    .finish()
            }
        }
        // Form bodies are STS calls, which can carry a web identity token: length only.
        let form = self
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
        let mut s = f.debug_struct("HttpRequest");
        s.field("method", &self.method)
            .field("url", &redact_tokens(&self.url))
            .field("headers", &Headers(&self.headers));
        if form {
            s.field(
                "body",
                &format_args!("<{} bytes of form data>", self.body.len()),
            );
        } else {
            s.field("body", &self.body);
        }
        s.finish()
    }
}

impl HttpRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path and query of the URL, as they go on an HTTP/1.1 request line and into the
    /// signature: `/` for an empty path (`https://h?Action=X` is `/?Action=X`), no fragment.
    ///
    /// ```
    /// use bedrock_request::{Body, HttpRequest};
    /// let at = |url: &str| HttpRequest { method: "GET".into(), url: url.into(), headers: vec![], body: Body::new(vec![]) };
    /// assert_eq!(at("https://sts.amazonaws.com?Action=X").path_and_query(), "/?Action=X");
    /// assert_eq!(at("https://h/model/m/converse#part").path_and_query(), "/model/m/converse");
    /// assert_eq!(at("https://h").path_and_query(), "/");
    /// ```
    pub fn path_and_query(&self) -> Cow<'_, str> {
        let parts = split_url(&self.url);
        let start = parts.prefix.len() + parts.authority.len();
        let end = start + parts.path.len() + parts.query.map_or(0, |q| q.len() + 1);
        if parts.path.is_empty() {
            Cow::Owned(format!("/{}", &self.url[start..end]))
        } else {
            Cow::Borrowed(&self.url[start..end])
        }
    }

    /// A runnable `curl` command (POSIX shell quoting) that sends exactly these bytes.
    ///
    /// The body is piped in with the shell's `printf` builtin (`printf '%s' '...' | curl
    /// --data-binary @-`), so bodies of any size work (a command-line argument is limited to
    /// 128 KiB on Linux) and reach curl unchanged. `-i` keeps the status line and headers in
    /// the output, so `bedrock-request parse` classifies errors by `x-amzn-errortype` as Bedrock
    /// means them ([`HttpResponse::parse`] reads it). `--globoff` keeps curl from reading `[...]`
    /// and `{...}` in the URL as globs (it would send several requests, none to the signed
    /// path); `-N` streams a ConverseStream answer as it arrives. curl's own extra headers
    /// (`accept`, `user-agent`, `content-length`) are not signed and do not matter.
    ///
    /// ```
    /// use bedrock_request::{Body, HttpRequest};
    /// let request = HttpRequest {
    ///     method: "POST".into(),
    ///     url: "https://proxy.example/a[1-3]/model/m/converse-stream".into(),
    ///     headers: vec![("host".into(), "proxy.example".into())],
    ///     body: Body::new(b"{}".to_vec()),
    /// };
    /// let curl = request.to_curl();
    /// assert!(curl.contains("curl -sS -i --globoff -N -X POST 'https://proxy.example/a[1-3]/model/m/converse-stream'"));
    /// ```
    pub fn to_curl(&self) -> String {
        let mut out = String::new();
        if !self.body.is_empty() {
            out.push_str("printf '%s' ");
            out.push_str(&shell_quote(&String::from_utf8_lossy(self.body.as_bytes())));
            out.push_str(" |\n");
        }
        let stream = self.path_and_query().ends_with("/converse-stream");
        out.push_str(&format!(
            "curl -sS -i --globoff{} -X {} {}",
            if stream { " -N" } else { "" },
            self.method,
            shell_quote(&self.url)
        ));
        for (k, v) in &self.headers {
            out.push_str(" \\\n  -H ");
            out.push_str(&shell_quote(&format!("{k}: {v}")));
        }
        if !self.body.is_empty() {
            out.push_str(" \\\n  --data-binary @-");
        }
        out
    }

    /// The raw HTTP/1.1 request: request line, headers (plus `content-length`), blank line,
    /// body.
    pub fn to_http(&self) -> Vec<u8> {
        let mut head = format!("{} {} HTTP/1.1\r\n", self.method, self.path_and_query());
        for (k, v) in &self.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if self.header("content-length").is_none() {
            head.push_str(&format!("content-length: {}\r\n", self.body.len()));
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        out.extend_from_slice(self.body.as_bytes());
        out
    }

    /// The request as one JSON object (the CLI's `--format json`): `{"method", "url",
    /// "headers": [[name, value], ...], "body": <the body as JSON>, "body_text": <the exact
    /// body bytes as a string>}`. `body` is `null` when the body is not JSON.
    pub fn to_json(&self) -> String {
        let body_text = String::from_utf8_lossy(self.body.as_bytes()).into_owned();
        let body = Value::from_json_str(&body_text).unwrap_or(Value::Null);
        let headers = self
            .headers
            .iter()
            .map(|(k, v)| Value::Array(vec![Value::from(k.as_str()), Value::from(v.as_str())]))
            .collect();
        Value::Object(vec![
            ("method".into(), Value::from(self.method.as_str())),
            ("url".into(), Value::from(self.url.as_str())),
            ("headers".into(), Value::Array(headers)),
            ("body".into(), body),
            ("body_text".into(), Value::String(body_text)),
        ])
        .to_json_pretty()
    }

    /// Reads the [`to_json`](Self::to_json) form back (`method`, `url`, `headers`,
    /// `body_text`), as the CLI's `explain` takes it.
    pub fn from_json(json: &str) -> Result<HttpRequest> {
        let bad = |what: &str| Error::request(format!("not a request object: {what}"));
        let v = Value::from_json_str(json).map_err(|e| bad(&e.to_string()))?;
        let text = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| bad(&format!("no string \"{k}\"")))
        };
        let headers = match v.get("headers") {
            Some(Value::Array(rows)) => rows
                .iter()
                .map(|row| match row {
                    Value::Array(pair) if pair.len() == 2 => match (&pair[0], &pair[1]) {
                        (Value::String(k), Value::String(v)) => {
                            Ok((k.to_ascii_lowercase(), v.clone()))
                        }
                        _ => Err(bad("a header is not [name, value]")),
                    },
                    _ => Err(bad("a header is not [name, value]")),
                })
                .collect_ok()?,
            _ => return Err(bad("no \"headers\" array")),
        };
        Ok(HttpRequest {
            method: text("method")?,
            url: text("url")?,
            headers,
            body: Body::new(text("body_text")?.into_bytes()),
        })
    }

    /// Converts to an [`http::Request`], for hyper, reqwest, ureq and friends, copying the
    /// body; `http::Request::try_from(request)` moves it instead.
    pub fn to_http_request(&self) -> Result<http::Request<Vec<u8>>> {
        self.http_head()
            .body(self.body.as_bytes().to_vec())
            .map_err(http_error)
    }

    fn http_head(&self) -> http::request::Builder {
        // The URI as it is sent: without a fragment, `/` for an empty path.
        let parts = split_url(&self.url);
        let uri = [parts.prefix, parts.authority, &self.path_and_query()].concat();
        let mut builder = http::Request::builder()
            .method(self.method.as_str())
            .uri(uri);
        for (k, v) in &self.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        builder
    }
}

fn http_error(e: http::Error) -> Error {
    Error::request(format!("cannot build an http::Request: {e}"))
}

/// The request as an [`http::Request`], its body moved, not copied.
///
/// ```
/// use bedrock_request::{Body, HttpRequest};
/// let request = HttpRequest {
///     method: "POST".into(),
///     url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse".into(),
///     headers: vec![("content-type".into(), "application/json".into())],
///     body: Body::new(b"{}".to_vec()),
/// };
/// let body_at = request.body.as_bytes().as_ptr();
/// let http = http::Request::try_from(request)?;
/// assert_eq!(http.body().as_ptr(), body_at); // the same bytes, not a copy
/// assert_eq!(http.headers()["content-type"], "application/json");
/// # Ok::<(), bedrock_request::Error>(())
/// ```
impl TryFrom<HttpRequest> for http::Request<Vec<u8>> {
    type Error = Error;

    fn try_from(request: HttpRequest) -> Result<Self> {
        let head = request.http_head();
        head.body(request.body.into_bytes()).map_err(http_error)
    }
}

/// An HTTP response as the caller's stack received it: status, headers, body bytes.
///
/// `Debug` shows the body's length only: credential endpoints answer with secret keys.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names and values, as received.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

impl HttpResponse {
    /// A response with a status and a body, no headers.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Reads a whole HTTP/1.x response as `curl -i` prints it: status line, headers, a blank
    /// line, the body. Interim heads before the final one (`100 Continue`, a proxy's
    /// `200 Connection established`) are skipped. The body is taken as it is (curl has already
    /// removed any chunked encoding).
    ///
    /// ```
    /// use bedrock_request::HttpResponse;
    /// let raw = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many Requests\r\nx-amzn-ErrorType: ThrottlingException\r\n\r\n{\"message\":\"slow down\"}";
    /// let response = HttpResponse::parse(raw)?;
    /// assert_eq!(response.status, 429);
    /// assert_eq!(response.header("x-amzn-errortype"), Some("ThrottlingException"));
    /// assert_eq!(response.body, br#"{"message":"slow down"}"#);
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn parse(raw: &[u8]) -> Result<HttpResponse> {
        match HttpResponse::parse_head(raw)? {
            Some((mut response, body_start)) => {
                response.body = raw[body_start..].to_vec();
                Ok(response)
            }
            None => Err(Error::new(
                ErrorKind::Response,
                "the HTTP response ends before its headers do (no blank line after them)",
            )),
        }
    }

    /// The status and headers at the start of `raw` (a response read so far), and where the
    /// body starts; `Ok(None)` while the head is incomplete. The returned response has no body.
    /// For a stream: read until this answers, then feed the rest to the stream decoder.
    pub fn parse_head(raw: &[u8]) -> Result<Option<(HttpResponse, usize)>> {
        let mut at = 0;
        loop {
            let window = &raw[at..raw.len().min(at + MAX_HEAD)];
            let Some((head, next)) = split_head(window) else {
                if window.len() == MAX_HEAD {
                    return Err(Error::new(
                        ErrorKind::Response,
                        "not an HTTP response: no blank line ends the headers in the first 64 KiB",
                    ));
                }
                return Ok(None);
            };
            let response = head_of(head)?;
            // Interim answers (1xx) and a proxy's CONNECT reply come before the real one.
            let interim = (100..200).contains(&response.status)
                || (response.status == 200
                    && head
                        .to_ascii_lowercase()
                        .windows(20)
                        .any(|w| w == b"connection establish"));
            if !interim {
                return Ok(Some((response, at + next)));
            }
            at += next;
        }
    }
}

/// The most bytes a response head may take (status line and headers).
const MAX_HEAD: usize = 64 * 1024;

/// The head (without its blank line) and where what follows it starts.
fn split_head(raw: &[u8]) -> Option<(&[u8], usize)> {
    // The first empty line: "\r\n\r\n", or "\n\n".
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\n' {
            if raw.get(i + 1) == Some(&b'\n') {
                return Some((&raw[..i], i + 2));
            }
            if raw.get(i + 1) == Some(&b'\r') && raw.get(i + 2) == Some(&b'\n') {
                return Some((&raw[..i], i + 3));
            }
        }
        i += 1;
    }
    None
}

/// Status and headers from a head's text.
fn head_of(head: &[u8]) -> Result<HttpResponse> {
    let bad = |what: &str| Error::new(ErrorKind::Response, format!("not an HTTP response: {what}"));
    // HTTP allows any octet past ASCII in a header value (obs-text, RFC 9110 §5.5): such a
    // byte reads as U+FFFD in that value, rather than the whole response being refused (a
    // proxy's Latin-1 header must not hide a 429 behind it).
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split('\n').map(|l| l.trim_end_matches('\r'));
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.split(' ');
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/") {
        return Err(bad(&format!(
            "the first line is {}, not HTTP/1.1 STATUS",
            quoted(&status_line.chars().take(60).collect::<String>())
        )));
    }
    let status = parts
        .next()
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|s| (100..=999).contains(s))
        .ok_or_else(|| {
            bad(&format!(
                "no status code in {q_status_line}",
                q_status_line = quoted(&status_line)
            ))
        })?;
    let headers = lines
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once(':') {
            Some((k, v)) => Ok((k.trim().to_ascii_lowercase(), v.trim().to_owned())),
            None => Err(bad(&format!(
                "the header line {q_l} has no ':'",
                q_l = quoted(&l)
            ))),
        })
        .collect_ok()?;
    Ok(HttpResponse {
        status,
        headers,
        body: Vec::new(),
    })
}

/// Quotes for a POSIX shell: `'...'`, with `'` written as `'\''`.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
