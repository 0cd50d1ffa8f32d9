#!/usr/bin/env python3
"""Makes vectors/api-key/*.json: short-term Bedrock API keys from the aws-bedrock-token-generator
package (AWS's own generator, built on botocore's SigV4QueryAuth), at a fixed time.

Run:  pip install aws-bedrock-token-generator==1.1.0 botocore==1.44.8 && python3 tools/make_api_key_vectors.py
The Rust test `api_key_vectors` must produce the same keys from the same credentials and time.
"""

import datetime
import json
import pathlib

import botocore
import botocore.auth
from botocore.credentials import Credentials
from importlib.metadata import version

import aws_bedrock_token_generator.token_generator as generator

FIXED = datetime.datetime(2025, 7, 1, 9, 30, 0)
botocore.auth.get_current_datetime = lambda *a, **k: FIXED
OUT = pathlib.Path(__file__).resolve().parent.parent / "vectors" / "api-key"

CASES = [
    ("long-term-credentials", "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, "us-east-1", 43200),
    ("session-token", "ASIAEXAMPLETEMPORARY", "tEmPoRaRy/SeCrEt+KeY/ExAmPlE0123456789abc",
     "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+example/token==", "eu-west-1", 43200),
    ("one-hour", "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, "ap-southeast-2", 3600),
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, akid, secret, token, region, expires in CASES:
        key = generator._generate_token(Credentials(akid, secret, token), region, expires)
        vector = {
            "generated_by": f"aws-bedrock-token-generator {version('aws-bedrock-token-generator')} (botocore {botocore.__version__}) via tools/make_api_key_vectors.py",
            "time": "2025-07-01T09:30:00Z",
            "input": {"access_key_id": akid, "secret_access_key": secret, "session_token": token,
                      "region": region, "expires_in": expires},
            "api_key": key,
        }
        (OUT / f"{name}.json").write_text(json.dumps(vector, indent=2) + "\n")
        print(name, key[:60] + "...")


if __name__ == "__main__":
    main()
