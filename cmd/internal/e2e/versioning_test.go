package e2e

import (
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

func setVersioning(t *testing.T, c *s3.Client, bucket string, status types.BucketVersioningStatus) {
	t.Helper()
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: status}}); err != nil {
		t.Fatalf("versioning %s on %s: %v", status, bucket, err)
	}
}

// startVersioned starts a server with one bucket whose versioning is
// Enabled.
func startVersioned(t *testing.T, bucket string) (*testserver.TS, *s3.Client) {
	t.Helper()
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, bucket)
	setVersioning(t, c, bucket, types.BucketVersioningStatusEnabled)
	return ts, c
}

// errHeader is a header of the HTTP response an SDK error came with.
func errHeader(t *testing.T, err error, name string) string {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("%v is not an HTTP response error", err)
	}
	return re.Response.Header.Get(name)
}

func getVersion(t *testing.T, c *s3.Client, bucket, key, vid string) (string, *s3.GetObjectOutput) {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if vid != "" {
		in.VersionId = aws.String(vid)
	}
	out, err := c.GetObject(ctx, in)
	if err != nil {
		t.Fatalf("get %s@%s: %v", key, vid, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), out
}

func deleteKey(t *testing.T, c *s3.Client, bucket, key, vid string) *s3.DeleteObjectOutput {
	t.Helper()
	in := &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if vid != "" {
		in.VersionId = aws.String(vid)
	}
	out, err := c.DeleteObject(ctx, in)
	if err != nil {
		t.Fatalf("delete %s@%s: %v", key, vid, err)
	}
	return out
}

// versionsOf lists the versions of key newest first as "id", then its
// delete markers newest first as "M:id" (the SDK parses the two apart),
// with "*" on the latest.
func versionsOf(t *testing.T, c *s3.Client, bucket, key string) []string {
	t.Helper()
	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	add := func(k, id string, latest bool, marker bool) {
		if k != key {
			return
		}
		s := id
		if marker {
			s = "M:" + s
		}
		if latest {
			s += "*"
		}
		got = append(got, s)
	}
	for _, v := range out.Versions {
		add(aws.ToString(v.Key), aws.ToString(v.VersionId), aws.ToBool(v.IsLatest), false)
	}
	for _, m := range out.DeleteMarkers {
		add(aws.ToString(m.Key), aws.ToString(m.VersionId), aws.ToBool(m.IsLatest), true)
	}
	return got
}

func TestBucketVersioningStates(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "states")
	get := func() types.BucketVersioningStatus {
		out, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("states")})
		if err != nil {
			t.Fatal(err)
		}
		return out.Status
	}
	if s := get(); s != "" {
		t.Fatalf("a new bucket reports versioning %q", s)
	}
	setVersioning(t, c, "states", types.BucketVersioningStatusSuspended)
	if s := get(); s != types.BucketVersioningStatusSuspended {
		t.Fatalf("status %q", s)
	}
	setVersioning(t, c, "states", types.BucketVersioningStatusEnabled)
	if s := get(); s != types.BucketVersioningStatusEnabled {
		t.Fatalf("status %q", s)
	}
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("states"), MFA: aws.String("arn 123456"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteEnabled}})
	wantCode(t, err, "NotImplemented")
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("states"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: "On"}})
	wantCode(t, err, "MalformedXML")
	_, err = c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("nope")})
	wantCode(t, err, "NoSuchBucket")
	if s := get(); s != types.BucketVersioningStatusEnabled {
		t.Fatalf("refused requests changed the status to %q", s)
	}
}

