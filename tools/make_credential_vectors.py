#!/usr/bin/env python3
"""Makes vectors/credentials/*.json with botocore: the STS and SSO requests the credential chain
builds, serialised (and for AssumeRole, signed) by botocore's own clients, caught before sending.

Run:  pip install botocore==1.44.8 && python3 tools/make_credential_vectors.py
The Rust test `credentials_vectors` builds the same requests with bedrock-request and compares
method, URL, headers that matter, body bytes and the AssumeRole signature.
"""

import datetime
import json
import os
import pathlib

for key in list(os.environ):
    if key.startswith("AWS_"):
        del os.environ[key]
os.environ["AWS_CONFIG_FILE"] = "/dev/null"
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"

import botocore  # noqa: E402
import botocore.auth  # noqa: E402
import botocore.session  # noqa: E402
from botocore import UNSIGNED  # noqa: E402
from botocore.config import Config  # noqa: E402

FIXED = datetime.datetime(2024, 1, 15, 12, 0, 0)
botocore.auth.get_current_datetime = lambda *a, **k: FIXED
OUT = pathlib.Path(__file__).resolve().parent.parent / "vectors" / "credentials"


class Caught(Exception):
    pass


def capture(client, event, call):
    seen = {}

    def catch(request, **_):
        seen["method"] = request.method
        seen["url"] = request.url
        # user-agent and amz-sdk-* vary by machine and run, and are not signed: left out.
        seen["headers"] = {k.lower(): (v.decode() if isinstance(v, bytes) else v)
                           for k, v in request.headers.items()
                           if k.lower() != "user-agent" and not k.lower().startswith("amz-sdk-")}
        body = request.body
        seen["body"] = body.decode() if isinstance(body, bytes) else (body or "")
        raise Caught()

    client.meta.events.register(event, catch)
    try:
        call()
    except Caught:
        pass
    return seen


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    session = botocore.session.get_session()
    vectors = {}

    sts = session.create_client("sts", region_name="us-west-2", aws_access_key_id="BASEKEY",
                                aws_secret_access_key="basesecret",
                                endpoint_url="https://sts.us-west-2.amazonaws.com")
    seen = capture(sts, "before-send.sts.AssumeRole", lambda: sts.assume_role(
        RoleArn="arn:aws:iam::999999999999:role/Bedrock", RoleSessionName="sess",
        DurationSeconds=900, ExternalId="ext-1"))
    vectors["assume-role"] = {
        "description": "AssumeRole signed with the source profile's keys (service sts, region us-west-2).",
        "input": {"role_arn": "arn:aws:iam::999999999999:role/Bedrock", "session_name": "sess",
                  "duration_seconds": 900, "external_id": "ext-1", "region": "us-west-2",
                  "access_key_id": "BASEKEY", "secret_access_key": "basesecret", "time": "20240115T120000Z"},
        "botocore": seen,
    }

    sts_unsigned = session.create_client("sts", region_name="eu-west-1", config=Config(signature_version=UNSIGNED),
                                         endpoint_url="https://sts.eu-west-1.amazonaws.com")
    seen = capture(sts_unsigned, "before-send.sts.AssumeRoleWithWebIdentity", lambda: sts_unsigned.assume_role_with_web_identity(
        RoleArn="arn:aws:iam::1:role/Pod", RoleSessionName="pod-1", WebIdentityToken="eyJhbGciOi.jwt"))
    vectors["assume-role-with-web-identity"] = {
        "description": "AssumeRoleWithWebIdentity, unsigned.",
        "input": {"role_arn": "arn:aws:iam::1:role/Pod", "session_name": "pod-1", "token": "eyJhbGciOi.jwt", "region": "eu-west-1"},
        "botocore": seen,
    }

    sso = session.create_client("sso", region_name="eu-west-1", config=Config(signature_version=UNSIGNED))
    seen = capture(sso, "before-send.sso.GetRoleCredentials", lambda: sso.get_role_credentials(
        roleName="Developer", accountId="123456789012", accessToken="TOKEN123"))
    vectors["sso-get-role-credentials"] = {
        "description": "SSO GetRoleCredentials (bearer token header, query parameters).",
        "input": {"region": "eu-west-1", "account_id": "123456789012", "role_name": "Developer", "token": "TOKEN123"},
        "botocore": seen,
    }

    for name, vector in vectors.items():
        vector["generated_by"] = f"botocore {botocore.__version__} via tools/make_credential_vectors.py"
        (OUT / f"{name}.json").write_text(json.dumps(vector, indent=2) + "\n")
        print(name, vector["botocore"]["method"], vector["botocore"]["url"])


if __name__ == "__main__":
    main()
