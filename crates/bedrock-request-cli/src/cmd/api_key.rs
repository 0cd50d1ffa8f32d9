//! `api-key`: a short-term Bedrock API key made offline from the chain's AWS keys.

use bedrock_request::resolve_region;
use clap::Args;

use crate::io::{now_or, print_line, process_env, profile_region};

#[derive(Args)]
pub struct ApiKeyArgs {
    /// The region the key is for (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's).
    #[arg(long)]
    region: Option<String>,
    /// Sign with this profile's credentials (explicit: it beats environment keys).
    #[arg(long)]
    profile: Option<String>,
    /// Lifetime in seconds, at most 43200 (12 hours).
    #[arg(long, default_value_t = 43_200)]
    expires_in: u64,
    /// Signing time: 20240115T123456Z or RFC 3339 (default: now).
    #[arg(long, value_name = "T")]
    time: Option<String>,
}

pub fn run(args: ApiKeyArgs) -> Result<(), String> {
    let env = process_env();
    let now = now_or(args.time.as_deref())?;
    let region = match resolve_region(args.region.as_deref(), &env, None) {
        Some(region) => region.to_owned(),
        None => profile_region(&env, args.profile.as_deref())?
            .ok_or("no region: pass --region, or set AWS_REGION")?,
    };
    let creds = super::credentials::sigv4(&env, args.profile.as_deref())?;
    let key = bedrock_request::sign::bedrock_api_key(
        &creds,
        &region,
        now,
        std::time::Duration::from_secs(args.expires_in),
    )
    .map_err(|e| e.to_string())?;
    print_line(key.expose())
}
