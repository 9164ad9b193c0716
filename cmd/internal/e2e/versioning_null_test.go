package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

// The null version, as S3 documents it: an unversioned bucket's objects
// are null versions (and show no version id); once versioning is
// enabled they stay, as "null"; a suspended bucket's PUT replaces the
// null version and its DELETE puts a null delete marker in its place,
// while the other versions stay.
func TestSuspendedBucketNullVersionRules(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "nul")
	if out := putBytes(t, c, "nul", "k", []byte("before")); out.VersionId != nil {
		t.Fatalf("an unversioned bucket showed version %q", aws.ToString(out.VersionId))
	}
	if _, out := getVersion(t, c, "nul", "k", ""); out.VersionId != nil {
		t.Fatalf("GET in an unversioned bucket showed version %q", aws.ToString(out.VersionId))
	}
	if body, _ := getVersion(t, c, "nul", "k", "null"); body != "before" {
		t.Fatalf("versionId=null in an unversioned bucket: %q", body)
	}
	setVersioning(t, c, "nul", types.BucketVersioningStatusEnabled)
	if _, out := getVersion(t, c, "nul", "k", ""); aws.ToString(out.VersionId) != "null" {
		t.Fatalf("the object from before versioning shows version %q", aws.ToString(out.VersionId))
	}
	v1 := aws.ToString(putBytes(t, c, "nul", "k", []byte("v1")).VersionId)
	setVersioning(t, c, "nul", types.BucketVersioningStatusSuspended)
	for _, body := range []string{"s1", "s2"} { // each PUT replaces the null version
		if out := putBytes(t, c, "nul", "k", []byte(body)); aws.ToString(out.VersionId) != "null" {
			t.Fatalf("a suspended bucket's PUT made version %q", aws.ToString(out.VersionId))
		}
	}
	if got := versionsOf(t, c, "nul", "k"); !slices.Equal(got, []string{"null*", v1}) {
		t.Fatalf("versions %v, want the newest null and v1", got)
	}
	if body, _ := getVersion(t, c, "nul", "k", "null"); body != "s2" {
		t.Fatalf("null version holds %q", body)
	}
	// DELETE: a null delete marker replaces the null version.
	if out := deleteKey(t, c, "nul", "k", ""); !aws.ToBool(out.DeleteMarker) || aws.ToString(out.VersionId) != "null" {
		t.Fatalf("a suspended bucket's DELETE answered %+v", out)
	}
	if got := versionsOf(t, c, "nul", "k"); !slices.Equal(got, []string{v1, "M:null*"}) {
		t.Fatalf("versions %v, want v1 behind a null marker", got)
	}
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nul"), Key: aws.String("k")})
	wantCode(t, err, "NoSuchKey")
	// Deleting the null marker by id brings v1 back.
	if out := deleteKey(t, c, "nul", "k", "null"); !aws.ToBool(out.DeleteMarker) {
		t.Fatalf("deleting the null marker answered %+v", out)
	}
	if body, out := getVersion(t, c, "nul", "k", ""); body != "v1" || aws.ToString(out.VersionId) != v1 {
		t.Fatalf("after the null marker: %q (%q)", body, aws.ToString(out.VersionId))
	}
	// Re-enabled, new versions stack on top; the suspended state's null
	// versions are gone for good, v1 stays.
	setVersioning(t, c, "nul", types.BucketVersioningStatusEnabled)
	v2 := aws.ToString(putBytes(t, c, "nul", "k", []byte("v2")).VersionId)
	if got := versionsOf(t, c, "nul", "k"); !slices.Equal(got, []string{v2 + "*", v1}) {
		t.Fatalf("versions %v", got)
	}
}

