#!/usr/bin/env python3
"""The coverage tables of docs/requests.md and docs/parse.md, from botocore's service model.

Walks every member of the Converse, ConverseStream and CountTokens request and response shapes
(botocore's bedrock-runtime model: the same one AWS's SDKs are generated from), and gives each
its status in this crate from the RULES below (longest path prefix wins):
- typed: read or written by a typed Rust API (and the CLI);
- pass-through: kept or sent verbatim as JSON (a native block, `extra_body`, a `Value`);
- not supported: named with the reason.

  python3 tools/converse_coverage.py --write   # rewrite the tables in docs/
  python3 tools/converse_coverage.py --check   # fail if a member has no rule or docs are stale

A member botocore adds that no rule covers fails --check (run by .ci/run), so the tables cannot
silently fall behind the model.
"""

import gzip
import json
import pathlib
import sys

import botocore

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODEL = pathlib.Path(botocore.__file__).parent / "data" / "bedrock-runtime" / "2023-09-30" / "service-2.json.gz"
SHAPES = json.load(gzip.open(MODEL))["shapes"]

MEDIA = "typed: media part (`base64`, `path`, `file://`/`data:`/`https://` URL read or fetched by the caller, `s3://` + `bucket_owner`; `Part::Media`)"
NATIVE = "pass-through: a native block in the messages file (`Part::Native`), sent as written"

