//! Each credential source's parser: process output, STS XML, the SSO token cache and
//! GetRoleCredentials, the container endpoint, IMDS; and the credential_process splitter.
#![no_main]

use bedrock_request::fuzzing::{
    parse_container_response, parse_imds_credentials, parse_process_output, parse_sso_response,
    parse_sso_token, parse_sts_response, split_command, SsoSettings,
};
use bedrock_request::credentials::ProcessOutput;
use bedrock_request::HttpResponse;
use libfuzzer_sys::fuzz_target;
use time::macros::datetime;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let now = datetime!(2024-01-15 12:00 UTC);
    let status = [200u16, 400, 401, 403, 404, 500][usize::from(first) % 6];
    let response = HttpResponse::new(status, rest.to_vec());
    let settings = SsoSettings {
        cache_key: "s".into(),
        region: "us-east-1".into(),
        account_id: "1".into(),
        role_name: "r".into(),
        start_url: "https://x.awsapps.com/start".into(),
    };
    let output = ProcessOutput {
        success: first % 2 == 0,
        stdout: text.to_string(),
        stderr: text.to_string(),
    };
    let _ = parse_process_output(&output, now);
    let _ = parse_sts_response(&response, "fuzz");
    let _ = parse_sso_token(&text, &settings, now);
    let _ = parse_sso_response(&response, &settings);
    let _ = parse_container_response(&response);
    let _ = parse_imds_credentials(&response);
    let _ = split_command(&text);
});
