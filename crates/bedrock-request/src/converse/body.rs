//! The Converse body: messages and system blocks (text, media, tools, guard content), the
//! inference settings and the option fields, in Converse's key order, then `extra_body`.

use std::collections::{BTreeMap, BTreeSet};

use super::spill::Spilled;

use super::media::{self, document_name, Fetched, FetchedByUrl};
use super::tools::{cache_point, Tools};
use crate::codec::base64_encode;
use crate::completion::Reasoning;
use crate::config::{ClientConfig, InferenceConfig};
use crate::error::Result;
use crate::error::{CollectOk, Error};
use crate::prompt::{
    Block, Conversation, Media, Part, SearchResult, ToolResultContent, ToolResultStatus,
};
use crate::value::Value;

/// Builds content blocks; documents get unique valid names.
struct Blocks<'a> {
    config: &'a ClientConfig,
    /// The fetched media by URL.
    fetched: FetchedByUrl<'a>,
    names: DocumentNames,
    /// The large strings the messages' tokens stand for.
    spilled: &'a Spilled<'a>,
}

/// Document names given so far, and the next suffix to try for each base name: unique names
/// for any number of documents in linear time.
#[derive(Default)]
struct DocumentNames {
    taken: BTreeSet<String>,
    next: BTreeMap<String, usize>,
}

impl DocumentNames {
    fn unique(&mut self, given: Option<&str>) -> String {
        let base = match given {
            Some(n) => document_name(n),
            None => format!("document-{}", self.taken.len() + 1),
        };
        let mut name = base.clone();
        if self.taken.contains(&name) {
            let n = self.next.entry(base.clone()).or_insert(2);
            loop {
                name = format!("{base} ({n})");
                *n += 1;
                if !self.taken.contains(&name) {
                    break;
                }
            }
        }
        self.taken.insert(name.clone());
        name
    }
}

impl Blocks<'_> {
    fn media(&mut self, media: &Media) -> Result<Value> {
        let names = &mut self.names;
        media::media_block(
            media,
            self.config.media_url_handler(),
            &self.fetched,
            &mut |given| names.unique(given),
            self.spilled,
        )
    }

    fn block(&mut self, block: Block) -> Result<Value> {
        Ok(match block {
            Block::Text(text) | Block::Part(Part::Text(text)) => {
                Value::object(vec![("text", Value::String(text))])
            }
            Block::CachePoint(ttl) | Block::Part(Part::CachePoint(ttl)) => cache_point(ttl),
            Block::Part(Part::Media(media)) => self.media(&media)?,
            Block::Part(Part::GuardImage(media)) => {
                media::guard_image_block(&media, &self.fetched, self.spilled)?
            }
            Block::Part(Part::Reasoning(r)) => reasoning_block(r)?,
            Block::Part(Part::SearchResult(r)) => search_result_block(r),
            Block::Part(Part::Native(block)) => block.into_value(),
            Block::Part(Part::ToolUse { id, name, input }) => Value::object(vec![(
                "toolUse",
                Value::object(vec![
                    ("toolUseId", Value::String(id)),
                    ("name", Value::String(name)),
                    ("input", input),
                ]),
            )]),
            Block::Part(Part::ToolResult {
                tool_use_id,
                content,
                status,
            }) => {
                let content = content
                    .into_iter()
                    .map(|c| {
                        Ok::<_, Error>(match c {
                            ToolResultContent::Text(t) => {
                                Value::object(vec![("text", Value::String(t))])
                            }
                            ToolResultContent::Json(j) => Value::object(vec![("json", j)]),
                            ToolResultContent::Media(m) => self.media(&m)?,
                            ToolResultContent::SearchResult(r) => search_result_block(r),
                        })
                    })
                    .collect_ok()?;
                let mut fields = vec![
                    ("toolUseId", Value::String(tool_use_id)),
                    ("content", Value::Array(content)),
                ];
                if let Some(status) = status {
                    let s = match status {
                        ToolResultStatus::Success => "success",
                        ToolResultStatus::Error => "error",
                    };
                    fields.push(("status", Value::from(s)));
                }
                Value::object(vec![("toolResult", Value::object(fields))])
            }
            Block::Part(Part::GuardContent { text, qualifiers }) => {
                let mut inner = vec![("text", Value::String(text))];
                if !qualifiers.is_empty() {
                    inner.push((
                        "qualifiers",
                        Value::Array(qualifiers.into_iter().map(Value::String).collect()),
                    ));
                }
                Value::object(vec![(
                    "guardContent",
                    Value::object(vec![("text", Value::object(inner))]),
                )])
            }
        })
    }

    fn blocks(&mut self, blocks: Vec<Block>) -> Result<Value> {
        super::limits::check_counts(blocks.iter().filter_map(|b| match b {
            Block::Part(Part::Media(m)) => Some(m.kind),
            _ => None,
        }))?;
        Ok(Value::Array(
            blocks
                .into_iter()
                .enumerate()
                .map(|(j, b)| {
                    self.block(b)
                        .map_err(|e| e.context(format_args!("part {j}")))
                })
                .collect_ok()?,
        ))
    }
}

