#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, from the repo's own vectors and examples (and a few
shapes written here): fuzz/corpus/<target>/. Run from anywhere; idempotent."""
import glob, json, os, sys

fuzz = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(fuzz)

def put(target, name, data):
    d = os.path.join(fuzz, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def compact(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)

put("baml", "bedrock.baml", open(os.path.join(root, "examples/bedrock.baml"), "rb").read())
for path in sorted(glob.glob(os.path.join(root, "vectors/bedrock/*.json"))):
    name = os.path.basename(path)
    case = json.load(open(path))
    inputs = case.get("input", {})
    put("json_options", name, compact(inputs.get("options", {})))
    if "messages" in inputs:
        put("messages", name, compact(inputs["messages"]))
    if "tools" in inputs:
        put("tools", name, compact(inputs["tools"]))
    put("endpoint", name, inputs.get("options", {}).get("endpoint_url", "https://bedrock-runtime.us-east-1.amazonaws.com"))
for path in sorted(glob.glob(os.path.join(root, "vectors/eventstream/*"))):
    if os.path.basename(path).startswith(("valid", "invalid")):
        put("frame_decoder", os.path.basename(path), b"\x03" + open(path, "rb").read())

put("shared_config", "profiles", "[default]\nregion = eu-west-3\n[profile dev]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = default\n[sso-session s]\nsso_region = us-east-1\nsso_start_url = https://x.awsapps.com/start\n\0[default]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n")
put("chain", "static", "[default]\nregion = eu-west-3\n\0[default]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n")
put("chain", "assume-role", "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n[profile base]\naws_access_key_id = A\naws_secret_access_key = S\n\0\0<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2024-01-15T13:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>")
put("chain", "process", "[default]\ncredential_process = /bin/creds --json\n\0\0{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}")
body = {"output": {"message": {"role": "assistant", "content": [
    {"reasoningContent": {"reasoningText": {"text": "Think.", "signature": "sig"}}},
    {"text": "Hello"},
    {"toolUse": {"toolUseId": "t1", "name": "f", "input": {"a": [1, 2.50]}}}]}},
    "stopReason": "tool_use", "usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3},
    "metrics": {"latencyMs": 5}}
put("converse_response", "ok", b"\x00" + compact(body).encode())
for path in sorted(glob.glob(os.path.join(root, "vectors/responses/*.json"))):
    name = os.path.basename(path)
    data = json.load(open(path))
    if name.endswith(".stream.json"):
        picks = {"messageStart": 0, "contentBlockStart": 1, "contentBlockDelta": 2, "contentBlockStop": 3,
                 "messageStop": 4, "metadata": 5}
        put("stream_events", name, b"\n".join(bytes([picks[e]]) + compact(p).encode() for e, p in data))
    else:
        put("converse_response", name, b"\x00" + compact(data).encode())
put("converse_response", "throttled", b"\x03" + b'{"message":"Too many requests"}')
put("aws_error", "mismatch", "SignatureDoesNotMatch\n" + compact({"message": "The request signature we calculated does not match the signature you provided. The Canonical String for this request should have been\n'POST\n/\n\nhost:h\n\nhost\nabc'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20240115T120000Z\n20240115/us-east-1/bedrock/aws4_request\nabc'\n"}))
put("aws_error", "skew", "Mon, 15 Jan 2024 12:34:56 GMT\n" + compact({"message": "Signature expired: 20240115T120000Z is now earlier than 20240115T121000Z (20240115T122500Z - 15 min.)"}))
put("stream_events", "text", b"\x00" + b'{"role":"assistant"}' + b"\n\x02" + b'{"contentBlockIndex":0,"delta":{"text":"Hi"}}' + b"\n\x01" + b'{"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"t","name":"f"}}}' + b"\n\x02" + b'{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\\"a\\":1}"}}}' + b"\n\x04" + b'{"stopReason":"end_turn"}' + b"\n\x05" + b'{"usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}')
put("credential_sources", "process", b"\x00" + compact({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "S", "SessionToken": "T", "Expiration": "2024-01-15T13:00:00Z"}).encode())
put("credential_sources", "sso", b"\x00" + compact({"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "S", "sessionToken": "T", "expiration": 1705323600000}}).encode())
put("credential_sources", "sso-token", b"\x00" + compact({"accessToken": "tok", "expiresAt": "2024-01-15T13:00:00Z"}).encode())
request = {"method": "POST", "url": "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse",
           "headers": [["content-type", "application/json"], ["host", "bedrock-runtime.us-east-1.amazonaws.com"],
                       ["x-amz-date", "20240115T120000Z"], ["x-amz-security-token", "TOKEN"],
                       ["authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240115/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=0123"]],
           "body": {}, "body_text": "{}"}
put("explain_verify", "request", compact(request))
put("sign_roundtrip", "arn", "arn:aws:bedrock:us-east-1:123:application-inference-profile/abc\nprefix/path\nHello")
put("structured", "fenced", b"\x01" + "Sure! Here it is:\n```json\n[1, 2, 3]\n```\nAnything else?".encode())
cases = json.load(open(os.path.join(root, "vectors/structured/cases.json")))
for i, case in enumerate(cases["cases"]):
    put("structured", f"baml-{i}", bytes([i % 5]) + case["text"].encode())
# BAML's own parser tests' texts (vectors/jsonish), against the target's BAML types (picks 10-14).
jsonish = json.load(open(os.path.join(root, "vectors/jsonish/cases.json")))
for i, case in enumerate(jsonish["cases"][::4]):
    put("structured", f"jsonish-{i}", bytes([10 + i % 5]) + case["text"].encode())
put("structured", "tools", b"\x0a" + b'[{"name": "f", "args": {"a": 1}}, {"text": "hi", "tags": ["a", 3], "phone": "555-1"}, {"name": "g", "args": {"b"')
put("structured", "recursive-union", b"\x05" + b'{"name": "a", "children": [{"kind": "b", "children": []}, {name: c, children: [x]}]}')
put("structured", "json-value", b"\x06" + b'[1, "two", [3, [4, {"five": 5}]], null, true]')
put("structured", "self-list", b"\x07" + b'[[1, [2]], "x", 3]')
put("structured", "enum-words", b"\x08" + b"[a b, Dark Blue, the a b c one, c-d, c++, X_Y, dark, none]")
# Texts beyond BAML's suite (vectors/jsonish/beyond.json), against the rows and moods (picks 15, 16).
beyond = json.load(open(os.path.join(root, "vectors/jsonish/beyond.json")))
for i, case in enumerate(beyond["cases"][::16]):
    put("structured", f"beyond-{i}", bytes([15 + i % 2]) + case["text"].encode())
put("structured", "moods", b"\x10" + b'[happy, "The text is sad", the text is neither the text is upbeat, NONE, {"id": 1, "mood": "flat"}]')
put("structured", "rows", b"\x0f" + b'[{"id": 1, "mood": "The text is sad"}, {"id": "x"}, {"id": 2, "mood": "happy: the text is upbeat"')
put("baml", "checks", b'class A {\n  age int @check(lt, {{ this < 10 and not (this|abs > 3) }}) @assert(pos, {{ this >= 0 }})\n  s string @stream.with_state @check(re, {{ this|regex_match("^[a-z]+$") }})\n  m map<string, int> @check(k, {{ this["k"] == 1 }})\n  @@stream.done\n  @@assert(x, {{ this.age|length != 2 }})\n}\n')
put("baml", "types", b'class A {\n  name string @alias("n") @description("x")\n  items A[]\n  tags map<string, int>\n  b B?\n}\nenum B {\n  One @alias("1")\n  Two @skip\n}\ntype C = A | C[] | "x" | 2\n')
put("baml", "strategies", b'retry_policy P {\n  max_retries 2\n  strategy { type exponential_backoff, delay_ms 10 }\n}\nclient<llm> A {\n  provider aws-bedrock\n  retry_policy P\n  options { model m, region us-east-1 }\n}\nclient<llm> F {\n  provider fallback\n  options { strategy [A, R] }\n}\nclient<llm> R {\n  provider round-robin\n  retry_policy P\n  options { strategy [A, F], start 1 }\n}\n')
put("batch", "records", b"\x00" + b'{"prompt": "Hello"}\n{"id": "q2", "messages": [{"role": "user", "content": "Hi"}]}\n\n{"id": "q2", "prompt": "x"}')
put("batch", "output", b"\x01" + b'{"recordId":"b","modelInput":{},"error":{"errorCode":400,"errorMessage":"bad"}}\n{"recordId":"a","modelInput":{},"modelOutput":{"output":{"message":{"role":"assistant","content":[{"text":"hi"}]}},"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}}')
put("batch", "listing", b"\x02" + b"<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><Contents><Key>o/a+b%2B.jsonl.out</Key></Contents><NextContinuationToken>t</NextContinuationToken></ListBucketResult>")
put("batch", "status", b"\x03" + b'{"jobArn":"arn:aws:bedrock:us-east-1:1:model-invocation-job/x","status":"InProgress","totalRecordCount":3}')
put("batch", "uri", b"\x04" + b"s3://my-bucket/batch/in/")
put("http_response", "throttled", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many Requests\r\nx-amzn-errortype: ThrottlingException\r\ncontent-length: 20\r\n\r\n{\"message\":\"slow\"}")
put("http_response", "ok", b"HTTP/2 200\ncontent-type: application/json\n\n{}")
print("seeded", os.path.join(fuzz, "corpus"))
