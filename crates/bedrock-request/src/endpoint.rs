//! Endpoints, regions and the AWS partitions' DNS suffixes: the one place that knows how an
//! AWS host name is made, for Bedrock Runtime, STS and the SSO portal alike.

use std::fmt;

use crate::codec::{quoted, redact_userinfo};
use crate::env::Env;
use crate::error::{Error, ErrorKind, Result};

/// The AWS partitions other than `aws` (`amazonaws.com`, GovCloud included), by region prefix;
/// longer prefixes first (`us-isob-` before `us-iso-`).
const PARTITION_SUFFIXES: [(&str, &str); 6] = [
    ("cn-", "amazonaws.com.cn"),
    ("eusc-", "amazonaws.eu"),
    ("us-isob-", "sc2s.sgov.gov"),
    ("us-isof-", "csp.hci.ic.gov"),
    ("us-iso-", "c2s.ic.gov"),
    ("eu-isoe-", "cloud.adc-e.uk"),
];

/// The DNS suffix of a region's partition: `amazonaws.com`, `amazonaws.com.cn` for `cn-*`...
pub(crate) fn dns_suffix(region: &str) -> &'static str {
    PARTITION_SUFFIXES
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or("amazonaws.com", |(_, suffix)| suffix)
}

/// A parsed endpoint: scheme, authority and an optional path prefix.
///
/// Only `http` and `https` are accepted, the host must be ASCII (write an internationalised
/// name in its `xn--` form), default ports are dropped (`:443` on https, `:80` on http, as
/// HTTP clients drop them from the `Host` header), the host is lowercased, and a trailing `/`
/// of the path is removed. Query strings, fragments and user info are errors.
///
/// ```
/// use bedrock_request::Endpoint;
/// let e = Endpoint::parse("https://VPCE-123.bedrock-runtime.us-east-1.vpce.amazonaws.com:443/prefix/")?;
/// assert_eq!(e.host(), "vpce-123.bedrock-runtime.us-east-1.vpce.amazonaws.com");
/// assert_eq!(e.path_prefix(), "/prefix");
/// assert_eq!(e.to_string(), "https://vpce-123.bedrock-runtime.us-east-1.vpce.amazonaws.com/prefix");
/// # Ok::<(), bedrock_request::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    https: bool,
    host: String,
    path_prefix: String,
}

impl Endpoint {
    /// Parses an endpoint URL; the error names the URL and what is wrong with it.
    pub fn parse(url: &str) -> Result<Endpoint> {
        Endpoint::parse_reason(url).map_err(|e| {
            Error::request(format!(
                "endpoint {} is not usable: {e}",
                quoted(&redact_userinfo(url))
            ))
        })
    }

    pub(crate) fn parse_reason(url: &str) -> Result<Endpoint, String> {
        let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
        let (https, rest) = if lower.starts_with("https://") {
            (true, &url[8..])
        } else if lower.starts_with("http://") {
            (false, &url[7..])
        } else {
            return Err("it must start with https:// (or http:// for a local proxy)".into());
        };
        if rest.contains(['?', '#']) {
            return Err("it must not have a query string or fragment".into());
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err("it must not contain user info (user@host)".into());
        }
        if authority.is_empty() {
            return Err("it has no host".into());
        }
        let (host, port) = split_port(authority)?;
        if host.is_empty() {
            return Err("it has no host".into());
        }
        let valid_host = if host.starts_with('[') {
            host.ends_with(']')
                && host[1..host.len() - 1]
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        } else {
            host.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
        };
        if !valid_host {
            return Err(format!(
                "host {q_host} has characters a host name cannot have (an internationalised name must be written in its xn-- form)",
                q_host = quoted(&host)
            ));
        }
        let default_port = if https { 443 } else { 80 };
        let host = match port {
            Some(p) if p != default_port => format!("{}:{p}", host.to_ascii_lowercase()),
            _ => host.to_ascii_lowercase(),
        };
        let path_prefix = path.trim_end_matches('/');
        if let Some(bad) = path_prefix.chars().find(|c| {
            !c.is_ascii_graphic()
                || matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
        }) {
            return Err(format!(
                "its path has {q_bad}, which must be percent-encoded in a URL",
                q_bad = quoted(&bad.to_string())
            ));
        }
        Ok(Endpoint {
            https,
            host,
            path_prefix: path_prefix.to_owned(),
        })
    }

    /// `https://bedrock-runtime.{region}.{dns suffix}`, or `bedrock-runtime-fips` with `fips`.
    ///
    /// The DNS suffix follows the AWS partitions: `amazonaws.com` (commercial and GovCloud),
    /// `amazonaws.com.cn` (`cn-*`), `amazonaws.eu` (`eusc-*`), `c2s.ic.gov` (`us-iso-*`),
    /// `sc2s.sgov.gov` (`us-isob-*`), `cloud.adc-e.uk` (`eu-isoe-*`), `csp.hci.ic.gov`
    /// (`us-isof-*`).
    ///
    /// ```
    /// use bedrock_request::Endpoint;
    /// assert_eq!(Endpoint::bedrock_runtime("eu-west-3", false).to_string(), "https://bedrock-runtime.eu-west-3.amazonaws.com");
    /// assert_eq!(Endpoint::bedrock_runtime("us-gov-west-1", true).to_string(), "https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com");
    /// assert_eq!(Endpoint::bedrock_runtime("cn-north-1", false).host(), "bedrock-runtime.cn-north-1.amazonaws.com.cn");
    /// ```
    pub fn bedrock_runtime(region: &str, fips: bool) -> Endpoint {
        let service = if fips {
            "bedrock-runtime-fips"
        } else {
            "bedrock-runtime"
        };
        Endpoint::regional(service, region)
    }

