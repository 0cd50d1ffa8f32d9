//! The credential chain driven by the input: the shared config files, and every response and
//! process output, come from it. Property: the driver always ends (a result or an error), and a
//! found profile region is one the files hold.
#![no_main]

use bedrock_request::credentials::{drive, Chain, Performed, ProcessOutput, Step};
use bedrock_request::{ClientConfig, Env, HttpResponse};
use libfuzzer_sys::fuzz_target;
use time::macros::datetime;

fuzz_target!(|text: &str| {
    let mut parts = text.split('\0');
    let config = parts.next().unwrap_or("").to_owned();
    let credentials = parts.next().unwrap_or("").to_owned();
    let answers: Vec<String> = parts.map(str::to_owned).collect();
    let env = Env::from_iter([
        ("HOME", "/h"),
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://127.0.0.1:9/creds",
        ),
    ]);
    let client = ClientConfig::builder().model("m").build().unwrap();
    let mut next = 0;
    let result = drive(
        Chain::new(&client, &env),
        datetime!(2024-01-15 12:00 UTC),
        |step| {
            let answer = answers.get(next).cloned().unwrap_or_default();
            next += 1;
            match step {
                Step::ReadFile { path, .. } if path.ends_with("/config") => {
                    Performed::File(Some(config.clone()))
                }
                Step::ReadFile { path, .. } if path.ends_with("/credentials") => {
                    Performed::File(Some(credentials.clone()))
                }
                Step::ReadFile { .. } => Performed::File(Some(answer)),
                Step::Send(_) => Performed::Response(HttpResponse::new(200, answer)),
                Step::Run { .. } => Performed::Process(ProcessOutput {
                    success: true,
                    stdout: answer,
                    stderr: String::new(),
                }),
                _ => Performed::Unreachable("done".into()),
            }
        },
    );
    if let Ok(Some(resolved)) = result {
        if let Some(region) = &resolved.region {
            assert!(config.contains(region.as_str()) || credentials.contains(region.as_str()));
        }
    }
});