REQUEST_RULES = [
    ("modelId", "typed: `model` / `model_id` option, percent-encoded as one path label"),
    ("messages", "typed: the messages file / `Message`, after the role policy"),
    ("messages[].role", "typed: role policy (`user`, `assistant`; leading `system` messages become `system`)"),
    ("messages[].content[].text", "typed: `{\"type\": \"text\"}` / `Part::Text` (blank text dropped, as BAML)"),
    ("messages[].content[].image", MEDIA),
    ("messages[].content[].image.format", "typed: from `media_type`, the bytes or the extension (checked to agree)"),
    ("messages[].content[].image.error", "pass-through: an output member (a generated image's error), sent only in a native block as a reply had it"),
    ("messages[].content[].document", MEDIA),
    ("messages[].content[].document.format", "typed: from `media_type` (optional for `text`/`content` sources)"),
    ("messages[].content[].document.name", "typed: `name`, cleaned to Bedrock's characters and made unique"),
    ("messages[].content[].document.source.text", "typed: a document part's `text`"),
    ("messages[].content[].document.source.content", "typed: a document part's `content: [\"chunk\", ...]`"),
    ("messages[].content[].document.context", "typed: a document part's `context`"),
    ("messages[].content[].document.citations", "typed: a document part's `citations: true`"),
    ("messages[].content[].video", MEDIA),
    ("messages[].content[].audio", MEDIA),
    ("messages[].content[].audio.error", "pass-through: an output member, sent only in a native block as a reply had it"),
    ("messages[].content[].toolUse", "typed: `{\"type\": \"tool_use\", \"id\", \"name\", \"input\"}` / `Part::ToolUse` (`Completion::to_message`)"),
    ("messages[].content[].toolUse.type", "pass-through: a server tool use goes back as the native block `to_message` makes"),
    ("messages[].content[].toolResult", "typed: `{\"type\": \"tool_result\", \"tool_use_id\", \"content\", \"status\"}` / `Part::ToolResult`"),
    ("messages[].content[].toolResult.content[].searchResult", "typed: a `search_result` content part"),
    ("messages[].content[].toolResult.content[].image", "typed: an image content part, as the messages' image blocks"),
    ("messages[].content[].toolResult.content[].document", "typed: a pdf or document content part, as the messages' document blocks"),
    ("messages[].content[].toolResult.content[].video", "typed: a video content part, as the messages' video blocks"),
    ("messages[].content[].toolResult.type", "pass-through: a server tool's result goes back as the native block `to_message` makes"),
    ("messages[].content[].guardContent.text", "typed: `{\"type\": \"guard_content\", \"text\", \"qualifiers\"}`"),
    ("messages[].content[].guardContent.image", "typed: `{\"type\": \"guard_content\", \"base64\"|\"path\"}` (PNG or JPEG) / `Part::GuardImage`"),
    ("messages[].content[].cachePoint", "typed: `{\"type\": \"cache_point\", \"ttl\"?}`, `cache_control` metadata / `Part::CachePoint`"),
    ("messages[].content[].reasoningContent", "typed: `{\"type\": \"reasoning\", \"text\", \"signature\"}` / `{\"redacted\"}` / `Part::Reasoning` (kept first in its turn)"),
    ("messages[].content[].citationsContent", "pass-through: replayed as received (`to_message`, `parse --format message`)"),
    ("messages[].content[].searchResult", "typed: `{\"type\": \"search_result\", \"source\", \"title\", \"content\", \"citations\"?}` / `Part::SearchResult`"),
    ("messages[].content[].toolAddition", NATIVE + " (MCP tool references are new; no typed part yet)"),
    ("messages[].content[].toolRemoval", NATIVE + " (as toolAddition)"),
    ("system", "typed: leading system messages: text, `guard_content` and `cache_point` parts"),
    ("inferenceConfig", "typed: `inference_configuration { max_tokens temperature top_p stop_sequences }` (numbers as written)"),
    ("toolConfig", "typed: the tools file / `converse::Tools`"),
    ("toolConfig.tools[].toolSpec.strict", "typed: a tool's `strict`"),
    ("toolConfig.tools[].systemTool", "typed: `{\"system_tool\": \"name\"}` / `Tool::system`"),
    ("toolConfig.tools[].cachePoint", "typed: the tools file's `cache_point: true | {\"ttl\"}`"),
    ("guardrailConfig", "typed: `guardrail_config { identifier version trace }`"),
    ("guardrailConfig.streamProcessingMode", "typed: `guardrail_config { stream_processing_mode }`, ConverseStream only (Converse has no such member)"),
    ("projectIdentifier", "typed: `project_identifier`"),
    ("additionalModelRequestFields", "typed: `additional_model_request_fields`, sent verbatim (model-specific by design)"),
    ("promptVariables", "typed: `prompt_variables { name \"value\" }` (a Prompt management ARN may send no messages)"),
    ("additionalModelResponseFieldPaths", "typed: `additional_model_response_field_paths`"),
    ("requestMetadata", "typed: `request_metadata`"),
    ("performanceConfig", "typed: `performance_config { latency }`"),
    ("serviceTier", "typed: `service_tier`"),
    ("outputConfig.textFormat", "typed: `output_format { name description schema }` (the schema sent as compact JSON text)"),
    ("outputConfig.effort", "typed: `effort`"),
    ("CountTokens: modelId", "typed: as Converse (`Operation::CountTokens`, `request --count-tokens`)"),
    ("CountTokens: input.converse", "typed: the Converse body's messages, system, toolConfig and additionalModelRequestFields, every member as in Converse above"),
    ("CountTokens: input.invokeModel", "not supported: an InvokeModel body is the provider's own JSON; this crate builds Converse conversations"),
]

