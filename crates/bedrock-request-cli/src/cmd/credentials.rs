//! `credentials`: runs the whole credential chain and prints where the credentials came from
//! (never the secret key or a token).

use bedrock_request::credentials::Chain;
use bedrock_request::{resolve_region, Auth};
use clap::{Args, ValueEnum};
use time::format_description::well_known::Rfc3339;

use crate::io::{print_line, process_env, profile_region};

#[derive(Args)]
pub struct CredentialsArgs {
    /// Use this profile (explicit: it beats environment keys).
    #[arg(long)]
    profile: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CredentialsFormat::Text)]
    format: CredentialsFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum CredentialsFormat {
    /// `source`, `profile`, `access_key_id`, `expires_at` and `region`, one `name: value` a line.
    Text,
    /// {"source", "profile", "access_key_id", "expires_at", "region"} (never a secret).
    Json,
}

pub fn run(args: CredentialsArgs) -> Result<(), String> {
    let env = process_env();
    let resolved = crate::io::resolve_credentials(chain(&env, args.profile.as_deref()))?;
    let region = match resolve_region(None, &env, resolved.region.as_deref()) {
        Some(region) => Some(region.to_owned()),
        None => profile_region(&env, args.profile.as_deref())?,
    };
    let (access_key_id, expires_at) = match &resolved.auth {
        Auth::SigV4(c) => (
            Some(c.access_key_id().to_owned()),
            c.expires_at().and_then(|t| t.format(&Rfc3339).ok()),
        ),
        _ => (None, None),
    };
    let json = serde_json::json!({
        "source": resolved.source.as_str(),
        "profile": resolved.profile,
        "access_key_id": access_key_id,
        "expires_at": expires_at,
        "region": region,
    });
    let text = match args.format {
        CredentialsFormat::Json => serde_json::to_string_pretty(&json).unwrap_or_default(),
        CredentialsFormat::Text => ["source", "profile", "access_key_id", "expires_at", "region"]
            .iter()
            .map(|k| format!("{k}: {}", json[k].as_str().unwrap_or("-")))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    print_line(&text)
}

/// The whole chain from the environment, with `--profile` when given.
pub fn chain(env: &bedrock_request::Env, profile: Option<&str>) -> Chain {
    let chain = Chain::from_env(env);
    match profile {
        Some(profile) => chain.with_profile(profile),
        None => chain,
    }
}

/// AWS keys from the chain; a Bedrock API key is an error (it cannot sign).
pub fn sigv4(
    env: &bedrock_request::Env,
    profile: Option<&str>,
) -> Result<bedrock_request::Credentials, String> {
    match crate::io::resolve_credentials(chain(env, profile))?
        .auth
    {
        Auth::SigV4(c) => Ok(c),
        _ => Err("the credentials found are a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK), not AWS keys: unset it to use your AWS credentials".into()),
    }
}