// A DELETE without a version id in a versioned bucket makes a marker even
// for a key that never existed; a second DELETE stacks a second marker.
func TestDeleteMarkersStack(t *testing.T) {
	_, c := startVersioned(t, "stack")
	m1 := aws.ToString(deleteKey(t, c, "stack", "never", "").VersionId)
	m2 := aws.ToString(deleteKey(t, c, "stack", "never", "").VersionId)
	if got := versionsOf(t, c, "stack", "never"); !slices.Equal(got, []string{"M:" + m2 + "*", "M:" + m1}) {
		t.Fatalf("markers %v", got)
	}
	// A marker is listed with the owner who made it.
	buckets, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("stack")})
	if err != nil || len(list.DeleteMarkers) != 2 || list.DeleteMarkers[0].Owner == nil ||
		aws.ToString(list.DeleteMarkers[0].Owner.ID) != aws.ToString(buckets.Owner.ID) {
		t.Fatalf("markers listed %+v (%v), want owner %q", list.DeleteMarkers, err, aws.ToString(buckets.Owner.ID))
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("stack")})
	wantCode(t, err, "BucketNotEmpty")
	deleteKey(t, c, "stack", "never", m1)
	deleteKey(t, c, "stack", "never", m2)
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("stack")}); err != nil {
		t.Fatalf("DeleteBucket once every version is gone: %v", err)
	}
}

func TestBoto3Versioning(t *testing.T) {
	requireTool(t, "python3", "-c", "import boto3")
	ts := testserver.Start(t)
	cmd := exec.Command("python3", filepath.Join("testdata", "boto3_versioning.py"))
	cmd.Env = append(os.Environ(), ts.Env()...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "versioning scenario passed") {
		t.Fatalf("boto3 versioning scenario failed: %v\n%s", err, out)
	}
}

// The README's aws CLI example: put-bucket-versioning, versions made by
// put-object, list-object-versions, and delete-object with a version id.
func TestAWSCLIVersioning(t *testing.T) {
	requireTool(t, "aws", "--version")
	ts := testserver.Start(t)
	awsCLI(t, ts, nil, "s3", "mb", "s3://cli-versions")
	awsCLI(t, ts, nil, "s3api", "put-bucket-versioning", "--bucket", "cli-versions", "--versioning-configuration", "Status=Enabled")
	if out := awsCLI(t, ts, nil, "s3api", "get-bucket-versioning", "--bucket", "cli-versions"); !strings.Contains(out, `"Status": "Enabled"`) {
		t.Fatalf("get-bucket-versioning: %s", out)
	}
	file := filepath.Join(t.TempDir(), "f")
	var ids []string
	for _, body := range []string{"one", "two"} {
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		var put struct{ VersionId string }
		if err := json.Unmarshal([]byte(awsCLI(t, ts, nil, "s3api", "put-object", "--bucket", "cli-versions", "--key", "f", "--body", file)), &put); err != nil || put.VersionId == "" {
			t.Fatalf("put-object: %v %+v", err, put)
		}
		ids = append(ids, put.VersionId)
	}
	awsCLI(t, ts, nil, "s3", "rm", "s3://cli-versions/f") // a delete marker
	var list struct {
		Versions      []struct{ VersionId string }
		DeleteMarkers []struct{ VersionId string }
	}
	if err := json.Unmarshal([]byte(awsCLI(t, ts, nil, "s3api", "list-object-versions", "--bucket", "cli-versions")), &list); err != nil ||
		len(list.Versions) != 2 || len(list.DeleteMarkers) != 1 || list.Versions[0].VersionId != ids[1] {
		t.Fatalf("list-object-versions: %v %+v", err, list)
	}
	awsCLI(t, ts, nil, "s3api", "delete-object", "--bucket", "cli-versions", "--key", "f", "--version-id", list.DeleteMarkers[0].VersionId)
	out := filepath.Join(t.TempDir(), "out")
	awsCLI(t, ts, nil, "s3api", "get-object", "--bucket", "cli-versions", "--key", "f", "--version-id", ids[0], out)
	if got, _ := os.ReadFile(out); string(got) != "one" {
		t.Fatalf("get-object --version-id: %q", got)
	}
	if ls := awsCLI(t, ts, nil, "s3", "ls", "s3://cli-versions"); !strings.Contains(ls, " f\n") {
		t.Fatalf("the restored object is not listed: %s", ls)
	}
}
