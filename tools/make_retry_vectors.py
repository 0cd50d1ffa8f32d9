"""Writes vectors/retry/botocore.json: what botocore's standard retry mode decides for scripted
sequences of Bedrock answers (retry or not, the delay for given jitter values, the quota left).

Run with botocore installed (`.ci/run` makes target/botocore-venv):
    target/botocore-venv/bin/python tools/make_retry_vectors.py

It drives botocore's own classes (retries/standard.py and quota.py: StandardRetryConditions,
ExponentialBackoff, RetryQuotaChecker, ThrottlingErrorDetector) with the bedrock-runtime
service model's Converse operation, so modeled errors are judged as botocore judges them.
"""
import json
import os

import botocore
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.retries import quota, standard

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OP = botocore.session.get_session().get_service_model("bedrock-runtime").operation_model("Converse")

# Each case: max attempts, calls sharing one quota; each call a list of answers:
# [status, code, retry_after_ms] (code "" for none), "connection" for no answer, or 200.
CASES = [
    ("throttled twice then success", 3, [[[429, "ThrottlingException", None], [429, "ThrottlingException", None], 200]]),
    ("throttled until attempts run out", 3, [[[429, "ThrottlingException", None]] * 3]),
    ("five attempts of 503", 5, [[[503, "ServiceUnavailableException", None]] * 5]),
    ("500, 502, 504 then success", 4, [[[500, "InternalServerException", None], [502, "", None], [504, "", None], 200]]),
    ("a 429 without a code is throttling", 3, [[[429, "", None], 200]]),
    ("a 400 validation error is not retried", 3, [[[400, "ValidationException", None]]]),
    ("access denied is not retried", 3, [[[403, "AccessDeniedException", None]]]),
    ("model timeout is not retried", 3, [[[408, "ModelTimeoutException", None]]]),
    ("model stream error is not retried", 3, [[[424, "ModelStreamErrorException", None]]]),
    ("model error is not retried", 3, [[[424, "ModelErrorException", None]]]),
    ("model not ready is retried, not as throttling", 3, [[[429, "ModelNotReadyException", None], 200]]),
    ("service quota exceeded is not retried", 3, [[[400, "ServiceQuotaExceededException", None]]]),
    ("x-amz-retry-after raises the delay", 3, [[[429, "ThrottlingException", 3000], [429, "ThrottlingException", 30000], 200]]),
    ("x-amz-retry-after below the backoff", 3, [[[503, "", 1], 200]]),
    ("a connection failure is transient", 3, [["connection", "connection", 200]]),
    ("the backoff is capped at 20 s", 8, [[[429, "ThrottlingException", None]] * 8]),
    ("the quota runs out", 3, [[[500, "InternalServerException", None]] * 3] * 40),
    ("successes refill the quota", 3, [[[500, "InternalServerException", None], 200]] * 3 + [[200]] * 5),
]

RANDOMS = [0.5, 0.25, 0.9, 0.1, 0.75, 0.33, 0.999, 0.0]


def context(attempt, answer, request_context):
    if answer == "connection":
        return standard.RetryContext(attempt_number=attempt, operation_model=OP,
                                     caught_exception=BotoConnectionError(error="refused"),
                                     request_context=request_context)
    status, code, retry_after = answer
    headers = {"x-amz-retry-after": str(retry_after)} if retry_after is not None else {}
    http = AWSResponse("https://bedrock-runtime.us-east-1.amazonaws.com", status, headers, None)
    parsed = {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return standard.RetryContext(attempt_number=attempt, operation_model=OP, parsed_response=parsed,
                                 http_response=http, request_context=request_context)


def run(max_attempts, calls):
    randoms = iter(RANDOMS * 100)
    adapter = standard.RetryEventAdapter()
    detector = standard.ThrottlingErrorDetector(adapter)
    checker = standard.RetryQuotaChecker(quota.RetryQuota(), detector)
    conditions = standard.StandardRetryConditions(max_attempts=max_attempts)
    out = []
    for answers in calls:
        request_context = {}
        decisions = []
        for attempt, answer in enumerate(answers, start=1):
            if answer == 200:
                http = AWSResponse("https://x", 200, {}, None)
                checker.release_retry_quota(request_context, http)
                decisions.append({"success": True})
                break
            ctx = context(attempt, answer, request_context)
            r = next(randoms)
            backoff = standard.ExponentialBackoff(random=lambda r=r: r, service_name="bedrock-runtime",
                                                  throttling_detector=detector)
            if conditions.is_retryable(ctx) and checker.acquire_retry_quota(ctx):
                decisions.append({"random": r, "retry": True, "delay": backoff.delay_amount(ctx)})
            else:
                decisions.append({"random": r, "retry": False})
                break
        out.append({"answers": answers[:len(decisions)], "decisions": decisions,
                    "quota_after": checker._quota.available_capacity})
    return out


def main():
    cases = [{"name": n, "max_attempts": m, "calls": run(m, calls)} for n, m, calls in CASES]
    doc = {"source": f"botocore {botocore.__version__}, retries/standard.py and quota.py", "cases": cases}
    path = os.path.join(ROOT, "vectors", "retry", "botocore.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
