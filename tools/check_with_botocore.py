#!/usr/bin/env python3
"""Re-signs a `bedrock-request request --format json` output with botocore and compares.

botocore's SigV4Auth signs the same method, URL, body bytes and unsigned headers
(content-type, host) at the request's own x-amz-date; the Authorization header (and the
security token, if any) must come out identical. Exit status 0 when they match.

    python3 tools/check_with_botocore.py request.json --access-key-id AKID --secret-access-key SECRET [--session-token T]
"""

import argparse
import datetime
import json
import sys

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("request")
    parser.add_argument("--access-key-id", required=True)
    parser.add_argument("--secret-access-key", required=True)
    parser.add_argument("--session-token")
    args = parser.parse_args()

    with open(args.request, encoding="utf-8") as f:
        request = json.load(f)
    headers = dict(request["headers"])
    amz_date = headers["x-amz-date"]
    when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    botocore.auth.get_current_datetime = lambda *a, **k: when
    region = headers["authorization"].split("Credential=")[1].split("/")[2]

    unsigned = {k: v for k, v in headers.items() if k in ("content-type",)}
    aws_request = AWSRequest(method=request["method"], url=request["url"],
                             data=request["body_text"].encode("utf-8"), headers=unsigned)
    credentials = Credentials(args.access_key_id, args.secret_access_key, args.session_token)
    botocore.auth.SigV4Auth(credentials, "bedrock", region).add_auth(aws_request)

    theirs = aws_request.headers["Authorization"]
    ours = headers["authorization"]
    host = botocore.auth.SigV4Auth(None, "bedrock", region).headers_to_sign(aws_request)["host"]
    problems = []
    if ours != theirs:
        problems.append(f"authorization differs:\n  ours:     {ours}\n  botocore: {theirs}")
    if headers.get("host") != host:
        problems.append(f"host differs: ours {headers.get('host')!r}, botocore {host!r}")
    if args.session_token and headers.get("x-amz-security-token") != args.session_token:
        problems.append("x-amz-security-token is missing or differs")
    if problems:
        sys.exit("\n".join(problems))
    print(f"botocore {botocore.__version__} reproduces the signature: {ours.rsplit('Signature=', 1)[1]}")


if __name__ == "__main__":
    main()