/// `reasoningContent`: text with its signature, or the redacted bytes (base64).
fn reasoning_block(r: Reasoning) -> Result<Value> {
    let inner = match (r.text, r.redacted) {
        (Some(text), None) => {
            let mut fields = vec![("text", Value::String(text))];
            if let Some(signature) = r.signature {
                fields.push(("signature", Value::String(signature)));
            }
            Value::object(vec![("reasoningText", Value::object(fields))])
        }
        (None, Some(bytes)) => Value::object(vec![(
            "redactedContent",
            Value::String(base64_encode(&bytes)),
        )]),
        _ => {
            return Err(Error::prompt(
                "a reasoning part holds either text (with its signature) or redacted bytes, not both and not neither",
            ))
        }
    };
    Ok(Value::object(vec![("reasoningContent", inner)]))
}

/// `searchResult`: source, title, the passages, and `citations.enabled` when set.
fn search_result_block(r: SearchResult) -> Value {
    let content = r
        .content
        .into_iter()
        .map(|t| Value::object(vec![("text", Value::String(t))]))
        .collect();
    let mut fields = vec![
        ("source", Value::String(r.source)),
        ("title", Value::String(r.title)),
        ("content", Value::Array(content)),
    ];
    if let Some(enabled) = r.citations {
        fields.push((
            "citations",
            Value::object(vec![("enabled", Value::Bool(enabled))]),
        ));
    }
    Value::object(vec![("searchResult", Value::object(fields))])
}

