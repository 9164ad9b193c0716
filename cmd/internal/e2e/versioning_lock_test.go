package e2e

import (
	"crypto/md5"
	"encoding/base64"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

func mkLockedBucket(t *testing.T, c *s3.Client, name string) {
	t.Helper()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatalf("create locked bucket %s: %v", name, err)
	}
}

// putLocked PUTs into a bucket with Object Lock, where S3 asks for a
// checksum (or Content-MD5) of the body.
func putLocked(t *testing.T, c *s3.Client, bucket, key string, edit func(*s3.PutObjectInput)) string {
	t.Helper()
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: stringsReader(key),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}
	if edit != nil {
		edit(in)
	}
	out, err := c.PutObject(ctx, in)
	if err != nil {
		t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
	return aws.ToString(out.VersionId)
}

func lockConfig(t *testing.T, c *s3.Client, bucket string) (*types.ObjectLockConfiguration, error) {
	t.Helper()
	out, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return nil, err
	}
	return out.ObjectLockConfiguration, nil
}

func putLockConfig(c *s3.Client, bucket string, rule *types.ObjectLockRule) error {
	_, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(bucket),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled, Rule: rule}})
	return err
}

func governanceDays(n int32) *types.ObjectLockRule {
	return &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(n)}}
}

func TestObjectLockConfiguration(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkLockedBucket(t, c, "locked")
	if out, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("locked")}); err != nil ||
		out.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("a bucket made with Object Lock is not versioned: %v %v", out, err)
	}
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("locked"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	wantCode(t, err, "InvalidBucketState")
	if cfg, err := lockConfig(t, c, "locked"); err != nil || cfg.ObjectLockEnabled != types.ObjectLockEnabledEnabled || cfg.Rule != nil {
		t.Fatalf("configuration %+v %v", cfg, err)
	}
	if err := putLockConfig(c, "locked", governanceDays(1)); err != nil {
		t.Fatal(err)
	}
	if cfg, err := lockConfig(t, c, "locked"); err != nil || cfg.Rule.DefaultRetention.Mode != types.ObjectLockRetentionModeGovernance ||
		aws.ToInt32(cfg.Rule.DefaultRetention.Days) != 1 {
		t.Fatalf("configuration %+v %v", cfg, err)
	}
	both := governanceDays(1)
	both.DefaultRetention.Years = aws.Int32(1)
	wantCode(t, putLockConfig(c, "locked", both), "MalformedXML")
	wantCode(t, putLockConfig(c, "locked", governanceDays(0)), "InvalidArgument")
	// A plain bucket has none, and gets one only once versioned.
	mkBucket(t, c, "plain")
	_, err = lockConfig(t, c, "plain")
	wantCode(t, err, "ObjectLockConfigurationNotFoundError")
	wantCode(t, putLockConfig(c, "plain", nil), "InvalidBucketState")
	setVersioning(t, c, "plain", types.BucketVersioningStatusEnabled)
	if err := putLockConfig(c, "plain", nil); err != nil {
		t.Fatalf("Object Lock on a versioned bucket: %v", err)
	}
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("plain"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	wantCode(t, err, "InvalidBucketState")
}

func TestObjectLockHeadersAndDefaultRetention(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkLockedBucket(t, c, "defret")
	if err := putLockConfig(c, "defret", governanceDays(2)); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	v := putLocked(t, c, "defret", "k", nil)
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("defret"), Key: aws.String("k"), VersionId: aws.String(v)})
	if err != nil || h.ObjectLockMode != types.ObjectLockModeGovernance ||
		h.ObjectLockRetainUntilDate.Sub(before.AddDate(0, 0, 2)).Abs() > time.Minute {
		t.Fatalf("default retention: %v %s %v", err, h.ObjectLockMode, h.ObjectLockRetainUntilDate)
	}
	// Headers ask for their own retention and legal hold; a copy and a
	// multipart upload take them too.
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	own := putLocked(t, c, "defret", "own", func(in *s3.PutObjectInput) {
		in.ObjectLockMode, in.ObjectLockRetainUntilDate = types.ObjectLockModeCompliance, &until
		in.ObjectLockLegalHoldStatus = types.ObjectLockLegalHoldStatusOn
	})
	checkLock(t, c, "defret", "own", own, types.ObjectLockModeCompliance, until, true)
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("defret"), Key: aws.String("copy"), CopySource: aws.String("defret/own"),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: &until})
	if err != nil {
		t.Fatal(err)
	}
	checkLock(t, c, "defret", "copy", aws.ToString(cp.VersionId), types.ObjectLockModeGovernance, until, false)
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("defret"), Key: aws.String("mp"),
		ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn, ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: &until})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("defret"), Key: aws.String("mp"), UploadId: mp.UploadId,
		PartNumber: aws.Int32(1), Body: stringsReader("part")})
	if err != nil {
		t.Fatal(err)
	}
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("defret"), Key: aws.String("mp"), UploadId: mp.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}})
	if err != nil {
		t.Fatal(err)
	}
	checkLock(t, c, "defret", "mp", aws.ToString(done.VersionId), types.ObjectLockModeGovernance, until, true)
	checkLockRefusals(t, ts, c, until)
}

