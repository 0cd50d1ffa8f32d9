//! What signing gives for one flavour of a case: the library's canonical request and string
//! to sign, aws-sigv4's signature of the same request, and the request as signed.

use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, SessionTokenMode, SignableBody, SignableRequest, SignatureLocation,
    SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use bedrock_request::sign::CanonicalRequest;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

use super::case::{Context, RawRequest};

/// SigV4's URI encoding: everything but the unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `k=v` with both sides percent-encoded, as SigV4 encodes query parameters.
fn query_pair(k: &str, v: &str) -> String {
    format!(
        "{}={}",
        utf8_percent_encode(k, UNRESERVED),
        utf8_percent_encode(v, UNRESERVED)
    )
}

/// What our canonical view computes for one flavour of a case.
pub struct Ours {
    amz_date: String,
    scope: String,
    /// The query string after signing (the query flavour adds the `X-Amz-*` parameters).
    query: String,
    /// The signed header names, as the request and signing give them.
    signed: Vec<String>,
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signature: String,
}

/// Our canonical request, string to sign and signature: the request's headers plus what
/// signing adds (headers, or `X-Amz-*` query parameters for the query flavour).
pub fn our_view(ctx: &Context, req: &RawRequest, query_flavour: bool) -> Result<Ours, String> {
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
            query.push_str(&query_pair(&k, &v));
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
pub fn sdk_signature(
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
pub fn signed_request(
    ctx: &Context,
    req: &RawRequest,
    ours: &Ours,
    query_flavour: bool,
) -> RawRequest {
    let mut got = req.clone();
    let signature = &ours.signature;
    if query_flavour {
        got.query = ours.query.clone();
        if let (Some(t), true) = (&ctx.token, ctx.omit_session_token) {
            // Sent, though not signed (post-sts-header-after).
            got.query
                .push_str(&format!("&{}", query_pair("X-Amz-Security-Token", t)));
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