RESPONSE_RULES = [
    ("output.message.role", "typed: `to_message` / `parse --format message` (always `assistant`)"),
    ("output.message.content", "pass-through: `ContentBlock::Other`, verbatim and replayed by `to_message` (not produced by models in Converse replies today)"),
    ("output.message.content[].text", "typed: `ContentBlock::Text`, joined in `Completion::text`"),
    ("output.message.content[].toolUse", "typed: `ContentBlock::ToolUse` / `ToolCall` (input kept as its exact JSON text); `tool_calls()`"),
    ("output.message.content[].toolUse.type", "typed: `ToolCall::tool_type`, `is_server()`; server tool uses are in `server_tool_calls()`, never in `tool_calls()`"),
    ("output.message.content[].toolResult", "pass-through: a server tool's result, `ContentBlock::Other`, replayed by `to_message`"),
    ("output.message.content[].reasoningContent", "typed: `ContentBlock::Reasoning` / `Reasoning { text, signature, redacted }`"),
    ("output.message.content[].citationsContent", "typed: `ContentBlock::Citations` / `Citation` / `CitationLocation` (the block kept for replay); text joined in `Completion::text`"),
    ("output.message.content[].image", "pass-through: `ContentBlock::Other` (a generated image), replayed by `to_message`"),
    ("stopReason", "typed: `StopReason` (unknown values kept)"),
    ("usage", "typed: `Usage`"),
    ("usage.cacheDetails", "typed: `Usage::cache_details` (`CacheDetail { ttl, input_tokens }`)"),
    ("metrics.latencyMs", "typed: `Completion::latency_ms`"),
    ("additionalModelResponseFields", "pass-through: `Completion::additional_model_response_fields` (`Value`, model-specific by design)"),
    ("trace", "pass-through: `Completion::trace` (`Value`: a guardrail assessment tree of ~100 members that grows with every guardrail feature; read it with `Value::pointer`)"),
    ("performanceConfig.latency", "typed: `Completion::performance_latency`"),
    ("serviceTier.type", "typed: `Completion::service_tier`"),
    ("stream.messageStart", "typed: `Event::MessageStart`"),
    ("stream.contentBlockStart", "typed: `Event::ToolUseStart` / `ToolResultStart` / `ImageStart`"),
    ("stream.contentBlockDelta", "typed: `Event::TextDelta` / `ToolInputDelta` / `ToolResultDelta` / `Reasoning*` / `CitationDelta` / `ImageDelta`, assembled by `Accumulator` into the same blocks as Converse"),
    ("stream.contentBlockStop", "typed: `Event::ContentBlockStop`"),
    ("stream.messageStop", "typed: `Event::MessageStop`"),
    ("stream.metadata", "typed: `Event::Metadata` (usage, latency, service tier, performance latency)"),
    ("stream.metadata.trace", "pass-through: `Event::Metadata::trace` (`Value`, as Converse's `trace`)"),
    ("stream.internalServerException", "typed: an `AwsError` (kind, retryable, hint)"),
    ("stream.modelStreamErrorException", "typed: an `AwsError` with `original_status_code`, `original_message`"),
    ("stream.validationException", "typed: an `AwsError`"),
    ("stream.throttlingException", "typed: an `AwsError`"),
    ("stream.serviceUnavailableException", "typed: an `AwsError`"),
    ("CountTokens: inputTokens", "typed: `parse::count_tokens`, `parse` prints it"),
    ("ModelErrorException", "typed: `AwsError` (`original_status_code`, `resource_name`)"),
    ("ModelStreamErrorException", "typed: `AwsError` (`original_status_code`, `original_message`)"),
    ("errors: message", "typed: `AwsError::message` of every error shape"),
]

# Subtrees listed as one row (`path.*`): their members are many and share the row's status.
COLLAPSE = {"trace",
            "CountTokens: input.converse.messages", "CountTokens: input.converse.system",
            "CountTokens: input.converse.toolConfig",
            "messages[].content[].toolResult.content[].image", "messages[].content[].toolResult.content[].document",
            "messages[].content[].toolResult.content[].video", "stream.metadata.trace", "messages[].content[].citationsContent",
            "output.message.content[].image", "output.message.content[].video", "output.message.content[].audio",
            "output.message.content[].document", "output.message.content[].guardContent",
            "output.message.content[].searchResult", "output.message.content[].toolResult",
            "output.message.content[].toolAddition", "output.message.content[].toolRemoval",
            "output.message.content[].cachePoint"}


