package e2e

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
	"github.com/cairnstore/cairn/notify/replicate"
)

// The configuration API answers as S3 does, and a rule must name a
// declared site.
func TestReplicationConfigurationAPI(t *testing.T) {
	ts := testserver.Start(t, func(c *server.Config) {
		c.Replicate.Targets = []replicate.TargetSpec{{ID: "paris", URL: "http://127.0.0.1:9", AccessKey: "a", SecretKey: "s"}}
	})
	c := ts.S3(t)
	mkBucket(t, c, "src")
	_, err := c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String("src")})
	wantCode(t, err, "ReplicationConfigurationNotFoundError")
	put := func(r types.ReplicationRule) error {
		_, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: aws.String("src"),
			ReplicationConfiguration: &types.ReplicationConfiguration{Role: aws.String("r"), Rules: []types.ReplicationRule{r}}})
		return err
	}
	err = put(rule("a", 1, "", "paris", "dst", false))
	if wantCode(t, err, "InvalidRequest"); !strings.Contains(err.Error(), "Versioning must be 'Enabled'") {
		t.Fatalf("unversioned bucket: %v", err)
	}
	enableVersioning(t, c, "src")
	wantCode(t, put(rule("a", 1, "", "rome", "dst", false)), "InvalidArgument")
	tagged := rule("a", 1, "", "paris", "dst", true)
	tagged.Filter = &types.ReplicationRuleFilter{Tag: &types.Tag{Key: aws.String("k"), Value: aws.String("v")}}
	wantCode(t, put(tagged), "InvalidRequest")
	// S3's own ARN form names the only declared site.
	aws1 := rule("a", 1, "docs/", "paris", "dst", true)
	aws1.Destination.Bucket = aws.String("arn:aws:s3:::dst")
	if err := put(aws1); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String("src")})
	if err != nil {
		t.Fatal(err)
	}
	r := got.ReplicationConfiguration.Rules[0]
	if aws.ToString(r.ID) != "a" || aws.ToString(r.Filter.Prefix) != "docs/" || aws.ToString(r.Destination.Bucket) != "arn:aws:s3:::dst" ||
		r.DeleteMarkerReplication.Status != types.DeleteMarkerReplicationStatusEnabled || aws.ToInt32(r.Priority) != 1 {
		t.Fatalf("read back %+v", r)
	}
	if _, err := c.DeleteBucketReplication(ctx, &s3.DeleteBucketReplicationInput{Bucket: aws.String("src")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String("src")})
	wantCode(t, err, "ReplicationConfigurationNotFoundError")
}

// replicatedPair is a source replicating bucket "bkt" to bucket "bkt" of a
// destination declared as site "dst".
func replicatedPair(t *testing.T, rules ...types.ReplicationRule) (src, dst *testserver.TS) {
	t.Helper()
	dst = testserver.Start(t, fastReplication)
	src = testserver.Start(t, replicatingTo("dst", dst))
	mkVersioned(t, dst.S3(t), "bkt")
	mkVersioned(t, src.S3(t), "bkt")
	if len(rules) == 0 {
		rules = []types.ReplicationRule{rule("all", 1, "", "dst", "bkt", true)}
	}
	putReplication(t, src.S3(t), "bkt", rules...)
	return src, dst
}

// sameObject checks that key has the same bytes, ETag, content type,
// metadata and tags on both sites, and that the copy is a replica.
func sameObject(t *testing.T, src, dst *s3.Client, key string) {
	t.Helper()
	a, err := src.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key)})
	ab := readAll(t, a, err)
	b, err := dst.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key)})
	bb := readAll(t, b, err)
	if !bytes.Equal(ab, bb) || aws.ToString(a.ETag) != aws.ToString(b.ETag) || aws.ToString(a.ContentType) != aws.ToString(b.ContentType) ||
		fmt.Sprint(a.Metadata) != fmt.Sprint(b.Metadata) || !a.LastModified.Equal(*b.LastModified) {
		t.Fatalf("%s differs: %d/%d bytes, ETag %s/%s, type %s/%s, meta %v/%v, modified %v/%v", key, len(ab), len(bb),
			aws.ToString(a.ETag), aws.ToString(b.ETag), aws.ToString(a.ContentType), aws.ToString(b.ContentType),
			a.Metadata, b.Metadata, a.LastModified, b.LastModified)
	}
	if b.ReplicationStatus != types.ReplicationStatusReplica || a.ReplicationStatus != types.ReplicationStatusCompleted {
		t.Fatalf("%s: status %s on the source, %s on the replica", key, a.ReplicationStatus, b.ReplicationStatus)
	}
	if ta, tb := tagsOf(t, src, key), tagsOf(t, dst, key); ta != tb {
		t.Fatalf("%s: tags %s on the source, %s on the replica", key, ta, tb)
	}
}

