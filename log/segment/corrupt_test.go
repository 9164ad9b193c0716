package segment

import (
	"context"
	"errors"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// image is a sealed segment made by a real Store, used as a starting point
// for corruption.
type image struct {
	name  string
	bytes []byte
	locs  []Locator
}

const imageBlock = 64

func buildImage(t testing.TB, sizes []int64) image {
	t.Helper()
	fs := vfs.NewMem()
	opts := memOpts(fs)
	opts.BlockSize = imageBlock
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	var img image
	for i, n := range sizes {
		id := rid(uint64(i + 1))
		img.locs = append(img.locs, put(t, s, id, payload(id, n), 0))
	}
	w, err := s.Create(context.Background(), rid(1<<30), 100)
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Abort()
	seg := s.Segments()[0]
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	img.name = segName(seg.ID, true)
	img.bytes = fileBytes(t, fs, fs.PathJoin(opts.Dir, img.name))
	return img
}

// openImage opens a store whose only segment is b, under the given name.
func openImage(t testing.TB, name string, b []byte) (*Store, error) {
	t.Helper()
	fs := vfs.NewMem()
	opts := memOpts(fs)
	opts.BlockSize = imageBlock
	writeFile(t, fs, fs.PathJoin(opts.Dir, name), b)
	s, err := Open(opts)
	if err == nil {
		t.Cleanup(func() { _ = s.Close() })
	}
	return s, err
}

func TestCorruption(t *testing.T) {
	img := buildImage(t, []int64{1000, 0, 300, 5})
	a, b := img.locs[0], img.locs[2] // a has 16 blocks of 64 bytes
	blk := func(loc Locator, i int64) int64 { return loc.Offset + blockOffset(i, imageBlock) }
	cases := []struct {
		name   string
		at     int64
		bad    Locator
		good   [2]int64 // a range of bad that must still read fine
		badRng [2]int64 // a range of bad that must fail
	}{
		{"payload", blk(a, 3) + 10, a, [2]int64{0, 3 * imageBlock}, [2]int64{3*imageBlock + 63, 1}},
		{"checksum", blk(a, 5) + imageBlock + 2, a, [2]int64{6 * imageBlock, 400}, [2]int64{5 * imageBlock, 1}},
		{"last short block", blk(a, 15) + 1, a, [2]int64{0, 960}, [2]int64{999, 1}},
		{"header id", b.Offset + 20, b, [2]int64{-1, 0}, [2]int64{0, 1}},
		{"header length", b.Offset + 33, b, [2]int64{-1, 0}, [2]int64{299, 1}},
		{"header mark", b.Offset + markOffset, b, [2]int64{-1, 0}, [2]int64{0, 300}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := append([]byte(nil), img.bytes...)
			bad[c.at] ^= 0x10
			s, err := openImage(t, img.name, bad)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			wantCorrupt(t, s.Verify(ctx, c.bad), "Verify")
			_, err = readAll(t, s, c.bad, 0, -1)
			wantCorrupt(t, err, "full read")
			_, err = readAll(t, s, c.bad, c.badRng[0], c.badRng[1])
			wantCorrupt(t, err, "read of the bad range")
			data := payload(c.bad.ID, c.bad.Length)
			if c.good[0] >= 0 {
				mustRead(t, s, c.bad, c.good[0], c.good[1], data[c.good[0]:c.good[0]+c.good[1]])
			}
			for _, loc := range img.locs {
				if loc != c.bad {
					mustRead(t, s, loc, 0, -1, payload(loc.ID, loc.Length))
				}
			}
			walkErr := s.Walk(ctx, c.bad.Segment, func(RecordInfo) error { return nil })
			if c.bad == b {
				wantCorrupt(t, walkErr, "Walk over a bad header")
			} else if walkErr != nil {
				t.Fatalf("Walk: %v", walkErr)
			}
		})
	}
}

