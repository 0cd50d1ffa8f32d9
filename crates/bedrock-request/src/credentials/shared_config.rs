//! The AWS shared config files (`~/.aws/config`, `~/.aws/credentials`), read from their text.
//!
//! Format as the AWS CLI and botocore read it: `[default]`, `[profile name]`,
//! `[sso-session name]` and `[services name]` sections in the config file, `[name]` sections in
//! the credentials file; `key = value` lines; full-line comments starting with `#` or `;`;
//! sub-properties (a key with an empty value followed by indented `key = value` lines, as
//! `bedrock_runtime =`), kept as `parent.key`. Keys are case-insensitive. For one profile, a
//! key in the credentials file beats the same key in the config file.

use std::collections::BTreeMap;

use crate::error::{Error, ErrorKind, Result};

/// One profile (or sso-session): its keys, lowercased, in file order.
///
/// `Debug` hides the values of keys that name a secret or a token.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Section {
    entries: Vec<(String, String)>,
    /// Where each key is in `entries`: any number of keys in linear time.
    index: BTreeMap<String, usize>,
}

impl std::fmt::Debug for Section {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(k, v)| {
                let secret = k.contains("secret") || k.contains("token");
                (k.as_str(), if secret { "<redacted>" } else { v.as_str() })
            }))
            .finish()
    }
}

impl Section {
    /// The value of `key` (case-insensitive), if set and not empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        let at = *self.index.get(&key.to_ascii_lowercase())?;
        Some(self.entries[at].1.as_str()).filter(|v| !v.is_empty())
    }

    /// The keys that are set (lowercased), with their values, in file order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn set(&mut self, key: &str, value: &str) {
        let key = key.to_ascii_lowercase();
        match self.index.get(&key) {
            Some(&at) => self.entries[at].1 = value.to_owned(),
            None => {
                self.index.insert(key.clone(), self.entries.len());
                self.entries.push((key, value.to_owned()));
            }
        }
    }
}

/// The profiles, sso-sessions and services sections of the two files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SharedConfig {
    profiles: Sections,
    sso_sessions: Sections,
    services: Sections,
}

/// Which kind of section a header opens.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Profile,
    SsoSession,
    Services,
}

/// Named sections in file order, found by name through an index (linear time for any number).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Sections {
    list: Vec<(String, Section)>,
    index: BTreeMap<String, usize>,
}

impl Sections {
    fn get(&self, name: &str) -> Option<&Section> {
        self.index.get(name).map(|&at| &self.list[at].1)
    }

    /// The position of section `name`, added (empty) if it is new.
    fn position(&mut self, name: &str) -> usize {
        if let Some(&at) = self.index.get(name) {
            return at;
        }
        self.index.insert(name.to_owned(), self.list.len());
        self.list.push((name.to_owned(), Section::default()));
        self.list.len() - 1
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum File {
    Config,
    Credentials,
}

impl SharedConfig {
    /// Parses the config file's and the credentials file's text (either may be absent).
    ///
    /// ```
    /// use bedrock_request::credentials::SharedConfig;
    /// let files = SharedConfig::parse(
    ///     Some("[profile dev]\nregion = eu-west-1\naws_access_key_id = FROMCONFIG\n"),
    ///     Some("[dev]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n"),
    /// )?;
    /// let dev = files.profile("dev").unwrap();
    /// assert_eq!(dev.get("region"), Some("eu-west-1"));
    /// assert_eq!(dev.get("aws_access_key_id"), Some("AKID")); // the credentials file wins
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn parse(config: Option<&str>, credentials: Option<&str>) -> Result<SharedConfig> {
        let mut out = SharedConfig::default();
        if let Some(text) = config {
            out.read(text, File::Config)?;
        }
        if let Some(text) = credentials {
            out.read(text, File::Credentials)?;
        }
        Ok(out)
    }

    /// A profile, merged from both files.
    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.profiles.get(name)
    }

    /// An `[sso-session name]` section.
    pub fn sso_session(&self, name: &str) -> Option<&Section> {
        self.sso_sessions.get(name)
    }

    /// A `[services name]` section: its sub-properties as `service.key`
    /// (`bedrock_runtime.endpoint_url`).
    ///
    /// ```
    /// use bedrock_request::credentials::SharedConfig;
    /// let files = SharedConfig::parse(Some("[services local]\nbedrock_runtime =\n  endpoint_url = http://localhost:4567\n"), None)?;
    /// assert_eq!(files.services("local").unwrap().get("bedrock_runtime.endpoint_url"), Some("http://localhost:4567"));
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn services(&self, name: &str) -> Option<&Section> {
        self.services.get(name)
    }

    /// The profile names, in file order.
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.list.iter().map(|(n, _)| n.as_str())
    }

