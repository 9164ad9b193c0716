"""boto3 against cairn: versioning, delete markers, the null version,
ListObjectVersions paging, and Object Lock, with boto3's default
settings. Every step asserts; any failure exits non-zero with a
traceback. Run by TestBoto3Versioning."""
import datetime
import os

import boto3
from botocore.exceptions import ClientError

endpoint = os.environ["CAIRN_ENDPOINT"]
s3 = boto3.client("s3", endpoint_url=endpoint)


def code(fn, *a, **kw):
    try:
        fn(*a, **kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPHeaders"]
    raise AssertionError(f"{fn.__name__} succeeded, expected an error")


bucket = "boto-versions"
s3.create_bucket(Bucket=bucket)
assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"

ids = [s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"v%d" % i)["VersionId"] for i in range(3)]
assert len(set(ids)) == 3, ids
assert s3.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"v2"
assert s3.get_object(Bucket=bucket, Key="doc.txt", VersionId=ids[0])["Body"].read() == b"v0"

marker = s3.delete_object(Bucket=bucket, Key="doc.txt")
assert marker["DeleteMarker"] is True, marker
err, headers = code(s3.get_object, Bucket=bucket, Key="doc.txt")
assert err == "NoSuchKey" and headers["x-amz-delete-marker"] == "true", (err, headers)
err, headers = code(s3.head_object, Bucket=bucket, Key="doc.txt", VersionId=marker["VersionId"])
assert err == "405" and headers["x-amz-delete-marker"] == "true" and "last-modified" in headers, (err, headers)

# Page through the history two entries at a time.
seen, kw = [], {}
while True:
    page = s3.list_object_versions(Bucket=bucket, MaxKeys=2, **kw)
    seen += [("V", v["VersionId"], v["IsLatest"]) for v in page.get("Versions", [])]
    seen += [("M", m["VersionId"], m["IsLatest"]) for m in page.get("DeleteMarkers", [])]
    if not page["IsTruncated"]:
        break
    kw = {"KeyMarker": page["NextKeyMarker"], "VersionIdMarker": page["NextVersionIdMarker"]}
assert sorted(seen) == sorted([("M", marker["VersionId"], True)] + [("V", i, False) for i in ids]), seen

# Removing the marker restores v2; removing v2 makes v1 current.
s3.delete_object(Bucket=bucket, Key="doc.txt", VersionId=marker["VersionId"])
assert s3.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"v2"
s3.delete_object(Bucket=bucket, Key="doc.txt", VersionId=ids[2])
assert s3.get_object(Bucket=bucket, Key="doc.txt")["VersionId"] == ids[1]

# Suspended: the null version is overwritten in place.
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
for body in (b"n1", b"n2"):
    assert s3.put_object(Bucket=bucket, Key="doc.txt", Body=body)["VersionId"] == "null"
versions = s3.list_object_versions(Bucket=bucket, Prefix="doc.txt")["Versions"]
assert [v["VersionId"] for v in versions] == ["null", ids[1], ids[0]], versions

# Deleting every version with delete_objects empties the bucket.
objs = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions]
out = s3.delete_objects(Bucket=bucket, Delete={"Objects": objs})
assert len(out["Deleted"]) == 3 and not out.get("Errors"), out
s3.delete_bucket(Bucket=bucket)

# Object Lock: COMPLIANCE holds against everyone until its date.
locked = "boto-locked"
s3.create_bucket(Bucket=locked, ObjectLockEnabledForBucket=True)
until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
v = s3.put_object(Bucket=locked, Key="evidence", Body=b"x", ObjectLockMode="COMPLIANCE",
                  ObjectLockRetainUntilDate=until)["VersionId"]
assert s3.get_object_retention(Bucket=locked, Key="evidence")["Retention"]["Mode"] == "COMPLIANCE"
err, _ = code(s3.delete_object, Bucket=locked, Key="evidence", VersionId=v, BypassGovernanceRetention=True)
assert err == "AccessDenied", err
err, _ = code(s3.put_bucket_versioning, Bucket=locked, VersioningConfiguration={"Status": "Suspended"})
assert err == "InvalidBucketState", err
print("versioning scenario passed")