func tagsOf(t *testing.T, c *s3.Client, key string) string {
	t.Helper()
	out, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("bkt"), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("tags of %s: %v", key, err)
	}
	m := map[string]string{}
	for _, tg := range out.TagSet {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return fmt.Sprint(m)
}

// waitIdle waits until a site's consumer has handled every event.
func waitIdle(t *testing.T, ts *testserver.TS, site string) {
	t.Helper()
	waitFor(t, "replication to "+site+" idle", 30*time.Second, func() bool {
		st := siteStatus(t, ts, site)
		return st.PendingEvents == 0 && st.UnackedEvents == 0
	})
}

// Puts (with metadata and tags), multipart uploads and tag changes reach
// the destination, byte for byte, marked as replicas; the source shows
// COMPLETED; keys outside the rule stay home.
func TestReplicationOneWay(t *testing.T) {
	src, dst := replicatedPair(t, rule("docs", 1, "docs/", "dst", "bkt", false))
	sc, dc := src.S3(t), dst.S3(t)
	small := randBytes(t, 3000)
	if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("docs/small"), Body: bytesReader(small),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"origin": "paris"}, Tagging: aws.String("tier=hot")}); err != nil {
		t.Fatal(err)
	}
	putBytes(t, sc, "bkt", "docs/empty", nil)
	putBytes(t, sc, "bkt", "logs/not-replicated", []byte("x"))
	up := manager.NewUploader(sc, func(u *manager.Uploader) { u.PartSize = 5 << 20 })
	big := randBytes(t, 11<<20) // three parts
	if _, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("docs/big"), Body: bytesReader(big)}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"docs/small", "docs/empty", "docs/big"} {
		waitStatus(t, sc, "bkt", k, "COMPLETED")
		sameObject(t, sc, dc, k)
	}
	if _, err := sc.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("bkt"), Key: aws.String("docs/small"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("tier"), Value: aws.String("cold")}}}}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, src, "dst")
	sameObject(t, sc, dc, "docs/small")
	if st := replicationStatus(t, dc, "bkt", "logs/not-replicated"); st != "" || replicationStatus(t, sc, "bkt", "logs/not-replicated") != "" {
		t.Fatal("a key outside the rule was replicated or marked")
	}
	if st := siteStatus(t, src, "dst"); st.Replicated < 3 || st.Bytes < uint64(len(small)+len(big)) || st.LagSeconds != 0 {
		t.Fatalf("status %+v", st)
	}
	var metrics bytes.Buffer
	src.Metrics().Write(&metrics)
	for _, want := range []string{`cairn_replication_objects_total{site="dst"} 3`, `cairn_replication_seconds_count{site="dst"} 3`,
		`cairn_replication_lag_seconds{site="dst"}`, `cairn_replication_backlog_events{site="dst"}`} {
		if !strings.Contains(metrics.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, metrics.String())
		}
	}
}

// While the destination is down, writes wait PENDING in the log; once it
// is back, every one arrives.
func TestReplicationCatchesUpAfterDestinationOutage(t *testing.T) {
	src, dst := replicatedPair(t)
	sc := src.S3(t)
	putBytes(t, sc, "bkt", "before", []byte("before"))
	waitStatus(t, sc, "bkt", "before", "COMPLETED")
	cfg := dst.Cfg
	cfg.Listen = dst.Addr() // come back at the same address
	dst.Stop(t)
	want := map[string][]byte{}
	for i := 0; i < 40; i++ {
		k := fmt.Sprintf("during/%02d", i)
		want[k] = randBytes(t, 100+i*37)
		putBytes(t, sc, "bkt", k, want[k])
	}
	if st := replicationStatus(t, sc, "bkt", "during/39"); st != "PENDING" {
		t.Fatalf("during the outage: %s", st)
	}
	waitFor(t, "a backlog", 10*time.Second, func() bool {
		st := siteStatus(t, src, "dst")
		return st.PendingEvents+st.UnackedEvents > 0 && st.LagSeconds > 0
	})
	dst = testserver.StartConfig(t, cfg)
	for k, data := range want {
		waitStatus(t, sc, "bkt", k, "COMPLETED")
		if got := getBytes(t, dst.S3(t), "bkt", k); !bytes.Equal(got, data) {
			t.Fatalf("%s: %d bytes on the destination, want %d", k, len(got), len(data))
		}
	}
	waitIdle(t, src, "dst")
}

