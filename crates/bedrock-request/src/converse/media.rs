//! Media parts as Converse blocks: MIME type → format, document names, sources, and the URLs
//! the caller must fetch (the builder does no I/O).

use super::spill::{Piece, Spilled};
use crate::codec::{all_bytes, base64_decode, base64_encode, is_base64, quoted};
use crate::config::{MediaUrlHandler, MediaUrlMode};
use crate::error::{Error, Result};
use crate::prompt::{Media, MediaKind, MediaSource};
use crate::value::Value;

/// The fetched media by URL: sorted by URL, the last given of a URL first among its equals,
/// and found by binary search (a `BTreeMap` of its own key type was 2 KB of the JS module).
pub(crate) struct FetchedByUrl<'a>(Vec<&'a Fetched>);

impl<'a> FetchedByUrl<'a> {
    pub(crate) fn new(fetched: &'a [Fetched]) -> Self {
        let mut by_url: Vec<&Fetched> = fetched.iter().rev().collect();
        // Stable: among equal URLs the last given stays first, as a map's later insert wins.
        by_url.sort_by(|a, b| a.url.cmp(&b.url));
        FetchedByUrl(by_url)
    }

    pub(crate) fn get(&self, url: &str) -> Option<&'a Fetched> {
        let at = self.0.partition_point(|f| f.url.as_str() < url);
        self.0.get(at).copied().filter(|f| f.url == url)
    }
}

/// Bytes the caller fetched for an http(s) media URL.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fetched {
    /// The URL, as in the message.
    pub url: String,
    /// The body.
    pub bytes: Vec<u8>,
    /// The response's `Content-Type`, if any.
    pub content_type: Option<String>,
}

impl Fetched {
    /// Bytes fetched from `url`.
    pub fn new(url: impl Into<String>, bytes: Vec<u8>, content_type: Option<String>) -> Self {
        Fetched {
            url: url.into(),
            bytes,
            content_type,
        }
    }
}

const IMAGE: &[(&str, &str)] = &[
    ("image/png", "png"),
    ("image/jpeg", "jpeg"),
    ("image/jpg", "jpeg"),
    ("image/gif", "gif"),
    ("image/webp", "webp"),
];
const DOCUMENT: &[(&str, &str)] = &[
    ("application/pdf", "pdf"),
    ("text/csv", "csv"),
    ("application/msword", "doc"),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    ("application/vnd.ms-excel", "xls"),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    ("text/html", "html"),
    ("text/plain", "txt"),
    ("text/markdown", "md"),
];
const VIDEO: &[(&str, &str)] = &[
    ("video/x-matroska", "mkv"),
    ("video/quicktime", "mov"),
    ("video/mp4", "mp4"),
    ("video/webm", "webm"),
    ("video/x-flv", "flv"),
    ("video/mpeg", "mpeg"),
    ("video/mpg", "mpg"),
    ("video/x-ms-wmv", "wmv"),
    ("video/3gpp", "three_gp"),
];
const AUDIO: &[(&str, &str)] = &[
    ("audio/mpeg", "mp3"),
    ("audio/mp3", "mp3"),
    ("audio/opus", "opus"),
    ("audio/wav", "wav"),
    ("audio/x-wav", "wav"),
    ("audio/wave", "wav"),
    ("audio/aac", "aac"),
    ("audio/x-aac", "x-aac"),
    ("audio/flac", "flac"),
    ("audio/x-flac", "flac"),
    ("audio/mp4", "mp4"),
    ("audio/m4a", "m4a"),
    ("audio/x-m4a", "m4a"),
    ("audio/ogg", "ogg"),
    ("audio/x-matroska", "mka"),
    ("audio/mpga", "mpga"),
    ("audio/pcm", "pcm"),
    ("audio/webm", "webm"),
];

fn table(kind: MediaKind) -> (&'static str, &'static [(&'static str, &'static str)]) {
    match kind {
        MediaKind::Image => ("image", IMAGE),
        MediaKind::Pdf | MediaKind::Document => ("document", DOCUMENT),
        MediaKind::Video => ("video", VIDEO),
        MediaKind::Audio => ("audio", AUDIO),
    }
}

