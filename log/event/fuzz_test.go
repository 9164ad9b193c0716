package event

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

// FuzzDecode: arbitrary bytes never panic; whatever decodes re-encodes and
// decodes again to the same value.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*", "v*.json"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"type":"object.put","v":1,"data":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownType) && !errors.Is(err, ErrUnknownVersion) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		// The canonical encoding is a fixed point: encode, decode, encode
		// gives the same bytes. (Decoding normalises, e.g. {} to nil.)
		once, err := Encode(ev)
		if err != nil {
			t.Fatalf("decoded event does not re-encode: %v", err)
		}
		ev2, err := Decode(once)
		if err != nil {
			t.Fatalf("re-encoded event does not decode: %v", err)
		}
		twice, err := Encode(ev2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("encoding is not canonical:\n%s\n%s", once, twice)
		}
	})
}
