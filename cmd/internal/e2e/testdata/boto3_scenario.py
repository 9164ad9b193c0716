"""boto3 against cairn with boto3's default settings (path style only because
the endpoint is an IP address). Every step asserts; any failure exits
non-zero with a traceback. Run by TestBoto3Scenario."""
import hashlib
import os
import sys

import boto3
import botocore
from botocore.exceptions import ClientError

endpoint = os.environ["CAIRN_ENDPOINT"]
verify = os.environ.get("CAIRN_CA_BUNDLE") or True
s3 = boto3.client("s3", endpoint_url=endpoint, verify=verify)


def code(fn, *a, **kw):
    try:
        fn(*a, **kw)
    except ClientError as e:
        return e.response["Error"]["Code"]
    raise AssertionError(f"{fn.__name__} succeeded, expected an error")


bucket = "boto-scenario"
s3.create_bucket(Bucket=bucket)
assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]
s3.head_bucket(Bucket=bucket)

keys = ["plain.txt", "dir/with space.txt", "dir/plus+sign.txt", "dir/ünïcödé.txt", "deep/a/b/c.bin",
        "odd&chars=%?#.txt", "trailing/"]
bodies = {}
for i, k in enumerate(keys):
    body = (k * (i * 50 + 1)).encode()
    bodies[k] = body
    out = s3.put_object(Bucket=bucket, Key=k, Body=body, ContentType="text/plain",
                        Metadata={"index": str(i), "mixed-Case": "v"})
    assert out["ETag"] == '"%s"' % hashlib.md5(body).hexdigest(), out

for k, body in bodies.items():
    got = s3.get_object(Bucket=bucket, Key=k)
    assert got["Body"].read() == body, k
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"]["mixed-case"] == "v", got["Metadata"]
    head = s3.head_object(Bucket=bucket, Key=k)
    assert head["ContentLength"] == len(body)

# Ranged read.
rng = s3.get_object(Bucket=bucket, Key="plain.txt", Range="bytes=2-4")
assert rng["Body"].read() == bodies["plain.txt"][2:5]
assert rng["ContentRange"] == "bytes 2-4/%d" % len(bodies["plain.txt"])

# upload_file / download_file below the multipart threshold.
src = os.path.join(os.environ["TMPDIR_SCENARIO"], "upload.bin")
with open(src, "wb") as f:
    f.write(os.urandom(3 * 1024 * 1024 + 11))
s3.upload_file(src, bucket, "files/upload.bin")
dst = src + ".down"
s3.download_file(bucket, "files/upload.bin", dst)
assert open(src, "rb").read() == open(dst, "rb").read()

# Listing: boto3 sends encoding-type=url and decodes the keys itself.
pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2})
listed = sorted(o["Key"] for p in pages for o in p.get("Contents", []))
assert listed == sorted(keys + ["files/upload.bin"]), listed
top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
prefixes = sorted(p["Prefix"] for p in top["CommonPrefixes"])
assert prefixes == ["deep/", "dir/", "files/", "trailing/"], prefixes
assert sorted(o["Key"] for o in top["Contents"]) == ["odd&chars=%?#.txt", "plain.txt"]
v1 = s3.list_objects(Bucket=bucket, Prefix="dir/")
assert sorted(o["Key"] for o in v1["Contents"]) == sorted(k for k in keys if k.startswith("dir/"))

# Errors.
assert code(s3.get_object, Bucket=bucket, Key="missing") == "NoSuchKey"
assert code(s3.head_object, Bucket=bucket, Key="missing") == "404"
assert code(s3.delete_bucket, Bucket=bucket) == "BucketNotEmpty"
assert code(s3.create_bucket, Bucket="Bad_Name") == "InvalidBucketName"

for k in keys + ["files/upload.bin"]:
    s3.delete_object(Bucket=bucket, Key=k)
assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
s3.delete_bucket(Bucket=bucket)
assert code(s3.head_bucket, Bucket=bucket) == "404"
print("boto3 %s / botocore %s: scenario passed" % (boto3.__version__, botocore.__version__))
