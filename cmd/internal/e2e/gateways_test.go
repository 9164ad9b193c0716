package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
	"github.com/cairnstore/cairn/log/stream"
)

// Two gateways with their own index and segments share one NATS server:
// bucket claims and DeleteBucket's emptiness guard hold across them, and a
// read on one sees writes acknowledged by the other before it began.
func TestTwoGatewaysShareOneLog(t *testing.T) {
	ns, err := stream.StartEmbedded(stream.EmbeddedOptions{Dir: t.TempDir(), SyncAlways: true, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	a := testserver.Start(t, func(c *server.Config) { c.NATSURL = ns.ClientURL() })
	b := testserver.Start(t, func(c *server.Config) { c.NATSURL = ns.ClientURL(); c.Root = a.Cfg.Root })
	ca, cb := a.S3(t), b.S3(t)

	mkBucket(t, ca, "shared")
	if _, err := cb.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("shared")}); err != nil {
		t.Fatalf("bucket created on A is not visible on B: %v", err)
	}
	putBytes(t, ca, "shared", "k", []byte("from A"))
	// B sees the object's metadata at once (its index follows the log)...
	head, err := cb.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("shared"), Key: aws.String("k")})
	if err != nil || aws.ToInt64(head.ContentLength) != 6 {
		t.Fatalf("HEAD on B after PUT on A: %v", err)
	}
	// ...and refuses to delete a bucket A just wrote into.
	_, err = cb.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("shared")})
	wantCode(t, err, "BucketNotEmpty")
	// Object bytes stay with the gateway that wrote them until peer reads
	// exist: B answers a clean 503, never wrong bytes.
	_, err = cb.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("k")})
	wantCode(t, err, "ServiceUnavailable")
	if got := getBytes(t, ca, "shared", "k"); string(got) != "from A" {
		t.Fatalf("A reads %q", got)
	}
	// A delete on B is seen by A; then B may delete the bucket.
	if _, err := cb.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("shared"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	_, err = ca.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("k")})
	wantCode(t, err, "NoSuchKey")
	if _, err := cb.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("shared")}); err != nil {
		t.Fatal(err)
	}
	_, err = ca.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("late")})
	wantCode(t, err, "NoSuchBucket")
}
