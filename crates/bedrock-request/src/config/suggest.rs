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

/// BAML's `Unsupported property: {key}`, with what to write instead when we can tell.
pub(super) fn unsupported(key: &str) -> Error {
    const INFERENCE: [&str; 4] = ["max_tokens", "temperature", "top_p", "stop_sequences"];
    if INFERENCE.contains(&key) {
        return Error::config(format!(
            "Unsupported property: {key}. It belongs in inference_configuration: inference_configuration {{ {key} ... }}"
        ));
    }
    match closest(key, &OPTION_KEYS) {
        Some(known) => Error::config(format!(
            "Unsupported property: {key}. Did you mean '{known}'?"
        )),
        None => Error::config(format!("Unsupported property: {key}")),
    }
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