// TestCorruptSegmentMetadata damages the seal or the file header of a
// sealed segment: Open marks it corrupt instead of trusting or skipping it,
// and record reads still verify record by record.
func TestCorruptSegmentMetadata(t *testing.T) {
	img := buildImage(t, []int64{1000, 0, 300, 5})
	n := int64(len(img.bytes))
	for _, c := range []struct {
		name string
		mut  func([]byte) []byte
		last bool // the last record is damaged too
	}{
		{"seal flipped", func(b []byte) []byte { b[n-30] ^= 1; return b }, false},
		{"seal cut", func(b []byte) []byte { return b[:n-10] }, false},
		{"file header", func(b []byte) []byte { b[20] ^= 4; return b }, false},
		{"cut into last record", func(b []byte) []byte { return b[:img.locs[3].Offset+70] }, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := c.mut(append([]byte(nil), img.bytes...))
			s, err := openImage(t, img.name, bad)
			if err != nil {
				t.Fatal(err)
			}
			segs := s.Segments()
			if len(segs) != 1 || !errors.Is(segs[0].Err, ErrCorrupt) {
				t.Fatalf("segments: %+v", segs)
			}
			for i, loc := range img.locs {
				got, err := readAll(t, s, loc, 0, -1)
				if c.last && i == len(img.locs)-1 {
					wantCorrupt(t, err, "read of the cut record")
					continue
				}
				if err != nil || string(got) != string(payload(loc.ID, loc.Length)) {
					t.Fatalf("read %v: %v", loc, err)
				}
			}
			wantCorrupt(t, s.Walk(context.Background(), segs[0].ID, func(RecordInfo) error { return nil }), "Walk")
			if err := s.Retire(segs[0].ID); err != nil {
				t.Fatalf("a corrupt segment must be retirable: %v", err)
			}
		})
	}
}

// TestRecoverOpenImages recovers unsealed images with various tails.
func TestRecoverOpenImages(t *testing.T) {
	img := buildImage(t, []int64{1000, 0, 300, 5})
	sealAt := int64(len(img.bytes)) - headerSize
	openName := segName(1, false)
	third := img.locs[2]
	for _, c := range []struct {
		name  string
		b     []byte
		keep  int // records that must survive
		walks int // records (including abandoned) in the chain
	}{
		{"sealed but not renamed", img.bytes, 4, 5},
		{"no seal", img.bytes[:sealAt], 4, 5},
		{"torn header", append(append([]byte(nil), img.bytes[:third.Offset]...), img.bytes[third.Offset:third.Offset+30]...), 2, 2},
		{"zeroed header", append(append([]byte(nil), img.bytes[:third.Offset]...), make([]byte, 500)...), 2, 2},
		{"record past EOF", img.bytes[:third.Offset+200], 2, 2},
		{"only file header", img.bytes[:DataStart], 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := openImage(t, openName, c.b)
			if err != nil {
				t.Fatal(err)
			}
			segs := s.Segments()
			if len(segs) != 1 || !segs[0].Sealed || segs[0].Err != nil {
				t.Fatalf("segments after recovery: %+v", segs)
			}
			for _, loc := range img.locs[:c.keep] {
				mustRead(t, s, loc, 0, -1, payload(loc.ID, loc.Length))
			}
			if got := walkAll(t, s, 1); len(got) != c.walks {
				t.Fatalf("walk found %d records, want %d", len(got), c.walks)
			}
			if segs[0].Records != int64(c.walks) {
				t.Fatalf("seal counts %d records, want %d", segs[0].Records, c.walks)
			}
			loc := put(t, s, rid(77), payload(rid(77), 99), 0)
			if loc.Segment != 2 {
				t.Fatalf("new record in segment %d, want a new segment 2", loc.Segment)
			}
		})
	}
	t.Run("torn creation", func(t *testing.T) {
		s, err := openImage(t, openName, img.bytes[:40])
		if err != nil {
			t.Fatal(err)
		}
		if segs := s.Segments(); len(segs) != 0 {
			t.Fatalf("segments: %+v", segs)
		}
		if loc := put(t, s, rid(77), payload(rid(77), 99), 0); loc.Segment != 2 {
			t.Fatalf("segment number reused: %v", loc)
		}
	})
	t.Run("bad file header", func(t *testing.T) {
		bad := append([]byte(nil), img.bytes[:sealAt]...)
		bad[3] ^= 1
		s, err := openImage(t, openName, bad)
		if err != nil {
			t.Fatal(err)
		}
		segs := s.Segments()
		if len(segs) != 1 || segs[0].Sealed || !errors.Is(segs[0].Err, ErrCorrupt) {
			t.Fatalf("segments: %+v", segs)
		}
		mustRead(t, s, img.locs[0], 0, -1, payload(img.locs[0].ID, 1000))
	})
	t.Run("open and sealed names", func(t *testing.T) {
		fs := vfs.NewMem()
		opts := memOpts(fs)
		writeFile(t, fs, fs.PathJoin(opts.Dir, img.name), img.bytes)
		writeFile(t, fs, fs.PathJoin(opts.Dir, openName), img.bytes[:sealAt])
		s := openStore(t, opts)
		if segs := s.Segments(); len(segs) != 1 || !segs[0].Sealed || segs[0].Err != nil {
			t.Fatalf("segments: %+v", segs)
		}
		if _, err := fs.Stat(fs.PathJoin(opts.Dir, openName)); err == nil {
			t.Fatal("stale open name not removed")
		}
	})
}
