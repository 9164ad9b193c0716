package server

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// BenchmarkListObjectVersions lists a versioned bucket of 10,000 keys
// (100 directories of 100) with 10 versions each, over HTTP with
// aws-sdk-go-v2: the first page, a page starting in the middle of a key's
// versions deep in the key space, one key's versions, the 100 common
// prefixes of a delimited listing, and all 100,000 versions page by page.
// The versions are appended to the log directly, in atomic batches.
func BenchmarkListObjectVersions(b *testing.B) {
	ctx := context.Background()
	s, c := benchServer(b)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("hist")}); err != nil {
		b.Fatal(err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("hist"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		b.Fatal(err)
	}
	mid := fillVersions(b, s, "hist", 100, 100, 10)
	cases := []struct {
		name string
		in   s3.ListObjectVersionsInput
		want int
	}{
		{"first-page", s3.ListObjectVersionsInput{}, 1000},
		{"deep-page", s3.ListObjectVersionsInput{KeyMarker: aws.String("dir090/file00050"), VersionIdMarker: aws.String(mid)}, 1000},
		{"one-key", s3.ListObjectVersionsInput{Prefix: aws.String("dir050/file00050")}, 10},
		{"delimiter", s3.ListObjectVersionsInput{Delimiter: aws.String("/")}, 100},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			in := tc.in
			in.Bucket = aws.String("hist")
			for b.Loop() {
				out, err := c.ListObjectVersions(ctx, &in)
				if err != nil {
					b.Fatal(err)
				}
				if n := len(out.Versions) + len(out.DeleteMarkers) + len(out.CommonPrefixes); n != tc.want {
					b.Fatalf("page of %d entries, want %d", n, tc.want)
				}
			}
		})
	}
	b.Run("all-100000", func(b *testing.B) {
		for b.Loop() {
			if n := listEveryVersion(b, c, "hist"); n != 100000 {
				b.Fatalf("listed %d versions", n)
			}
		}
	})
	b.Run("first-page-raw-http", func(b *testing.B) { rawList(b, s, "/hist?versions") })
}

func listEveryVersion(b *testing.B, c *s3.Client, bucket string) int {
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)}
	n := 0
	for {
		out, err := c.ListObjectVersions(context.Background(), in)
		if err != nil {
			b.Fatal(err)
		}
		n += len(out.Versions)
		if !aws.ToBool(out.IsTruncated) {
			return n
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
}

// fillVersions appends dirs x files keys of n (empty) versions each to a
// versioned bucket through the log, and returns the id of the middle
// version of every key's history.
func fillVersions(b *testing.B, s *Server, bucket string, dirs, files, n int) string {
	b.Helper()
	f := newFiller(b, s, bucket)
	t0, mid := time.Now().UTC(), ""
	for v := 0; v < n; v++ {
		at := t0.Add(time.Duration(v) * time.Second)
		vid := benchVersionID(at, uint64(v))
		if v == n/2 {
			mid = vid
		}
		for d := 0; d < dirs; d++ {
			for i := 0; i < files; i++ {
				f.put(fmt.Sprintf("dir%03d/file%05d", d, i), vid, at)
			}
		}
	}
	f.done()
	return mid
}

// benchVersionID is a version id made at t, as the engine makes them.
func benchVersionID(t time.Time, rnd uint64) string {
	var id [16]byte
	binary.BigEndian.PutUint64(id[:8], uint64(t.UnixNano()))
	binary.BigEndian.PutUint64(id[8:], rnd)
	return hex.EncodeToString(id[:])
}
