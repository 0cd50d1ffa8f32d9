//! The S3 requests a batch job needs, unsigned (sign them with
//! [`sign::sign_s3_in_place`](crate::sign::sign_s3_in_place)): PutObject, the multipart upload
//! (create, part, complete, abort), GetObject and ListObjectsV2; and what their answers hold.
//! Virtual-hosted addressing (`https://BUCKET.s3.REGION.amazonaws.com/KEY`), or path-style at
//! a configured endpoint (`AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`).

use crate::codec::{form_decode, percent_encode, quoted};
use crate::endpoint::{configured_endpoint, dns_suffix, validate_region, Endpoint};
use crate::env::Env;
use crate::error::{Error, ErrorKind, Result};
use crate::request::{Body, HttpRequest};

/// Parts of a multipart upload: 8 MiB each (the last may be smaller); objects from 64 MiB on
/// are uploaded in parts.
pub const PART_BYTES: usize = 8 * 1024 * 1024;
/// From this size on, an object is uploaded in parts.
pub const MULTIPART_FROM: usize = 64 * 1024 * 1024;

/// An `s3://bucket/key` location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Uri {
    /// The bucket.
    pub bucket: String,
    /// The key (a prefix when it ends in `/`; may be empty).
    pub key: String,
}

impl S3Uri {
    /// Reads `s3://bucket/key`.
    ///
    /// ```
    /// use bedrock_request::batch::S3Uri;
    /// let uri = S3Uri::parse("s3://my-bucket/input/")?;
    /// assert_eq!((uri.bucket.as_str(), uri.key.as_str()), ("my-bucket", "input/"));
    /// assert!(S3Uri::parse("https://my-bucket/x").is_err());
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn parse(uri: &str) -> Result<S3Uri> {
        let bad = |why: &str| {
            Error::new(
                ErrorKind::Config,
                format!(
                    "{} is not an S3 location: {why} (write s3://BUCKET/PREFIX/)",
                    quoted(uri)
                ),
            )
        };
        let rest = uri
            .strip_prefix("s3://")
            .ok_or_else(|| bad("it does not start with s3://"))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        let valid = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !valid {
            return Err(bad(
                "the bucket name is 3 to 63 lowercase letters, digits, '-' or '.'",
            ));
        }
        Ok(S3Uri {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        })
    }

    /// `s3://bucket/key`.
    pub fn to_uri(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }
}

/// Builds S3 requests for one region (and endpoint).
#[derive(Clone, Debug)]
pub struct S3 {
    region: String,
    /// A configured endpoint: path-style addressing there.
    endpoint: Option<Endpoint>,
}

impl S3 {
    /// S3 in `region`, at the endpoint `env` configures (`AWS_ENDPOINT_URL_S3`, else
    /// `AWS_ENDPOINT_URL`; path-style there) or AWS's (virtual-hosted).
    pub fn new(region: &str, env: &Env) -> Result<S3> {
        validate_region(region).map_err(|e| Error::new(ErrorKind::Config, e))?;
        Ok(S3 {
            region: region.to_owned(),
            endpoint: configured_endpoint(env, "AWS_ENDPOINT_URL_S3", ErrorKind::Config)?,
        })
    }

    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// `(url, host)` for a key (`None`: the bucket itself) and a raw query.
    fn url(&self, bucket: &str, key: Option<&str>, query: &str) -> (String, String) {
        let key = key.map(|k| percent_encode(k, true));
        let (base, host, path) = match &self.endpoint {
            Some(e) => {
                let path = match &key {
                    Some(k) => format!("{}/{bucket}/{k}", e.path_prefix()),
                    None => format!("{}/{bucket}", e.path_prefix()),
                };
                (
                    format!("{}://{}", e.scheme(), e.host()),
                    e.host().to_owned(),
                    path,
                )
            }
            None => {
                let host = format!("{bucket}.s3.{}.{}", self.region, dns_suffix(&self.region));
                let path = format!("/{}", key.unwrap_or_default());
                (format!("https://{host}"), host, path)
            }
        };
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        (format!("{base}{path}{query}"), host)
    }