/// The Converse `format` for a MIME type of this kind; the error names the supported types.
///
/// ```
/// use bedrock_request::converse::media_format;
/// use bedrock_request::prompt::MediaKind;
/// assert_eq!(media_format(MediaKind::Image, "image/jpg")?, "jpeg");
/// assert_eq!(media_format(MediaKind::Video, "video/quicktime")?, "mov");
/// assert!(media_format(MediaKind::Image, "image/bmp").unwrap_err().to_string().contains("image/png, image/jpeg"));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn media_format(kind: MediaKind, media_type: &str) -> Result<&'static str> {
    let wanted = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if kind == MediaKind::Pdf && wanted != "application/pdf" {
        return Err(Error::prompt(format!(
            "a pdf part must have media type application/pdf, not {q_media_type}",
            q_media_type = quoted(&media_type)
        )));
    }
    let (name, entries) = table(kind);
    entries
        .iter()
        .find(|(mime, _)| *mime == wanted)
        .map(|(_, f)| *f)
        .ok_or_else(|| {
            let mut supported: Vec<&str> = entries.iter().map(|(m, _)| *m).collect();
            supported.dedup();
            Error::prompt(format!(
                "unsupported {name} media type {q_media_type}: Bedrock Converse takes {}",
                supported.join(", "),
                q_media_type = quoted(&media_type)
            ))
        })
}

/// The format from the first bytes (magic numbers), for fetched media.
fn sniff(kind: MediaKind, bytes: &[u8]) -> Option<&'static str> {
    let at = |i: usize, magic: &[u8]| bytes.get(i..i + magic.len()) == Some(magic);
    let found = if at(0, b"\x89PNG\r\n\x1a\n") {
        "png"
    } else if at(0, b"\xFF\xD8\xFF") {
        "jpeg"
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        "gif"
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        "webp"
    } else if at(0, b"%PDF-") {
        "pdf"
    } else if at(0, b"RIFF") && at(8, b"WAVE") {
        "wav"
    } else if at(0, b"OggS") {
        "ogg"
    } else if at(0, b"fLaC") {
        "flac"
    } else if at(0, b"ID3")
        || (bytes.len() > 1
            && bytes[0] == 0xFF
            && bytes[1] & 0xE0 == 0xE0
            && kind == MediaKind::Audio)
    {
        "mp3"
    } else if at(4, b"ftypqt") {
        "mov"
    } else if at(4, b"ftyp") {
        if kind == MediaKind::Audio {
            "m4a"
        } else {
            "mp4"
        }
    } else if at(0, b"FLV") {
        "flv"
    } else {
        return None;
    };
    // Only a format of the part's own kind counts.
    let (_, entries) = table(kind);
    entries.iter().any(|(_, f)| *f == found).then_some(found)
}

/// Converse's rule for document names: alphanumerics, single whitespace, hyphens, parentheses
/// and square brackets. Other characters become `-`, the extension is dropped, runs of
/// whitespace shrink to one space.
///
/// ```
/// use bedrock_request::converse::document_name;
/// assert_eq!(document_name("Q3_report.final.pdf"), "Q3-report-final");
/// assert_eq!(document_name("  a   b  "), "a b");
/// assert_eq!(document_name("***"), "document");
/// ```
pub fn document_name(name: &str) -> String {
    let stem = match name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && ext.len() <= 5
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            stem
        }
        _ => name,
    };
    let mut out = String::new();
    for c in stem.chars() {
        let c = if c.is_alphanumeric() || matches!(c, '-' | '(' | ')' | '[' | ']') {
            c
        } else if c.is_whitespace() {
            ' '
        } else {
            '-'
        };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    let out = out.trim().trim_matches('-').trim().to_owned();
    if out.is_empty() {
        "document".to_owned()
    } else {
        out
    }
}

fn mode(handler: &MediaUrlHandler, kind: MediaKind) -> MediaUrlMode {
    match kind {
        MediaKind::Image => handler.image,
        MediaKind::Audio => handler.audio,
        MediaKind::Video => handler.video,
        MediaKind::Pdf | MediaKind::Document => handler.pdf,
    }
}

/// Whether a `media_url_handler` mode sends the bytes (rather than the URL).
fn sends_bytes(mode: MediaUrlMode) -> bool {
    matches!(
        mode,
        MediaUrlMode::SendBase64 | MediaUrlMode::SendBase64UnlessGoogleUrl
    )
}

fn is_http(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The Converse format of bytes the caller sent inline or from a file: what the bytes say
/// (magic numbers), which a given `media_type` must agree with; else the `media_type`, else the
/// file's extension.
fn checked_format(
    kind: MediaKind,
    bytes: &[u8],
    declared: Option<&str>,
    file: Option<&str>,
    what: &str,
) -> Result<&'static str> {
    let sniffed = sniff(kind, bytes);
    match (declared, sniffed) {
        (Some(t), Some(found)) => {
            let said = media_format(kind, t)?;
            if said != found {
                return Err(Error::prompt(format!(
                    "{what}: the bytes are {found}, but media_type {q_t} says {said}: fix media_type, or leave it out (the bytes tell the format)",
                    q_t = quoted(&t)
                )));
            }
            Ok(said)
        }
        (Some(t), None) => media_format(kind, t),
        (None, Some(found)) => Ok(found),
        (None, None) => file
            .and_then(|f| format_from_extension(kind, f))
            .ok_or_else(|| {
                Error::prompt(format!(
                    "{what}: the bytes do not tell the format: give \"media_type\" (such as text/csv)"
                ))
            }),
    }
}

