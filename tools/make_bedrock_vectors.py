#!/usr/bin/env python3
"""Makes vectors/bedrock/*.json with botocore, an independent SigV4 signer and Converse serializer.

For each case below, the Converse parameters are written by hand (what the case's messages
must become under the role policy), and botocore does the rest:

1. botocore's own `bedrock-runtime` client serializes `Converse(**params)` (or
   `ConverseStream`, `CountTokens`: the case's `operation`; URL with the model
   id percent-encoded as a path label, JSON body); the request is caught in `before-send`, so
   nothing is sent.
2. The body is re-dumped compactly (`separators=(',', ':')`, UTF-8, botocore's key order) —
   the bytes bedrock-request must produce — and signed by botocore's `SigV4Auth` (service
   `bedrock`) with headers `content-type` and `host` only, at a fixed time.

Run:  pip install botocore==1.44.8 && python3 tools/make_bedrock_vectors.py
The Rust test `bedrock_vectors` builds each case from its `input` with bedrock-request and
checks URL, body bytes, headers and signature against what botocore recorded here.
"""

import base64
import datetime
import json
import os
import pathlib
import sys

for key in list(os.environ):
    if key.startswith("AWS_"):
        del os.environ[key]
os.environ["AWS_CONFIG_FILE"] = "/dev/null"
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"

import botocore  # noqa: E402
import botocore.auth  # noqa: E402
import botocore.session  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

TIME = "20150830T123600Z"
FIXED = datetime.datetime(2015, 8, 30, 12, 36, 0)
botocore.auth.get_current_datetime = lambda *a, **k: FIXED

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
PNG_B64 = base64.b64encode(PNG).decode()
# The start of a JPEG (SOI and a JFIF APP0 marker): bytes that agree with "image/jpg".
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
JPEG_B64 = base64.b64encode(JPEG).decode()
TEMP_AKID = "ASIAEXAMPLETEMPORARY"
TEMP_SECRET = "tEmPoRaRy/SeCrEt+KeY/ExAmPlE0123456789abc"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+example/token=="

OUT = pathlib.Path(__file__).resolve().parent.parent / "vectors" / "bedrock"