// Objects made before the configuration are replicated when it asks for
// existing objects, and not otherwise.
func TestReplicationOfExistingObjects(t *testing.T) {
	dst := testserver.Start(t, fastReplication)
	src := testserver.Start(t, replicatingTo("dst", dst))
	sc := src.S3(t)
	for _, b := range []string{"bkt", "plain"} {
		mkBucket(t, sc, b)
		mkVersioned(t, dst.S3(t), b)
		putBytes(t, sc, b, "old", []byte("old "+b)) // the null version
		enableVersioning(t, sc, b)
		putBytes(t, sc, b, "old", []byte("older "+b))
	}
	plain := rule("p", 1, "", "dst", "plain", false)
	putReplication(t, sc, "plain", plain)
	ex := rule("e", 1, "", "dst", "bkt", false)
	ex.ExistingObjectReplication = &types.ExistingObjectReplication{Status: types.ExistingObjectReplicationStatusEnabled}
	putReplication(t, sc, "bkt", ex)
	putBytes(t, sc, "bkt", "new", []byte("new"))
	waitStatus(t, sc, "bkt", "old", "COMPLETED")
	waitStatus(t, sc, "bkt", "new", "COMPLETED")
	sameObject(t, sc, dst.S3(t), "old")
	waitIdle(t, src, "dst")
	if _, err := dst.S3(t).HeadObject(ctx, headInput("plain", "old")); apiCode(err) != "NotFound" {
		t.Fatalf("an existing object was replicated without ExistingObjectReplication: %v", err)
	}
}

// asReplica adds the replica mark (and, if given, a version time) to a
// request, as another site's replication sends it.
func asReplica(hdr ...string) func(*s3.Options) {
	return func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("X-Cairn-Replica", "true"))
		for i := 0; i+1 < len(hdr); i += 2 {
			o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue(hdr[i], hdr[i+1]))
		}
	}
}

