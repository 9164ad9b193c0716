package e2e

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
	"github.com/cairnstore/cairn/notify/relay"
	"github.com/cairnstore/cairn/notify/replicate"
)

// fastReplication makes retries quick enough for tests.
func fastReplication(c *server.Config) {
	c.ReplicateTuning = relay.Tuning{Workers: 4, RetryMin: 20 * time.Millisecond, RetryMax: 300 * time.Millisecond,
		PinnedTTL: 2 * time.Second}
	c.MinPartSize = 1 << 10
}

// replicatingTo declares dst as replication site id, with its root keys.
func replicatingTo(id string, dst *testserver.TS) func(*server.Config) {
	return func(c *server.Config) {
		fastReplication(c)
		c.Replicate.Targets = append(c.Replicate.Targets, replicate.TargetSpec{ID: id, URL: dst.Endpoint,
			AccessKey: dst.Cfg.Root.AccessKey, SecretKey: dst.Cfg.Root.SecretKey})
	}
}

// rule is a current-schema rule replicating keys under prefix to bucket
// on site.
func rule(id string, prio int32, prefix, site, bucket string, markers bool) types.ReplicationRule {
	dm := types.DeleteMarkerReplicationStatusDisabled
	if markers {
		dm = types.DeleteMarkerReplicationStatusEnabled
	}
	return types.ReplicationRule{ID: aws.String(id), Priority: aws.Int32(prio), Status: types.ReplicationRuleStatusEnabled,
		Filter:                  &types.ReplicationRuleFilter{Prefix: aws.String(prefix)},
		DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: dm},
		Destination:             &types.Destination{Bucket: aws.String("arn:cairn:s3::" + site + ":" + bucket)}}
}

// mkVersioned creates a bucket with versioning Enabled.
func mkVersioned(t testing.TB, c *s3.Client, name string) {
	t.Helper()
	mkBucket(t, c, name)
	enableVersioning(t, c, name)
}

func enableVersioning(t testing.TB, c *s3.Client, name string) {
	t.Helper()
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatalf("enable versioning on %s: %v", name, err)
	}
}

func putReplication(t testing.TB, c *s3.Client, bucket string, rules ...types.ReplicationRule) {
	t.Helper()
	if _, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: aws.String(bucket),
		ReplicationConfiguration: &types.ReplicationConfiguration{Role: aws.String("arn:aws:iam::000000000000:role/replication"),
			Rules: rules}}); err != nil {
		t.Fatalf("put replication: %v", err)
	}
}

// replicationStatus is the x-amz-replication-status of key ("" when it
// does not exist).
func replicationStatus(t testing.TB, c *s3.Client, bucket, key string) string {
	t.Helper()
	out, err := c.HeadObject(ctx, headInput(bucket, key))
	if err != nil {
		if apiCode(err) == "NotFound" || apiCode(err) == "NoSuchKey" {
			return ""
		}
		t.Fatalf("head %s: %v", key, err)
	}
	return string(out.ReplicationStatus)
}

// waitStatus waits until key shows status.
func waitStatus(t testing.TB, c *s3.Client, bucket, key, status string) {
	t.Helper()
	waitFor(t, key+" "+status, 30*time.Second, func() bool { return replicationStatus(t, c, bucket, key) == status })
}

// siteStatus is the admin API's view of one replication site.
func siteStatus(t *testing.T, ts *testserver.TS, site string) replicate.SiteStatus {
	t.Helper()
	var st replicate.Status
	adminCLI(t, ts, &st, "replication", "status")
	for _, s := range st.Sites {
		if s.Site == site {
			return s
		}
	}
	t.Fatalf("no site %s in %+v", site, st)
	return replicate.SiteStatus{}
}
