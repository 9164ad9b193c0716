package e2e

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

func TestCopiesFromVersions(t *testing.T) {
	ts := testserver.Start(t, func(cfg *server.Config) { cfg.MinPartSize = 1 })
	c := ts.S3(t)
	mkBucket(t, c, "cpv")
	setVersioning(t, c, "cpv", types.BucketVersioningStatusEnabled)
	v1 := aws.ToString(putBytes(t, c, "cpv", "src", []byte("first version")).VersionId)
	putBytes(t, c, "cpv", "src", []byte("second"))
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cpv"), Key: aws.String("dst"),
		CopySource: aws.String("cpv/src?versionId=" + v1)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cp.CopySourceVersionId) != v1 || aws.ToString(cp.VersionId) == "" || aws.ToString(cp.VersionId) == v1 {
		t.Fatalf("copy answered source version %q, version %q", aws.ToString(cp.CopySourceVersionId), aws.ToString(cp.VersionId))
	}
	if body, out := getVersion(t, c, "cpv", "dst", ""); body != "first version" || aws.ToString(out.VersionId) != aws.ToString(cp.VersionId) {
		t.Fatalf("copy of v1 holds %q", body)
	}
	marker := aws.ToString(deleteKey(t, c, "cpv", "src", "").VersionId)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cpv"), Key: aws.String("dst"), CopySource: aws.String("cpv/src")})
	wantCode(t, err, "NoSuchKey") // the current version is a marker
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cpv"), Key: aws.String("dst"), CopySource: aws.String("cpv/src?versionId=" + marker)})
	wantCode(t, err, "InvalidRequest")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cpv"), Key: aws.String("dst"), CopySource: aws.String("cpv/src?versionId=bad")})
	wantCode(t, err, "InvalidArgument")
	// A part copied from v1; the completion makes a version.
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("cpv"), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	pc, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("cpv"), Key: aws.String("mp"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), CopySource: aws.String("cpv/src?versionId=" + v1), CopySourceRange: aws.String("bytes=0-4")})
	if err != nil || aws.ToString(pc.CopySourceVersionId) != v1 {
		t.Fatalf("part copy: %v (source version %q)", err, aws.ToString(pc.CopySourceVersionId))
	}
	complete := &s3.CompleteMultipartUploadInput{Bucket: aws.String("cpv"), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: pc.CopyPartResult.ETag}}}}
	done, err := c.CompleteMultipartUpload(ctx, complete)
	if err != nil || aws.ToString(done.VersionId) == "" {
		t.Fatalf("complete: %v, version %q", err, aws.ToString(done.VersionId))
	}
	if again, err := c.CompleteMultipartUpload(ctx, complete); err != nil || aws.ToString(again.VersionId) != aws.ToString(done.VersionId) {
		t.Fatalf("a retried completion answered %v, version %q", err, aws.ToString(again.VersionId))
	}
	if body, out := getVersion(t, c, "cpv", "mp", ""); body != "first" || aws.ToString(out.VersionId) != aws.ToString(done.VersionId) {
		t.Fatalf("completed object %q version %q", body, aws.ToString(out.VersionId))
	}
}

func TestDeleteObjectsWithVersions(t *testing.T) {
	_, c := startVersioned(t, "dov")
	a1 := aws.ToString(putBytes(t, c, "dov", "a", []byte("a1")).VersionId)
	a2 := aws.ToString(putBytes(t, c, "dov", "a", []byte("a2")).VersionId)
	bm := aws.ToString(deleteKey(t, c, "dov", "b", "").VersionId)
	putBytes(t, c, "dov", "c", []byte("c"))
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("dov"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("a"), VersionId: aws.String(a2)}, // the current version, then the one before it
		{Key: aws.String("a"), VersionId: aws.String(a1)},
		{Key: aws.String("b"), VersionId: aws.String(bm)}, // a marker
		{Key: aws.String("c")},                            // makes a marker
		{Key: aws.String("gone"), VersionId: aws.String(a1)},
		{Key: aws.String("d"), VersionId: aws.String("nonsense")},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]types.DeletedObject{}
	for _, d := range out.Deleted {
		got[aws.ToString(d.Key)+"@"+aws.ToString(d.VersionId)] = d
	}
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "d" || aws.ToString(out.Errors[0].Code) != "InvalidArgument" || len(got) != 5 {
		t.Fatalf("deleted %v, errors %+v", got, out.Errors)
	}
	if d := got["b@"+bm]; !aws.ToBool(d.DeleteMarker) || aws.ToString(d.DeleteMarkerVersionId) != bm {
		t.Fatalf("marker deletion reported %+v", d)
	}
	if d := got["c@"]; !aws.ToBool(d.DeleteMarker) || aws.ToString(d.DeleteMarkerVersionId) == "" {
		t.Fatalf("marker creation reported %+v", d)
	}
	if d := got["a@"+a1]; aws.ToBool(d.DeleteMarker) {
		t.Fatalf("version deletion reported %+v", d)
	}
	for key, want := range map[string]int{"a": 0, "b": 0, "c": 2} {
		if v := versionsOf(t, c, "dov", key); len(v) != want {
			t.Fatalf("%s: versions %v", key, v)
		}
	}
	if v := versionsOf(t, c, "dov", "c"); !slices.Contains(v, "M:"+aws.ToString(got["c@"].DeleteMarkerVersionId)+"*") {
		t.Fatalf("c: versions %v, want the new marker latest", v)
	}
}

