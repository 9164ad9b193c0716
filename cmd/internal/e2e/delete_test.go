package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

func countKeys(t *testing.T, c *s3.Client, bucket string) int {
	t.Helper()
	n := 0
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Contents)
	}
	return n
}

func TestDeleteObjects(t *testing.T) {
	ts := testserver.Start(t)
	for _, mode := range []aws.RequestChecksumCalculation{aws.RequestChecksumCalculationWhenSupported, aws.RequestChecksumCalculationWhenRequired} {
		c := ts.S3(t, func(o *s3.Options) { o.RequestChecksumCalculation = mode })
		bucket := fmt.Sprintf("del-%d", mode)
		mkBucket(t, c, bucket)
		var ids []types.ObjectIdentifier
		for i := 0; i < 990; i++ {
			k := fmt.Sprintf("k/%04d", i)
			putBytes(t, c, bucket, k, []byte(k))
			ids = append(ids, types.ObjectIdentifier{Key: aws.String(k)})
		}
		for i := 0; i < 10; i++ { // absent keys are reported as deleted
			ids = append(ids, types.ObjectIdentifier{Key: aws.String(fmt.Sprintf("never/%d", i))})
		}
		out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids}})
		if err != nil {
			t.Fatalf("DeleteObjects of 1000 keys: %v", err)
		}
		if len(out.Deleted) != 1000 || len(out.Errors) != 0 {
			t.Fatalf("%d deleted, %d errors", len(out.Deleted), len(out.Errors))
		}
		if n := countKeys(t, c, bucket); n != 0 {
			t.Fatalf("%d keys left", n)
		}
	}
}

func TestDeleteObjectsQuietConditionsAndErrors(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "delq")
	a := putBytes(t, c, "delq", "a", []byte("a"))
	putBytes(t, c, "delq", "b", []byte("b"))
	putBytes(t, c, "delq", "c", []byte("c"))
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("delq"), Delete: &types.Delete{Quiet: aws.Bool(true),
		Objects: []types.ObjectIdentifier{
			{Key: aws.String("a"), ETag: a.ETag},                // condition holds
			{Key: aws.String("b"), ETag: aws.String(`"stale"`)}, // condition fails
			{Key: aws.String(strings.Repeat("x", 1025))},        // bad key
			{Key: aws.String("c")},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, e := range out.Errors {
		codes[aws.ToString(e.Key)] = aws.ToString(e.Code)
		if aws.ToString(e.Message) == "" {
			t.Errorf("error for %q has no message", aws.ToString(e.Key))
		}
	}
	if len(out.Deleted) != 0 || len(codes) != 2 || codes["b"] != "PreconditionFailed" || codes[strings.Repeat("x", 1025)] != "KeyTooLongError" {
		t.Fatalf("quiet delete: deleted %d, errors %v", len(out.Deleted), codes)
	}
	if n := countKeys(t, c, "delq"); n != 1 {
		t.Fatalf("%d keys left, want only b", n)
	}
	// Refusals of the whole request delete nothing.
	r := newRaw(t, ts)
	body := []byte(`<Delete><Object><Key>b</Key></Object></Delete>`)
	resp, rb := r.do(rawReq{method: "POST", path: "/delq?delete", body: body})
	wantError(t, resp, rb, 400, "InvalidRequest")
	resp, rb = r.do(rawReq{method: "POST", path: "/delq?delete", body: body, header: map[string]string{"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="}})
	wantError(t, resp, rb, 400, "BadDigest")
	resp, rb = r.do(rawReq{method: "POST", path: "/delq?delete", body: []byte("<Delete><Object>"), header: map[string]string{"x-amz-checksum-crc32": crc32of([]byte("<Delete><Object>"))}})
	wantError(t, resp, rb, 400, "MalformedXML")
	resp, rb = r.do(rawReq{method: "POST", path: "/nobucket?delete", body: body, header: map[string]string{"x-amz-checksum-crc32": crc32of(body)}})
	wantError(t, resp, rb, 404, "NoSuchBucket")
	if n := countKeys(t, c, "delq"); n != 1 {
		t.Fatalf("refused requests deleted keys: %d left", n)
	}
}
