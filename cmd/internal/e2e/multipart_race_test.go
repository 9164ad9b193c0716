package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
	"github.com/cairnstore/cairn/log/stream"
)

// onePart creates an upload of key with one part and returns the
// completion request for it.
func onePart(t *testing.T, c *s3.Client, bucket, key string) *s3.CompleteMultipartUploadInput {
	t.Helper()
	id := createUpload(t, c, bucket, key)
	p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
		PartNumber: aws.Int32(1), Body: strings.NewReader("bytes of " + key)})
	if err != nil {
		t.Fatal(err)
	}
	return &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag}}}}
}

// race runs the calls at once and returns their errors.
func race(calls ...func() error) []error {
	errs := make([]error, len(calls))
	var wg sync.WaitGroup
	for i, call := range calls {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = call() }()
	}
	wg.Wait()
	return errs
}

// checkOneWinner: the first `completions` calls complete the upload, the
// rest abort it. Completion and abort exclude each other: exactly one
// side wins (completions of one part list may all win, as a retry does on
// S3), the losers answered NoSuchUpload, and the object exists exactly
// when a completion won.
func checkOneWinner(t *testing.T, read *s3.Client, bucket, key string, errs []error, completions int) {
	t.Helper()
	completed, aborted := false, false
	for i, err := range errs {
		switch {
		case err == nil && i < completions:
			completed = true
		case err == nil:
			aborted = true
		case apiCode(err) != "NoSuchUpload":
			t.Fatalf("%s: call %d: %v", key, i, err)
		}
	}
	got, err := read.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err == nil {
		got.Body.Close()
	}
	if completed == aborted || completed != (err == nil) {
		t.Fatalf("%s: completed %v, aborted %v (%v); GET says %v", key, completed, aborted, errs, err)
	}
}

// Complete and Abort of one upload race over HTTP: one wins, and a 200
// for a completion always means the object is there.
func TestCompleteAbortRace(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "race")
	for i := 0; i < 10; i++ {
		key := fmt.Sprint("k", i)
		in := onePart(t, c, "race", key)
		errs := race(func() error { _, err := c.CompleteMultipartUpload(ctx, in); return err },
			func() error {
				_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: in.Bucket, Key: in.Key, UploadId: in.UploadId})
				return err
			})
		checkOneWinner(t, c, "race", key, errs, 1)
	}
}

// Two gateways on one NATS complete the same upload at once (and one
// aborts while the other completes): the log decides the outcome for both.
func TestTwoGatewaysCompleteOneUpload(t *testing.T) {
	ns, err := stream.StartEmbedded(stream.EmbeddedOptions{Dir: t.TempDir(), SyncAlways: true, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	a := testserver.Start(t, func(c *server.Config) { c.NATSURL = ns.ClientURL() })
	b := testserver.Start(t, func(c *server.Config) { c.NATSURL = ns.ClientURL(); c.Root = a.Cfg.Root })
	ca, cb := a.S3(t), b.S3(t)
	mkBucket(t, ca, "shared-mp")
	for i := 0; i < 5; i++ {
		key := fmt.Sprint("both-complete-", i)
		in := onePart(t, ca, "shared-mp", key) // the bytes live on A, which serves the GET
		errs := race(func() error { _, err := ca.CompleteMultipartUpload(ctx, in); return err },
			func() error { _, err := cb.CompleteMultipartUpload(ctx, in); return err })
		checkOneWinner(t, ca, "shared-mp", key, errs, 2)
		if got := getBytes(t, ca, "shared-mp", key); string(got) != "bytes of "+key {
			t.Fatalf("%s reads %q", key, got)
		}

		key = fmt.Sprint("complete-vs-abort-", i)
		in = onePart(t, ca, "shared-mp", key)
		errs = race(func() error { _, err := ca.CompleteMultipartUpload(ctx, in); return err },
			func() error {
				_, err := cb.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: in.Bucket, Key: in.Key, UploadId: in.UploadId})
				return err
			})
		checkOneWinner(t, ca, "shared-mp", key, errs, 1)
	}
	// Each gateway lists the uploads the other started.
	id := createUpload(t, ca, "shared-mp", "listed")
	page, err := cb.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("shared-mp")})
	if err != nil || len(page.Uploads) != 1 || aws.ToString(page.Uploads[0].UploadId) != id {
		t.Fatalf("B lists %+v (%v), want A's upload %s", page.Uploads, err, id)
	}
}