func TestTaggingACLAndAttributesOfVersions(t *testing.T) {
	_, c := startVersioned(t, "tav")
	v1 := aws.ToString(putBytes(t, c, "tav", "k", []byte("one")).VersionId)
	v2 := aws.ToString(putBytes(t, c, "tav", "k", []byte("second")).VersionId)
	tag, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tav"), Key: aws.String("k"), VersionId: aws.String(v1),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("old"), Value: aws.String("yes")}}}})
	if err != nil || aws.ToString(tag.VersionId) != v1 {
		t.Fatalf("tag v1: %v %q", err, aws.ToString(tag.VersionId))
	}
	for vid, want := range map[string]int{v1: 1, v2: 0} {
		out, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tav"), Key: aws.String("k"), VersionId: aws.String(vid)})
		if err != nil || len(out.TagSet) != want || aws.ToString(out.VersionId) != vid {
			t.Fatalf("tags of %s: %v %+v", vid, err, out)
		}
	}
	if _, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("tav"), Key: aws.String("k"), VersionId: aws.String(v1)}); err != nil {
		t.Fatal(err)
	}
	acl, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("tav"), Key: aws.String("k"), VersionId: aws.String(v1)})
	if err != nil || len(acl.Grants) == 0 {
		t.Fatalf("ACL of v1: %v", err)
	}
	attrs, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("tav"), Key: aws.String("k"), VersionId: aws.String(v1),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectSize, types.ObjectAttributesEtag}})
	if err != nil || aws.ToInt64(attrs.ObjectSize) != 3 || aws.ToString(attrs.VersionId) != v1 {
		t.Fatalf("attributes of v1: %v %+v", err, attrs)
	}
	if h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("tav"), Key: aws.String("k"), VersionId: aws.String(v1)}); err != nil ||
		aws.ToInt64(h.ContentLength) != 3 || aws.ToString(h.VersionId) != v1 {
		t.Fatalf("HEAD v1: %v", err)
	}
	marker := aws.ToString(deleteKey(t, c, "tav", "k", "").VersionId)
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tav"), Key: aws.String("k"), VersionId: aws.String(marker),
		Tagging: &types.Tagging{TagSet: []types.Tag{}}})
	wantCode(t, err, "MethodNotAllowed")
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tav"), Key: aws.String("k")})
	wantCode(t, err, "NoSuchKey")
	if b, _ := getVersion(t, c, "tav", "k", v2); b != "second" {
		t.Fatalf("v2 holds %q", b)
	}
}

// History has its own permissions: reading the current object does not
// grant reading old versions, nor listing them.
func TestVersionPermissions(t *testing.T) {
	ts, c := startVersioned(t, "perm")
	v1 := aws.ToString(putBytes(t, c, "perm", "k", []byte("old")).VersionId)
	putBytes(t, c, "perm", "k", []byte("new"))
	bob := newUser(t, ts, "bob")
	policy := func(actions string) { allowUser(t, c, "perm", "bob", actions) }
	policy(`"s3:GetObject","s3:ListBucket"`)
	if body, _ := getVersion(t, bob.c, "perm", "k", ""); body != "new" {
		t.Fatalf("bob reads %q", body)
	}
	_, err := bob.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("perm"), Key: aws.String("k"), VersionId: aws.String(v1)})
	wantCode(t, err, "AccessDenied")
	_, err = bob.c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("perm")})
	wantCode(t, err, "AccessDenied")
	_, err = bob.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("perm"), Key: aws.String("k"), VersionId: aws.String(v1)})
	wantCode(t, err, "AccessDenied")
	policy(`"s3:GetObjectVersion","s3:ListBucketVersions"`)
	if body, _ := getVersion(t, bob.c, "perm", "k", v1); body != "old" {
		t.Fatalf("bob reads v1 %q", body)
	}
	if _, err := bob.c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("perm")}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("perm"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	wantCode(t, err, "AccessDenied")
}

// allowUser sets bucket's policy to allow user the actions (a JSON list's
// items) on the bucket and its objects.
func allowUser(t *testing.T, c *s3.Client, bucket, user, actions string) {
	t.Helper()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/` + user + `"},` +
		`"Action":[` + actions + `],"Resource":["arn:aws:s3:::` + bucket + `","arn:aws:s3:::` + bucket + `/*"]}]}`
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
}

// A browser POST upload makes a version like a PUT does.
func TestPostUploadsMakeVersions(t *testing.T) {
	ts, c := startVersioned(t, "posted")
	for _, body := range []string{"first", "second"} {
		if status, resp := postObject(t, ts, "posted", "form.txt", []byte(body)); status != 204 {
			t.Fatalf("POST: %d %s", status, resp)
		}
	}
	if got := versionsOf(t, c, "posted", "form.txt"); len(got) != 2 {
		t.Fatalf("versions %v", got)
	}
	if body, _ := getVersion(t, c, "posted", "form.txt", ""); body != "second" {
		t.Fatalf("current %q", body)
	}
}