    /// `https://{service}.{region}.{dns suffix}` for a valid region name.
    pub(crate) fn regional(service: &str, region: &str) -> Endpoint {
        Endpoint {
            https: true,
            host: format!("{service}.{region}.{}", dns_suffix(region)),
            path_prefix: String::new(),
        }
    }

    /// The `Host` header value: host, and the port when it is not the scheme's default.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The path before `/model/...`, without a trailing `/` (empty for none).
    pub fn path_prefix(&self) -> &str {
        &self.path_prefix
    }

    /// `"https"` or `"http"`.
    pub fn scheme(&self) -> &'static str {
        if self.https {
            "https"
        } else {
            "http"
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme(), self.host, self.path_prefix)
    }
}

fn split_port(authority: &str) -> Result<(&str, Option<u16>), String> {
    let colon = if authority.starts_with('[') {
        authority
            .find(']')
            .and_then(|i| authority[i..].find(':').map(|j| i + j))
    } else {
        authority.rfind(':')
    };
    match colon {
        None => Ok((authority, None)),
        Some(i) => {
            let port = &authority[i + 1..];
            match port.parse::<u16>() {
                Ok(p) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && p > 0 => {
                    Ok((&authority[..i], Some(p)))
                }
                _ => Err(format!(
                    "port {q_port} is not a number from 1 to 65535",
                    q_port = quoted(&port)
                )),
            }
        }
    }
}

/// The region, in the AWS SDKs' order: `explicit` (a client's `region` option, a `--region`
/// flag), else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `profile_region` (the `region` of
/// the profile in use, from [`credentials::profile_region`](crate::credentials::profile_region)
/// or [`Resolved::region`](crate::credentials::Resolved::region)). Empty values are skipped;
/// the name is not checked here (signing and [`converse::Builder`](crate::converse::Builder)
/// check it).
///
/// ```
/// use bedrock_request::{resolve_region, Env};
/// let env = Env::from_iter([("AWS_DEFAULT_REGION", "eu-west-3")]);
/// assert_eq!(resolve_region(None, &env, Some("us-west-2")), Some("eu-west-3"));
/// assert_eq!(resolve_region(Some("us-east-1"), &env, None), Some("us-east-1"));
/// assert_eq!(resolve_region(None, &Env::new(), Some("us-west-2")), Some("us-west-2"));
/// ```
pub fn resolve_region<'a>(
    explicit: Option<&'a str>,
    env: &'a Env,
    profile_region: Option<&'a str>,
) -> Option<&'a str> {
    region_and_source(explicit, env, profile_region).map(|(region, _)| region)
}

/// [`resolve_region`], with where the region came from (`"explicit"`, the variable's name, or
/// `"profile"`), for errors that name it.
pub(crate) fn region_and_source<'a>(
    explicit: Option<&'a str>,
    env: &'a Env,
    profile_region: Option<&'a str>,
) -> Option<(&'a str, &'static str)> {
    [
        (explicit, "explicit"),
        (env.get("AWS_REGION"), "AWS_REGION"),
        (env.get("AWS_DEFAULT_REGION"), "AWS_DEFAULT_REGION"),
        (profile_region, "profile"),
    ]
    .into_iter()
    .find_map(|(region, from)| region.filter(|r| !r.is_empty()).map(|r| (r, from)))
}

/// Checks a region name: lowercase letters, digits and `-` (it becomes part of a host name
/// and of the signature's scope).
pub(crate) fn validate_region(region: &str) -> Result<(), String> {
    if region.is_empty() {
        return Err("region cannot be empty".into());
    }
    if !region
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!(
            "region {q_region} is not a region name: use lowercase letters, digits and '-', such as us-east-1",
            q_region = quoted(&region)
        ));
    }
    Ok(())
}

/// The endpoint the environment configures for a service: `service_var` (such as
/// `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`), else `AWS_ENDPOINT_URL`; `None` when neither is set or
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`. A bad URL is an error of `kind` naming the
/// variable.
pub(crate) fn configured_endpoint(
    env: &Env,
    service_var: &str,
    kind: ErrorKind,
) -> Result<Option<Endpoint>> {
    if env.flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") {
        return Ok(None);
    }
    for var in [service_var, "AWS_ENDPOINT_URL"] {
        if let Some(url) = env.get_nonempty(var) {
            return Endpoint::parse_reason(url).map(Some).map_err(|e| {
                Error::new(
                    kind,
                    format!("{var}={} is not usable: {e}", quoted(&redact_userinfo(url))),
                )
            });
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_partition_table_for_every_service() {
        assert_eq!(
            Endpoint::regional("sts", "cn-north-1").host(),
            "sts.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            Endpoint::regional("portal.sso", "cn-northwest-1").host(),
            "portal.sso.cn-northwest-1.amazonaws.com.cn"
        );
        assert_eq!(
            Endpoint::regional("sts", "us-isob-east-1").host(),
            "sts.us-isob-east-1.sc2s.sgov.gov"
        );
        assert_eq!(
            Endpoint::regional("sts", "us-iso-east-1").host(),
            "sts.us-iso-east-1.c2s.ic.gov"
        );
        assert_eq!(
            Endpoint::regional("sts", "us-gov-west-1").host(),
            "sts.us-gov-west-1.amazonaws.com"
        );
    }
}