def leaves(shape, path, out, prefix=""):
    """(path, type) for every member (a COLLAPSE subtree as one `path.*`)."""
    s = SHAPES[shape]
    kind = s["type"]
    if prefix + path in COLLAPSE:
        out.append((path + ".*", "subtree"))
        return
    if kind == "structure" and s.get("document"):
        out.append((path, "JSON document"))
    elif kind == "structure":
        if not s["members"]:
            out.append((path, "empty structure"))
        for name, member in s["members"].items():
            leaves(member["shape"], f"{path}.{name}" if path else name, out, prefix)
    elif kind == "list":
        leaves(s["member"]["shape"], path + "[]", out, prefix)
    elif kind == "map":
        leaves(s["value"]["shape"], path + "{}", out, prefix)
    else:
        out.append((path, kind))


def rows(roots, rules):
    out, seen = [], set()
    for prefix, shape in roots:
        found = []
        leaves(shape, "", found, prefix)
        for path, kind in found:
            full = f"{prefix}{path}"
            if full in seen:
                continue
            seen.add(full)
            out.append((full, kind))
    table, missing = [], []
    for path, kind in out:
        bare = path.removesuffix(".*")
        match = max((r for r in rules if bare == r[0] or bare.startswith(r[0] + ".") or bare.startswith(r[0] + "[")
                     or bare.startswith(r[0] + "{")), key=lambda r: len(r[0]), default=None)
        if match is None:
            missing.append(path)
        else:
            table.append((path, kind, match[1]))
    return table, missing


def markdown(table):
    """One row per run of members that share a rule: the members, the status, how."""
    lines = ["| members | status | how |", "| --- | --- | --- |"]
    groups = []
    for path, _, status in table:
        if groups and groups[-1][1] == status:
            groups[-1][0].append(path)
        else:
            groups.append(([path], status))
    for paths, status in groups:
        word, _, how = status.partition(": ")
        members = ", ".join(f"`{p}`" for p in paths)
        lines.append(f"| {members} | {word} | {how} |")
    counts = {}
    for _, _, status in table:
        word = status.split(":")[0]
        counts[word] = counts.get(word, 0) + 1
    summary = ", ".join(f"{n} {w}" for w, n in sorted(counts.items()))
    return "\n".join(lines) + f"\n\n{len(table)} members: {summary} (botocore {botocore.__version__}; a `.*` row is a whole subtree).\n"


def request_table():
    # ConverseStream's request differs only in guardrailConfig (streamProcessingMode).
    return rows([("", "ConverseRequest"), ("", "ConverseStreamRequest"), ("CountTokens: ", "CountTokensRequest")],
                REQUEST_RULES)


def response_table():
    errors = []
    for name in ("ModelErrorException", "ModelStreamErrorException", "ValidationException", "ThrottlingException",
                 "AccessDeniedException", "ResourceNotFoundException", "ServiceUnavailableException",
                 "InternalServerException", "ModelTimeoutException", "ModelNotReadyException"):
        errors.append((f"{name}.", name))
    table, missing = rows([("", "ConverseResponse"), ("stream.", "ConverseStreamOutput"),
                           ("CountTokens: ", "CountTokensResponse")] + errors, RESPONSE_RULES + [
        (f"{n}.message", "typed: `AwsError::message`") for _, n in errors])
    return table, missing


BEGIN, END = "<!-- coverage:begin (tools/converse_coverage.py) -->", "<!-- coverage:end -->"


def replace_block(text, block):
    if BEGIN not in text:
        raise SystemExit("the coverage markers are missing")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{block}{END}{tail}"


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "--check"
    problems = []
    for doc, (table, missing) in (("docs/requests.md", request_table()), ("docs/parse.md", response_table())):
        if missing:
            problems.append(f"{doc}: no rule for " + ", ".join(missing))
            continue
        path = ROOT / doc
        text = path.read_text(encoding="utf-8")
        updated = replace_block(text, markdown(table))
        if mode == "--write":
            path.write_text(updated, encoding="utf-8")
        elif updated != text:
            problems.append(f"{doc}: the coverage table is stale (run tools/converse_coverage.py --write)")
    if problems:
        sys.exit("\n".join(problems))
    print("coverage tables: every member of botocore's Converse, ConverseStream and CountTokens shapes has a status")


if __name__ == "__main__":
    main()
