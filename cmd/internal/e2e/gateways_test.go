package e2e

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
	"github.com/cairnstore/cairn/projections/catalog"
)

// Two gateways with their own index and segments share one NATS server:
// bucket claims and DeleteBucket's emptiness guard hold across them, and a
// read on one sees writes acknowledged by the other before it began.
func TestTwoGatewaysShareOneLog(t *testing.T) {
	a, b := twoGateways(t)
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
	// ...and reads the bytes from A, which holds them.
	if got := getBytes(t, cb, "shared", "k"); string(got) != "from A" {
		t.Fatalf("B reads %q", got)
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

// Two gateways on one log each compact only their own disks: every live
// object still reads back on both gateways (the other one reading from
// the owner where compaction moved it), and both indexes, having applied
// each other's relocations, end up identical.
func TestTwoGatewaysCompactTheirOwnDisks(t *testing.T) {
	a, b := twoGateways(t, func(c *server.Config) {
		c.SegmentSize, c.Durability = 128<<10, server.DurabilityProcess
		c.Compaction = server.CompactionConfig{Rate: -1, Interval: time.Hour}
	})
	mkBucket(t, a.S3(t), "shared")
	want := map[*testserver.TS]map[string][]byte{a: {}, b: {}}
	for gw, prefix := range map[*testserver.TS]string{a: "a/", b: "b/"} {
		for i := range 60 {
			k := fmt.Sprint(prefix, i)
			want[gw][k] = randBytes(t, 10000)
			putBytes(t, gw.S3(t), "shared", k, want[gw][k])
		}
	}
	for gw, objs := range want { // deletes go through the other gateway
		other := map[*testserver.TS]*testserver.TS{a: b, b: a}[gw]
		for k := range objs {
			if len(objs) > 12 {
				if _, err := other.S3(t).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("shared"), Key: aws.String(k)}); err != nil {
					t.Fatal(err)
				}
				delete(objs, k)
			}
		}
	}
	for _, gw := range []*testserver.TS{a, b} {
		if res, err := gw.Compactor().Pass(ctx); err != nil || res.Segments == 0 {
			t.Fatalf("pass: %+v %v", res, err)
		}
	}
	for _, objs := range want {
		for k, data := range objs {
			for _, gw := range []*testserver.TS{a, b} {
				if !bytes.Equal(getBytes(t, gw.S3(t), "shared", k), data) {
					t.Fatalf("%s reads back wrong after compaction", k)
				}
			}
		}
	}
	for _, gw := range []*testserver.TS{a, b} { // a read waits until the index has the whole log
		if _, err := gw.S3(t).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("shared")}); err != nil {
			t.Fatal(err)
		}
	}
	dirs := []string{a.Cfg.DataDir, b.Cfg.DataDir}
	a.Stop(t)
	b.Stop(t)
	var dumps []string
	for _, d := range dirs {
		c, err := catalog.Open(catalog.Options{Dir: filepath.Join(d, "index")})
		if err != nil {
			t.Fatal(err)
		}
		var s strings.Builder
		err = c.Dump(&s)
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		dumps = append(dumps, s.String())
	}
	if dumps[0] != dumps[1] {
		t.Fatal("the two gateways' indexes differ after compaction")
	}
}