CASES = [
    {
        "name": "model-id-with-colon",
        "description": "The issue's reference case: a model id with ':' (sent as %3A, signed as %253A).",
        "input": {
            "options": {"model": "anthropic.claude-3-haiku-20240307-v1:0", "region": "us-east-1",
                        "access_key_id": AKID, "secret_access_key": SECRET},
            "messages": [{"role": "user", "content": "Hello"}],
            "env": {},
        },
        "credentials": (AKID, SECRET, None), "region": "us-east-1", "endpoint_url": None,
        "params": {"modelId": "anthropic.claude-3-haiku-20240307-v1:0",
                   "messages": [{"role": "user", "content": [{"text": "Hello"}]}]},
        "expect_signature": "19f9ff5f31b96d4983cc87f7191e49e8c39475e434ea6b9d581028226bdc060c",
    },
    {
        "name": "inference-profile-id",
        "description": "A cross-region inference profile id, region from AWS_REGION, system prompt and inference settings.",
        "input": {
            "options": {"model": "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
                        "inference_configuration": {"max_tokens": 512, "temperature": 0.7,
                                                    "top_p": 0.9, "stop_sequences": ["\n\nHuman:"]}},
            "messages": [{"role": "system", "content": "You are terse."},
                         {"role": "user", "content": "Name three primes."}],
            "env": {"AWS_REGION": "us-west-2", "AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET},
        },
        "credentials": (AKID, SECRET, None), "region": "us-west-2", "endpoint_url": None,
        "params": {"modelId": "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
                   "messages": [{"role": "user", "content": [{"text": "Name three primes."}]}],
                   "system": [{"text": "You are terse."}],
                   "inferenceConfig": {"maxTokens": 512, "temperature": 0.7, "topP": 0.9,
                                       "stopSequences": ["\n\nHuman:"]}},
    },
    {
        "name": "application-inference-profile-arn",
        "description": "An application inference profile ARN: ':' and '/' both encoded inside one path label.",
        "input": {
            "options": {"model_id": "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
                        "region": "us-east-1", "access_key_id": AKID, "secret_access_key": SECRET},
            "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"},
                         {"role": "user", "content": "How are you?"}],
            "env": {},
        },
        "credentials": (AKID, SECRET, None), "region": "us-east-1", "endpoint_url": None,
        "params": {"modelId": "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
                   "messages": [{"role": "user", "content": [{"text": "Hi"}]},
                                {"role": "assistant", "content": [{"text": "Hello!"}]},
                                {"role": "user", "content": [{"text": "How are you?"}]}]},
    },
    {
        "name": "session-token",
        "description": "Temporary credentials from the environment: x-amz-security-token is signed.",
        "input": {
            "options": {"model": "amazon.nova-lite-v1:0", "region": "eu-west-1"},
            "messages": [{"role": "user", "content": "Hello"}],
            "env": {"AWS_ACCESS_KEY_ID": TEMP_AKID, "AWS_SECRET_ACCESS_KEY": TEMP_SECRET,
                    "AWS_SESSION_TOKEN": TOKEN},
        },
        "credentials": (TEMP_AKID, TEMP_SECRET, TOKEN), "region": "eu-west-1", "endpoint_url": None,
        "params": {"modelId": "amazon.nova-lite-v1:0",
                   "messages": [{"role": "user", "content": [{"text": "Hello"}]}]},
    },
    {
        "name": "explicit-session-token",
        "description": "Temporary credentials in the client options (camelCase, as in BAML's TypeScript example).",
        "input": {
            "options": {"model": "anthropic.claude-3-haiku-20240307-v1:0", "region": "ap-northeast-1",
                        "accessKeyId": TEMP_AKID, "secretAccessKey": TEMP_SECRET, "sessionToken": TOKEN},
            "messages": [{"role": "user", "content": "Hello"}],
            "env": {"AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET},
        },
        "credentials": (TEMP_AKID, TEMP_SECRET, TOKEN), "region": "ap-northeast-1", "endpoint_url": None,
        "params": {"modelId": "anthropic.claude-3-haiku-20240307-v1:0",
                   "messages": [{"role": "user", "content": [{"text": "Hello"}]}]},
    },
    {
        "name": "endpoint-url-with-path-prefix",
        "description": "endpoint_url with a path prefix (a gateway): the prefix is kept and signed.",
        "input": {
            "options": {"model": "anthropic.claude-3-haiku-20240307-v1:0", "region": "eu-central-1",
                        "endpoint_url": "https://gateway.example.com/bedrock/v1/",
                        "access_key_id": AKID, "secret_access_key": SECRET},
            "messages": [{"role": "user", "content": "Hello"}],
            "env": {},
        },
        "credentials": (AKID, SECRET, None), "region": "eu-central-1",
        "endpoint_url": "https://gateway.example.com/bedrock/v1/",
        "params": {"modelId": "anthropic.claude-3-haiku-20240307-v1:0",
                   "messages": [{"role": "user", "content": [{"text": "Hello"}]}]},
    },
    {
        "name": "endpoint-from-env-with-port",
        "description": "AWS_ENDPOINT_URL_BEDROCK_RUNTIME beats AWS_ENDPOINT_URL; a non-default port stays in host.",
        "input": {
            "options": {"model": "meta.llama3-8b-instruct-v1:0", "region": "us-east-1",
                        "access_key_id": AKID, "secret_access_key": SECRET},
            "messages": [{"role": "user", "content": "Hello"}],
            "env": {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": "http://127.0.0.1:4566",
                    "AWS_ENDPOINT_URL": "https://ignored.example.com"},
        },
        "credentials": (AKID, SECRET, None), "region": "us-east-1", "endpoint_url": "http://127.0.0.1:4566",
        "params": {"modelId": "meta.llama3-8b-instruct-v1:0",
                   "messages": [{"role": "user", "content": [{"text": "Hello"}]}]},
    },
    {
        "name": "roles-unicode-cache-and-additional-fields",
        "description": "Leading system to `system` with a cache point; a later system message merged into the user turn; unicode and escapes; additionalModelRequestFields verbatim.",
        "input": {
            "options": {"model": "us.anthropic.claude-3-7-sonnet-20250219-v1:0", "region": "us-east-1",
                        "access_key_id": AKID, "secret_access_key": SECRET,
                        "inference_configuration": {"max_tokens": 2048},
                        "additional_model_request_fields": {"thinking": {"type": "enabled", "budget_tokens": 1030}}},
            "messages": [
                {"role": "system", "content": "Réponds en français. \"Toujours\".", "metadata": {"cache_control": {"type": "ephemeral"}}},
                {"role": "user", "content": "Grüße 🎉\tline\nnext"},
                {"role": "assistant", "content": "Bonjour !"},
                {"role": "system", "content": "Sois bref."},
                {"role": "user", "content": [{"type": "text", "text": "Pourquoi ?"}, {"type": "text", "text": "   "}]},
            ],
            "env": {},
        },
        "credentials": (AKID, SECRET, None), "region": "us-east-1", "endpoint_url": None,
        "params": {"modelId": "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
                   "messages": [{"role": "user", "content": [{"text": "Grüße 🎉\tline\nnext"}]},
                                {"role": "assistant", "content": [{"text": "Bonjour !"}]},
                                {"role": "user", "content": [{"text": "Sois bref."}, {"text": "Pourquoi ?"}]}],
                   "system": [{"text": "Réponds en français. \"Toujours\"."}, {"cachePoint": {"type": "default"}}],
                   "inferenceConfig": {"maxTokens": 2048},
                   "additionalModelRequestFields": {"thinking": {"type": "enabled", "budget_tokens": 1030}}},
    },
]


