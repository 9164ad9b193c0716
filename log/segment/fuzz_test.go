package segment

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
)

// FuzzRecordReader damages a valid segment image with bit flips and a
// truncation, opens it (sealed, or unsealed to exercise recovery) and reads
// every record in full and in part. Nothing may panic, and every read must
// return the original bytes or an error wrapping ErrCorrupt (ErrNotFound if
// recovery found a torn creation and removed the file).
func FuzzRecordReader(f *testing.F) {
	img := buildImage(f, []int64{1000, 0, 300, 5, 64, 129})
	n := uint32(len(img.bytes))
	flip := func(pos uint32, bit byte) []byte {
		return []byte{byte(pos), byte(pos >> 8), byte(pos >> 16), byte(pos >> 24), bit}
	}
	f.Add([]byte{}, uint32(0), false)
	f.Add([]byte{}, uint32(0), true)
	f.Add(flip(100, 3), uint32(0), false)
	f.Add(flip(uint32(img.locs[2].Offset+5), 0), uint32(0), false)
	f.Add(flip(uint32(img.locs[2].Offset+5), 0), uint32(0), true)
	f.Add(flip(n-20, 7), uint32(0), false)
	f.Add(flip(uint32(img.locs[0].Offset+blockOffset(2, imageBlock)+64), 1), uint32(0), true)
	f.Add(append(flip(10, 1), flip(700, 2)...), n-100, true)
	f.Add([]byte{}, uint32(img.locs[4].Offset+3), false)
	f.Add([]byte{}, uint32(img.locs[4].Offset+3), true)
	f.Add([]byte{}, uint32(30), true)
	f.Fuzz(func(t *testing.T, flips []byte, trunc uint32, unsealed bool) {
		b := append([]byte(nil), img.bytes...)
		for ; len(flips) >= 5; flips = flips[5:] {
			pos := uint32(flips[0]) | uint32(flips[1])<<8 | uint32(flips[2])<<16 | uint32(flips[3])<<24
			b[pos%n] ^= 1 << (flips[4] % 8)
		}
		if trunc != 0 {
			b = b[:trunc%n]
		}
		name := img.name
		if unsealed {
			name = segName(1, false)
		}
		s, err := openImage(t, name, b)
		if err != nil {
			t.Fatalf("Open of a damaged segment failed: %v", err)
		}
		ctx := context.Background()
		for _, loc := range img.locs {
			want := payload(loc.ID, loc.Length)
			checkFuzzRead(t, s, loc, 0, -1, want)
			if loc.Length > 70 {
				checkFuzzRead(t, s, loc, 65, loc.Length-70, want[65:loc.Length-5])
			}
			if err := s.Verify(ctx, loc); err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNotFound) {
				t.Fatalf("Verify: unexpected error %v", err)
			}
		}
		for _, si := range s.Segments() {
			err := s.Walk(ctx, si.ID, func(RecordInfo) error { return nil })
			if err != nil && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Walk: unexpected error %v", err)
			}
		}
		// The store must still take new records.
		id := rid(1 << 40)
		loc := put(t, s, id, payload(id, 200), 0)
		mustRead(t, s, loc, 0, -1, payload(id, 200))
	})
}

func checkFuzzRead(t *testing.T, s *Store, loc Locator, off, n int64, want []byte) {
	t.Helper()
	r, err := s.OpenRange(context.Background(), loc, off, n)
	if err != nil {
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNotFound) {
			t.Fatalf("OpenRange: unexpected error %v", err)
		}
		return
	}
	defer r.Close()
	// Small reads: every byte handed out before an error must be right.
	var got []byte
	buf := make([]byte, 77)
	for {
		k, err := r.Read(buf)
		got = append(got, buf[:k]...)
		if !bytes.Equal(got, want[:min(len(got), len(want))]) || len(got) > len(want) {
			t.Fatalf("read %v returned wrong bytes", loc)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("read: unexpected error %v", err)
			}
			return
		}
	}
	if len(got) != len(want) {
		t.Fatalf("read %v: %d bytes, want %d", loc, len(got), len(want))
	}
}
