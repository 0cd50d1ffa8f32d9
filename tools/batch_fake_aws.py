"""A loopback S3 (path-style) and Bedrock control plane for `batch submit | status | results`,
verifying every request's SigV4 signature with botocore's own signers (S3SigV4Auth for S3,
SigV4Auth for `bedrock`): the request is rebuilt as botocore sees it, signed with the same key at
the request's own x-amz-date, and its Authorization must be the one received.

    target/botocore-venv/bin/python tools/batch_fake_aws.py PORT_FILE

writes the port it listens on to PORT_FILE and serves until killed. A job "runs" on its first
GetModelInvocationJob: every record but the last gets an output line, in reverse order, the
first one an error. `GET /__log` returns what it received and every signature it refused.
"""
import datetime
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.auth
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AKID, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
STATE = {"objects": {}, "parts": {}, "job": None, "log": [], "refused": []}
LOCK = threading.Lock()
SIGNING_TIME = threading.local()
botocore.auth.get_current_datetime = lambda *a, **k: SIGNING_TIME.value


def verify(handler, body):
    """The Authorization botocore computes for this request, compared with the one received."""
    headers = {k: v for k, v in handler.headers.items()}
    amz_date = headers.get("x-amz-date") or headers.get("X-Amz-Date")
    SIGNING_TIME.value = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    received = headers.get("Authorization") or headers.get("authorization") or ""
    signed = [h for h in received.split("SignedHeaders=")[1].split(",")[0].split(";")] if "SignedHeaders=" in received else []
    url = f"http://{headers.get('Host') or headers.get('host')}{handler.path}"
    keep = {k: v for k, v in headers.items() if k.lower() in signed and k.lower() not in ("authorization", "x-amz-date")}
    request = AWSRequest(method=handler.command, url=url, data=body, headers=keep)
    s3 = not handler.path.startswith("/model-invocation-job")
    signer = (S3SigV4Auth if s3 else SigV4Auth)(Credentials(AKID, SECRET, None), "s3" if s3 else "bedrock", REGION)
    if s3:
        request.headers["X-Amz-Content-SHA256"] = headers.get("x-amz-content-sha256", "")
    signer.add_auth(request)
    expected = request.headers["Authorization"]
    if expected != received:
        STATE["refused"].append({"request": f"{handler.command} {handler.path}", "received": received, "botocore": expected})
        return False
    return True


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/__log":
            return self.answer(200, json.dumps({"log": STATE["log"], "refused": STATE["refused"]}).encode())
        with LOCK:
            STATE["log"].append(f"{self.command} {self.path}")
            if not verify(self, body):
                return self.answer(403, b'{"message":"The request signature we calculated does not match the signature you provided."}',
                                   {"x-amzn-errortype": "InvalidSignatureException"})
            if self.path.startswith("/model-invocation-job"):
                return self.control(body)
            return self.s3(body)

    do_GET = do_PUT = do_POST = do_DELETE = handle_any

    def control(self, body):
        if self.command == "POST" and self.path == "/model-invocation-job":
            v = json.loads(body)
            assert v["modelInvocationType"] == "Converse"
            STATE["job"] = (v["inputDataConfig"]["s3InputDataConfig"]["s3Uri"], v["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"])
            return self.answer(200, json.dumps({"jobArn": f"arn:aws:bedrock:{REGION}:123456789012:model-invocation-job/job0001"}).encode())
        inp, out = STATE["job"]
        key = lambda uri: uri[len("s3://"):]
        ids = [json.loads(line)["recordId"] for line in STATE["objects"].get(key(inp), b"").decode().splitlines() if line.strip()]
        lines = []
        for n in reversed(range(len(ids) - 1)):
            if n == 0:
                lines.append({"recordId": ids[n], "modelInput": {}, "error": {"errorCode": 400, "errorMessage": "Malformed input request"}})
            else:
                lines.append({"recordId": ids[n], "modelInput": {}, "modelOutput": {
                    "output": {"message": {"role": "assistant", "content": [{"text": f"answer {n}"}]}},
                    "stopReason": "end_turn", "usage": {"inputTokens": 5, "outputTokens": 2, "totalTokens": 7}, "metrics": {"latencyMs": 9}}})
        name = inp.rsplit("/", 1)[1]
        STATE["objects"][f"{key(out)}job0001/{name}.out"] = "".join(json.dumps(l) + "\n" for l in lines).encode()
        status = {"jobArn": f"arn:aws:bedrock:{REGION}:123456789012:model-invocation-job/job0001", "status": "Completed",
                  "totalRecordCount": len(ids), "processedRecordCount": len(ids), "successRecordCount": len(ids) - 2,
                  "errorRecordCount": 1, "modelId": "m", "roleArn": "r", "submitTime": "2025-01-01T00:00:00Z",
                  "inputDataConfig": {"s3InputDataConfig": {"s3Uri": inp}}, "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": out}}}
        return self.answer(200, json.dumps(status).encode())

    def s3(self, body):
        parsed = urllib.parse.urlsplit(self.path)
        key = urllib.parse.unquote(parsed.path.lstrip("/"))
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        if self.command == "PUT" and "partNumber" in query:
            n = int(query["partNumber"][0])
            STATE["parts"][n] = body
            return self.answer(200, b"", {"ETag": f'"etag{n}"'})
        if self.command == "PUT":
            STATE["objects"][key] = body
            return self.answer(200)
        if self.command == "POST" and "uploads" in query:
            return self.answer(200, b"<InitiateMultipartUploadResult><UploadId>up1</UploadId></InitiateMultipartUploadResult>")
        if self.command == "POST":
            STATE["objects"][key] = b"".join(STATE["parts"][n] for n in sorted(STATE["parts"]))
            return self.answer(200, b"<CompleteMultipartUploadResult/>")
        if self.command == "GET" and query.get("list-type") == ["2"]:
            prefix = query["prefix"][0]
            keys = sorted(k[len(key) + 1:] for k in STATE["objects"] if k.startswith(f"{key}/{prefix}"))
            xml = "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
            xml += "".join(f"<Contents><Key>{urllib.parse.quote_plus(k, safe='/')}</Key></Contents>" for k in keys)
            return self.answer(200, (xml + "</ListBucketResult>").encode())
        if self.command == "GET" and key in STATE["objects"]:
            return self.answer(200, STATE["objects"][key])
        return self.answer(404, b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[1], "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
