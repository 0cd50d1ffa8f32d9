//! The CLI's HTTP: the agent that sends signed API calls (no redirects, an idle timeout) and
//! the one that fetches media for a request (no redirects, public hosts only, https unless
//! allowed). `docs/security.md` lists the limits and the flags that change them.

use std::io;
use std::net::IpAddr;
use std::time::Duration;

use ureq::config::Config;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};
use ureq::Agent;

/// The agent for signed API calls: a redirect is returned, never followed (a signed request
/// sent on to another host would carry its session token there), and a read that waits longer
/// than `read_timeout` fails (botocore's `read_timeout` is 60 s).
pub fn api_agent(read_timeout: Duration) -> Agent {
    Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(10)))
        .timeout_per_read(Some(read_timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into()
}

/// The agent for media URLs: no redirects, 10 s to connect, 60 s idle; with `public_only`,
/// a host that resolves only to loopback, private, link-local or otherwise special addresses
/// is refused (checked on the addresses it connects to, so a DNS answer cannot change it), and
/// no proxy from the environment is used (a proxy would fetch any address for us, the
/// instance metadata service included).
pub fn media_agent(public_only: bool) -> Agent {
    let mut builder = Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(10)))
        .timeout_per_read(Some(Duration::from_secs(60)))
        .max_redirects(0)
        .http_status_as_error(false);
    if public_only {
        builder = builder.proxy(None);
    }
    let config = builder.build();
    if public_only {
        Agent::with_parts(config, DefaultConnector::new(), PublicOnly::default())
    } else {
        config.into()
    }
}

/// An answer's headers as the library takes them: lowercase names, values read lossily (HTTP
/// allows obs-text bytes; a header is never why an answer is lost).
pub fn headers_of<B>(response: &ureq::http::Response<B>) -> Vec<(String, String)> {
    response
        .headers()
        .iter()
        .map(|(k, v)| {
            let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
            (k.as_str().to_owned(), value)
        })
        .collect()
}

/// Resolves as the default resolver does and keeps public addresses only.
#[derive(Debug, Default)]
struct PublicOnly {
    inner: DefaultResolver,
}

impl Resolver for PublicOnly {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let all = self.inner.resolve(uri, config, timeout)?;
        let mut public = self.empty();
        for addr in all.iter().filter(|a| is_public(a.ip())) {
            public.push(*addr);
        }
        if public.is_empty() {
            let host = uri.host().unwrap_or("");
            let first = all.first().map(|a| a.ip().to_string()).unwrap_or_default();
            return Err(ureq::Error::Io(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("{host} is at {first}, a loopback, private or link-local address: media are fetched from public hosts only (--media-private-hosts allows others)"),
            )));
        }
        Ok(public)
    }
}

/// Whether an address is on the public internet: not loopback, private, link-local (the
/// instance metadata service), shared (CGNAT), unspecified, multicast, documentation or
/// reserved; an IPv6 address that embeds an IPv4 one is judged by it.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) reaches the IPv4 address it embeds.
            if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [a, b] = s[6].to_be_bytes();
                let [c, d] = s[7].to_be_bytes();
                return is_public(IpAddr::V4([a, b, c, d].into()));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || v6.is_unique_local()
                || v6.is_unicast_link_local()
                || (s[0] & 0xffc0) == 0xfec0
                || (s[0] == 0x2001 && s[1] == 0x0db8)
                || s[..6] == [0, 0, 0, 0, 0, 0])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "::127.0.0.1",
            "2001:db8::1",
            "ff02::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "52.94.133.131",
            "8.8.8.8",
            "2600:1f18::1",
            "::ffff:52.94.133.131",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }
}
