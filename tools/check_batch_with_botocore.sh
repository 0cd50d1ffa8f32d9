#!/usr/bin/env bash
# Runs `batch prepare | submit | status | results` against tools/batch_fake_aws.py, a loopback
# S3 and control plane that verify every signature with botocore's signers. .ci/run runs it
# after building the release CLI; it fails on a refused signature or a wrong result.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-target/botocore-venv/bin/python}
B=${B:-target/release/bedrock-request}
dir=$(mktemp -d)
trap 'kill $fake 2>/dev/null || true; rm -rf "$dir"' EXIT
$PY tools/batch_fake_aws.py "$dir/port" & fake=$!
for _ in $(seq 50); do [ -s "$dir/port" ] && break; sleep 0.1; done
base="http://127.0.0.1:$(cat "$dir/port")"
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
export AWS_REGION=us-east-1 AWS_ENDPOINT_URL_S3=$base AWS_ENDPOINT_URL_BEDROCK=$base AWS_EC2_METADATA_DISABLED=true
for i in $(seq 150); do echo "{\"prompt\": \"Question $i?\"}"; done > "$dir/in.jsonl"
$B batch prepare --baml examples/bedrock.baml --client Example --input "$dir/in.jsonl" --out "$dir/records.jsonl" 2>/dev/null
$B batch submit --baml examples/bedrock.baml --client Example --records "$dir/records.jsonl" \
  --input-uri "s3://my-bucket/odd key+s/in/" --output-uri s3://my-bucket/out/ \
  --role-arn arn:aws:iam::123456789012:role/BedrockBatch --job-name eval-1 > "$dir/submit.json" 2>/dev/null
job=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['jobArn'])" "$dir/submit.json")
$B batch status "$job" > "$dir/status.json"
if $B batch results "$job" --records "$dir/records.jsonl" > "$dir/results.jsonl" 2> "$dir/results.err"; then
  echo "batch results should have failed: one record has no output" >&2; exit 1
fi
$PY - "$dir" "$base" <<'PYEOF'
import json, sys, urllib.request
d, base = sys.argv[1], sys.argv[2]
log = json.load(urllib.request.urlopen(base + "/__log"))
assert not log["refused"], log["refused"]
status = json.load(open(d + "/status.json"))
assert status["status"] == "Completed" and status["totalRecordCount"] == 150, status
lines = [json.loads(l) for l in open(d + "/results.jsonl")]
assert len(lines) == 150, len(lines)
assert lines[0]["error"]["code"] == "400", lines[0]
assert lines[7]["text"] == "answer 7", lines[7]
assert lines[149]["error"]["code"] == "Missing", lines[149]
assert "record L0000150: no output line names it" in open(d + "/results.err").read()
print(f"batch against a botocore-verifying S3 and control plane: {len(log['log'])} requests, every signature botocore's")
PYEOF