/// Local files the caller must read (`MediaSource::File`), keyed by the path as written.
pub(crate) fn needs_read(media: &Media) -> Option<String> {
    match &media.source {
        MediaSource::File { path, .. } => Some(path.clone()),
        _ => None,
    }
}

/// Whether this media part needs its URL fetched by the caller (an http(s) URL whose
/// `media_url_handler` mode sends bytes).
pub(crate) fn needs_fetch(media: &Media, handler: &MediaUrlHandler) -> Option<String> {
    match &media.source {
        MediaSource::Url { url, .. } if is_http(url) => {
            sends_bytes(mode(handler, media.kind)).then(|| url.clone())
        }
        _ => None,
    }
}

/// The first bytes of valid base64, for the format's magic bytes (checked whole elsewhere, a
/// 5 MiB image is not decoded just to be sent as the base64 it came as); an error when it
/// holds no bytes at all.
fn base64_head(base64: &str) -> Result<Vec<u8>> {
    if base64.trim_end_matches('=').len() < 2 {
        return Err(Error::prompt(
            "a media part's base64 is empty or not valid base64",
        ));
    }
    Ok(base64_decode(&base64[..base64.len().min(64)]).unwrap_or_default())
}

/// How much of the bytes is read for an image's dimensions: a JPEG's size comes after its
/// metadata segments, which may take most of 64 KiB.
const DIMENSIONS_HEAD: usize = 64 * 1024;

/// The first bytes, for an image's dimensions.
fn prefix(bytes: &[u8]) -> Vec<u8> {
    bytes[..bytes.len().min(DIMENSIONS_HEAD)].to_vec()
}

/// The first bytes of base64 (valid, without whitespace), for an image's dimensions.
fn base64_prefix(base64: &str) -> Vec<u8> {
    let take = (DIMENSIONS_HEAD / 3 * 4).min(base64.len() / 4 * 4);
    base64_decode(&base64[..take]).unwrap_or_default()
}

/// The size of the bytes valid base64 (without whitespace) holds.
fn base64_size(base64: &str) -> usize {
    let padding = base64
        .bytes()
        .rev()
        .take_while(|b| *b == b'=')
        .count()
        .min(2);
    (base64.len() / 4 * 3).saturating_sub(padding)
}

/// The first bytes, for the format's magic bytes; an error for no bytes at all.
fn bytes_head(bytes: &[u8]) -> Result<Vec<u8>> {
    if bytes.is_empty() {
        return Err(Error::prompt("a media part's bytes are empty"));
    }
    Ok(bytes[..bytes.len().min(48)].to_vec())
}

