package engine

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/cairnstore/cairn/engine/blob"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/log/stream/streamtest"
	"github.com/cairnstore/cairn/projections/catalog"
	"github.com/cairnstore/cairn/projections/runner"
)

// ctx acts as root, as the HTTP layer's context does after authentication.
var ctx = WithPrincipal(context.Background(), Principal{User: RootUser, AccessKey: "AK", CanonicalID: RootCanonicalID})

// testEngine is an engine on an embedded log, a Pebble index and a segment
// store, all in temporary directories.
type testEngine struct {
	*Engine
	log *stream.Log
	cat *catalog.Catalog
}

func newTestEngine(t testing.TB, minPart int64) *testEngine {
	t.Helper()
	return newTestEngineWith(t, minPart, false)
}

// newTestEngineWith makes a durable engine (fdatasync'd segments, fsync'd
// events, as in production) when durable is set.
func newTestEngineWith(t testing.TB, minPart int64, durable bool) *testEngine {
	t.Helper()
	dir := t.TempDir()
	l := streamtest.Open(t, stream.Options{Batch: true, Embedded: stream.EmbeddedOptions{SyncAlways: durable}})
	cat, err := catalog.Open(catalog.Options{Dir: filepath.Join(dir, "index")})
	if err != nil {
		t.Fatal(err)
	}
	segs, err := blob.Open(blob.Options{Node: "n1", DataDir: dir, Legacy: blob.DiskSpec{Dir: filepath.Join(dir, "segs")}, NoSync: !durable})
	if err != nil {
		t.Fatal(err)
	}
	run, err := runner.Start(ctx, runner.Options{Log: l, Target: cat})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		run.Stop()
		_ = cat.Close()
		_ = segs.Close()
	})
	e, err := New(Options{Log: l, Catalog: cat, Runner: run, Blobs: segs, Node: "n1", Region: "us-east-1",
		MinPartSize: minPart, MasterKey: make([]byte, 32), Root: RootCredentials{AccessKey: "AK", SecretKey: "SK"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.CreateBucket(ctx, CreateBucketInput{Name: "bkt"}); err != nil {
		t.Fatal(err)
	}
	return &testEngine{Engine: e, log: l, cat: cat}
}

func (te *testEngine) create(t testing.TB, key string, alg, typ string) string {
	t.Helper()
	up, err := te.CreateMultipartUpload(ctx, CreateMultipartInput{Bucket: "bkt", Key: key, Actor: "AK",
		ChecksumAlgorithm: algOf(alg), ChecksumType: typ})
	if err != nil {
		t.Fatalf("create %s: %v", key, err)
	}
	return up.UploadID
}

func (te *testEngine) part(t testing.TB, key, id string, n int, data []byte, ck Checksum) PartResult {
	t.Helper()
	res, err := te.UploadPart(ctx, UploadPartInput{Bucket: "bkt", Key: key, UploadID: id, Actor: "AK", PartNumber: n,
		Size: int64(len(data)), Body: bytes.NewReader(data), Checksum: ck})
	if err != nil {
		t.Fatalf("part %d of %s: %v", n, key, err)
	}
	return res
}

func (te *testEngine) read(t testing.TB, key string, partNumber int) []byte {
	t.Helper()
	_, c, err := te.GetObject(ctx, ReadInput{Bucket: "bkt", Key: key, PartNumber: partNumber})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer c.Close()
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