CASES += [
    {
        "name": "media-and-tools",
        "description": "An inline PNG, an S3 PDF with a bucket owner and a name to clean up, an S3 video; tools with a choice and a cache point; a replayed tool call and its result (text, json, image).",
        "input": {
            "options": {"model": "anthropic.claude-3-5-sonnet-20240620-v1:0", "region": "us-east-1",
                        "access_key_id": AKID, "secret_access_key": SECRET},
            "messages": [
                {"role": "user", "content": [
                    {"type": "text", "text": "Compare these."},
                    {"type": "image", "base64": PNG_B64, "media_type": "image/png"},
                    {"type": "pdf", "url": "s3://my-bucket/reports/Q3_report.final.pdf", "media_type": "application/pdf", "bucket_owner": "111122223333", "name": "Q3_report.final.pdf"},
                    {"type": "video", "url": "s3://my-bucket/clip.mp4", "media_type": "video/mp4"}]},
                {"role": "assistant", "content": [
                    {"type": "tool_use", "id": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}}]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "tooluse_1", "status": "success", "content": [
                        {"type": "text", "text": "Sunny"}, {"type": "json", "json": {"temp_c": 21}},
                        {"type": "image", "base64": JPEG_B64, "media_type": "image/jpg"}]}]},
            ],
            "tools": {"tools": [{"name": "get_weather", "description": "Current weather for a city",
                                 "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}],
                      "tool_choice": "any", "cache_point": True},
            "env": {},
        },
        "credentials": (AKID, SECRET, None), "region": "us-east-1", "endpoint_url": None,
        "params": {"modelId": "anthropic.claude-3-5-sonnet-20240620-v1:0",
                   "messages": [
                       {"role": "user", "content": [
                           {"text": "Compare these."},
                           {"image": {"format": "png", "source": {"bytes": PNG}}},
                           {"document": {"format": "pdf", "name": "Q3-report-final", "source": {"s3Location": {"uri": "s3://my-bucket/reports/Q3_report.final.pdf", "bucketOwner": "111122223333"}}}},
                           {"video": {"format": "mp4", "source": {"s3Location": {"uri": "s3://my-bucket/clip.mp4"}}}}]},
                       {"role": "assistant", "content": [
                           {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}}}]},
                       {"role": "user", "content": [
                           {"toolResult": {"toolUseId": "tooluse_1", "content": [
                               {"text": "Sunny"}, {"json": {"temp_c": 21}},
                               {"image": {"format": "jpeg", "source": {"bytes": JPEG}}}], "status": "success"}}]}],
                   "toolConfig": {"tools": [
                       {"toolSpec": {"name": "get_weather", "description": "Current weather for a city",
                                     "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}},
                       {"cachePoint": {"type": "default"}}],
                       "toolChoice": {"any": {}}}},
    },
    {
        "name": "guardrails-and-extras",
        "description": "guardrailConfig, guardContent in system and user turns, promptVariables, additionalModelResponseFieldPaths, requestMetadata, performanceConfig, a model ARN giving the region, and extra_body deep-merged (a null removes a key).",
        "input": {
            "options": {"model": "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0",
                        "access_key_id": AKID, "secret_access_key": SECRET,
                        "inference_configuration": {"max_tokens": 300, "temperature": 0.5},
                        "guardrail_config": {"identifier": "gr-abc123", "version": "2", "trace": "enabled"},
                        "prompt_variables": {"topic": "rust"},
                        "additional_model_response_field_paths": ["/stop_sequence"],
                        "request_metadata": {"team": "search", "env": "prod"},
                        "performance_config": {"latency": "optimized"},
                        "extra_body": {"inferenceConfig": {"temperature": None, "topP": 0.9}, "requestMetadata": {"env": "staging"}}},
            "messages": [
                {"role": "system", "content": [{"type": "text", "text": "Answer about {{topic}}."},
                                               {"type": "guard_content", "text": "Policy text", "qualifiers": ["grounding_source"]}]},
                {"role": "user", "content": [{"type": "guard_content", "text": "Is Rust safe?", "qualifiers": ["query", "guard_content"]}]},
            ],
            "env": {},
        },
        "credentials": (AKID, SECRET, None), "region": "eu-west-1", "endpoint_url": None,
        "params": {"modelId": "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0",
                   "messages": [{"role": "user", "content": [{"guardContent": {"text": {"text": "Is Rust safe?", "qualifiers": ["query", "guard_content"]}}}]}],
                   "system": [{"text": "Answer about {{topic}}."}, {"guardContent": {"text": {"text": "Policy text", "qualifiers": ["grounding_source"]}}}],
                   "inferenceConfig": {"maxTokens": 300, "topP": 0.9},
                   "guardrailConfig": {"guardrailIdentifier": "gr-abc123", "guardrailVersion": "2", "trace": "enabled"},
                   "promptVariables": {"topic": {"text": "rust"}},
                   "additionalModelResponseFieldPaths": ["/stop_sequence"],
                   "requestMetadata": {"team": "search", "env": "staging"},
                   "performanceConfig": {"latency": "optimized"}},
    },
]


