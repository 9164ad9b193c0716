package engine

import (
	"bytes"
	"context"
	"fmt"
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
func newTestEngineWith(t testing.TB, minPart int64, durable bool, edit ...func(*Options)) *testEngine {
	t.Helper()
	n := newNode(t, nodeConfig{minPart: minPart, durable: durable, edit: edit})
	return n.testEngine
}

// nodeConfig shapes a test node.
type nodeConfig struct {
	minPart     int64
	durable     bool
	segmentSize int64 // 0: 1 GiB
	disks       int   // --disk directories; 0: <dir>/segs only
	edit        []func(*Options)
}

// node is a gateway's parts over directories that outlive it: stop and
// start it again to model a crash and restart (the log, like an external
// NATS cluster, stays up).
type node struct {
	t   testing.TB
	cfg nodeConfig
	dir string
	*testEngine
	blobs *blob.Set
	run   *runner.Runner
}

func newNode(t testing.TB, cfg nodeConfig) *node {
	t.Helper()
	n := &node{t: t, cfg: cfg, dir: t.TempDir(), testEngine: &testEngine{}}
	n.log = streamtest.Open(t, stream.Options{Batch: true, Embedded: stream.EmbeddedOptions{SyncAlways: cfg.durable}})
	n.start()
	t.Cleanup(n.stop)
	if err := n.CreateBucket(ctx, CreateBucketInput{Name: "bkt"}); err != nil {
		t.Fatal(err)
	}
	return n
}

// start opens the index, the disks and the engine on the node's directories.
func (n *node) start() {
	t := n.t
	t.Helper()
	cat, err := catalog.Open(catalog.Options{Dir: filepath.Join(n.dir, "index")})
	if err != nil {
		t.Fatal(err)
	}
	bo := blob.Options{Node: "n1", DataDir: n.dir, Legacy: blob.DiskSpec{Dir: filepath.Join(n.dir, "segs")},
		NoSync: !n.cfg.durable, SegmentSize: n.cfg.segmentSize, Reserve: -1}
	for i := range n.cfg.disks {
		bo.Disks = append(bo.Disks, blob.DiskSpec{Dir: filepath.Join(n.dir, fmt.Sprintf("disk%d", i))})
	}
	if n.blobs, err = blob.Open(bo); err != nil {
		t.Fatal(err)
	}
	if n.run, err = runner.Start(ctx, runner.Options{Log: n.log, Target: cat}); err != nil {
		t.Fatal(err)
	}
	o := Options{Log: n.log, Catalog: cat, Runner: n.run, Blobs: n.blobs, Node: "n1", Region: "us-east-1",
		MinPartSize: n.cfg.minPart, MasterKey: make([]byte, 32), Root: RootCredentials{AccessKey: "AK", SecretKey: "SK"}}
	for _, f := range n.cfg.edit {
		f(&o)
	}
	e, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	n.Engine, n.cat = e, cat
	st, err := n.log.State(ctx)
	if err == nil {
		err = n.run.WaitFor(ctx, st.LastSeq)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// stop closes what start opened (idempotent).
func (n *node) stop() {
	if n.run == nil {
		return
	}
	n.run.Stop()
	_ = n.cat.Close()
	_ = n.blobs.Close()
	n.run = nil
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
