package segment

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// rid makes a deterministic record id.
func rid(i uint64) RecordID {
	var id RecordID
	binary.LittleEndian.PutUint64(id[:8], i)
	binary.LittleEndian.PutUint64(id[8:], i*0x9E3779B97F4A7C15+1)
	return id
}

// payload is the deterministic content of the record with the given id.
func payload(id RecordID, n int64) []byte {
	r := rand.NewChaCha8([32]byte(append(id[:], id[:]...)))
	b := make([]byte, n)
	_, _ = r.Read(b)
	return b
}

func memOpts(fs vfs.FS) Options {
	return Options{FS: fs, Dir: "/disk0", BlockSize: 1024, SegmentSize: 64 << 10}
}

func openStore(t testing.TB, opts Options) *Store {
	t.Helper()
	s, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// put writes data as one record in chunks of the given size (0: one Write).
func put(t testing.TB, s *Store, id RecordID, data []byte, chunk int) Locator {
	t.Helper()
	loc, err := tryPut(context.Background(), s, id, data, chunk)
	if err != nil {
		t.Fatalf("put %s (%d bytes): %v", id, len(data), err)
	}
	return loc
}

func tryPut(ctx context.Context, s *Store, id RecordID, data []byte, chunk int) (Locator, error) {
	w, err := s.Create(ctx, id, int64(len(data)))
	if err != nil {
		return Locator{}, err
	}
	if chunk <= 0 {
		chunk = max(len(data), 1)
	}
	for p := data; len(p) > 0; {
		c := min(chunk, len(p))
		if _, err := w.Write(p[:c]); err != nil {
			_ = w.Abort()
			return Locator{}, err
		}
		p = p[c:]
	}
	return w.Commit(ctx)
}

func readAll(t testing.TB, s *Store, loc Locator, off, n int64) ([]byte, error) {
	t.Helper()
	r, err := s.OpenRange(context.Background(), loc, off, n)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// mustRead reads a range and compares it with want.
func mustRead(t testing.TB, s *Store, loc Locator, off, n int64, want []byte) {
	t.Helper()
	got, err := readAll(t, s, loc, off, n)
	if err != nil {
		t.Fatalf("read %v [%d,+%d): %v", loc, off, n, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %v [%d,+%d): got %d bytes, differs from the %d written", loc, off, n, len(got), len(want))
	}
}

func wantCorrupt(t testing.TB, err error, what string) {
	t.Helper()
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("%s: got error %v, want ErrCorrupt", what, err)
	}
}

// fileBytes returns the contents of a file.
func fileBytes(t testing.TB, fs vfs.FS, path string) []byte {
	t.Helper()
	f, err := fs.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeFile creates path with the given contents.
func writeFile(t testing.TB, fs vfs.FS, path string, b []byte) {
	t.Helper()
	if err := fs.MkdirAll(fs.PathDir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := fs.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(bytes.Clone(b)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// walkAll returns the records of a segment.
func walkAll(t testing.TB, s *Store, seg uint64) []RecordInfo {
	t.Helper()
	var out []RecordInfo
	if err := s.Walk(context.Background(), seg, func(ri RecordInfo) error {
		out = append(out, ri)
		return nil
	}); err != nil {
		t.Fatalf("walk segment %d: %v", seg, err)
	}
	return out
}
