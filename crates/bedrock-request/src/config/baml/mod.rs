//! Reads `client<llm>` blocks out of BAML source.
//!
//! The file may hold anything else BAML allows (functions, classes, template strings,
//! generators...): those are skipped, with strings, raw strings and comments understood so
//! that a `{` inside a prompt does not confuse the scan. Inside a client block the syntax
//! follows BAML's grammar (`datamodel.pest`):
//!
//! - `key value`, and also `key: value` (BAML itself would read `: value` as the value);
//! - quoted strings `"..."` with BAML's escapes (`\n \r \t \0 \' \" \\ \xHH`);
//! - raw strings `#"..."#` (up to five `#`), with BAML's clean-up: leading newlines dropped,
//!   trailing whitespace trimmed, common indentation removed;
//! - unquoted values (`model claude-3-5-haiku-20241022`), read to the end of the line, a
//!   `,`, a bracket or a ` //` comment; `true`/`false`, `null` and numbers are typed;
//! - `env.NAME`, resolved against the [`Env`] snapshot when a client is turned into config;
//! - arrays `[a, b]` and nested blocks `{ key value }`, entries split by newlines or commas;
//! - `//` and `///` line comments, `{// ... //}` block comments.

mod parser;

use std::collections::BTreeSet;

use self::parser::{ClientBlock, Found, Node, NodeKind, Parser, RetryPolicyBlock};
use super::client::ClientConfig;
use super::validate;
use crate::codec::quoted;
use crate::env::Env;
use crate::error::{CollectOk, Error, Result};
use crate::value::Value;

/// A parsed BAML file: the `client<llm>` blocks it holds, in order.
///
/// ```
/// use bedrock_request::{BamlFile, Env};
///
/// let file = BamlFile::parse(r##"
///     client<llm> Haiku {
///       provider aws-bedrock
///       options {
///         model anthropic.claude-3-haiku-20240307-v1:0
///         region us-east-1
///       }
///     }
///     function Hello() -> string {
///       client Haiku
///       prompt #"Say {{ "hi" }}"#
///     }
/// "##)?;
/// let config = file.client("Haiku")?.to_config(&Env::new())?;
/// assert_eq!(config.model(), "anthropic.claude-3-haiku-20240307-v1:0");
/// # Ok::<(), bedrock_request::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct BamlFile {
    clients: Vec<BamlClient>,
    /// `retry_policy NAME { ... }` blocks.
    policies: Vec<RetryPolicyBlock>,
}

/// One `client<llm> Name { ... }` block, with `env.*` references not yet resolved.
///
/// `Debug` shows option names, not values (a block may hold a secret key).
#[derive(Clone)]
pub struct BamlClient {
    name: String,
    provider: String,
    retry_policy: Option<String>,
    options: Vec<(String, Node)>,
}

impl BamlFile {
    /// Parses BAML source and collects its `client<llm>` blocks.
    pub fn parse(source: &str) -> Result<BamlFile> {
        let mut p = Parser::new(source);
        let mut clients: Vec<BamlClient> = Vec::new();
        let mut names: BTreeSet<String> = BTreeSet::new();
        let mut policies: Vec<RetryPolicyBlock> = Vec::new();
        while let Some(found) = p.next_block()? {
            let start = match found {
                Found::Client(start) => start,
                Found::RetryPolicy(start) => {
                    let block = p.retry_policy_block(start)?;
                    if policies.iter().any(|b| b.name == block.name) {
                        let name = &block.name;
                        return Err(
                            p.error_at(start, format!("retry_policy {name} is defined twice"))
                        );
                    }
                    policies.push(block);
                    continue;
                }
            };
            let ClientBlock {
                name,
                provider,
                retry_policy,
                options,
            } = p.client_block(start)?;
            let client = BamlClient {
                name,
                provider,
                retry_policy,
                options,
            };
            if !names.insert(client.name.clone()) {
                return Err(p.error_at(start, format!("client {} is defined twice", client.name)));
            }
            clients.push(client);
        }
        Ok(BamlFile { clients, policies })
    }

