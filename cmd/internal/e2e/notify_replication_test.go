package e2e

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

// A version the destination refuses is notified as S3 does
// (Replication:OperationFailedReplication with replicationEventData),
// once per reason while replication retries; once the destination takes
// it, it is COMPLETED.
func TestFailedReplicationIsNotified(t *testing.T) {
	h := newHook(t, "")
	dst := testserver.Start(t, fastReplication)
	src := testserver.Start(t, replicatingTo("dst", dst), fastNotify, withWebhook("hook", h.srv.URL, ""))
	c := src.S3(t)
	mkVersioned(t, c, "bkt")
	putNotification(t, c, "bkt", &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
		queueConfig("failures", hookARN, "", "s3:Replication:*")}})
	putReplication(t, c, "bkt", rule("to-dst", 1, "", "dst", "bkt", false))
	put := putBytes(t, c, "bkt", "k", []byte("hello")) // dst has no bucket "bkt" yet

	waitFor(t, "the failure's notification", 20*time.Second, func() bool { return len(h.records()) > 0 })
	r := h.records()[0]
	d := r.ReplicationEventData
	if r.EventName != "Replication:OperationFailedReplication" || r.key() != "k" || r.S3.ConfigurationID != "failures" ||
		r.S3.Object.VersionID != aws.ToString(put.VersionId) || r.S3.Object.ETag != "5d41402abc4b2a76b9719d911017c592" ||
		r.S3.Object.Size == nil || *r.S3.Object.Size != 5 {
		t.Fatalf("record: %+v", r)
	}
	if d == nil || d.RuleID != "to-dst" || d.DestinationBucket != "arn:cairn:s3::dst:bkt" || d.FailureReason != "NoSuchBucket" ||
		d.S3Operation != "OBJECT_PUT" || d.RequestTime == "" {
		t.Fatalf("replicationEventData: %+v", d)
	}
	if got := replicationStatus(t, c, "bkt", "k"); got != "FAILED" {
		t.Fatalf("status %q, want FAILED", got)
	}

	mkVersioned(t, dst.S3(t), "bkt")
	waitFor(t, "the version to replicate", 20*time.Second, func() bool { return replicationStatus(t, c, "bkt", "k") == "COMPLETED" })
	for _, r := range distinct(h.records()) {
		if r.EventName != "Replication:OperationFailedReplication" || r.ReplicationEventData.FailureReason != "NoSuchBucket" {
			t.Fatalf("unexpected record %+v", r)
		}
	}
	if n := len(distinct(h.records())); n != 1 {
		t.Fatalf("%d failure notifications for one reason, want 1", n)
	}
}