func checkLock(t *testing.T, c *s3.Client, bucket, key, vid string, mode types.ObjectLockMode, until time.Time, hold bool) {
	t.Helper()
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(vid)})
	if err != nil || h.ObjectLockMode != mode || !aws.ToTime(h.ObjectLockRetainUntilDate).Equal(until) ||
		(h.ObjectLockLegalHoldStatus == types.ObjectLockLegalHoldStatusOn) != hold {
		t.Fatalf("%s@%s: %v mode %q until %v hold %q", key, vid, err, h.ObjectLockMode, h.ObjectLockRetainUntilDate, h.ObjectLockLegalHoldStatus)
	}
}

// checkLockRefusals: lock headers on a bucket without Object Lock, a date
// in the past, half the headers, and a locked upload without a digest.
func checkLockRefusals(t *testing.T, ts *testserver.TS, c *s3.Client, until time.Time) {
	t.Helper()
	mkBucket(t, c, "nolock")
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("nolock"), Key: aws.String("k"), Body: stringsReader("x"),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: &until})
	wantCode(t, err, "InvalidRequest")
	past := time.Now().Add(-time.Hour)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("defret"), Key: aws.String("k"), Body: stringsReader("x"),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: &past, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	wantCode(t, err, "InvalidArgument")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("defret"), Key: aws.String("k"), Body: stringsReader("x"),
		ObjectLockMode: types.ObjectLockModeGovernance, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	wantCode(t, err, "InvalidArgument")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("defret"), Key: aws.String("k"), Body: stringsReader("x")})
	wantCode(t, err, "InvalidRequest") // the default retention locks it: a checksum is needed
	r := newRaw(t, ts)
	date := until.Format(time.RFC3339)
	hdr := map[string]string{"x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": date}
	resp, body := r.do(rawReq{method: "PUT", path: "/defret/raw", body: []byte("x"), header: hdr})
	wantError(t, resp, body, 400, "InvalidRequest")
	sum := md5.Sum([]byte("x"))
	hdr["Content-MD5"] = base64.StdEncoding.EncodeToString(sum[:])
	if resp, body = r.do(rawReq{method: "PUT", path: "/defret/raw", body: []byte("x"), header: hdr}); resp.StatusCode != 200 {
		t.Fatalf("locked PUT with Content-MD5: %d %s", resp.StatusCode, body)
	}
	resp, body = r.do(rawReq{method: "PUT", path: "/defret/raw?retention", body: []byte("<Retention><Mode>GOVERNANCE</Mode></Retention>")})
	wantError(t, resp, body, 400, "MalformedXML")
	resp, body = r.do(rawReq{method: "PUT", path: "/defret/raw?legal-hold", body: []byte("<LegalHold><Status>on</Status></LegalHold>")})
	wantError(t, resp, body, 400, "MalformedXML")
	resp, body = r.do(rawReq{method: "GET", path: "/nolock/k?retention"})
	wantError(t, resp, body, 404, "NoSuchKey")
}

func retain(c *s3.Client, bucket, key, vid string, mode types.ObjectLockRetentionMode, until *time.Time, bypass bool) error {
	in := &s3.PutObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(vid),
		Retention: &types.ObjectLockRetention{Mode: mode, RetainUntilDate: until}}
	if bypass {
		in.BypassGovernanceRetention = aws.Bool(true)
	}
	_, err := c.PutObjectRetention(ctx, in)
	return err
}

func deleteVersion(c *s3.Client, bucket, key, vid string, bypass bool) error {
	in := &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(vid)}
	if bypass {
		in.BypassGovernanceRetention = aws.Bool(true)
	}
	_, err := c.DeleteObject(ctx, in)
	return err
}

