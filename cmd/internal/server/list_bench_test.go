package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
)

// BenchmarkListObjectsV2 lists a bucket of 100,000 keys (100 directories
// of 1,000) over HTTP with aws-sdk-go-v2: the first page, a page deep in
// the key space, one directory, and the 100 common prefixes of a
// delimited listing. The keys are appended to the log directly, in atomic
// batches, to keep the setup short.
func BenchmarkListObjectsV2(b *testing.B) {
	ctx := context.Background()
	s, c := benchServer(b)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("big")}); err != nil {
		b.Fatal(err)
	}
	fill(b, s, "big", 100, 1000)
	cases := []struct {
		name string
		in   s3.ListObjectsV2Input
	}{
		{"first-page", s3.ListObjectsV2Input{}},
		{"deep-page", s3.ListObjectsV2Input{StartAfter: aws.String("dir090/file000500")}},
		{"one-directory", s3.ListObjectsV2Input{Prefix: aws.String("dir050/")}},
		{"delimiter", s3.ListObjectsV2Input{Delimiter: aws.String("/")}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			in := tc.in
			in.Bucket = aws.String("big")
			for b.Loop() {
				out, err := c.ListObjectsV2(ctx, &in)
				if err != nil {
					b.Fatal(err)
				}
				if n := len(out.Contents) + len(out.CommonPrefixes); n != 1000 && n != 100 {
					b.Fatalf("page of %d entries", n)
				}
			}
		})
	}
	// The server alone, without the SDK's XML parsing (run last: the
	// fill's background flushes have settled by then).
	b.Run("first-page-raw-http", func(b *testing.B) { rawList(b, s, "/big?list-type=2") })
	b.Run("delimiter-raw-http", func(b *testing.B) { rawList(b, s, "/big?list-type=2&delimiter=%2F") })
}

// rawList measures the server alone: a signed GET whose body is read but
// not parsed.
func rawList(b *testing.B, s *Server, path string) {
	ctx := context.Background()
	creds := aws.Credentials{AccessKeyID: "AKIDBENCH", SecretAccessKey: "bench-secret"}
	const emptySHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	for b.Loop() {
		req, _ := http.NewRequest("GET", s.URL()+path, nil)
		req.Header.Set("X-Amz-Content-Sha256", emptySHA)
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, emptySHA, "s3", "us-east-1", time.Now()); err != nil {
			b.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || n < 1000 {
			b.Fatalf("status %d, %d bytes", resp.StatusCode, n)
		}
	}
}

func benchServer(b *testing.B) (*Server, *s3.Client) {
	b.Helper()
	root := RootCredentials{AccessKey: "AKIDBENCH", SecretKey: "bench-secret"}
	s, err := Start(context.Background(), Config{DataDir: b.TempDir(), Listen: "127.0.0.1:0", Root: root, Durability: DurabilityProcess})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close(context.Background()) })
	c := s3.New(s3.Options{BaseEndpoint: aws.String(s.URL()), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(root.AccessKey, root.SecretKey, ""),
		HTTPClient:  &http.Client{Timeout: time.Minute}})
	return s, c
}

// fill appends dirs x files empty objects to bucket through the log.
func fill(b *testing.B, s *Server, bucket string, dirs, files int) {
	b.Helper()
	f := newFiller(b, s, bucket)
	for d := 0; d < dirs; d++ {
		for i := 0; i < files; i++ {
			f.put(fmt.Sprintf("dir%03d/file%06d", d, i), "", time.Now().UTC())
		}
	}
	f.done()
}

// filler appends empty objects to a bucket through the log, in atomic
// batches of 1,000, to keep benchmark setups short.
type filler struct {
	b      *testing.B
	s      *Server
	bucket string
	id     string
	batch  []stream.Msg
	last   uint64
	n      int
	start  time.Time
}

func newFiller(b *testing.B, s *Server, bucket string) *filler {
	b.Helper()
	bk, _, err := s.cat.Bucket(bucket)
	if err != nil {
		b.Fatal(err)
	}
	return &filler{b: b, s: s, bucket: bucket, id: bk.ID, start: time.Now()}
}

// put appends version vid ("" in an unversioned bucket) of key, made at.
func (f *filler) put(key, vid string, at time.Time) {
	ev := &event.Event{Header: event.Header{ID: event.NewID(), Time: at, Bucket: f.bucket, BucketID: f.id, Key: key, VersionID: vid},
		Payload: &event.ObjectPut{ETag: "d41d8cd98f00b204e9800998ecf8427e"}}
	data, err := event.Encode(ev)
	if err != nil {
		f.b.Fatal(err)
	}
	f.batch = append(f.batch, stream.Msg{Subject: stream.ObjectSubject(f.id, key), Data: data, ID: ev.ID})
	f.n++
	if len(f.batch) == 1000 {
		f.flush()
	}
}

func (f *filler) flush() {
	seqs, err := f.s.log.AppendAtomic(context.Background(), f.batch)
	if err != nil {
		f.b.Fatal(err)
	}
	f.last, f.batch = seqs[len(seqs)-1], f.batch[:0]
}

// done appends what is left and waits until the index has it all.
func (f *filler) done() {
	if len(f.batch) > 0 {
		f.flush()
	}
	if err := f.s.run.WaitFor(context.Background(), f.last); err != nil {
		f.b.Fatal(err)
	}
	f.b.Logf("filled %d objects in %s (%s)", f.n, time.Since(f.start).Round(time.Millisecond), filepath.Base(f.s.cfg.DataDir))
}
