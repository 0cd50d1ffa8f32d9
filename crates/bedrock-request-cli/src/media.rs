//! The media a request's messages name, fetched (http(s) URLs) and read (paths) within the
//! limits of [`MediaLimits`]: https only, public hosts only, no redirects, paths inside the
//! messages file's folder, regular files only, and a budget for all of it.

use std::io::Read;
use std::path::{Path, PathBuf};

use bedrock_request::{converse, ClientConfig, Message};

use crate::args::BuildArgs;
use crate::net::media_agent;

/// What `--media-*` allow, and the byte budget for all media of one request.
pub struct MediaLimits {
    pub http: bool,
    pub private_hosts: bool,
    pub any_path: bool,
    pub budget: u64,
}

impl MediaLimits {
    pub fn of(args: &BuildArgs) -> MediaLimits {
        MediaLimits {
            http: args.media_http,
            private_hosts: args.media_private_hosts,
            any_path: args.media_any_path,
            budget: args.max_media_bytes,
        }
    }

    fn over_budget(&self, what: &str) -> String {
        format!(
            "the media of this request pass --max-media-bytes {} at {what}: raise it if this is expected (Bedrock takes images up to 3.75 MB and documents up to 4.5 MB)",
            self.budget
        )
    }
}

/// The media the library asks for: behind http(s) URLs (fetched), and local paths relative to
/// the messages file (read).
pub fn media(
    config: &ClientConfig,
    messages: &[Message],
    messages_file: Option<&str>,
    limits: &MediaLimits,
) -> Result<Vec<converse::Fetched>, String> {
    let mut left = limits.budget;
    let mut fetched = Vec::new();
    let urls = converse::urls_to_fetch(config, messages);
    if !urls.is_empty() {
        let agent = media_agent(!limits.private_hosts);
        for url in urls {
            fetched.push(fetch(&agent, &url, limits, &mut left)?);
        }
    }
    let base = messages_file
        .and_then(|m| Path::new(m).parent())
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    for path in converse::files_to_read(messages) {
        let bytes = read(base, &path, limits, &mut left)?;
        fetched.push(converse::Fetched::new(path, bytes, None));
    }
    Ok(fetched)
}

fn fetch(
    agent: &ureq::Agent,
    url: &str,
    limits: &MediaLimits,
    left: &mut u64,
) -> Result<converse::Fetched, String> {
    let https = url
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
    if !https && !limits.http {
        return Err(format!(
            "media URL {url} is plain http: media are fetched over https only (--media-http allows http)"
        ));
    }
    let response = agent
        .get(url)
        .call()
        .map_err(|e| format!("cannot fetch media {url}: {e}"))?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if (300..400).contains(&status) {
        let to = header("location").unwrap_or_else(|| "nowhere".into());
        return Err(format!(
            "media URL {url} answered {status}, a redirect to {to}: redirects are not followed; give the final URL"
        ));
    }
    if !(200..300).contains(&status) {
        return Err(format!("cannot fetch media {url}: it answered {status}"));
    }
    let content_type = header("content-type");
    let bytes = response
        .into_body()
        .with_config()
        .limit(*left)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => limits.over_budget(url),
            e => format!("cannot read media {url}: {e}"),
        })?;
    *left -= bytes.len() as u64;
    Ok(converse::Fetched::new(url.to_owned(), bytes, content_type))
}

/// Reads a media path: inside `base` (after symlinks) unless allowed, a regular file, within
/// the budget (checked before reading, and while reading).
fn read(base: &Path, path: &str, limits: &MediaLimits, left: &mut u64) -> Result<Vec<u8>, String> {
    let full = base.join(path);
    let cannot = |why: String| format!("cannot read media {}: {why}", full.display());
    let real = full.canonicalize().map_err(|e| cannot(e.to_string()))?;
    if !limits.any_path {
        let folder: PathBuf = base.canonicalize().map_err(|e| cannot(e.to_string()))?;
        if !real.starts_with(&folder) {
            return Err(format!(
                "media path {path} is outside the messages file's folder {}: only files under it are read (--media-any-path allows others)",
                folder.display()
            ));
        }
    }
    let metadata = std::fs::metadata(&real).map_err(|e| cannot(e.to_string()))?;
    if !metadata.is_file() {
        return Err(cannot(
            "it is not a regular file (a FIFO, a device or a folder)".into(),
        ));
    }
    if metadata.len() > *left {
        return Err(limits.over_budget(path));
    }
    let file = std::fs::File::open(&real).map_err(|e| cannot(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(*left + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot(e.to_string()))?;
    if bytes.len() as u64 > *left {
        return Err(limits.over_budget(path));
    }
    *left -= bytes.len() as u64;
    Ok(bytes)
}