# Issue 13: the rest of the Converse API. The turn-1 reply of the agent loop is
# vectors/responses/agent-loop-turn-1.json (AWS's documented Converse response shape); its
# output.message is appended unchanged, as `parse --format message` prints it.
REPLY = json.loads((OUT.parent / "responses" / "agent-loop-turn-1.json").read_text(encoding="utf-8"))
ASSISTANT = REPLY["output"]["message"]
REDACTED = b"\x01\x02encrypted-thinking\xff"
REDACTED_B64 = base64.b64encode(REDACTED).decode()
SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
          "required": ["name", "age"], "additionalProperties": False}
CLAUDE = "us.anthropic.claude-sonnet-4-20250514-v1:0"
KEYS = {"access_key_id": AKID, "secret_access_key": SECRET}
WEATHER_TOOLS = {"tools": [{"name": "get_weather", "description": "Current weather for a city",
                            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]}
WEATHER_SPEC = {"toolSpec": {"name": "get_weather", "description": "Current weather for a city",
                             "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}}


def big_text(seed, size):
    """Deterministic text of about `size` characters with everything JSON must escape."""
    pieces = ["The quick brown fox ", "say \"hi\" ", "back\\slash ", "line\n", "tab\t", "é🎉 ",
              "\u0001ctl ", "\r\n", "{json: [1, 2]} ", "\u2028 ", "plain words and more words "]
    x, out, n = seed, [], 0
    while n < size:
        x = (x * 6364136223846793005 + 1442695040888963407) % 2**64
        piece = pieces[(x >> 33) % len(pieces)]
        out.append(piece)
        n += len(piece)
    return "".join(out)


def png_like(seed, size):
    x, out = seed, bytearray(b"\x89PNG\r\n\x1a\n")
    while len(out) < size:
        x = (x * 6364136223846793005 + 1442695040888963407) % 2**64
        out += (x >> 32).to_bytes(4, "little")
    return bytes(out[:size])


BIG_SYSTEM = big_text(1, 17 * 1024)
BIG_USER_A = big_text(2, 20 * 1024)
BIG_USER_B = big_text(3, 18 * 1024)
BIG_ASSISTANT = big_text(4, 17 * 1024)
BIG_IMAGE = png_like(5, 14 * 1024)
# What the crate's own large-string tokens look like, in a small text: it must reach the body
# unchanged (the crate then builds the body without spilling).
TOKEN_LOOKALIKE = "\u0001bedrock-request:0\u0001 is just text here"

def wire_to_params(block):
    """A native block as the wire has it (base64 text) -> botocore params (bytes for blobs)."""
    block = json.loads(json.dumps(block))
    if "reasoningContent" in block and "redactedContent" in block["reasoningContent"]:
        block["reasoningContent"]["redactedContent"] = base64.b64decode(block["reasoningContent"]["redactedContent"])
    return block


CASES += [
    {
        "name": "agent-loop-reasoning-replay",
        "description": "A two-turn agent loop with extended thinking: the turn-1 reply's output.message (reasoning text + signature, text, tool use) appended unchanged as native blocks, then the tool result.",
        "input": {
            "options": {"model": CLAUDE, "region": "us-east-1", **KEYS,
                        "inference_configuration": {"max_tokens": 4096},
                        "additional_model_request_fields": {"thinking": {"type": "enabled", "budget_tokens": 2048}}},
            "messages": [
                {"role": "user", "content": "What should I wear in Paris today?"},
                ASSISTANT,
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
                                              "content": [{"type": "json", "json": {"temp_c": 14, "sky": "rain"}}]}]},
            ],
            "tools": WEATHER_TOOLS,
            "env": {},
        },
        "credentials": (AKID, SECRET, None), "region": "us-east-1", "endpoint_url": None,
        "params": {"modelId": CLAUDE,
                   "messages": [
                       {"role": "user", "content": [{"text": "What should I wear in Paris today?"}]},
                       {"role": "assistant", "content": [wire_to_params(b) for b in ASSISTANT["content"]]},
                       {"role": "user", "content": [{"toolResult": {"toolUseId": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
                                                                    "content": [{"json": {"temp_c": 14, "sky": "rain"}}]}}]}],
                   "inferenceConfig": {"maxTokens": 4096},
                   "toolConfig": {"tools": [WEATHER_SPEC]},
                   "additionalModelRequestFields": {"thinking": {"type": "enabled", "budget_tokens": 2048}}},
    },
    {
        "name": "reasoning-parts-first-in-turn",
        "description": "Typed reasoning parts (text + signature, redacted bytes); two adjacent assistant messages merge with the second one's leading reasoning moved before the first one's text.",
        "input": {
            "options": {"model": CLAUDE, "region": "us-west-2", **KEYS},
            "messages": [
                {"role": "user", "content": "Weather in Oslo?"},
                {"role": "assistant", "content": "Let me check."},
                {"role": "assistant", "content": [
                    {"type": "reasoning", "text": "The user wants Oslo.", "signature": "ErUBCkYIBBgCIkDsig=="},
                    {"type": "reasoning", "redacted": REDACTED_B64},
                    {"type": "tool_use", "id": "tooluse_1", "name": "get_weather", "input": {"city": "Oslo"}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "tooluse_1", "content": "-3 C, snow", "status": "success"}]},
            ],
            "tools": WEATHER_TOOLS,
            "env": {},
        },
        "credentials": (AKID, SECRET, None), "region": "us-west-2", "endpoint_url": None,
        "params": {"modelId": CLAUDE,
                   "messages": [
                       {"role": "user", "content": [{"text": "Weather in Oslo?"}]},
                       {"role": "assistant", "content": [
                           {"reasoningContent": {"reasoningText": {"text": "The user wants Oslo.", "signature": "ErUBCkYIBBgCIkDsig=="}}},
                           {"reasoningContent": {"redactedContent": REDACTED}},
                           {"text": "Let me check."},
                           {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Oslo"}}}]},
                       {"role": "user", "content": [{"toolResult": {"toolUseId": "tooluse_1", "content": [{"text": "-3 C, snow"}], "status": "success"}}]}],
                   "toolConfig": {"tools": [WEATHER_SPEC]}},
    },
    {
        "name": "cache-points-with-ttl",
        "description": "Prompt caching everywhere: cache_point parts with and without ttl in system and user content, role metadata cache_control with ttl 1h, and the tools file's cache point with a ttl.",
        "input": {
            "options": {"model": CLAUDE, "region": "us-east-1", **KEYS},
            "messages": [
                {"role": "system", "content": [{"type": "text", "text": "You are a contracts lawyer."}, {"type": "cache_point", "ttl": "1h"},
                                               {"type": "text", "text": "Cite clauses."}, {"type": "cache_point"}]},
                {"role": "user", "content": "Here is the contract: ...", "metadata": {"cache_control": {"type": "ephemeral", "ttl": "1h"}}},
                {"role": "assistant", "content": "Read it."},
                {"role": "user", "content": [{"type": "text", "text": "Clause 4?"}, {"type": "cache_point", "ttl": "5m"}]},
            ],
            "tools": {**WEATHER_TOOLS, "cache_point": {"ttl": "1h"}},
            "env": {},
        },
        "credentials": (AKID, SECRET, None), "region": "us-east-1", "endpoint_url": None,
        "params": {"modelId": CLAUDE,
                   "messages": [
                       {"role": "user", "content": [{"text": "Here is the contract: ..."}, {"cachePoint": {"type": "default", "ttl": "1h"}}]},
                       {"role": "assistant", "content": [{"text": "Read it."}]},
                       {"role": "user", "content": [{"text": "Clause 4?"}, {"cachePoint": {"type": "default", "ttl": "5m"}}]}],
                   "system": [{"text": "You are a contracts lawyer."}, {"cachePoint": {"type": "default", "ttl": "1h"}},
                              {"text": "Cite clauses."}, {"cachePoint": {"type": "default"}}],
                   "toolConfig": {"tools": [WEATHER_SPEC, {"cachePoint": {"type": "default", "ttl": "1h"}}]}},
    },
    {
        "name": "structured-output-strict-and-system-tools",
        "description": "output_format (outputConfig.textFormat json_schema, the schema as compact JSON text) and effort, a strict tool, a system tool, a specific tool choice, project_identifier and service_tier.",
        "input": {
            "options": {"model": "amazon.nova-pro-v1:0", "region": "us-east-1", **KEYS,
                        "service_tier": "flex",
                        "output_format": {"name": "person", "description": "A person", "schema": SCHEMA},
                        "effort": "medium", "project_identifier": "proj_research-1"},
            "messages": [{"role": "user", "content": "Ada Lovelace, 36."}],
            "tools": {"tools": [{"name": "lookup", "description": "Look a person up",
                                 "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"], "additionalProperties": False},
                                 "strict": True},
                                {"system_tool": "nova_grounding"}],
                      "tool_choice": {"tool": "lookup"}},
            "env": {},
        },
        "credentials": (AKID, SECRET, None), "region": "us-east-1", "endpoint_url": None,
        "params": {"modelId": "amazon.nova-pro-v1:0",
                   "messages": [{"role": "user", "content": [{"text": "Ada Lovelace, 36."}]}],
                   "toolConfig": {"tools": [
                       {"toolSpec": {"name": "lookup", "description": "Look a person up",
                                     "inputSchema": {"json": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"], "additionalProperties": False}},
                                     "strict": True}},
                       {"systemTool": {"name": "nova_grounding"}}],
                       "toolChoice": {"tool": {"name": "lookup"}}},
                   "projectIdentifier": "proj_research-1",
                   "serviceTier": {"type": "flex"},
                   "outputConfig": {"textFormat": {"type": "json_schema", "structure": {"jsonSchema": {
                       "schema": json.dumps(SCHEMA, separators=(",", ":")), "name": "person", "description": "A person"}}},
                                    "effort": "medium"}},
    },
    {
        "name": "citations-documents-and-search-results",
        "description": "Citations: a document from plain text with context and citations enabled, a document from chunks, a search_result part, and a tool result holding a search result.",
        "input": {
            "options": {"model": CLAUDE, "region": "us-east-1", **KEYS},
            "messages": [
                {"role": "user", "content": [
                    {"type": "document", "text": "The grass is green. The sky is blue.", "name": "facts", "context": "A children's book", "citations": True},
                    {"type": "document", "content": ["Chunk one.", "Chunk two."], "name": "chunks", "media_type": "text/plain", "citations": True},
                    {"type": "search_result", "source": "https://example.com/sky", "title": "Sky", "content": ["The sky is blue because of Rayleigh scattering."], "citations": True},
                    {"type": "text", "text": "What colour is the sky? Cite."}]},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "t9", "name": "get_weather", "input": {"city": "Paris"}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t9", "content": [
                    {"type": "search_result", "source": "kb://weather/paris", "title": "Paris", "content": ["Rain", "14 C"]}]}]},
            ],
            "tools": WEATHER_TOOLS,
            "env": {},
        },
        "credentials": (AKID, SECRET, None), "region": "us-east-1", "endpoint_url": None,
        "params": {"modelId": CLAUDE,
                   "messages": [
                       {"role": "user", "content": [
                           {"document": {"name": "facts", "source": {"text": "The grass is green. The sky is blue."}, "context": "A children's book", "citations": {"enabled": True}}},
                           {"document": {"format": "txt", "name": "chunks", "source": {"content": [{"text": "Chunk one."}, {"text": "Chunk two."}]}, "citations": {"enabled": True}}},
                           {"searchResult": {"source": "https://example.com/sky", "title": "Sky", "content": [{"text": "The sky is blue because of Rayleigh scattering."}], "citations": {"enabled": True}}},
                           {"text": "What colour is the sky? Cite."}]},
                       {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t9", "name": "get_weather", "input": {"city": "Paris"}}}]},
                       {"role": "user", "content": [{"toolResult": {"toolUseId": "t9", "content": [
                           {"searchResult": {"source": "kb://weather/paris", "title": "Paris", "content": [{"text": "Rain"}, {"text": "14 C"}]}}]}}]}],
                   "toolConfig": {"tools": [WEATHER_SPEC]}},
    },
    {
        "name": "guardrail-image-and-stream-mode",
        "description": "ConverseStream with guardrail streamProcessingMode (stream only) and a guardContent image; service tier priority.",
        "operation": "ConverseStream",
        "input": {
            "operation": "converse-stream",
            "options": {"model": "amazon.nova-lite-v1:0", "region": "eu-west-1", **KEYS,
                        "guardrail_config": {"identifier": "gr-abc123", "version": "DRAFT", "stream_processing_mode": "async"},
                        "service_tier": "priority"},
            "messages": [{"role": "user", "content": [
                {"type": "guard_content", "base64": PNG_B64, "media_type": "image/png"},
                {"type": "text", "text": "Is this image safe?"}]}],
            "env": {},
        },
        "credentials": (AKID, SECRET, None), "region": "eu-west-1", "endpoint_url": None,
        "params": {"modelId": "amazon.nova-lite-v1:0",
                   "messages": [{"role": "user", "content": [
                       {"guardContent": {"image": {"format": "png", "source": {"bytes": PNG}}}},
                       {"text": "Is this image safe?"}]}],
                   "guardrailConfig": {"guardrailIdentifier": "gr-abc123", "guardrailVersion": "DRAFT", "streamProcessingMode": "async"},
                   "serviceTier": {"type": "priority"}},
    },
    {
        "name": "prompt-arn-variables-only",
        "description": "A Prompt management ARN called with no messages: only promptVariables.",
        "input": {
            "options": {"model": "arn:aws:bedrock:us-east-1:123456789012:prompt/PROMPT12345:2", **KEYS,
                        "prompt_variables": {"genre": "jazz", "number": "3"}},
            "messages": [],
            "env": {},
        },
        "credentials": (AKID, SECRET, None), "region": "us-east-1", "endpoint_url": None,
        "params": {"modelId": "arn:aws:bedrock:us-east-1:123456789012:prompt/PROMPT12345:2",
                   "promptVariables": {"genre": {"text": "jazz"}, "number": {"text": "3"}}},
    },
    {
        "name": "count-tokens",
        "description": "CountTokens for a conversation with system, tools and additional fields: input.converse holds the Converse members CountTokens takes; inference settings and extra_body's other keys are left out.",
        "operation": "CountTokens",
        "input": {
            "operation": "count-tokens",
            "options": {"model": "anthropic.claude-3-5-haiku-20241022-v1:0", "region": "us-east-1", **KEYS,
                        "inference_configuration": {"max_tokens": 100},
                        "additional_model_request_fields": {"top_k": 5},
                        "extra_body": {"requestMetadata": {"team": "x"}}},
            "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "How many tokens is this?"}],
            "tools": WEATHER_TOOLS,
            "env": {},
        },
        "credentials": (AKID, SECRET, None), "region": "us-east-1", "endpoint_url": None,
        "params": {"modelId": "anthropic.claude-3-5-haiku-20241022-v1:0",
                   "input": {"converse": {
                       "messages": [{"role": "user", "content": [{"text": "How many tokens is this?"}]}],
                       "system": [{"text": "Be brief."}],
                       "toolConfig": {"tools": [WEATHER_SPEC]},
                       "additionalModelRequestFields": {"top_k": 5}}}},
    },
]