// COMPLIANCE retention: nobody, root included, removes the version or
// weakens its retention; extending it is allowed; a DELETE without a
// version id still makes a marker.
func TestComplianceRetentionHoldsAgainstRoot(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkLockedBucket(t, c, "comp")
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	v := putLocked(t, c, "comp", "k", func(in *s3.PutObjectInput) {
		in.ObjectLockMode, in.ObjectLockRetainUntilDate = types.ObjectLockModeCompliance, &until
	})
	wantCode(t, deleteVersion(c, "comp", "k", v, false), "AccessDenied")
	wantCode(t, deleteVersion(c, "comp", "k", v, true), "AccessDenied")
	earlier, later := until.Add(-time.Minute), until.Add(time.Hour)
	wantCode(t, retain(c, "comp", "k", v, types.ObjectLockRetentionModeCompliance, &earlier, true), "AccessDenied")
	wantCode(t, retain(c, "comp", "k", v, types.ObjectLockRetentionModeGovernance, &later, true), "AccessDenied")
	wantCode(t, retain(c, "comp", "k", v, "", nil, true), "AccessDenied") // removing it
	if err := retain(c, "comp", "k", v, types.ObjectLockRetentionModeCompliance, &later, false); err != nil {
		t.Fatalf("extending COMPLIANCE retention: %v", err)
	}
	out, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("comp"), Key: aws.String("k"), VersionId: aws.String(v)})
	if err != nil || out.Retention.Mode != types.ObjectLockRetentionModeCompliance || !aws.ToTime(out.Retention.RetainUntilDate).Equal(later) {
		t.Fatalf("retention %+v %v", out, err)
	}
	marker := deleteKey(t, c, "comp", "k", "")
	if !aws.ToBool(marker.DeleteMarker) {
		t.Fatal("a DELETE without version id in a locked bucket made no marker")
	}
	deleteKey(t, c, "comp", "k", aws.ToString(marker.VersionId)) // markers are never locked
	if body, _ := getVersion(t, c, "comp", "k", ""); body != "k" {
		t.Fatalf("the locked version holds %q", body)
	}
	dels, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("comp"), BypassGovernanceRetention: aws.Bool(true),
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("k"), VersionId: aws.String(v)}}}})
	if err != nil || len(dels.Errors) != 1 || aws.ToString(dels.Errors[0].Code) != "AccessDenied" {
		t.Fatalf("DeleteObjects of a locked version: %v %+v", err, dels)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("comp")})
	wantCode(t, err, "BucketNotEmpty")
}

// GOVERNANCE retention gives way to a bypass by a principal allowed
// s3:BypassGovernanceRetention; a legal hold to nobody until it is off.
func TestGovernanceRetentionAndLegalHold(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkLockedBucket(t, c, "gov")
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	governed := func(key string) string {
		return putLocked(t, c, "gov", key, func(in *s3.PutObjectInput) {
			in.ObjectLockMode, in.ObjectLockRetainUntilDate = types.ObjectLockModeGovernance, &until
		})
	}
	g1, g2 := governed("g1"), governed("g2")
	wantCode(t, deleteVersion(c, "gov", "g1", g1, false), "AccessDenied")
	if err := deleteVersion(c, "gov", "g1", g1, true); err != nil {
		t.Fatalf("root bypassing GOVERNANCE: %v", err)
	}
	earlier := until.Add(-time.Minute)
	wantCode(t, retain(c, "gov", "g2", g2, types.ObjectLockRetentionModeGovernance, &earlier, false), "AccessDenied")
	if err := retain(c, "gov", "g2", g2, types.ObjectLockRetentionModeGovernance, &earlier, true); err != nil {
		t.Fatalf("shortening with a bypass: %v", err)
	}
	if _, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String("gov"), Key: aws.String("g2"),
		VersionId: aws.String(g2), BypassGovernanceRetention: aws.Bool(true), Retention: &types.ObjectLockRetention{}}); err != nil {
		t.Fatalf("removing retention with a bypass: %v", err)
	}
	_, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("gov"), Key: aws.String("g2")})
	wantCode(t, err, "NoSuchObjectLockConfiguration")
	// A legal hold blocks removal whatever the mode, bypass or not.
	if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("gov"), Key: aws.String("g2"),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, deleteVersion(c, "gov", "g2", g2, true), "AccessDenied")
	hold, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("gov"), Key: aws.String("g2"), VersionId: aws.String(g2)})
	if err != nil || hold.LegalHold.Status != types.ObjectLockLegalHoldStatusOn {
		t.Fatalf("legal hold %+v %v", hold, err)
	}
	if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("gov"), Key: aws.String("g2"), VersionId: aws.String(g2),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}}); err != nil {
		t.Fatal(err)
	}
	if err := deleteVersion(c, "gov", "g2", g2, false); err != nil {
		t.Fatalf("deleting once the hold is off and retention gone: %v", err)
	}
	checkBypassNeedsPermission(t, ts, c, governed("g3"))
}

// checkBypassNeedsPermission: a user allowed to delete versions but not
// to bypass governance cannot; once allowed, can.
func checkBypassNeedsPermission(t *testing.T, ts *testserver.TS, c *s3.Client, v string) {
	t.Helper()
	alice := newUser(t, ts, "alice")
	policy := func(actions string) { allowUser(t, c, "gov", "alice", actions) }
	policy(`"s3:DeleteObjectVersion"`)
	wantCode(t, deleteVersion(alice.c, "gov", "g3", v, true), "AccessDenied")
	policy(`"s3:DeleteObjectVersion","s3:BypassGovernanceRetention"`)
	if err := deleteVersion(alice.c, "gov", "g3", v, true); err != nil {
		t.Fatalf("alice, allowed to bypass: %v", err)
	}
}
