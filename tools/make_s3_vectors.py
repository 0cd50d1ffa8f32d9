"""Writes vectors/s3/botocore.json: the S3 requests a batch job sends, as botocore's S3 client
serialises them (method, URL, body) and as botocore's S3 signer (S3SigV4Auth) signs the same
request (its headers and the Authorization it computes), at a fixed time.

Run with botocore installed (`.ci/run` makes target/botocore-venv):
    target/botocore-venv/bin/python tools/make_s3_vectors.py
"""
import datetime
import hashlib
import json
import os

import botocore
import botocore.auth
import botocore.session
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXED = datetime.datetime(2015, 8, 30, 12, 36, 0)
botocore.auth.get_current_datetime = lambda *a, **k: FIXED
AKID, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


class Caught(Exception):
    pass


def serialize(region, endpoint, operation, params):
    client = botocore.session.get_session().create_client(
        "s3", region_name=region, aws_access_key_id=AKID, aws_secret_access_key=SECRET,
        endpoint_url=endpoint,
        config=Config(s3={"addressing_style": "path" if endpoint else "virtual"},
                      request_checksum_calculation="when_required",
                      response_checksum_validation="when_required"))
    seen = {}

    def catch(request, **_):
        seen.update(method=request.method, url=request.url, body=request.body or b"")
        raise Caught()

    client.meta.events.register(f"before-send.s3.{operation}", catch)
    try:
        getattr(client, botocore.xform_name(operation))(**params)
    except Caught:
        pass
    body = seen["body"]
    if isinstance(body, str):
        body = body.encode()
    if hasattr(body, "read"):
        body = body.read()
    return seen["method"], seen["url"], bytes(body)


def sign(region, method, url, headers, body, token):
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
    S3SigV4Auth(Credentials(AKID, SECRET, token), "s3", region).add_auth(request)
    return {k.lower(): v for k, v in request.headers.items()}


ETAGS = [[1, '"a54357aff0632cce46d942af68356b38"'], [2, '"0c78aef83f66abc1fa1e8477f296d394"']]
CASES = [
    ("PutObject", {"Bucket": "my-bucket", "Key": "batch/in/records.jsonl", "Body": b'{"recordId":"L0000001"}\n'}),
    ("PutObject", {"Bucket": "my-bucket", "Key": "odd keys/a+b=c&d~e.jsonl", "Body": b"x"}),
    ("CreateMultipartUpload", {"Bucket": "my-bucket", "Key": "batch/in/big.jsonl"}),
    ("UploadPart", {"Bucket": "my-bucket", "Key": "batch/in/big.jsonl", "UploadId": "VXBsb2FkIElE+/=", "PartNumber": 2, "Body": b"part two"}),
    ("CompleteMultipartUpload", {"Bucket": "my-bucket", "Key": "batch/in/big.jsonl", "UploadId": "VXBsb2FkIElE+/=",
                                 "MultipartUpload": {"Parts": [{"PartNumber": n, "ETag": e} for n, e in ETAGS]}}),
    ("AbortMultipartUpload", {"Bucket": "my-bucket", "Key": "batch/in/big.jsonl", "UploadId": "VXBsb2FkIElE+/="}),
    ("GetObject", {"Bucket": "my-bucket", "Key": "batch/out/job1/records.jsonl.out"}),
    ("ListObjectsV2", {"Bucket": "my-bucket", "Prefix": "batch/out/job1/"}),
    ("ListObjectsV2", {"Bucket": "my-bucket", "Prefix": "batch/out/job1/", "ContinuationToken": "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="}),
]


def main():
    out = []
    for region, endpoint, token in [("us-west-2", None, None), ("eu-west-3", "http://127.0.0.1:9000", "SESSIONTOKEN")]:
        for operation, params in CASES:
            method, url, body = serialize(region, endpoint, operation, params)
            headers = {"Content-Length": str(len(body))} if operation in ("PutObject", "UploadPart") else {}
            signed = sign(region, method, url, headers, body, token)
            out.append({"signed": {k: signed[k] for k in ("x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "authorization") if k in signed},"operation": operation, "params": {k: (v.decode() if isinstance(v, bytes) else v) for k, v in params.items()},
                        "region": region, "endpoint": endpoint, "session_token": token,
                        "method": method, "url": url, "body_text": body.decode(),
                        "body_sha256": hashlib.sha256(body).hexdigest()})
    doc = {"source": f"botocore {botocore.__version__}: the S3 client's serialisation (caught in before-send); S3SigV4Auth on the crate's headers",
           "time": "20150830T123600Z", "access_key_id": AKID, "secret_access_key": SECRET, "cases": out}
    path = os.path.join(ROOT, "vectors", "s3", "botocore.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(out)} cases to {path}")


if __name__ == "__main__":
    main()
