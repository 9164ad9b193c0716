"""SigV2 requests, SigV2 and SigV4 presigned URLs, and browser POST uploads
from boto3's generate_presigned_post, against cairn. Run by
TestSigV2AndPostUploadsWithBoto3; every step asserts."""
import os
import time

import boto3
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = os.environ["CAIRN_ENDPOINT"]
v4 = boto3.client("s3", endpoint_url=endpoint, config=Config(signature_version="s3v4"))
v2 = boto3.client("s3", endpoint_url=endpoint, config=Config(signature_version="s3"))
bucket = "auth-scenario"
v4.create_bucket(Bucket=bucket)

# Signature Version 2 for ordinary calls.
v2.put_object(Bucket=bucket, Key="v2/obj with space+plus.txt", Body=b"signed with v2", ContentType="text/plain",
              Metadata={"via": "sigv2"})
got = v2.get_object(Bucket=bucket, Key="v2/obj with space+plus.txt")
assert got["Body"].read() == b"signed with v2" and got["Metadata"]["via"] == "sigv2"
assert [o["Key"] for o in v2.list_objects(Bucket=bucket, Prefix="v2/")["Contents"]] == ["v2/obj with space+plus.txt"]
v2.put_object_tagging(Bucket=bucket, Key="v2/obj with space+plus.txt", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})

# Presigned URLs, both versions, from plain HTTP.
for client in (v2, v4):
    url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "v2/obj with space+plus.txt"}, ExpiresIn=60)
    r = requests.get(url)
    assert r.status_code == 200 and r.content == b"signed with v2", (url, r.status_code, r.text)
    url = client.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "presigned/put.txt"}, ExpiresIn=60)
    assert requests.put(url, data=b"presigned put").status_code == 200
    url = client.generate_presigned_url("delete_object", Params={"Bucket": bucket, "Key": "presigned/put.txt"}, ExpiresIn=60)
    assert requests.delete(url).status_code == 204
    expired = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "v2/obj with space+plus.txt"}, ExpiresIn=1)
    time.sleep(2)
    r = requests.get(expired)
    assert r.status_code == 403 and "<Code>AccessDenied</Code>" in r.text, r.text
    tampered = url.replace("presigned", "presigneD", 1)
    assert requests.delete(tampered).status_code == 403

# Browser POST uploads, SigV4 and SigV2 policies.
for name, client in (("v4", v4), ("v2", v2)):
    post = client.generate_presigned_post(
        bucket, "uploads/" + name + "/${filename}",
        Fields={"Content-Type": "image/png", "x-amz-meta-tag": "posted", "success_action_status": "201"},
        Conditions=[["starts-with", "$key", "uploads/" + name + "/"], ["content-length-range", 1, 1024],
                    {"Content-Type": "image/png"}, {"x-amz-meta-tag": "posted"}, {"success_action_status": "201"}],
        ExpiresIn=300)
    r = requests.post(post["url"], data=post["fields"], files={"file": ("photo.png", b"\x89PNG fake image")})
    assert r.status_code == 201 and "<Key>uploads/" + name + "/photo.png</Key>" in r.text, (r.status_code, r.text)
    head = v4.head_object(Bucket=bucket, Key="uploads/" + name + "/photo.png")
    assert head["ContentType"] == "image/png" and head["Metadata"]["tag"] == "posted", head
    # The policy is enforced: too large, and a key outside the prefix.
    r = requests.post(post["url"], data=post["fields"], files={"file": ("big.png", b"x" * 2000)})
    assert r.status_code == 400 and "EntityTooLarge" in r.text, r.text
    fields = dict(post["fields"], key="elsewhere/${filename}")
    r = requests.post(post["url"], data=fields, files={"file": ("photo.png", b"x")})
    assert r.status_code == 403 and "Invalid according to Policy" in r.text, r.text
    try:
        v4.head_object(Bucket=bucket, Key="elsewhere/photo.png")
        raise AssertionError("a refused POST stored an object")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "404"
print("auth scenario passed")