// Replica writes are authorized as s3:ReplicateObject / ReplicateDelete,
// which ordinary users lack until a bucket policy grants them; with the
// grant, a replica keeps the time it was sent with and is marked REPLICA.
func TestReplicaWritesNeedReplicationPermission(t *testing.T) {
	ts := testserver.Start(t)
	root := ts.S3(t)
	mkBucket(t, root, "bkt")
	alice := newUser(t, ts, "alice")
	src := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	put := func(opts ...func(*s3.Options)) error {
		_, err := alice.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Body: stringsReader("hi")}, opts...)
		return err
	}
	wantCode(t, put(asReplica(hdrTime(src)...)), "AccessDenied")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/alice"},
	  "Action":"s3:ReplicateObject","Resource":"arn:aws:s3:::bkt/*"}]}`
	if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bkt"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	if err := put(asReplica(hdrTime(src)...)); err != nil {
		t.Fatalf("replica write with s3:ReplicateObject: %v", err)
	}
	head, err := root.HeadObject(ctx, headInput("bkt", "k"))
	if err != nil || head.ReplicationStatus != types.ReplicationStatusReplica || !head.LastModified.Equal(src) {
		t.Fatalf("replica: %+v %v", head, err)
	}
	wantCode(t, put(), "AccessDenied") // s3:ReplicateObject is not s3:PutObject
	_, err = alice.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")}, asReplica())
	wantCode(t, err, "AccessDenied")
	plain := putBytes(t, root, "bkt", "plain", []byte("x"))
	if head, _ := root.HeadObject(ctx, headInput("bkt", "plain")); head.ReplicationStatus != "" || plain == nil {
		t.Fatalf("an ordinary write shows %q", head.ReplicationStatus)
	}
}

func hdrTime(t time.Time) []string {
	return []string{"X-Cairn-Replica-Time", t.Format(time.RFC3339Nano)}
}

// ACLs travel with versions and with later changes, owner included.
func TestReplicationKeepsACLs(t *testing.T) {
	src, dst := replicatedPair(t)
	for _, c := range []*s3.Client{src.S3(t), dst.S3(t)} {
		if _, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("bkt"),
			OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("bkt")}); err != nil {
			t.Fatal(err)
		}
	}
	sc, dc := src.S3(t), dst.S3(t)
	if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("pub"), Body: stringsReader("x"),
		ACL: types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	aclOf := func(c *s3.Client) string {
		out, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("bkt"), Key: aws.String("pub")})
		if err != nil {
			t.Fatal(err)
		}
		s := aws.ToString(out.Owner.ID)
		for _, g := range out.Grants {
			s += fmt.Sprintf(" %s:%s%s", g.Permission, aws.ToString(g.Grantee.ID), aws.ToString(g.Grantee.URI))
		}
		return s
	}
	waitStatus(t, sc, "bkt", "pub", "COMPLETED")
	if a, b := aclOf(sc), aclOf(dc); a != b || !strings.Contains(a, "AllUsers") {
		t.Fatalf("ACL %q on the source, %q on the replica", a, b)
	}
	if _, err := sc.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("bkt"), Key: aws.String("pub"), ACL: types.ObjectCannedACLPrivate}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, src, "dst")
	if a, b := aclOf(sc), aclOf(dc); a != b || strings.Contains(b, "AllUsers") {
		t.Fatalf("after the change: ACL %q on the source, %q on the replica", a, b)
	}
}

// A destination declared generic (any S3) gets ordinary writes: its own
// version ids and no replica mark; tag changes still follow.
func TestReplicationToGenericSite(t *testing.T) {
	dst := testserver.Start(t)
	src := testserver.Start(t, replicatingTo("dst", dst), func(c *server.Config) { c.Replicate.Targets[0].Generic = true })
	sc, dc := src.S3(t), dst.S3(t)
	mkVersioned(t, sc, "bkt")
	mkVersioned(t, dc, "bkt")
	putReplication(t, sc, "bkt", rule("all", 1, "", "dst", "bkt", false))
	putBytes(t, sc, "bkt", "k", []byte("generic"))
	waitStatus(t, sc, "bkt", "k", "COMPLETED")
	if got := getBytes(t, dc, "bkt", "k"); string(got) != "generic" || replicationStatus(t, dc, "bkt", "k") != "" {
		t.Fatalf("generic replica %q, status %q", got, replicationStatus(t, dc, "bkt", "k"))
	}
	if _, err := sc.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("bkt"), Key: aws.String("k"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, src, "dst")
	out, err := dc.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	if err != nil || len(out.TagSet) != 1 || aws.ToString(out.TagSet[0].Value) != "b" {
		t.Fatalf("tags on the generic site: %+v %v", out, err)
	}
}

// The README's aws CLI configuration works as written, and replicates.
func TestReplicationWithAWSCLI(t *testing.T) {
	requireTool(t, "aws", "--version")
	dst := testserver.Start(t, fastReplication)
	src := testserver.Start(t, func(c *server.Config) {
		fastReplication(c)
		c.Replicate.Targets = []replicate.TargetSpec{{ID: "paris", URL: dst.Endpoint, AccessKey: dst.Cfg.Root.AccessKey,
			SecretKey: dst.Cfg.Root.SecretKey}}
	})
	for _, ts := range []*testserver.TS{src, dst} {
		awsCLI(t, ts, nil, "s3api", "create-bucket", "--bucket", "photos")
		awsCLI(t, ts, nil, "s3api", "put-bucket-versioning", "--bucket", "photos", "--versioning-configuration", "Status=Enabled")
	}
	awsCLI(t, src, nil, "s3api", "put-bucket-replication", "--bucket", "photos", "--replication-configuration", `{
  "Role": "arn:aws:iam::000000000000:role/replication",
  "Rules": [{"ID": "to-paris", "Priority": 1, "Status": "Enabled",
    "Filter": {"Prefix": "2026/"},
    "DeleteMarkerReplication": {"Status": "Enabled"},
    "ExistingObjectReplication": {"Status": "Enabled"},
    "Destination": {"Bucket": "arn:cairn:s3::paris:photos"}}]}`)
	got := awsCLI(t, src, nil, "s3api", "get-bucket-replication", "--bucket", "photos")
	if !strings.Contains(got, `"arn:cairn:s3::paris:photos"`) || !strings.Contains(got, `"to-paris"`) {
		t.Fatalf("get-bucket-replication: %s", got)
	}
	putBytes(t, src.S3(t), "photos", "2026/beach.jpg", []byte("sand"))
	waitStatus(t, src.S3(t), "photos", "2026/beach.jpg", "COMPLETED")
	if head := awsCLI(t, dst, nil, "s3api", "head-object", "--bucket", "photos", "--key", "2026/beach.jpg"); !strings.Contains(head, `"ReplicationStatus": "REPLICA"`) {
		t.Fatalf("head-object on the destination: %s", head)
	}
	awsCLI(t, src, nil, "s3api", "delete-bucket-replication", "--bucket", "photos")
}