class Caught(Exception):
    pass


class RecordingSigV4(botocore.auth.SigV4Auth):
    """SigV4Auth that keeps the canonical request, string to sign and signature it computed."""

    def canonical_request(self, request):
        self.recorded_canonical_request = super().canonical_request(request)
        return self.recorded_canonical_request

    def string_to_sign(self, request, canonical_request):
        self.recorded_string_to_sign = super().string_to_sign(request, canonical_request)
        return self.recorded_string_to_sign

    def signature(self, string_to_sign, request):
        self.recorded_signature = super().signature(string_to_sign, request)
        return self.recorded_signature


def serialize(case):
    akid, secret, token = case["credentials"]
    client = botocore.session.get_session().create_client(
        "bedrock-runtime", region_name=case["region"], aws_access_key_id=akid,
        aws_secret_access_key=secret, aws_session_token=token, endpoint_url=case["endpoint_url"])
    seen = {}

    def catch(request, **_):
        seen["url"] = request.url
        seen["body"] = request.body
        raise Caught()

    operation = case.get("operation", "Converse")
    client.meta.events.register(f"before-send.bedrock-runtime.{operation}", catch)
    call = {"Converse": client.converse, "ConverseStream": client.converse_stream,
            "CountTokens": client.count_tokens}[operation]
    try:
        call(**case["params"])
    except Caught:
        pass
    return seen["url"], json.loads(seen["body"])


