"""Writes vectors/batch/botocore.json: the batch control-plane requests (CreateModelInvocationJob
with modelInvocationType Converse, GetModelInvocationJob, StopModelInvocationJob) as botocore's
`bedrock` client serialises them (method, URL, body) and as botocore's SigV4Auth signs the
same request (service bedrock), at a fixed time.

Run with botocore installed (`.ci/run` makes target/botocore-venv):
    target/botocore-venv/bin/python tools/make_batch_job_vectors.py
"""
import datetime
import json
import os

import botocore
import botocore.auth
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXED = datetime.datetime(2015, 8, 30, 12, 36, 0)
botocore.auth.get_current_datetime = lambda *a, **k: FIXED
AKID, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
ARN = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abc123def456"


class Caught(Exception):
    pass


def serialize(region, endpoint, operation, params):
    client = botocore.session.get_session().create_client(
        "bedrock", region_name=region, aws_access_key_id=AKID, aws_secret_access_key=SECRET,
        endpoint_url=endpoint)
    seen = {}

    def catch(request, **_):
        seen.update(method=request.method, url=request.url, body=request.body or b"")
        raise Caught()

    client.meta.events.register(f"before-send.bedrock.{operation}", catch)
    try:
        getattr(client, botocore.xform_name(operation))(**params)
    except Caught:
        pass
    body = seen["body"]
    return seen["method"], seen["url"], body.decode() if isinstance(body, bytes) else body


def sign(region, method, url, body, token):
    headers = {"Content-Type": "application/json"} if body else {}
    request = AWSRequest(method=method, url=url, data=body.encode(), headers=headers)
    SigV4Auth(Credentials(AKID, SECRET, token), "bedrock", region).add_auth(request)
    return {k.lower(): v for k, v in request.headers.items() if k.lower() != "content-type"}


CREATE = {
    "jobName": "eval-run-7", "roleArn": "arn:aws:iam::123456789012:role/BedrockBatch",
    "clientRequestToken": "token-0001", "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
    "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://my-bucket/batch/in/records.jsonl"}},
    "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://my-bucket/batch/out/"}},
    "timeoutDurationInHours": 48, "modelInvocationType": "Converse",
}
MINIMAL = {k: v for k, v in CREATE.items() if k not in ("clientRequestToken", "timeoutDurationInHours")}
CASES = [
    ("CreateModelInvocationJob", CREATE),
    ("CreateModelInvocationJob", MINIMAL),
    ("GetModelInvocationJob", {"jobIdentifier": ARN}),
    ("GetModelInvocationJob", {"jobIdentifier": "abc123def456"}),
    ("StopModelInvocationJob", {"jobIdentifier": ARN}),
]


def main():
    out = []
    for region, endpoint, token in [("us-east-1", None, None), ("eu-west-3", "http://127.0.0.1:9001", "SESSIONTOKEN")]:
        for operation, params in CASES:
            method, url, body = serialize(region, endpoint, operation, params)
            if body and "clientRequestToken" not in params:
                # botocore fills an idempotency token with a random UUID when none is given; the
                # crate has no randomness and leaves it to the caller: left out of the record.
                members = json.loads(body)
                members.pop("clientRequestToken", None)
                body = json.dumps(members)
            # botocore writes ", " and ": "; the crate writes compact JSON of the same members in
            # the same order: the signature is computed over those compact bytes.
            compact = json.dumps(json.loads(body), separators=(",", ":")) if body else ""
            out.append({"operation": operation, "params": params, "region": region, "endpoint": endpoint,
                        "session_token": token, "method": method, "url": url, "body_text": body,
                        "body_compact": compact, "signed": sign(region, method, url, compact, token)})
    doc = {"source": f"botocore {botocore.__version__}: the bedrock client's serialisation (caught in before-send); SigV4Auth for bedrock",
           "time": "20150830T123600Z", "cases": out}
    path = os.path.join(ROOT, "vectors", "batch", "botocore.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(out)} cases to {path}")


if __name__ == "__main__":
    main()
