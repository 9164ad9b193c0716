package engine

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairnstore/cairn/engine/blob"
	"github.com/cairnstore/cairn/projections/catalog"
	"github.com/cairnstore/cairn/projections/runner"
)

// objects is the model: what each live key must read back.
type objects map[string][]byte

func (n *node) put(t testing.TB, key string, data []byte) {
	t.Helper()
	_, err := n.PutObject(ctx, PutObjectInput{Bucket: "bkt", Key: key, Actor: "AK", Size: int64(len(data)), Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func (n *node) del(t testing.TB, key string) {
	t.Helper()
	if _, err := n.DeleteObject(ctx, DeleteInput{Bucket: "bkt", Key: key, Actor: "AK"}); err != nil {
		t.Fatalf("delete %s: %v", key, err)
	}
}

func (n *node) check(t testing.TB, want objects) {
	t.Helper()
	for k, data := range want {
		if got := n.read(t, k, 0); !bytes.Equal(got, data) {
			t.Fatalf("%s reads back %d bytes, want %d (equal: false)", k, len(got), len(data))
		}
	}
}

// segmentBytes is the size of every segment file on the node's disks.
func (n *node) segmentBytes() int64 {
	var total int64
	for _, d := range n.blobs.Disks() {
		for _, si := range d.Segments {
			total += si.Size
		}
	}
	return total
}

func (n *node) compactor(hook func(string) error) *blob.Compactor {
	return n.blobs.NewCompactor(blob.CompactOptions{Catalog: n.cat, Log: n.log, Runner: n.run, Rate: -1, Hook: hook})
}

func (n *node) verify(t testing.TB) blob.VerifyReport {
	t.Helper()
	rep, err := blob.Verify(ctx, n.blobs, n.cat, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Problems() > 0 {
		t.Fatalf("verify: %+v", rep)
	}
	return rep
}

// churn writes objects of mixed sizes (some shared by copies, one made of
// parts), then overwrites or deletes four keys in five. It returns what
// must remain.
func churn(t testing.TB, n *node, seed uint64, count int) objects {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	want := objects{}
	body := func() []byte {
		b := make([]byte, 1+r.IntN(24<<10))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	for i := range count {
		k := fmt.Sprintf("k%04d", i)
		want[k] = body()
		n.put(t, k, want[k])
	}
	for i := 0; i < count; i += 10 { // copies share the source's record
		src, dst := fmt.Sprintf("k%04d", i), fmt.Sprintf("copy%04d", i)
		if _, err := n.CopyObject(ctx, CopyObjectInput{SrcBucket: "bkt", SrcKey: src, Bucket: "bkt", Key: dst, Actor: "AK"}); err != nil {
			t.Fatal(err)
		}
		want[dst] = want[src]
	}
	id := n.create(t, "multi", "", "")
	p1, p2 := body(), body()
	parts := []CompletePart{{Number: 1, ETag: n.part(t, "multi", id, 1, p1, Checksum{}).ETag},
		{Number: 2, ETag: n.part(t, "multi", id, 2, p2, Checksum{}).ETag}}
	if _, err := n.CompleteMultipartUpload(ctx, CompleteMultipartInput{Bucket: "bkt", Key: "multi", UploadID: id, Actor: "AK",
		Parts: parts, ObjectSize: -1}); err != nil {
		t.Fatal(err)
	}
	want["multi"] = append(append([]byte(nil), p1...), p2...)
	for i := range count {
		k := fmt.Sprintf("k%04d", i)
		switch i % 5 {
		case 1, 2:
			want[k] = body()
			n.put(t, k, want[k])
		case 3, 4:
			n.del(t, k)
			delete(want, k)
		}
	}
	return want
}

// Compaction rewrites the mostly-dead segments of both disks: every live
// object (copies sharing records and multipart parts included) reads back
// the same, the segments shrink to about their live bytes, a further pass
// finds nothing to do, the index stays consistent with the disks, and
// rebuilding it from the log gives the same index.
func TestCompactionReclaimsGarbageAndKeepsEveryObject(t *testing.T) {
	n := newNode(t, nodeConfig{minPart: 1, segmentSize: 128 << 10, disks: 2})
	want := churn(t, n, 1, 300)
	before := n.segmentBytes()
	c := n.compactor(nil)
	res, err := c.Pass(ctx)
	if err != nil || res.Segments == 0 {
		t.Fatalf("pass: %+v %v", res, err)
	}
	n.check(t, want)
	for range 3 { // the output of one pass may seal a segment worth another
		if res, err = c.Pass(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if res.Segments != 0 {
		t.Fatalf("compaction does not settle: last pass %+v", res)
	}
	rep := n.verify(t)
	after := n.segmentBytes()
	t.Logf("segments %d -> %d bytes, live %d bytes in %d records, garbage %d", before, after, rep.LiveBytes, rep.LiveRecords, rep.GarbageBytes)
	if after > before/2 || float64(rep.GarbageBytes) > 0.5*float64(after) {
		t.Fatalf("segments %d -> %d bytes with %d garbage", before, after, rep.GarbageBytes)
	}
	rebuilt, err := catalog.Open(catalog.Options{Dir: filepath.Join(t.TempDir(), "rebuilt")})
	if err != nil {
		t.Fatal(err)
	}
	defer rebuilt.Close()
	if _, err := runner.Rebuild(ctx, n.log, rebuilt, time.Hour, func(runner.Progress) {}); err != nil {
		t.Fatal(err)
	}
	var a, b strings.Builder
	_, _ = n.cat.Dump(&a), rebuilt.Dump(&b)
	if a.String() != b.String() {
		t.Fatal("the index rebuilt from the log differs from the live one")
	}
}

var errCrash = errors.New("simulated crash")

// A crash after the copies, after the relocation event or before the
// delete loses nothing; the next run finishes the job and reclaims what
// the crash left (copies without an event are garbage of their segment; a
// retired segment's file is deleted).
func TestCompactionCrashPoints(t *testing.T) {
	for _, step := range []string{blob.StepCopied, blob.StepRelocated, blob.StepRetired} {
		t.Run(step, func(t *testing.T) {
			n := newNode(t, nodeConfig{minPart: 1, segmentSize: 128 << 10})
			want := churn(t, n, 2, 150)
			crashes := 0
			res, err := n.compactor(func(s string) error {
				if s == step {
					crashes++
					return errCrash
				}
				return nil
			}).Pass(ctx)
			if err != nil || crashes == 0 || res.Segments != 0 {
				t.Fatalf("pass %+v err %v, %d crashes at %s", res, err, crashes, step)
			}
			n.stop()
			n.start()
			n.check(t, want)
			c := n.compactor(nil)
			for range 3 {
				if _, err := c.Pass(ctx); err != nil {
					t.Fatal(err)
				}
			}
			n.check(t, want)
			rep := n.verify(t)
			if float64(rep.GarbageBytes) > 0.5*float64(rep.SegmentBytes) {
				t.Fatalf("after recovery %d of %d segment bytes are garbage", rep.GarbageBytes, rep.SegmentBytes)
			}
			for _, d := range n.blobs.Disks() {
				for _, si := range d.Segments {
					if u, _ := n.cat.SegmentUsage("n1", d.ID, si.ID); u.State == catalog.SegmentRetired {
						t.Fatalf("retired segment %d still on disk", si.ID)
					}
				}
			}
		})
	}
}

// A write that lands while compaction copies a record wins: the
// relocation that follows moves the old record only, the new object reads
// back, and a deleted one stays deleted.
func TestNewerWriteWinsOverRelocation(t *testing.T) {
	n := newNode(t, nodeConfig{minPart: 1, segmentSize: 128 << 10})
	want := churn(t, n, 3, 120)
	var victims []string
	for k := range want {
		if strings.HasPrefix(k, "k") && len(victims) < 6 {
			victims = append(victims, k)
		}
	}
	hook := func(s string) error {
		if s != blob.StepCopied || len(victims) == 0 {
			return nil
		}
		for i, k := range victims {
			if i%2 == 0 {
				want[k] = []byte("rewritten while its old bytes were being moved: " + k)
				n.put(t, k, want[k])
			} else {
				n.del(t, k)
				delete(want, k)
			}
		}
		victims = nil
		return nil
	}
	if res, err := n.compactor(hook).Pass(ctx); err != nil || res.Segments == 0 {
		t.Fatalf("pass %+v err %v", res, err)
	}
	n.check(t, want)
	for _, k := range []string{"k0003", "k0004"} {
		if _, _, err := n.GetObject(ctx, ReadInput{Bucket: "bkt", Key: k}); !errors.Is(err, ErrNoSuchKey) {
			t.Fatalf("deleted %s: %v", k, err)
		}
	}
	n.verify(t)
}

// A GET that started before compaction retires its segment reads to the
// end; the file goes when the reader closes.
func TestReaderFinishesWhileItsSegmentIsRetired(t *testing.T) {
	n := newNode(t, nodeConfig{segmentSize: 128 << 10})
	data := bytes.Repeat([]byte("abcdefghij"), 2<<10)
	n.put(t, "keep", data)
	for i := range 4 {
		n.put(t, fmt.Sprintf("gone%02d", i), make([]byte, 100<<10))
		n.del(t, fmt.Sprintf("gone%02d", i))
	}
	_, c, err := n.GetObject(ctx, ReadInput{Bucket: "bkt", Key: "keep"})
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 10)
	if _, err := io.ReadFull(c, head); err != nil {
		t.Fatal(err)
	}
	first := n.blobs.Disks()[0].Segments[0]
	if res, err := n.compactor(nil).Pass(ctx); err != nil || res.Segments == 0 {
		t.Fatalf("pass %+v err %v", res, err)
	}
	for _, si := range n.blobs.Disks()[0].Segments {
		if si.ID == first.ID {
			t.Fatalf("segment %d still listed after compaction", si.ID)
		}
	}
	if _, err := os.Stat(first.Path); err != nil {
		t.Fatalf("retired segment deleted under a reader: %v", err)
	}
	rest, err := io.ReadAll(c)
	if err != nil || !bytes.Equal(append(head, rest...), data) {
		t.Fatalf("read across the retirement: %v", err)
	}
	c.Close()
	if _, err := os.Stat(first.Path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("retired segment still there after its last reader closed: %v", err)
	}
	n.check(t, objects{"keep": data})
}

// A live record that does not verify is left where it is (its segment is
// kept, the failure logged); the other live records of the segment move,
// and reading the damaged object fails rather than returning wrong bytes.
func TestCompactionLeavesCorruptRecordsInPlace(t *testing.T) {
	n := newNode(t, nodeConfig{segmentSize: 128 << 10})
	want := objects{}
	for i := range 12 {
		k := fmt.Sprintf("k%02d", i)
		want[k] = bytes.Repeat([]byte{byte(i)}, 10<<10)
		n.put(t, k, want[k])
	}
	for i := 2; i < 12; i++ {
		n.del(t, fmt.Sprintf("k%02d", i))
		delete(want, fmt.Sprintf("k%02d", i))
	}
	_, o, err := n.object(ctx, "bkt", "k00")
	if err != nil {
		t.Fatal(err)
	}
	x := o.extents[0]
	var path string
	for _, si := range n.blobs.Disks()[0].Segments {
		if si.ID == x.Segment {
			path = si.Path
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{0xff}, x.Offset+64+100); err != nil {
		t.Fatal(err)
	}
	f.Close()
	res, err := n.compactor(nil).Pass(ctx)
	if err != nil || res.Segments != 0 {
		t.Fatalf("pass %+v err %v: the segment holding a corrupt live record was retired", res, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("segment with a corrupt live record deleted: %v", err)
	}
	if got := n.read(t, "k01", 0); !bytes.Equal(got, want["k01"]) {
		t.Fatal("the healthy neighbour reads back wrong")
	}
	_, c, err := n.GetObject(ctx, ReadInput{Bucket: "bkt", Key: "k00"})
	if err == nil {
		_, err = io.ReadAll(c)
		c.Close()
	}
	if !errors.Is(err, ErrCorruptData) {
		t.Fatalf("reading the damaged object: %v", err)
	}
}

// Compaction moves every version's bytes, current or not: after a pass,
// each version kept reads back by its id (behind delete markers too),
// and versions removed for good are gone and reclaimed.
func TestCompactionKeepsEveryVersion(t *testing.T) {
	n := newNode(t, nodeConfig{segmentSize: 128 << 10})
	if err := n.PutBucketVersioning(ctx, "bkt", "AK", "Enabled"); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 1))
	want := map[[2]string][]byte{} // (key, version id) -> bytes
	var gone [][2]string
	for i := range 60 {
		key := fmt.Sprint("k", i%20)
		data := make([]byte, 4096+r.IntN(8192))
		for j := range data {
			data[j] = byte(r.Uint32())
		}
		res, err := n.PutObject(ctx, PutObjectInput{Bucket: "bkt", Key: key, Actor: "AK", Size: int64(len(data)), Body: bytes.NewReader(data)})
		if err != nil {
			t.Fatal(err)
		}
		want[[2]string{key, res.VersionID}] = data
	}
	for kv := range want { // remove two versions in three for good
		if r.IntN(3) > 0 {
			if _, err := n.DeleteObject(ctx, DeleteInput{Bucket: "bkt", Key: kv[0], VersionID: kv[1], Actor: "AK"}); err != nil {
				t.Fatal(err)
			}
			gone = append(gone, kv)
			delete(want, kv)
		}
	}
	for i := range 5 { // delete markers in front of some keys
		n.del(t, fmt.Sprint("k", i))
	}
	res, err := n.compactor(nil).Pass(ctx)
	if err != nil || res.Segments == 0 {
		t.Fatalf("pass: %+v %v", res, err)
	}
	for kv, data := range want {
		_, c, err := n.GetObject(ctx, ReadInput{Bucket: "bkt", Key: kv[0], VersionID: kv[1]})
		if err != nil {
			t.Fatalf("%s version %s after compaction: %v", kv[0], kv[1], err)
		}
		got, err := io.ReadAll(c)
		c.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s version %s reads back wrong after compaction (%v)", kv[0], kv[1], err)
		}
	}
	for _, kv := range gone {
		if _, _, err := n.GetObject(ctx, ReadInput{Bucket: "bkt", Key: kv[0], VersionID: kv[1]}); !errors.Is(err, ErrNoSuchVersion) {
			t.Fatalf("removed version %s of %s: %v", kv[1], kv[0], err)
		}
	}
	rep := n.verify(t)
	if rep.LiveRecords != len(want) {
		t.Fatalf("verify counts %d live records, want the %d versions kept", rep.LiveRecords, len(want))
	}
}