/// Builds the Converse block for a media part; `doc_name` names (and de-duplicates) documents.
pub(crate) fn media_block(
    media: &Media,
    handler: &MediaUrlHandler,
    fetched: &FetchedByUrl<'_>,
    doc_name: &mut dyn FnMut(Option<&str>) -> String,
    spilled: &Spilled<'_>,
) -> Result<Value> {
    let kind = media.kind;
    let document = matches!(kind, MediaKind::Pdf | MediaKind::Document);
    // The bytes' size and first bytes, where the bytes are here: Bedrock's limits are checked.
    let mut measured: Option<(usize, Vec<u8>)> = None;
    let (format, source) = match &media.source {
        MediaSource::Text { .. } | MediaSource::Chunks { .. } if !document => {
            return Err(Error::prompt(
                "only documents take a \"text\" or \"content\" source; images, audio and video need bytes or an s3:// URL",
            ))
        }
        MediaSource::Text { text, media_type } => (
            optional_format(kind, media_type.as_deref())?,
            Value::Object(vec![("text".into(), Value::String(text.clone()))]),
        ),
        MediaSource::Chunks { chunks, media_type } => {
            let chunks = chunks
                .iter()
                .map(|c| Value::Object(vec![("text".into(), Value::String(c.clone()))]))
                .collect();
            (
                optional_format(kind, media_type.as_deref())?,
                Value::Object(vec![("content".into(), Value::Array(chunks))]),
            )
        }
        MediaSource::Base64 { data, media_type } => {
            // A spilled token stands for base64 `spill` checked: it is sent as the token,
            // which the body's writer replaces; only its head is read here.
            let (head, data) = match spilled.resolve(data) {
                Some(Piece::Base64(real)) => {
                    measured = Some((base64_size(real), base64_prefix(real)));
                    (base64_head(real)?, data.clone())
                }
                Some(Piece::Bytes(bytes)) => {
                    measured = Some((bytes.len(), prefix(bytes)));
                    (bytes_head(bytes)?, data.clone())
                }
                Some(Piece::Text(_)) | None => {
                    // Whitespace (any, as `char::is_whitespace` says) is dropped; ASCII without
                    // it, the usual case, is taken as it is.
                    let plain = all_bytes(data.as_bytes(), |b| b > b' ' && b < 0x80);
                    let data = if plain {
                        data.clone()
                    } else {
                        data.chars().filter(|c| !c.is_whitespace()).collect()
                    };
                    if !is_base64(&data) {
                        return Err(Error::prompt(
                            "a media part's base64 is empty or not valid base64",
                        ));
                    }
                    measured = Some((base64_size(&data), base64_prefix(&data)));
                    (base64_head(&data)?, data)
                }
            };
            (
                Some(checked_format(
                    kind,
                    &head,
                    media_type.as_deref(),
                    None,
                    "a base64 media part",
                )?),
                Value::Object(vec![("bytes".into(), Value::String(data))]),
            )
        }
        MediaSource::Bytes { bytes, media_type } => (
            Some({
                measured = Some((bytes.len(), prefix(bytes)));
                checked_format(
                kind,
                &bytes_head(bytes)?,
                media_type.as_deref(),
                None,
                "a media part's bytes",
            )?
            }),
            Value::Object(vec![("bytes".into(), Value::String(base64_encode(bytes)))]),
        ),
        MediaSource::File { path, media_type } => {
            let got = fetched.get(path.as_str()).ok_or_else(|| {
                Error::prompt(format!(
                    "the file {path} must be read first: pass its bytes with converse::Builder::media (converse::files_to_read lists them)"
                ))
            })?;
            measured = Some((got.bytes.len(), prefix(&got.bytes)));
            (
                Some(checked_format(
                    kind,
                    &got.bytes,
                    media_type.as_deref(),
                    Some(path),
                    path,
                )?),
                Value::Object(vec![(
                    "bytes".into(),
                    Value::String(base64_encode(&got.bytes)),
                )]),
            )
        }
        MediaSource::Url {
            url,
            media_type,
            bucket_owner,
        } if url.starts_with("s3://") => {
            let format = match media_type {
                Some(t) => media_format(kind, t)?,
                None => format_from_extension(kind, url).ok_or_else(|| {
                    Error::prompt(format!("the media type of {url} is unknown: give \"media_type\" (such as image/png)"))
                })?,
            };
            let mut location = vec![("uri".into(), Value::String(url.clone()))];
            if let Some(owner) = bucket_owner {
                location.push(("bucketOwner".into(), Value::String(owner.clone())));
            }
            (
                Some(format),
                Value::Object(vec![("s3Location".into(), Value::Object(location))]),
            )
        }
        MediaSource::Url {
            url, media_type, ..
        } if is_http(url) => {
            if !sends_bytes(mode(handler, kind)) {
                return Err(Error::prompt(format!(
                    "media_url_handler sends {url} as a URL, but Bedrock only reads media from s3:// locations: set media_url_handler to send_base64 for this media type (the URL is then fetched), or upload it to S3"
                )));
            }
            let got = fetched.get(url.as_str()).ok_or_else(|| {
                Error::prompt(format!(
                    "media URL {url} must be fetched first (media_url_handler sends base64): pass its bytes with converse::Builder::media (converse::urls_to_fetch lists them), or use an s3:// URL"
                ))
            })?;
            measured = Some((got.bytes.len(), prefix(&got.bytes)));
            let declared = media_type.as_deref().or(got.content_type.as_deref());
            let format = match sniff(kind, &got.bytes) {
                Some(f) => f,
                None => match declared {
                    Some(t) => media_format(kind, t)?,
                    None => format_from_extension(kind, url).ok_or_else(|| {
                        Error::prompt(format!("cannot tell the format of {url} from its bytes, Content-Type or extension: give \"media_type\""))
                    })?,
                },
            };
            (
                Some(format),
                Value::Object(vec![(
                    "bytes".into(),
                    Value::String(base64_encode(&got.bytes)),
                )]),
            )
        }
        MediaSource::Url { url, .. } => {
            return Err(Error::prompt(format!(
                "media URL {q_url} is neither s3:// nor http(s)://",
                q_url = quoted(&url)
            )))
        }
    };
    if let Some((size, head)) = measured {
        let from = match &media.source {
            MediaSource::File { path, .. } => Some(path.as_str()),
            MediaSource::Url { url, .. } => Some(url.as_str()),
            _ => None,
        };
        super::limits::check_media(kind, size, &head, from)?;
    }
    let format = || format.map(|f| ("format".to_owned(), Value::from(f)));
    let (block, mut fields): (&str, Vec<(String, Value)>) = match kind {
        MediaKind::Image => ("image", format().into_iter().collect()),
        MediaKind::Video => ("video", format().into_iter().collect()),
        MediaKind::Audio => ("audio", format().into_iter().collect()),
        MediaKind::Pdf | MediaKind::Document => {
            let mut fields: Vec<(String, Value)> = format().into_iter().collect();
            fields.push((
                "name".to_owned(),
                Value::String(doc_name(media.name.as_deref())),
            ));
            ("document", fields)
        }
    };
    fields.push(("source".to_owned(), source));
    if document {
        if let Some(context) = &media.context {
            fields.push(("context".to_owned(), Value::String(context.clone())));
        }
        if let Some(enabled) = media.citations {
            fields.push((
                "citations".to_owned(),
                Value::Object(vec![("enabled".to_owned(), Value::Bool(enabled))]),
            ));
        }
    }
    Ok(Value::Object(vec![(
        block.to_owned(),
        Value::Object(fields),
    )]))
}

