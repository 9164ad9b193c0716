package e2e

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

// In a versioned bucket a plain DELETE notifies
// ObjectRemoved:DeleteMarkerCreated and a version's removal
// ObjectRemoved:Delete, each record naming its version.
func TestVersionNotifications(t *testing.T) {
	h := newHook(t, "")
	ts := testserver.Start(t, fastNotify, withWebhook("hook", h.srv.URL, ""))
	c := ts.S3(t)
	mkBucket(t, c, "vnote")
	setVersioning(t, c, "vnote", types.BucketVersioningStatusEnabled)
	putNotification(t, c, "vnote", &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
		queueConfig("all", hookARN, "", "s3:ObjectCreated:*", "s3:ObjectRemoved:*")}})
	v1 := aws.ToString(putBytes(t, c, "vnote", "k", []byte("v1")).VersionId)
	marker := aws.ToString(deleteKey(t, c, "vnote", "k", "").VersionId)
	deleteKey(t, c, "vnote", "k", v1)
	want := "ObjectCreated:Put k\nObjectRemoved:DeleteMarkerCreated k\nObjectRemoved:Delete k\n"
	waitFor(t, "the webhook's records", 20*time.Second, func() bool { return summary(h.records()) == want })
	for i, r := range bySeq(h.records()) {
		if wantID := []string{v1, marker, v1}[i]; r.S3.Object.VersionID != wantID {
			t.Errorf("%s names version %q, want %q", r.EventName, r.S3.Object.VersionID, wantID)
		}
	}
}
