"""boto3's transfer manager against cairn with default settings: upload_file
and download_file above the 8 MiB multipart threshold, a FULL_OBJECT
upload, part reads, and the low-level multipart calls. Every step asserts;
run by TestBoto3Multipart."""
import base64
import hashlib
import os
import zlib

import boto3
import botocore
from botocore.exceptions import ClientError

endpoint = os.environ["CAIRN_ENDPOINT"]
s3 = boto3.client("s3", endpoint_url=endpoint)
tmp = os.environ["TMPDIR_SCENARIO"]
MiB = 1024 * 1024
bucket = "boto-mp"
s3.create_bucket(Bucket=bucket)


def code(fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"]
    raise AssertionError(f"{fn.__name__} succeeded, expected an error")


def mp_etag(data, size):
    parts = [data[i:i + size] for i in range(0, len(data), size)]
    return '"%s-%d"' % (hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest(), len(parts))


data = os.urandom(20 * MiB + 13)
src = os.path.join(tmp, "big.bin")
with open(src, "wb") as f:
    f.write(data)

# upload_file: 8 MiB threshold and chunks, CRC32 COMPOSITE by default.
s3.upload_file(src, bucket, "big.bin")
head = s3.head_object(Bucket=bucket, Key="big.bin", ChecksumMode="ENABLED")
assert head["ETag"] == mp_etag(data, 8 * MiB), head["ETag"]
assert head["ChecksumType"] == "COMPOSITE" and head["ChecksumCRC32"].endswith("-3"), head
dst = src + ".down"
s3.download_file(bucket, "big.bin", dst)
assert open(dst, "rb").read() == data
got = s3.get_object(Bucket=bucket, Key="big.bin", ChecksumMode="ENABLED")
assert got["Body"].read() == data
part = s3.get_object(Bucket=bucket, Key="big.bin", PartNumber=2, ChecksumMode="ENABLED")
assert part["PartsCount"] == 3 and part["Body"].read() == data[8 * MiB:16 * MiB]

# A FULL_OBJECT upload: the caller gives the whole file's CRC32, which
# cairn checks against the CRC combined from the parts'.
crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
s3.upload_file(src, bucket, "full.bin", ExtraArgs={"ChecksumCRC32": crc})
full = s3.get_object(Bucket=bucket, Key="full.bin", ChecksumMode="ENABLED")
assert full["ChecksumType"] == "FULL_OBJECT" and full["ChecksumCRC32"] == crc, full
assert full["Body"].read() == data  # botocore validates the CRC32 while reading

# Low-level calls.
up = s3.create_multipart_upload(Bucket=bucket, Key="dir/low level.bin", ContentType="text/x-parts", Metadata={"k": "v"})
uid = up["UploadId"]
p1 = s3.upload_part(Bucket=bucket, Key="dir/low level.bin", UploadId=uid, PartNumber=1, Body=data[:5 * MiB])
p2 = s3.upload_part(Bucket=bucket, Key="dir/low level.bin", UploadId=uid, PartNumber=2, Body=b"tail")
listed = s3.list_multipart_uploads(Bucket=bucket, Prefix="dir/")
assert [u["Key"] for u in listed["Uploads"]] == ["dir/low level.bin"], listed
parts = s3.list_parts(Bucket=bucket, Key="dir/low level.bin", UploadId=uid)["Parts"]
assert [(p["PartNumber"], p["Size"]) for p in parts] == [(1, 5 * MiB), (2, 4)], parts
assert code(s3.complete_multipart_upload, Bucket=bucket, Key="dir/low level.bin", UploadId=uid,
            MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": p2["ETag"]}, {"PartNumber": 1, "ETag": p1["ETag"]}]}) == "InvalidPartOrder"
done = s3.complete_multipart_upload(Bucket=bucket, Key="dir/low level.bin", UploadId=uid, MultipartUpload={"Parts": [
    {"PartNumber": 1, "ETag": p1["ETag"], "ChecksumCRC32": p1["ChecksumCRC32"]},
    {"PartNumber": 2, "ETag": p2["ETag"], "ChecksumCRC32": p2["ChecksumCRC32"]}]})
assert done["ETag"].endswith('-2"'), done
low = s3.get_object(Bucket=bucket, Key="dir/low level.bin")
assert low["Body"].read() == data[:5 * MiB] + b"tail" and low["ContentType"] == "text/x-parts" and low["Metadata"] == {"k": "v"}
aborted = s3.create_multipart_upload(Bucket=bucket, Key="gone")["UploadId"]
s3.abort_multipart_upload(Bucket=bucket, Key="gone", UploadId=aborted)
assert code(s3.list_parts, Bucket=bucket, Key="gone", UploadId=aborted) == "NoSuchUpload"

for k in ["big.bin", "full.bin", "dir/low level.bin"]:
    s3.delete_object(Bucket=bucket, Key=k)
s3.delete_bucket(Bucket=bucket)
print("boto3 %s / botocore %s: multipart scenario passed" % (boto3.__version__, botocore.__version__))