    fn request(
        &self,
        method: &str,
        url: (String, String),
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> HttpRequest {
        let (url, host) = url;
        let mut all = vec![("host".to_owned(), host)];
        all.extend(headers.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        HttpRequest {
            method: method.into(),
            url,
            headers: all,
            body: Body::new(body),
        }
    }

    /// PutObject: the whole object in one request (below [`MULTIPART_FROM`]).
    pub fn put_object(&self, at: &S3Uri, body: Vec<u8>) -> HttpRequest {
        let length = body.len().to_string();
        self.request(
            "PUT",
            self.url(&at.bucket, Some(&at.key), ""),
            &[("content-length", length)],
            body,
        )
    }

    /// CreateMultipartUpload (its answer: [`upload_id`]).
    pub fn create_multipart_upload(&self, at: &S3Uri) -> HttpRequest {
        self.request(
            "POST",
            self.url(&at.bucket, Some(&at.key), "uploads"),
            &[],
            Vec::new(),
        )
    }

    /// UploadPart `number` (from 1) of the upload (its answer's `etag` header names it).
    pub fn upload_part(
        &self,
        at: &S3Uri,
        upload_id: &str,
        number: u32,
        body: Vec<u8>,
    ) -> HttpRequest {
        let query = format!(
            "uploadId={}&partNumber={number}",
            percent_encode(upload_id, false)
        );
        let length = body.len().to_string();
        self.request(
            "PUT",
            self.url(&at.bucket, Some(&at.key), &query),
            &[("content-length", length)],
            body,
        )
    }

    /// CompleteMultipartUpload with the parts' `(number, etag)`, in order.
    pub fn complete_multipart_upload(
        &self,
        at: &S3Uri,
        upload_id: &str,
        parts: &[(u32, String)],
    ) -> HttpRequest {
        let mut xml = String::from(
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
        );
        for (number, etag) in parts {
            xml.push_str(&format!(
                "<Part><PartNumber>{number}</PartNumber><ETag>{}</ETag></Part>",
                xml_escape(etag)
            ));
        }
        xml.push_str("</CompleteMultipartUpload>");
        let query = format!("uploadId={}", percent_encode(upload_id, false));
        self.request(
            "POST",
            self.url(&at.bucket, Some(&at.key), &query),
            &[],
            xml.into_bytes(),
        )
    }

    /// AbortMultipartUpload (after a part failed: S3 keeps the parts, and bills them, until then).
    pub fn abort_multipart_upload(&self, at: &S3Uri, upload_id: &str) -> HttpRequest {
        let query = format!("uploadId={}", percent_encode(upload_id, false));
        self.request(
            "DELETE",
            self.url(&at.bucket, Some(&at.key), &query),
            &[],
            Vec::new(),
        )
    }

    /// GetObject.
    pub fn get_object(&self, at: &S3Uri) -> HttpRequest {
        self.request(
            "GET",
            self.url(&at.bucket, Some(&at.key), ""),
            &[],
            Vec::new(),
        )
    }

    /// ListObjectsV2 of the keys under `prefix` (one page; pass the answer's
    /// [`Listing::next`] for the next).
    pub fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
        continuation: Option<&str>,
    ) -> HttpRequest {
        // As botocore asks: keys come back URL-encoded (`encoding-type=url`), so any key reads.
        let mut query = format!("list-type=2&prefix={}", percent_encode(prefix, false));
        if let Some(token) = continuation {
            query.push_str(&format!(
                "&continuation-token={}",
                percent_encode(token, false)
            ));
        }
        query.push_str("&encoding-type=url");
        self.request("GET", self.url(bucket, None, &query), &[], Vec::new())
    }
}

/// One page of ListObjectsV2: the keys, and the token of the next page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    /// The keys, in S3's order.
    pub keys: Vec<String>,
    /// `NextContinuationToken` when the listing is truncated.
    pub next: Option<String>,
}

/// The keys and next-page token of a ListObjectsV2 answer (its XML).
///
/// ```
/// use bedrock_request::batch::listing;
/// let page = listing("<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>o/a.jsonl.out</Key></Contents><Contents><Key>o/b&amp;c</Key></Contents><NextContinuationToken>t1</NextContinuationToken></ListBucketResult>")?;
/// assert_eq!(page.keys, ["o/a.jsonl.out", "o/b&c"]);
/// assert_eq!(page.next.as_deref(), Some("t1"));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn listing(xml: &str) -> Result<Listing> {
    if !xml.contains("<ListBucketResult") {
        return Err(Error::new(
            ErrorKind::Response,
            "a ListObjectsV2 answer holds <ListBucketResult>",
        ));
    }
    let url_encoded = xml_all(xml, "EncodingType")
        .first()
        .is_some_and(|t| t == "url");
    let keys = xml_all(xml, "Key")
        .into_iter()
        .map(|k| match url_encoded {
            // As botocore reads them (`unquote_plus`): `+` is a space.
            true => form_decode(&k),
            false => k,
        })
        .collect();
    let truncated = xml_all(xml, "IsTruncated")
        .first()
        .is_some_and(|t| t == "true");
    let next = truncated
        .then(|| xml_all(xml, "NextContinuationToken").into_iter().next())
        .flatten();
    Ok(Listing { keys, next })
}

/// The `UploadId` of a CreateMultipartUpload answer.
pub fn upload_id(xml: &str) -> Result<String> {
    xml_all(xml, "UploadId").into_iter().next().ok_or_else(|| {
        Error::new(
            ErrorKind::Response,
            "a CreateMultipartUpload answer holds <UploadId>",
        )
    })
}

/// The text of every `<tag>...</tag>`, entity-decoded.
fn xml_all(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else { break };
        out.push(xml_unescape(&after[..end]));
        rest = &after[end + close.len()..];
    }
    out
}

fn xml_unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Text content escaped as botocore's serializer (ElementTree) writes it: `&`, `<`, `>`.
fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The error of an S3 answer that is not 2xx: its XML `<Code>` and `<Message>`, the status and
/// the URL (an S3 error names no Bedrock error code).
pub fn s3_error(url: &str, response: &crate::request::HttpResponse) -> Error {
    let xml = response.text();
    let code = xml_all(&xml, "Code").into_iter().next().unwrap_or_default();
    let message = xml_all(&xml, "Message")
        .into_iter()
        .next()
        .unwrap_or_default();
    let hint = match code.as_str() {
        "AccessDenied" => ": check the credentials' s3 permissions on the bucket",
        "NoSuchBucket" => ": check the bucket's name and region",
        _ => "",
    };
    Error::new(
        ErrorKind::Aws,
        format!(
            "S3 answered {} {code} for {url}: {message}{hint}",
            response.status
        ),
    )
}