func TestVersionsMarkersAndRestores(t *testing.T) {
	ts, c := startVersioned(t, "ver")
	v1 := aws.ToString(putBytes(t, c, "ver", "k", []byte("one")).VersionId)
	v2 := aws.ToString(putBytes(t, c, "ver", "k", []byte("two")).VersionId)
	if v1 == "" || v2 == "" || v1 == v2 || v1 == "null" {
		t.Fatalf("version ids %q %q", v1, v2)
	}
	if body, out := getVersion(t, c, "ver", "k", ""); body != "two" || aws.ToString(out.VersionId) != v2 {
		t.Fatalf("current: %q version %q", body, aws.ToString(out.VersionId))
	}
	if body, _ := getVersion(t, c, "ver", "k", v1); body != "one" {
		t.Fatalf("v1: %q", body)
	}
	del := deleteKey(t, c, "ver", "k", "")
	marker := aws.ToString(del.VersionId)
	if !aws.ToBool(del.DeleteMarker) || marker == "" || marker == v2 {
		t.Fatalf("DELETE answered marker %v version %q", aws.ToBool(del.DeleteMarker), marker)
	}
	if got := versionsOf(t, c, "ver", "k"); len(got) != 3 || got[0] != v2 || got[1] != v1 || got[2] != "M:"+marker+"*" {
		t.Fatalf("versions %v", got)
	}
	checkMarkerResponses(t, c, marker)
	if n := countKeys(t, c, "ver"); n != 0 {
		t.Fatalf("ListObjectsV2 shows %d keys behind a delete marker", n)
	}
	// Deleting the marker brings v2 back; deleting v2 makes v1 current.
	if out := deleteKey(t, c, "ver", "k", marker); !aws.ToBool(out.DeleteMarker) || aws.ToString(out.VersionId) != marker {
		t.Fatalf("deleting the marker answered %+v", out)
	}
	if body, _ := getVersion(t, c, "ver", "k", ""); body != "two" {
		t.Fatalf("after the marker's deletion: %q", body)
	}
	if out := deleteKey(t, c, "ver", "k", v2); aws.ToBool(out.DeleteMarker) || aws.ToString(out.VersionId) != v2 {
		t.Fatalf("deleting v2 answered %+v", out)
	}
	if body, out := getVersion(t, c, "ver", "k", ""); body != "one" || aws.ToString(out.VersionId) != v1 {
		t.Fatalf("after v2's deletion: %q", body)
	}
	checkVersionIDErrors(t, ts, c, v2)
}

// checkMarkerResponses: the current version is a marker (404 with the
// marker's headers); naming it is 405 (HEAD without a body).
func checkMarkerResponses(t *testing.T, c *s3.Client, marker string) {
	t.Helper()
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ver"), Key: aws.String("k")})
	wantCode(t, err, "NoSuchKey")
	if errHeader(t, err, "x-amz-delete-marker") != "true" || errHeader(t, err, "x-amz-version-id") != marker {
		t.Fatalf("GET behind a marker: headers %q %q", errHeader(t, err, "x-amz-delete-marker"), errHeader(t, err, "x-amz-version-id"))
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ver"), Key: aws.String("k")})
	if httpStatus(err) != 404 || errHeader(t, err, "x-amz-delete-marker") != "true" {
		t.Fatalf("HEAD behind a marker: %v", err)
	}
	for _, head := range []bool{false, true} {
		if head {
			_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ver"), Key: aws.String("k"), VersionId: aws.String(marker)})
		} else {
			_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ver"), Key: aws.String("k"), VersionId: aws.String(marker)})
			wantCode(t, err, "MethodNotAllowed")
		}
		if httpStatus(err) != http.StatusMethodNotAllowed || errHeader(t, err, "x-amz-delete-marker") != "true" ||
			errHeader(t, err, "Last-Modified") == "" || errHeader(t, err, "x-amz-version-id") != marker {
			t.Fatalf("naming the marker (HEAD %v): %v", head, err)
		}
	}
}

// checkVersionIDErrors: a well-formed id of no version is NoSuchVersion
// (and deleting it is a no-op 204); a malformed one is InvalidArgument.
func checkVersionIDErrors(t *testing.T, ts *testserver.TS, c *s3.Client, gone string) {
	t.Helper()
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ver"), Key: aws.String("k"), VersionId: aws.String(gone)})
	wantCode(t, err, "NoSuchVersion")
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ver"), Key: aws.String("k"), VersionId: aws.String(gone)})
	if httpStatus(err) != 404 {
		t.Fatalf("HEAD of a deleted version: %v", err)
	}
	for _, bad := range []string{"3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", "v1"} {
		_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ver"), Key: aws.String("k"), VersionId: aws.String(bad)})
		wantCode(t, err, "InvalidArgument")
		_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("ver"), Key: aws.String("k"), VersionId: aws.String(bad)})
		wantCode(t, err, "InvalidArgument")
	}
	if out := deleteKey(t, c, "ver", "k", gone); aws.ToString(out.VersionId) != gone {
		t.Fatalf("deleting a version that is gone answered %+v", out)
	}
	resp, body := newRaw(t, ts).do(rawReq{method: "GET", path: "/ver/k?versionId="})
	wantError(t, resp, body, 400, "InvalidArgument")
}
