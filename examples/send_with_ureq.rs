//! Request → send with ureq → parse: the whole loop against Bedrock, with your credentials.
//!
//! `cargo run --features cli --example send_with_ureq -- "Why is the sky blue?"`
//! (credentials and region from the environment or ~/.aws, as the CLI resolves them).

use bedrock_request::{converse, credentials, parse, ClientConfig, Env, HttpResponse, Message};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let prompt = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Say hello in French.".into());
    let env: Env = std::env::vars().collect();
    let config = ClientConfig::builder()
        .model("us.anthropic.claude-3-5-haiku-20241022-v1:0")
        .max_tokens(300)
        .build()?;
    let resolved = credentials::resolve_static(&config, &env)?
        .ok_or_else(credentials::no_credentials_error)?;
    let signed = converse::Builder::new(&config, &[Message::user(prompt)], &env)
        .build()?
        .sign(&resolved.auth, time::OffsetDateTime::now_utc())?;

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let response = agent.run(signed.to_http_request()?)?;
    let answer = HttpResponse {
        status: response.status().as_u16(),
        headers: response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: response.into_body().read_to_vec()?,
    };
    match parse::response_to(
        &signed,
        answer.status,
        &answer.headers,
        &answer.body,
        config.finish_reason(),
    ) {
        Ok(completion) => println!("{}", completion.text),
        Err(e) => match e.aws() {
            Some(aws) => eprintln!("{aws}\nhint: {}", aws.hint),
            None => eprintln!("{e}"),
        },
    }
    Ok(())
}
