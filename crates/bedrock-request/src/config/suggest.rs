//! What to write instead: BAML's typo distance, and the hints an unknown option gets.

use crate::error::Error;

/// Every option a client block or options map may have (camelCase aliases aside).
const OPTION_KEYS: [&str; 31] = [
    "model",
    "model_id",
    "region",
    "access_key_id",
    "secret_access_key",
    "session_token",
    "profile",
    "endpoint_url",
    "inference_configuration",
    "additional_model_request_fields",
    "allowed_roles",
    "default_role",
    "remap_roles",
    "allowed_role_metadata",
    "supports_streaming",
    "finish_reason_allow_list",
    "finish_reason_deny_list",
    "media_url_handler",
    "http",
    "guardrail_config",
    "prompt_variables",
    "request_metadata",
    "performance_config",
    "service_tier",
    "output_format",
    "effort",
    "project_identifier",
    "additional_model_response_field_paths",
    "extra_body",
    "accessKeyId",
    "secretAccessKey",
];

/// BAML's `Unsupported property: {key}`, with what to write instead when we can tell: a typo
/// of an option, an option written in camelCase, an inference setting outside its block.
pub(super) fn unsupported(key: &str) -> Error {
    const INFERENCE: [&str; 4] = ["max_tokens", "temperature", "top_p", "stop_sequences"];
    let snake = snake_case(key);
    if INFERENCE.contains(&snake.as_str()) {
        return Error::config(format!(
            "Unsupported property: {key}. It belongs in inference_configuration, as its {snake} key"
        ));
    }
    // The block by the names Bedrock's API and BAML's own messages give it.
    if snake == "inference_config" {
        return Error::config(format!(
            "Unsupported property: {key}. Did you mean 'inference_configuration'?"
        ));
    }
    if snake != key && OPTION_KEYS.contains(&snake.as_str()) {
        return Error::config(format!(
            "Unsupported property: {key}. Options are snake_case: did you mean '{snake}'?"
        ));
    }
    match closest(key, &OPTION_KEYS) {
        Some(known) => Error::config(format!(
            "Unsupported property: {key}. Did you mean '{known}'?"
        )),
        None => Error::config(format!("Unsupported property: {key}")),
    }
}

/// An unknown key in a nested block: `lead` (BAML's words, such as `unknown inference_config
/// key: max_token`), then the block as the user wrote it, what to write instead, and the keys
/// it takes.
pub(super) fn unknown_key(lead: &str, block: &str, key: &str, known: &[&str]) -> String {
    let snake = snake_case(key);
    let hint = if known.contains(&snake.as_str()) {
        format!("keys are snake_case, did you mean '{snake}'? ")
    } else {
        match closest(key, known) {
            Some(k) => format!("did you mean '{k}'? "),
            None => String::new(),
        }
    };
    format!("{lead} (in {block}: {hint}it takes {})", known.join(", "))
}

/// `maxTokens` → `max_tokens` (ASCII; other text as it is).
fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for (i, c) in key.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The candidate within BAML's typo distance (Levenshtein ≤ len/2 + 1), if any.
pub(crate) fn closest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    candidates
        .iter()
        .map(|c| (levenshtein(word, c), *c))
        .filter(|(d, _)| *d <= word.len() / 2 + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::validate::HTTP_FIELDS;

    #[test]
    fn typo_suggestions_follow_bamls_distance() {
        assert_eq!(
            closest("conect_timeout_ms", &HTTP_FIELDS),
            Some("connect_timeout_ms")
        );
        assert_eq!(closest("xyz", &HTTP_FIELDS), None);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
    }
}
