//! What the role policy did that the user may not mean, said as warnings.

use super::Message;
use crate::config::RolePolicy;

/// What the role policy did that the user may not mean: each message whose role is not in
/// `allowed_roles` is sent as `default_role` (BAML's rule, kept), and a role that looks like a
/// typo of an allowed one (`asistant`) says so. Empty when every role is allowed. Callers
/// show these as warnings (the CLI prints them on standard error).
///
/// ```
/// use bedrock_request::config::RolePolicy;
/// use bedrock_request::{prompt, Message, Part};
/// let messages = [Message::user("Hi"), Message::new("asistant", vec![Part::Text("Hello".into())])];
/// let notes = prompt::role_notes(&messages, &RolePolicy::default());
/// assert_eq!(notes, [r#"message 1: role "asistant" is not in allowed_roles (system, user, assistant), so it is sent as "user" (default_role); did you mean "assistant"?"#]);
/// ```
pub fn role_notes(messages: &[Message], policy: &RolePolicy) -> Vec<String> {
    let allowed: Vec<&str> = policy.allowed_roles.iter().map(String::as_str).collect();
    let mut notes = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let role = m.role.as_str();
        if allowed.contains(&role) {
            continue;
        }
        let mut note = format!(
            "message {i}: role {} is not in allowed_roles ({}), so it is sent as {} (default_role)",
            crate::codec::quoted(role),
            allowed.join(", "),
            crate::codec::quoted(&policy.default_role)
        );
        if let Some(meant) = crate::config::suggest::closest(role, &allowed) {
            note.push_str(&format!("; did you mean {}?", crate::codec::quoted(meant)));
        }
        notes.push(note);
    }
    notes
}