    fn list(&mut self, kind: Kind) -> &mut Sections {
        match kind {
            Kind::Profile => &mut self.profiles,
            Kind::SsoSession => &mut self.sso_sessions,
            Kind::Services => &mut self.services,
        }
    }

    fn read(&mut self, text: &str, file: File) -> Result<()> {
        let file_name = match file {
            File::Config => "the config file",
            File::Credentials => "the credentials file",
        };
        // (kind, index) of the current section; None before the first header or inside a
        // section this crate does not use.
        let mut current: Option<(Kind, usize)> = None;
        let mut skipping = false;
        // The key whose sub-properties the indented lines below it are.
        let mut parent: Option<String> = None;
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim_end_matches('\r');
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            if trimmed.starts_with('[') {
                parent = None;
                // A comment may follow the header: `[default] ; mine`.
                let trimmed = match trimmed.find(']') {
                    Some(end) if trimmed[end + 1..].trim_start().starts_with(['#', ';']) => {
                        &trimmed[..=end]
                    }
                    _ => trimmed,
                };
                let Some(inner) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']'))
                else {
                    return Err(Error::new(
                        ErrorKind::Credentials,
                        format!(
                            "{file_name}, line {}: a section header must end with ]",
                            n + 1
                        ),
                    ));
                };
                let inner = inner.trim();
                let section = match file {
                    File::Credentials => Some((Kind::Profile, inner)),
                    File::Config => {
                        if inner == "default" {
                            Some((Kind::Profile, "default"))
                        } else if let Some(p) = inner.strip_prefix("profile ") {
                            Some((Kind::Profile, p.trim()))
                        } else if let Some(s) = inner.strip_prefix("sso-session ") {
                            Some((Kind::SsoSession, s.trim()))
                        } else {
                            // A profile without "profile " is ignored, as the AWS CLI does.
                            inner
                                .strip_prefix("services ")
                                .map(|s| (Kind::Services, s.trim()))
                        }
                    }
                };
                skipping = section.is_none();
                current = section.map(|(kind, name)| (kind, self.list(kind).position(name)));
                continue;
            }
            if skipping {
                continue;
            }
            let indented = line.starts_with([' ', '\t']);
            let Some((key, value)) = trimmed.split_once('=') else {
                return Err(Error::new(
                    ErrorKind::Credentials,
                    format!("{file_name}, line {}: expected key = value", n + 1),
                ));
            };
            let Some((kind, index)) = current else {
                return Err(Error::new(
                    ErrorKind::Credentials,
                    format!(
                        "{file_name}, line {}: a setting before any [section]",
                        n + 1
                    ),
                ));
            };
            let (key, value) = (key.trim(), value.trim());
            let key = match (&parent, indented) {
                (Some(parent), true) => format!("{parent}.{key}"),
                _ => {
                    parent = value.is_empty().then(|| key.to_owned());
                    key.to_owned()
                }
            };
            let section = &mut self.list(kind).list[index].1;
            // The credentials file wins over the config file for the same key.
            if file == File::Config || !value.is_empty() {
                section.set(&key, value);
            }
        }
        Ok(())
    }
}
