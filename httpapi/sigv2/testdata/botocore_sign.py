"""Signs S3 requests with botocore's own Signature Version 2 signers.

Reads a JSON list of cases on stdin and writes a JSON list of results:
  case:   {"mode": "header"|"query", "method", "url", "headers": [[k, v], ...],
           "auth_path": str|null, "date": str (header mode), "expires": int (query mode)}
  result: {"url", "headers": [[k, v], ...], "string_to_sign"}
The clock is fixed by the case, so the output is deterministic.
"""
import json
import sys

from botocore.auth import HmacV1Auth, HmacV1QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def recording(cls):
    class Recording(cls):
        def sign_string(self, string_to_sign):
            self.string_to_sign = string_to_sign
            return super().sign_string(string_to_sign)

    return Recording


class FixedHeaderAuth(recording(HmacV1Auth)):
    def __init__(self, credentials, date):
        super().__init__(credentials)
        self._date = date

    def _get_date(self):
        return self._date


class FixedQueryAuth(recording(HmacV1QueryAuth)):
    def __init__(self, credentials, expires_at):
        super().__init__(credentials)
        self._at = expires_at

    def _get_date(self):
        return str(self._at)


def sign(case, creds):
    req = AWSRequest(method=case["method"], url=case["url"])
    for k, v in case["headers"] or []:
        req.headers[k] = v  # HTTPHeaders appends: repeated headers stay repeated
    req.auth_path = case.get("auth_path")
    if case["mode"] == "header":
        signer = FixedHeaderAuth(creds, case["date"])
    else:
        signer = FixedQueryAuth(creds, case["expires"])
    signer.add_auth(req)
    return {
        "url": req.url,
        "headers": [[k, v] for k, v in req.headers.items()],
        "string_to_sign": signer.string_to_sign,
    }


def main():
    doc = json.load(sys.stdin)
    creds = Credentials(doc["access_key"], doc["secret_key"])
    json.dump([sign(c, creds) for c in doc["cases"]], sys.stdout)


if __name__ == "__main__":
    main()
