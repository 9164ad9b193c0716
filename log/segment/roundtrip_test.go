package segment

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
	"testing/iotest"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// edgePoints are the interesting offsets of a payload of length n.
func edgePoints(n int64, bs int64) []int64 {
	cand := []int64{0, 1, bs - 1, bs, bs + 1, 2*bs - 1, 2 * bs, 2*bs + 1, n / 2, n - bs - 1, n - bs, n - 1, n}
	var out []int64
	for _, p := range cand {
		if p >= 0 && p <= n && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

func TestRoundTripSizes(t *testing.T) {
	for _, bs := range []int{64, 1024, 64 << 10} {
		t.Run(fmt.Sprintf("bs=%d", bs), func(t *testing.T) {
			opts := memOpts(vfs.NewMem())
			opts.BlockSize, opts.SegmentSize = bs, 1<<20
			s := openStore(t, opts)
			b := int64(bs)
			sizes := []int64{0, 1, b - 1, b, b + 1, 2*b + 3, 3<<20 + 5}
			for i, n := range sizes {
				id := rid(uint64(100*bs + i))
				data := payload(id, n)
				loc := put(t, s, id, data, []int{0, 1000, 7, bs}[i%4])
				if loc.Length != n || loc.ID != id || loc.Disk != opts.Disk {
					t.Fatalf("locator %v for %d bytes", loc, n)
				}
				if err := s.Verify(context.Background(), loc); err != nil {
					t.Fatalf("verify: %v", err)
				}
				mustRead(t, s, loc, 0, -1, data)
				pts := edgePoints(n, b)
				for _, from := range pts {
					mustRead(t, s, loc, from, -1, data[from:])
					ends := pts
					if n > 1<<20 {
						// Every pair would re-read megabytes: take short
						// ranges around each edge instead.
						ends = []int64{from, from + 1, from + b - 1, from + b, from + 3*b + 1}
					}
					for _, to := range ends {
						if to >= from && to <= n {
							mustRead(t, s, loc, from, to-from, data[from:to])
						}
					}
				}
			}
		})
	}
}

// TestReadPaths checks small Read buffers, WriterTo and ReadFrom.
func TestReadPaths(t *testing.T) {
	s := openStore(t, memOpts(vfs.NewMem()))
	id := rid(7)
	data := payload(id, 50_000)
	w, err := s.Create(context.Background(), id, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	n, err := w.ReadFrom(iotest.OneByteReader(bytes.NewReader(data[:3000])))
	if err != nil || n != 3000 {
		t.Fatalf("ReadFrom = %d, %v", n, err)
	}
	if n, err := w.ReadFrom(iotest.HalfReader(bytes.NewReader(data[3000:]))); err != nil || n != int64(len(data)-3000) {
		t.Fatalf("ReadFrom = %d, %v", n, err)
	}
	loc, err := w.Commit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.OpenRange(context.Background(), loc, 1500, 40_000)
	if err != nil {
		t.Fatal(err)
	}
	if err := iotest.TestReader(r, data[1500:41_500]); err != nil {
		t.Fatal(err)
	}
	r.Close()
	r, err = s.OpenRange(context.Background(), loc, 17, -1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil || !bytes.Equal(buf.Bytes(), data[17:]) {
		t.Fatalf("io.Copy: %v", err)
	}
	r.Close()
	if _, err := r.Read(make([]byte, 1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}
}

func TestWriterErrors(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, memOpts(vfs.NewMem()))

	w, _ := s.Create(ctx, rid(1), 10)
	if _, err := w.Write(make([]byte, 11)); !errors.Is(err, ErrOverflow) {
		t.Fatalf("overflow write: %v", err)
	}
	if _, err := w.Commit(ctx); !errors.Is(err, ErrOverflow) {
		t.Fatalf("commit after overflow: %v", err)
	}
	if err := w.Abort(); err != nil {
		t.Fatalf("abort after failed commit: %v", err)
	}

	w, _ = s.Create(ctx, rid(2), 10)
	if _, err := w.ReadFrom(bytes.NewReader(make([]byte, 12))); !errors.Is(err, ErrOverflow) {
		t.Fatalf("overflow ReadFrom: %v", err)
	}
	_ = w.Abort()

	w, _ = s.Create(ctx, rid(3), 10)
	_, _ = w.Write(make([]byte, 9))
	if _, err := w.Commit(ctx); !errors.Is(err, ErrShortWrite) {
		t.Fatalf("short commit: %v", err)
	}
	if _, err := w.Write([]byte{1}); !errors.Is(err, ErrWriterDone) {
		t.Fatalf("write after failed commit: %v", err)
	}

	w, _ = s.Create(ctx, rid(4), 3000)
	_, _ = w.Write(payload(rid(4), 2000))
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatalf("second abort: %v", err)
	}
	if _, err := w.Commit(ctx); !errors.Is(err, ErrWriterDone) {
		t.Fatalf("commit after abort: %v", err)
	}
	loc := w.Locator()
	if _, err := readAll(t, s, loc, 0, -1); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("reading an abandoned record: %v", err)
	}
	good := put(t, s, rid(5), payload(rid(5), 100), 0)
	recs := walkAll(t, s, good.Segment)
	if len(recs) != 5 {
		t.Fatalf("walk found %d records, want 5", len(recs))
	}
	for i, ri := range recs {
		if ri.Abandoned != (i < 4) || ri.Locator.ID != rid(uint64(i+1)) {
			t.Fatalf("record %d: %+v", i, ri)
		}
	}
	if _, err := s.Create(ctx, rid(6), -1); !errors.Is(err, ErrRange) {
		t.Fatalf("negative length: %v", err)
	}
}

func TestOpenRangeErrors(t *testing.T) {
	s := openStore(t, memOpts(vfs.NewMem()))
	data := payload(rid(1), 5000)
	loc := put(t, s, rid(1), data, 0)
	put(t, s, rid(2), payload(rid(2), 10), 0)
	ctx := context.Background()
	check := func(l Locator, off, n int64, target error) {
		t.Helper()
		r, err := s.OpenRange(ctx, l, off, n)
		if err == nil {
			r.Close()
		}
		if !errors.Is(err, target) {
			t.Fatalf("OpenRange(%v, %d, %d) = %v, want %v", l, off, n, err, target)
		}
	}
	check(loc, -1, 1, ErrRange)
	check(loc, 0, 5001, ErrRange)
	check(loc, 5000, 1, ErrRange)
	check(loc, 10, -2, ErrRange)
	bad := loc
	bad.Disk = 9
	check(bad, 0, 1, ErrWrongDisk)
	bad = loc
	bad.Segment = 99
	check(bad, 0, 1, ErrNotFound)
	bad = loc
	bad.ID = rid(3)
	check(bad, 0, 1, ErrCorrupt)
	bad = loc
	bad.Length = 4999
	check(bad, 0, 1, ErrCorrupt)
	bad = loc
	bad.Offset += recordSize(loc.Length, 1024) + 1<<20
	check(bad, 0, 1, ErrCorrupt)
	mustRead(t, s, loc, 5000, 0, []byte{})
	mustRead(t, s, loc, 4999, -1, data[4999:])
}

func TestReopenAndBlockSizeChange(t *testing.T) {
	fs := vfs.NewMem()
	opts := memOpts(fs)
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	var locs []Locator
	for i := range 30 {
		id := rid(uint64(i))
		locs = append(locs, put(t, s, id, payload(id, int64(i*517)), 0))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.Create(context.Background(), rid(99), 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("Create after Close: %v", err)
	}
	opts.BlockSize = 64
	s = openStore(t, opts)
	for i := range 10 {
		id := rid(uint64(100 + i))
		locs = append(locs, put(t, s, id, payload(id, int64(i*300)), 0))
	}
	for _, loc := range locs {
		data := payload(loc.ID, loc.Length)
		mustRead(t, s, loc, 0, -1, data)
		if loc.Length > 100 {
			mustRead(t, s, loc, 70, loc.Length-100, data[70:loc.Length-30])
		}
	}
	segs := s.Segments()
	if len(segs) < 2 {
		t.Fatalf("segments: %+v", segs)
	}
	for _, si := range segs[:len(segs)-1] {
		if !si.Sealed || si.Err != nil {
			t.Fatalf("segment not sealed after Close: %+v", si)
		}
		if si.SealedAt.Before(si.Created) || si.SealedAt.After(time.Now()) {
			t.Fatalf("segment %d: sealed at %v, created %v", si.ID, si.SealedAt, si.Created)
		}
	}
	var n int
	for _, si := range segs {
		n += len(walkAll(t, s, si.ID))
	}
	if n != len(locs) {
		t.Fatalf("walk found %d records, want %d", n, len(locs))
	}
}

func TestRetire(t *testing.T) {
	fs := vfs.NewMem()
	opts := memOpts(fs)
	opts.SegmentSize = 4096
	s := openStore(t, opts)
	a := put(t, s, rid(1), payload(rid(1), 3000), 0)
	b := put(t, s, rid(2), payload(rid(2), 3000), 0) // rolls
	if a.Segment == b.Segment {
		t.Fatal("no roll")
	}
	s.sealWG.Wait()
	if err := s.Retire(b.Segment); err == nil {
		t.Fatal("retired the active segment")
	}
	r, err := s.OpenRange(context.Background(), a, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	path := s.Segments()[0].Path
	if err := s.Retire(a.Segment); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenRange(context.Background(), a, 0, -1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("open after retire: %v", err)
	}
	if _, err := fs.Stat(path); err != nil {
		t.Fatalf("file removed while a reader holds it: %v", err)
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, payload(rid(1), 3000)) {
		t.Fatalf("read of retired segment: %v", err)
	}
	r.Close()
	if _, err := fs.Stat(path); err == nil {
		t.Fatal("retired segment file still there after the last reader closed")
	}
	if err := s.Retire(a.Segment); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second retire: %v", err)
	}
}

func TestOptionsValidation(t *testing.T) {
	for _, o := range []Options{
		{Dir: "/x"},
		{FS: vfs.NewMem()},
		{FS: vfs.NewMem(), Dir: "/x", BlockSize: 8},
		{FS: vfs.NewMem(), Dir: "/x", BlockSize: 1001},
		{FS: vfs.NewMem(), Dir: "/x", SegmentSize: 10},
	} {
		if s, err := Open(o); err == nil {
			s.Close()
			t.Errorf("Open(%+v) succeeded", o)
		}
	}
	fs := vfs.NewMem()
	s := openStore(t, Options{FS: fs, Dir: "/d"})
	if s.blockSize != 64<<10 || s.segSize != 1<<30 {
		t.Fatalf("defaults: %d %d", s.blockSize, s.segSize)
	}
	if _, err := Open(Options{FS: fs, Dir: "/d"}); err == nil {
		t.Fatal("second Open of a locked directory succeeded")
	}
}

// Each lane fills its own active segment; both seal on Close and read
// back after reopening.
func TestLanesHaveTheirOwnSegments(t *testing.T) {
	fs := vfs.NewMem()
	opts := memOpts(fs)
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	fg := put(t, s, rid(1), payload(rid(1), 500), 0)
	w, err := s.CreateIn(context.Background(), LaneBackground, rid(2), 700)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(payload(rid(2), 700)); err != nil {
		t.Fatal(err)
	}
	bg, err := w.Commit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if fg.Segment == bg.Segment {
		t.Fatalf("both lanes wrote to segment %d", fg.Segment)
	}
	if active := s.Segments(); len(active) != 2 || !active[0].Active || !active[1].Active {
		t.Fatalf("segments %+v", active)
	}
	if _, err := s.CreateIn(context.Background(), 7, rid(3), 1); !errors.Is(err, ErrRange) {
		t.Fatalf("unknown lane: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, opts)
	mustRead(t, s, fg, 0, -1, payload(rid(1), 500))
	mustRead(t, s, bg, 0, -1, payload(rid(2), 700))
	for _, si := range s.Segments() {
		if !si.Sealed {
			t.Fatalf("segment %d not sealed by Close", si.ID)
		}
	}
}
