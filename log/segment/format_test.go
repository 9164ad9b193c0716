package segment

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestRecordIDText(t *testing.T) {
	id := rid(42)
	b, err := id.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 32 || strings.ToLower(string(b)) != string(b) || string(b) != id.String() {
		t.Fatalf("MarshalText = %q", b)
	}
	var back RecordID
	if err := back.UnmarshalText(b); err != nil || back != id {
		t.Fatalf("UnmarshalText = %v, %v", back, err)
	}
	if err := back.UnmarshalText([]byte(strings.ToUpper(string(b)))); err != nil || back != id {
		t.Fatalf("upper-case hex: %v", err)
	}
	for _, bad := range []string{"", "00", strings.Repeat("z", 32), strings.Repeat("0", 33)} {
		if err := back.UnmarshalText([]byte(bad)); err == nil || !strings.HasPrefix(err.Error(), "segment: ") {
			t.Errorf("UnmarshalText(%q) = %v, want a segment: error", bad, err)
		}
	}
}

func TestLocatorJSON(t *testing.T) {
	loc := Locator{Disk: 3, Segment: 7, Offset: 4096, Length: 123, ID: rid(1)}
	b, err := json.Marshal(loc)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"disk":3,"seg":7,"off":4096,"len":123,"id":"` + rid(1).String() + `"}`
	if string(b) != want {
		t.Fatalf("json = %s, want %s", b, want)
	}
	var back Locator
	if err := json.Unmarshal(b, &back); err != nil || back != loc {
		t.Fatalf("unmarshal = %+v, %v", back, err)
	}
}

func TestRecordSize(t *testing.T) {
	cases := []struct {
		length int64
		bs     int
		want   int64
	}{
		{0, 1024, 64},
		{1, 1024, 80},       // 64 + 1 + 8 = 73 -> 80
		{1024, 1024, 1096},  // 64 + 1024 + 8
		{1025, 1024, 1112},  // 64 + 1025 + 16 = 1105 -> 1112
		{4096, 65536, 4168}, // 64 + 4096 + 8
	}
	for _, c := range cases {
		if got := recordSize(c.length, c.bs); got != c.want {
			t.Errorf("recordSize(%d, %d) = %d, want %d", c.length, c.bs, got, c.want)
		}
	}
	if got := RecordFootprint(4096); got != 4168 {
		t.Errorf("RecordFootprint(4096) = %d, want 4168", got)
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	h := recHeader{kind: kindData, blockSize: 4096, id: rid(9), length: 12345, created: 99}
	var b [headerSize]byte
	h.encode(b[:], 5, 640)
	got, err := decodeHeader(b[:], 5, 640)
	if err != nil || got != h {
		t.Fatalf("decode = %+v, %v", got, err)
	}
	// The same bytes at another offset or in another segment do not verify.
	if _, err := decodeHeader(b[:], 5, 648); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("moved header: %v", err)
	}
	if _, err := decodeHeader(b[:], 6, 640); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("header of another segment: %v", err)
	}
	// The abandon mark is accepted, any other mark is corruption.
	binary.LittleEndian.PutUint64(b[markOffset:], abandonMark(h.id))
	if got, err := decodeHeader(b[:], 5, 640); err != nil || !got.abandoned() {
		t.Fatalf("abandoned header: %+v, %v", got, err)
	}
	binary.LittleEndian.PutUint64(b[markOffset:], 1)
	if _, err := decodeHeader(b[:], 5, 640); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("bad mark: %v", err)
	}
}

func TestBlockSumSeeded(t *testing.T) {
	p := []byte("the same bytes")
	a := blockSum(idSeed(rid(1)), 0, p)
	if a == blockSum(idSeed(rid(1)), 1, p) || a == blockSum(idSeed(rid(2)), 0, p) {
		t.Fatal("block checksum does not depend on the record id and block index")
	}
}
