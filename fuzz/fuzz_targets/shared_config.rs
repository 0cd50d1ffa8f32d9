//! The shared config files: the input split at its first NUL into config and credentials text;
//! then every profile's region, and the region lookup the CLI uses.
#![no_main]

use bedrock_request::credentials::{profile_region, SharedConfig};
use bedrock_request::Env;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (config, credentials) = text.split_once('\0').unwrap_or((text, ""));
    if let Ok(files) = SharedConfig::parse(Some(config), Some(credentials)) {
        let names: Vec<String> = files.profile_names().map(str::to_owned).collect();
        for name in names {
            let _ = files.profile(&name).and_then(|p| p.get("region"));
        }
    }
    let env = Env::from_iter([("HOME", "/h")]);
    let _ = profile_region(&env, None, |path| {
        Ok(Some(
            if path.ends_with("config") {
                config
            } else {
                credentials
            }
            .to_owned(),
        ))
    });
});
