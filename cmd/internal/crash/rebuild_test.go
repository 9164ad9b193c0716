package crash

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cairnstore/cairn/projections/catalog"
)

func dumpIndex(t *testing.T, dataDir string) string {
	t.Helper()
	c, err := catalog.Open(catalog.Options{Dir: filepath.Join(dataDir, "index")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var b bytes.Buffer
	if err := c.Dump(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestRebuildMatchesLiveIndex: `cairn rebuild` recreates, from the event
// log alone, exactly the index the live server built.
func TestRebuildMatchesLiveIndex(t *testing.T) {
	dir := t.TempDir()
	p := startProc(t, dir)
	c := p.client()
	for _, b := range []string{"keep", "gone"} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	put := func(bucket, key, body string) {
		t.Helper()
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
			Body: strings.NewReader(body), Metadata: map[string]string{"k": key}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 200; i++ {
		put("keep", fmt.Sprintf("dir%d/obj-%03d", i%5, i), strings.Repeat("x", i*37))
	}
	for i := 0; i < 200; i += 3 {
		put("keep", fmt.Sprintf("dir%d/obj-%03d", i%5, i), "overwritten") // overwrite
	}
	for i := 1; i < 200; i += 7 {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("keep"), Key: aws.String(fmt.Sprintf("dir%d/obj-%03d", i%5, i))}); err != nil {
			t.Fatal(err)
		}
	}
	put("gone", "x", "y")
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("gone"), Key: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("gone")}); err != nil {
		t.Fatal(err)
	}
	p.stop(t)
	live := dumpIndex(t, dir)

	out, err := exec.Command(binary, "rebuild", "--data", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("cairn rebuild: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "rebuilt the index from the log:") || !strings.Contains(string(out), "applied ") {
		t.Fatalf("rebuild printed no progress or summary:\n%s", out)
	}
	t.Logf("cairn rebuild said:\n%s", out)
	rebuilt := dumpIndex(t, dir)
	if n := strings.Count(live, "\n"); n < 171 { // 171 objects survive, plus buckets and metadata
		t.Fatalf("live index has only %d entries", n)
	}
	if rebuilt != live {
		t.Fatalf("rebuilt index differs from the live one:\nlive:\n%s\nrebuilt:\n%s", live, rebuilt)
	}

	p = startProc(t, dir)
	defer p.stop(t)
	got, err := p.client().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("keep"), Key: aws.String("dir3/obj-003")})
	if err != nil {
		t.Fatalf("read after rebuild: %v", err)
	}
	got.Body.Close()
	if _, err := p.client().HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("gone")}); err == nil {
		t.Fatal("deleted bucket is back after rebuild")
	}
}