def sign(case, url, body_bytes):
    akid, secret, token = case["credentials"]
    request = AWSRequest(method="POST", url=url, data=body_bytes,
                         headers={"content-type": "application/json"})
    signer = RecordingSigV4(Credentials(akid, secret, token), "bedrock", case["region"])
    signer.add_auth(request)
    canonical_request = signer.recorded_canonical_request
    string_to_sign = signer.recorded_string_to_sign
    signature = signer.recorded_signature
    host = signer.headers_to_sign(request)["host"]
    headers = [["content-type", "application/json"], ["host", host]]
    headers += [[k.lower(), v] for k, v in request.headers.items() if k.lower() != "content-type"]
    return {"canonical_request": canonical_request, "string_to_sign": string_to_sign,
            "signature": signature, "headers": headers}



CASES += [
    {
        "name": "large-texts-and-images",
        "description": "Texts and an image over 16 KiB (which the crate copies into the body by reference): a system prompt, two adjacent user messages merged into one turn, an assistant turn, every character JSON escapes.",
        "input": {
            "options": {"model": "anthropic.claude-3-haiku-20240307-v1:0", "region": "us-east-1",
                        "access_key_id": AKID, "secret_access_key": SECRET},
            "messages": [
                {"role": "system", "content": BIG_SYSTEM},
                {"role": "user", "content": [{"type": "text", "text": BIG_USER_A},
                                             {"type": "image", "base64": base64.b64encode(BIG_IMAGE).decode()}]},
                {"role": "user", "content": BIG_USER_B},
                {"role": "assistant", "content": BIG_ASSISTANT},
                {"role": "user", "content": "And now?"},
            ],
            "env": {},
        },
        "credentials": (AKID, SECRET, None), "region": "us-east-1", "endpoint_url": None,
        "params": {"modelId": "anthropic.claude-3-haiku-20240307-v1:0",
                   "messages": [
                       {"role": "user", "content": [
                           {"text": BIG_USER_A},
                           {"image": {"format": "png", "source": {"bytes": BIG_IMAGE}}},
                           {"text": BIG_USER_B}]},
                       {"role": "assistant", "content": [{"text": BIG_ASSISTANT}]},
                       {"role": "user", "content": [{"text": "And now?"}]}],
                   "system": [{"text": BIG_SYSTEM}]},
    },
    {
        "name": "large-text-beside-a-token-lookalike",
        "description": "A text over 16 KiB and a small text that looks like the crate's own large-string token: both reach the body as written.",
        "input": {
            "options": {"model": "anthropic.claude-3-haiku-20240307-v1:0", "region": "us-east-1",
                        "access_key_id": AKID, "secret_access_key": SECRET},
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": BIG_USER_A},
                                             {"type": "text", "text": TOKEN_LOOKALIKE}]},
            ],
            "env": {},
        },
        "credentials": (AKID, SECRET, None), "region": "us-east-1", "endpoint_url": None,
        "params": {"modelId": "anthropic.claude-3-haiku-20240307-v1:0",
                   "messages": [
                       {"role": "user", "content": [{"text": BIG_USER_A}, {"text": TOKEN_LOOKALIKE}]}]},
    },
]

def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        url, body = serialize(case)
        body_text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        signed = sign(case, url, body_text.encode("utf-8"))
        if "expect_signature" in case and signed["signature"] != case["expect_signature"]:
            sys.exit(f"{case['name']}: botocore gave {signed['signature']}, expected {case['expect_signature']}")
        vector = {
            "description": case["description"],
            "generated_by": f"botocore {botocore.__version__} via tools/make_bedrock_vectors.py",
            "time": TIME,
            "input": case["input"],
            "botocore": {"url": url, "body": body, "body_text": body_text, **signed},
        }
        path = OUT / f"{case['name']}.json"
        path.write_text(json.dumps(vector, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{path.relative_to(OUT.parent.parent)}: {signed['signature']}")


if __name__ == "__main__":
    main()
