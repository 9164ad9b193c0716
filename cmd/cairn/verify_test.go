package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

// cairn verify exits 0 on a healthy store and 1 once a stored byte is
// damaged, naming the damaged record.
func TestVerifyCommand(t *testing.T) {
	disk := filepath.Join(t.TempDir(), "disk1")
	ts := testserver.Start(t, func(c *server.Config) { c.Disks = []string{disk} })
	c := ts.S3(t)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	for _, k := range []string{"a", "b", "c"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String(k), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String("c")}); err != nil {
		t.Fatal(err)
	}
	data := ts.Cfg.DataDir
	ts.Stop(t)
	args := []string{"verify", "--data", data, "--disk", disk, "--log-level", "error"}
	var out, errOut bytes.Buffer
	if code := run(args, &out, &errOut); code != 0 || !strings.Contains(out.String(), "OK:") ||
		!strings.Contains(out.String(), "live: 2 records") || !strings.Contains(out.String(), "garbage: 1 unreferenced records") {
		t.Fatalf("healthy store: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	segs, _ := filepath.Glob(filepath.Join(disk, "*.seg"))
	if len(segs) != 1 {
		t.Fatalf("segments %v", segs)
	}
	f, err := os.OpenFile(segs[0], os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{'X'}, 200); err != nil { // in the first record's first block
		t.Fatal(err)
	}
	f.Close()
	out.Reset()
	if code := run(args, &out, &errOut); code != 1 || !strings.Contains(out.String(), "corrupt data: disk 1 segment 1") ||
		!strings.Contains(out.String(), "FAILED: 1 problems") {
		t.Fatalf("damaged store: exit %d\n%s%s", code, out.String(), errOut.String())
	}
}

// Forgetting a --disk is a problem verify names.
func TestVerifyNamesAMissingDisk(t *testing.T) {
	disk := filepath.Join(t.TempDir(), "disk1")
	ts := testserver.Start(t, func(c *server.Config) { c.Disks = []string{disk} })
	data := ts.Cfg.DataDir
	ts.Stop(t)
	var out, errOut bytes.Buffer
	code := run([]string{"verify", "--data", data, "--log-level", "error"}, &out, &errOut)
	if code != 1 || !strings.Contains(out.String(), "offline disk: disk 1 is missing") {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
}