/// A document's `format` for a text or chunk source: the media type's when one is given
/// (Converse makes `format` optional there).
fn optional_format(kind: MediaKind, media_type: Option<&str>) -> Result<Option<&'static str>> {
    media_type.map(|t| media_format(kind, t)).transpose()
}

/// A guardrail image (`guardContent.image`): PNG or JPEG bytes only.
pub(crate) fn guard_image_block(
    media: &Media,
    fetched: &FetchedByUrl<'_>,
    spilled: &Spilled<'_>,
) -> Result<Value> {
    let mut no_names = |_: Option<&str>| String::new();
    let block = match &media.source {
        MediaSource::Base64 { .. } | MediaSource::Bytes { .. } | MediaSource::File { .. } => media_block(
            media,
            &MediaUrlHandler::default(),
            fetched,
            &mut no_names,
            spilled,
        )?,
        _ => {
            return Err(Error::prompt(
                "a guard_content image must be inline bytes (\"base64\", \"path\" or a data: URL): Converse's guardrail images take no URLs",
            ))
        }
    };
    let image = block.get("image").cloned().unwrap_or(Value::Null);
    let format = image.get("format").and_then(Value::as_str).unwrap_or("");
    if !matches!(format, "png" | "jpeg") {
        return Err(Error::prompt(format!(
            "a guard_content image must be PNG or JPEG (a guardrail reads no other format), not {format}"
        )));
    }
    Ok(Value::Object(vec![(
        "guardContent".into(),
        Value::Object(vec![("image".into(), image)]),
    )]))
}

fn format_from_extension(kind: MediaKind, url: &str) -> Option<&'static str> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    let ext = match ext.as_str() {
        "jpg" => "jpeg",
        "3gp" => "three_gp",
        "markdown" => "md",
        "htm" => "html",
        e => e,
    };
    let (_, entries) = table(kind);
    entries.iter().map(|(_, f)| *f).find(|f| *f == ext)
}

#[cfg(test)]
mod tests {
    use super::{Fetched, FetchedByUrl};

    #[test]
    fn fetched_media_is_found_by_url_and_the_last_given_wins() {
        let f = |url: &str, byte: u8| Fetched::new(url, vec![byte], None);
        let given = [
            f("https://b.example/x.png", 1),
            f("https://a.example/y.png", 2),
            f("https://b.example/x.png", 3),
            f("https://c.example/z.png", 4),
            f("https://b.example/x.png", 5),
        ];
        let by_url = FetchedByUrl::new(&given);
        let byte = |url: &str| by_url.get(url).map(|f| f.bytes[0]);
        assert_eq!(byte("https://b.example/x.png"), Some(5));
        assert_eq!(byte("https://a.example/y.png"), Some(2));
        assert_eq!(byte("https://c.example/z.png"), Some(4));
        assert_eq!(byte("https://b.example/"), None);
        assert_eq!(byte("https://d.example/"), None);
        assert_eq!(FetchedByUrl::new(&[]).get("https://a.example/y.png"), None);
    }
}
