//! `request`: build and sign a Converse request and print it; the building is shared with
//! `send`.

use bedrock_request::credentials::Chain;
use bedrock_request::{
    converse, ClientConfig, Env, ErrorKind, FinishReasonPolicy, HttpRequest, Message,
};
use clap::Args;

use crate::args::{BuildArgs, RequestFormat};
use crate::io::{
    no_region_help, now_or, print_bytes, print_line, process_env, profile_region, read_text,
    with_endpoints,
};
use crate::media::{media, MediaLimits};

#[derive(Args)]
pub struct RequestArgs {
    #[command(flatten)]
    build: BuildArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RequestFormat::Json)]
    format: RequestFormat,
}

pub fn run(args: RequestArgs) -> Result<(), String> {
    let (request, _) = build(&args.build)?;
    match args.format {
        RequestFormat::Json => print_line(&request.to_json()),
        RequestFormat::Curl => print_line(&request.to_curl()),
        RequestFormat::Http => {
            // The request, then a line end past its Content-Length, so the output ends as a
            // text file does (on a terminal and into a pipe alike). Sent as is (`| nc`), it is an
            // empty line before a next request, which servers ignore (RFC 9112, section 2.2).
            print_bytes(&request.to_http())?;
            print_bytes(b"\r\n")
        }
    }
}

/// The request `request` prints (signed, or unsigned with `--unsigned`), and the client's
/// finish-reason policy for its answer.
pub fn build(args: &BuildArgs) -> Result<(HttpRequest, FinishReasonPolicy), String> {
    let env = process_env();
    let config = config_from(
        args.baml.as_deref(),
        args.client.as_deref(),
        args.options.as_deref(),
        &env,
    )?;
    build_for(
        args,
        apply_overrides(config, args)?,
        &env,
        &mut Default::default(),
    )
}

/// The client of `--baml FILE --client NAME` or `--options FILE.json`.
pub fn config_from(
    baml: Option<&str>,
    client: Option<&str>,
    options: Option<&str>,
    env: &Env,
) -> Result<ClientConfig, String> {
    match (baml, client, options) {
        (Some(file), Some(client), None) => {
            ClientConfig::from_baml(&read_text(file)?, client, env).map_err(|e| e.to_string())
        }
        (None, None, Some(file)) => {
            ClientConfig::from_json_str(&read_text(file)?).map_err(|e| e.to_string())
        }
        _ => Err("give either --baml FILE --client NAME, or --options FILE.json".into()),
    }
}

/// The request for `config` (one client of a strategy, for `send`), signed now or at --time.
/// Warnings already printed go in `notes` (a retry or a fallback client prints them once).
pub fn build_for(
    args: &BuildArgs,
    config: ClientConfig,
    env: &Env,
    notes: &mut std::collections::HashSet<String>,
) -> Result<(HttpRequest, FinishReasonPolicy), String> {
    // The endpoints of the profile this client uses (`--profile`, else its own option).
    let env = with_endpoints(env, config.profile())?;
    let mut messages = match (&args.prompt, &args.messages) {
        (Some(text), None) => vec![Message::user(text.as_str())],
        (None, Some(file)) => bedrock_request::prompt::messages_from_json(&read_text(file)?)
            .map_err(|e| format!("{file}: {e}"))?,
        (None, None) => Vec::new(),
        (Some(_), Some(_)) => {
            return Err("give either --prompt TEXT or --messages FILE.json, not both".into())
        }
    };
    if let Some(system) = &args.system {
        messages.insert(0, Message::system(system.as_str()));
    }
    // A role outside allowed_roles is sent as default_role (BAML's rule): say so.
    for note in bedrock_request::prompt::role_notes(&messages, config.roles()) {
        if notes.insert(note.clone()) {
            eprintln!("warning: {note}");
        }
    }
    let now = now_or(args.time.as_deref())?;
    if args.stream && !config.supports_streaming() {
        return Err(format!(
            "client {} sets supports_streaming false: send the non-streaming request (drop --stream), or remove the option",
            config.name().unwrap_or("(options)")
        ));
    }
    let tools = match &args.tools {
        Some(file) => Some(
            converse::Tools::from_json(&read_text(file)?).map_err(|e| format!("{file}: {e}"))?,
        ),
        None => None,
    };
    let fetched = media(
        &config,
        &messages,
        args.messages.as_deref(),
        &MediaLimits::of(args),
    )?;
    let build = |profile_region: Option<&str>| {
        let mut builder = converse::Builder::new(&config, &messages, &env)
            .media(&fetched)
            .profile_region(profile_region);
        if let Some(tools) = &tools {
            builder = builder.tools(tools);
        }
        if args.stream {
            builder.operation(converse::Operation::ConverseStream).build()
        } else if args.count_tokens {
            builder.operation(converse::Operation::CountTokens).build()
        } else {
            builder.build()
        }
        .map_err(|e| match (messages.is_empty(), e.kind()) {
            (true, ErrorKind::Prompt) => format!(
                "{e} (give --prompt TEXT or --messages FILE.json; only a Prompt management ARN as the model takes none)"
            ),
            _ if e.to_string().starts_with("no region") => {
                format!("{e}{}", no_region_help(&env, config.profile()))
            }
            _ => e.to_string(),
        })
    };
    if args.unsigned {
        let region = profile_region(&env, config.profile())?;
        let unsigned = build(region.as_deref())?;
        return Ok((unsigned.into_preview(), config.finish_reason().clone()));
    }
    // The chain runs on the real clock (expiry checks, STS signing); --time only sets the
    // Converse request's signing time.
    let resolved = crate::io::resolve_credentials(Chain::new(&config, &env))?;
    let mut unsigned = build(resolved.region.as_deref())?;
    if args.allow_insecure_http {
        unsigned = unsigned.allow_cleartext();
    }
    let signed = unsigned
        .sign(&resolved.auth, now)
        .map_err(|e| e.to_string())?;
    Ok((signed, config.finish_reason().clone()))
}

/// `--model`, `--region` and `--profile` over the config's own options, validated as they are.
pub fn apply_overrides(mut config: ClientConfig, args: &BuildArgs) -> Result<ClientConfig, String> {
    if let Some(model) = &args.model {
        config = config
            .with_model(model)
            .map_err(|e| format!("--model: {e}"))?;
    }
    if let Some(region) = &args.region {
        config = config
            .with_region(region)
            .map_err(|e| format!("--region: {e}"))?;
    }
    if let Some(profile) = &args.profile {
        config = config
            .with_profile(profile)
            .map_err(|e| format!("--profile: {e}"))?;
    }
    Ok(config)
}