    /// The fields of `retry_policy NAME { ... }` (`max_retries`, `strategy { type ... }`) as
    /// a map; the error lists the policies the file defines. [`crate::retry`] reads them.
    pub fn retry_policy(&self, name: &str) -> Result<Value> {
        let Some(block) = self.policies.iter().find(|b| b.name == name) else {
            let names: Vec<&str> = self.policies.iter().map(|b| b.name.as_str()).collect();
            return Err(Error::baml(if names.is_empty() {
                format!("no retry_policy named {name}: the BAML source defines none")
            } else {
                format!(
                    "no retry_policy named {name}; the BAML source defines: {}",
                    names.join(", ")
                )
            }));
        };
        let env = Env::new();
        block
            .entries
            .iter()
            .map(|(k, n)| Ok::<_, Error>((k.clone(), resolve(n, &env, name)?)))
            .collect_ok()
            .map(Value::Object)
    }

    /// All clients, in file order.
    pub fn clients(&self) -> &[BamlClient] {
        &self.clients
    }

    /// The client called `name`; the error lists the names that exist.
    pub fn client(&self, name: &str) -> Result<&BamlClient> {
        self.clients.iter().find(|c| c.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.clients.iter().map(|c| c.name.as_str()).collect();
            if names.is_empty() {
                Error::baml(format!(
                    "no client named {name}: the BAML source has no client<llm> blocks"
                ))
            } else {
                Error::baml(format!(
                    "no client named {name}; the BAML source defines: {}",
                    names.join(", ")
                ))
            }
        })
    }
}

impl std::fmt::Debug for BamlClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BamlClient")
            .field("name", &self.name)
            .field("provider", &self.provider)
            .field("retry_policy", &self.retry_policy)
            .field(
                "options",
                &self.options.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Options whose `env.NAME` may be unset: like BAML, an unset variable there means "not
/// given", so `session_token env.MY_SESSION // optional` works and the credential rules and
/// chain decide what happens next.
const OPTIONAL_ENV_OPTIONS: [&str; 8] = [
    "access_key_id",
    "secret_access_key",
    "session_token",
    "accessKeyId",
    "secretAccessKey",
    "sessionToken",
    "profile",
    "endpoint_url",
];

impl BamlClient {
    /// The client's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `provider` as written (`aws-bedrock` for the clients this crate serves).
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The `retry_policy` name, if any ([`crate::retry::Strategy`] applies it).
    pub fn retry_policy(&self) -> Option<&str> {
        self.retry_policy.as_deref()
    }

    /// The `options` block as a JSON-like map, with `env.NAME` references resolved from `env`.
    ///
    /// A reference to a variable that is not set is an error naming the variable and its line,
    /// except for the credential options, `profile` and `endpoint_url`, where an unset variable
    /// means the option is not given (as in BAML).
    pub fn options(&self, env: &Env) -> Result<Value> {
        let mut entries = Vec::with_capacity(self.options.len());
        for (key, node) in &self.options {
            if let NodeKind::Env(name) = &node.kind {
                if env.get(name).is_none() && OPTIONAL_ENV_OPTIONS.contains(&key.as_str()) {
                    continue;
                }
            }
            entries.push((key.clone(), resolve(node, env, &self.name)?));
        }
        Ok(Value::Object(entries))
    }

    /// Validates the options into a [`ClientConfig`] (errors are prefixed with the client's name).
    pub fn to_config(&self, env: &Env) -> Result<ClientConfig> {
        if self.provider != "aws-bedrock" {
            return Err(Error::baml(format!(
                "client {} uses provider {}; this crate builds requests for provider aws-bedrock only",
                self.name, quoted(&self.provider)
            )));
        }
        let options = self.options(env)?;
        validate::from_options(&options, Some(&self.name))
    }
}

fn resolve(node: &Node, env: &Env, client: &str) -> Result<Value> {
    Ok(match &node.kind {
        NodeKind::Literal(v) => v.clone(),
        NodeKind::Env(name) => match env.get(name) {
            Some(v) => Value::String(v.to_owned()),
            None => {
                return Err(Error::baml(format!(
                    "client {client}, line {}: env.{name} is not set; set the environment variable {name} or write the value in the options block",
                    node.line
                )))
            }
        },
        NodeKind::Array(items) => Value::Array(
            items
                .iter()
                .map(|n| resolve(n, env, client))
                .collect_ok()?,
        ),
        NodeKind::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, n)| Ok::<_, Error>((k.clone(), resolve(n, env, client)?)))
                .collect_ok()?,
        ),
    })
}