/// A patch value with its `null` object members removed (a `null` means "remove", never
/// "send null").
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(entries) => Value::Object(
            entries
                .iter()
                .filter(|(_, v)| *v != Value::Null)
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Deep-merges `patch` into `target`: objects merge key by key, `null` removes, anything else
/// replaces. Keys are found through an index, so objects of any size merge in linear time.
fn deep_merge(target: &mut Vec<(String, Value)>, patch: &[(String, Value)]) {
    // Inserted one by one (the last of a repeated key wins, as in `collect`): a `collect` into
    // a map sorts first, which costs each key type its own copy of the sort in WebAssembly.
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (i, (k, _)) in target.iter().enumerate() {
        index.insert(k.clone(), i);
    }
    let mut removed = vec![false; target.len()];
    for (key, value) in patch {
        match (index.get(key).copied(), value) {
            (Some(i), Value::Null) => removed[i] = true,
            (None, Value::Null) => {}
            (Some(i), Value::Object(p)) => match &mut target[i].1 {
                Value::Object(t) => deep_merge(t, p),
                other => *other = value.clone(),
            },
            (Some(i), _) => target[i].1 = without_nulls(value),
            (None, _) => target.push((key.clone(), without_nulls(value))),
        }
    }
    if removed.contains(&true) {
        let mut i = 0;
        target.retain(|_| {
            i += 1;
            !removed.get(i - 1).copied().unwrap_or(false)
        });
    }
}

/// The body's JSON; takes the conversation so large texts move into it instead of copying.
pub(super) fn body_json(
    config: &ClientConfig,
    conversation: Conversation,
    tools: Option<&Tools>,
    fetched: &[Fetched],
    stream: bool,
    spilled: &Spilled<'_>,
) -> Result<Value> {
    let mut b = Blocks {
        config,
        fetched: FetchedByUrl::new(fetched),
        names: DocumentNames::default(),
        spilled,
    };
    let mut body: Vec<(String, Value)> = Vec::new();
    let messages: Vec<Value> = conversation
        .turns
        .into_iter()
        .enumerate()
        .map(|(i, (role, blocks))| {
            // The turn's index (after the role policy merged adjacent messages of one role).
            let content = b
                .blocks(blocks)
                .map_err(|e| e.context(format_args!("message {i}")))?;
            Ok::<_, Error>(Value::object(vec![
                ("role", Value::from(role.as_str())),
                ("content", content),
            ]))
        })
        .collect_ok()?;
    // A call of a prompt-management ARN may send no messages (its variables fill the prompt).
    if !messages.is_empty() {
        body.push(("messages".into(), Value::Array(messages)));
    }
    if !conversation.system.is_empty() {
        body.push(("system".into(), b.blocks(conversation.system)?));
    }
    if let Some(inference) = inference_config(config.inference()) {
        body.push(("inferenceConfig".into(), inference));
    }
    if let Some(tools) = tools {
        body.push(("toolConfig".into(), tools.to_value()));
    }
    options_fields(config, &mut body, stream);
    deep_merge(&mut body, config.extra_body());
    Ok(Value::Object(body))
}

/// `inferenceConfig`, or `None` when nothing is set.
fn inference_config(inf: &InferenceConfig) -> Option<Value> {
    if inf.is_empty() {
        return None;
    }
    let mut fields: Vec<(String, Value)> = Vec::new();
    if let Some(n) = inf.max_tokens {
        fields.push(("maxTokens".into(), Value::Number(n.into())));
    }
    if let Some(t) = &inf.temperature {
        fields.push(("temperature".into(), Value::Number(t.clone())));
    }
    if let Some(p) = &inf.top_p {
        fields.push(("topP".into(), Value::Number(p.clone())));
    }
    if !inf.stop_sequences.is_empty() {
        let stops = inf
            .stop_sequences
            .iter()
            .map(|s| Value::from(s.as_str()))
            .collect();
        fields.push(("stopSequences".into(), Value::Array(stops)));
    }
    Some(Value::Object(fields))
}

/// The fields that come straight from client options, in Converse's order, each omitted when
/// empty.
fn options_fields(config: &ClientConfig, body: &mut Vec<(String, Value)>, stream: bool) {
    let strings =
        |items: &[String]| Value::Array(items.iter().map(|s| Value::from(s.as_str())).collect());
    if let Some(g) = config.guardrail() {
        let mut fields = vec![
            ("guardrailIdentifier", Value::from(g.identifier.as_str())),
            ("guardrailVersion", Value::from(g.version.as_str())),
        ];
        if let Some(t) = &g.trace {
            fields.push(("trace", Value::from(t.as_str())));
        }
        match &g.stream_processing_mode {
            Some(mode) if stream => {
                fields.push(("streamProcessingMode", Value::from(mode.as_str())))
            }
            _ => {}
        }
        body.push(("guardrailConfig".into(), Value::object(fields)));
    }
    if let Some(project) = config.project_identifier() {
        body.push(("projectIdentifier".into(), Value::from(project)));
    }
    if !config.additional_model_request_fields().is_empty() {
        body.push((
            "additionalModelRequestFields".into(),
            Value::Object(config.additional_model_request_fields().to_vec()),
        ));
    }
    if !config.prompt_variables().is_empty() {
        let vars = config
            .prompt_variables()
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    Value::object(vec![("text", Value::from(v.as_str()))]),
                )
            })
            .collect();
        body.push(("promptVariables".into(), Value::Object(vars)));
    }
    if !config.additional_model_response_field_paths().is_empty() {
        body.push((
            "additionalModelResponseFieldPaths".into(),
            strings(config.additional_model_response_field_paths()),
        ));
    }
    if !config.request_metadata().is_empty() {
        let meta = config
            .request_metadata()
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect();
        body.push(("requestMetadata".into(), Value::Object(meta)));
    }
    if let Some(latency) = config.performance_latency() {
        body.push((
            "performanceConfig".into(),
            Value::object(vec![("latency", Value::from(latency))]),
        ));
    }
    if let Some(tier) = config.service_tier() {
        body.push((
            "serviceTier".into(),
            Value::object(vec![("type", Value::from(tier))]),
        ));
    }
    let mut output_config = Vec::new();
    if let Some(format) = config.output_format() {
        let mut schema = vec![("schema", Value::String(format.schema.to_json()))];
        if let Some(name) = &format.name {
            schema.push(("name", Value::from(name.as_str())));
        }
        if let Some(description) = &format.description {
            schema.push(("description", Value::from(description.as_str())));
        }
        let text_format = Value::object(vec![
            ("type", Value::from("json_schema")),
            (
                "structure",
                Value::object(vec![("jsonSchema", Value::object(schema))]),
            ),
        ]);
        output_config.push(("textFormat", text_format));
    }
    if let Some(effort) = config.effort() {
        output_config.push(("effort", Value::from(effort)));
    }
    if !output_config.is_empty() {
        body.push(("outputConfig".into(), Value::object(output_config)));
    }
}
