"""Builds presigned POST forms with boto3's generate_presigned_post.

Reads JSON on stdin:
  {"access_key", "secret_key", "region", "endpoint", "now": unix seconds,
   "cases": [{"signature_version": "s3v4"|"s3", "bucket", "key",
              "access_key"?, "secret_key"? (override the document's),
              "fields": {...}|null, "conditions": [...]|null, "expires_in": int}]}
and writes a JSON list of {"url", "fields": [[name, value], ...]} in the
order boto3 returns the fields. The clock is fixed at "now".
"""
import datetime
import json
import sys
from unittest import mock

import boto3
from botocore.config import Config


def main():
    doc = json.load(sys.stdin)
    now = datetime.datetime.fromtimestamp(doc["now"], datetime.timezone.utc).replace(tzinfo=None)
    out = []
    clients = {}
    with mock.patch("botocore.auth.get_current_datetime", return_value=now), \
            mock.patch("botocore.signers.get_current_datetime", return_value=now):
        for case in doc["cases"]:
            ak = case.get("access_key") or doc["access_key"]
            sk = case.get("secret_key") or doc["secret_key"]
            ident = (case["signature_version"], ak, sk)
            if ident not in clients:  # creating a client is slow: share them
                clients[ident] = boto3.client(
                    "s3",
                    region_name=doc["region"],
                    endpoint_url=doc["endpoint"],
                    aws_access_key_id=ak,
                    aws_secret_access_key=sk,
                    config=Config(signature_version=case["signature_version"], s3={"addressing_style": "path"}),
                )
            post = clients[ident].generate_presigned_post(
                Bucket=case["bucket"],
                Key=case["key"],
                Fields=case.get("fields"),
                Conditions=case.get("conditions"),
                ExpiresIn=case.get("expires_in", 3600),
            )
            out.append({"url": post["url"], "fields": [[k, v] for k, v in post["fields"].items()]})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
