//! Whether a request's authorisation may travel to its URL: never an API key or a session
//! token in clear text to another machine.

use crate::auth::Auth;
use crate::codec::{redact_userinfo, split_url};
use crate::error::{Error, ErrorKind, Result};

/// Refuses to send an API key or a session token to `url` in clear text: a plain `http://`
/// URL whose host is not this machine (`localhost`, `127.0.0.0/8`, `[::1]`). SigV4 without a
/// session token is let through (the signature does not reveal the secret key). Signing a
/// Converse request checks this unless
/// [`UnsignedRequest::allow_cleartext`](crate::converse::UnsignedRequest::allow_cleartext) said
/// otherwise; call it before sending a request signed by the lower-level functions.
///
/// ```
/// use bedrock_request::{sign::check_transport, Auth, Secret};
/// let key = Auth::Bearer(Secret::new("ABSK..."));
/// assert!(check_transport(&key, "https://bedrock-runtime.us-east-1.amazonaws.com/").is_ok());
/// assert!(check_transport(&key, "http://127.0.0.1:8080/").is_ok());
/// let e = check_transport(&key, "http://proxy.example/").unwrap_err();
/// assert!(e.to_string().contains("clear text"), "{e}");
/// ```
pub fn check_transport(auth: &Auth, url: &str) -> Result<()> {
    let secret = match auth {
        Auth::Bearer(_) => "the API key",
        Auth::SigV4(c) if c.session_token().is_some() => "the session token",
        Auth::SigV4(_) => return Ok(()),
    };
    let plain = url
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
    if !plain || is_loopback(split_url(url).authority) {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Config,
        format!(
            "{secret} would travel in clear text to {}: use https, or allow plain HTTP explicitly (CLI --allow-insecure-http, JS allowInsecureHttp: true, Rust UnsignedRequest::allow_cleartext)",
            redact_userinfo(url)
        ),
    ))
}

/// Whether a URL's authority (`user@host:port`) names this machine.
fn is_loopback(authority: &str) -> bool {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
