package catalog

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cockroachdb/pebble/v2"
)

// uid returns a well-formed upload id whose order follows n.
func uid(n int) string { return fmt.Sprintf("%016x%016x", n, 0xabc) }

func liveness(t *testing.T, c *Catalog, seg uint64) (bytes, records uint64) {
	t.Helper()
	v, closer, err := c.db.Get(livenessKey("n", 0, seg))
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, 0
	}
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	return u64(v), u64(v[8:])
}

func part(id string, n int, size int64, seg uint64) *event.MultipartPart {
	return &event.MultipartPart{UploadID: id, Number: n, Size: size, ETag: fmt.Sprint("etag", n, "-", seg),
		Extents: []event.Extent{{Node: "n", Segment: seg, Length: size, Record: recID(seg, size)}}}
}

func completion(id string, segs ...uint64) *event.ObjectPut {
	p := &event.ObjectPut{UploadID: id, ETag: "x-2"}
	for i, s := range segs {
		p.Extents = append(p.Extents, event.Extent{Node: "n", Segment: s, Length: 10, Record: recID(s, 10)})
		p.Parts = append(p.Parts, event.PartInfo{Number: i + 1, Size: 10})
		p.Size += 10
	}
	return p
}

func applyFeed(t *testing.T, c *Catalog, f *feed) {
	t.Helper()
	if err := c.Apply(f.events, false); err != nil {
		t.Fatal(err)
	}
}

// Parts count as live bytes while their upload is open; a completion keeps
// the parts it uses (through its object) and releases the others and any
// replaced part.
func TestCompletionKeepsUsedPartsAndReleasesTheRest(t *testing.T) {
	c := open(t)
	var f feed
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})
	f.add("b", bid, "k", &event.MultipartCreated{UploadID: uid(1), ChecksumAlgorithm: "CRC32", ChecksumType: "COMPOSITE"})
	f.add("b", bid, "k", part(uid(1), 1, 10, 1))
	f.add("b", bid, "k", part(uid(1), 2, 10, 2))
	f.add("b", bid, "k", part(uid(1), 2, 10, 3)) // re-upload: segment 2 is garbage
	f.add("b", bid, "k", part(uid(1), 3, 10, 4)) // left out of the completion
	applyFeed(t, c, &f)
	if b, r := liveness(t, c, 2); b != 0 || r != 0 {
		t.Fatalf("replaced part still live: %d bytes %d records", b, r)
	}
	parts, more, err := c.Parts(bid, uid(1), 0, 0)
	if err != nil || more || len(parts) != 3 || parts[1].ETag != "etag2-3" || parts[1].Seq != 5 {
		t.Fatalf("parts %+v more %v err %v", parts, more, err)
	}
	up, found, _ := c.Upload(bid, "k", uid(1))
	if !found || up.LastSeq != 6 || up.Seq != 2 || up.ChecksumType != "COMPOSITE" || !up.Initiated.Equal(f.events[1].Time) {
		t.Fatalf("upload %+v found %v", up, found)
	}
	f.add("b", bid, "k", completion(uid(1), 1, 3))
	applyFeed(t, c, &f)
	for seg, want := range map[uint64]uint64{1: 1, 3: 1, 4: 0} {
		if _, r := liveness(t, c, seg); r != want {
			t.Errorf("segment %d: %d live records, want %d", seg, r, want)
		}
	}
	o, found, _ := c.Object(bid, "k")
	if !found || o.Seq != 7 || o.UploadID != uid(1) || len(o.Parts) != 2 {
		t.Fatalf("object %+v found %v", o, found)
	}
	if _, found, _ := c.Upload(bid, "k", uid(1)); found {
		t.Fatal("a completed upload is still listed")
	}
	if parts, _, _ := c.Parts(bid, uid(1), 0, 0); len(parts) != 0 {
		t.Fatalf("a completed upload keeps %d parts", len(parts))
	}
	// Overwriting the object releases the parts' bytes for good.
	f.add("b", bid, "k", put(1, 9))
	applyFeed(t, c, &f)
	if _, r := liveness(t, c, 1); r != 0 {
		t.Fatal("overwritten multipart object still holds its first part")
	}
}

// A completion of an upload that is gone (aborted, or completed already) is
// a deterministic no-op, apart from recording the key subject's sequence.
func TestCompletionOfAnEndedUploadIsANoOp(t *testing.T) {
	c := open(t)
	var f feed
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})
	f.add("b", bid, "k", &event.MultipartCreated{UploadID: uid(1)})
	f.add("b", bid, "k", part(uid(1), 1, 10, 1))
	f.add("b", bid, "k", &event.MultipartAborted{UploadID: uid(1)})
	f.add("b", bid, "k", completion(uid(1), 1))  // lost the race to the abort
	f.add("b", bid, "k", part(uid(1), 2, 10, 2)) // a part after the end
	f.add("b", bid, "j", &event.MultipartCreated{UploadID: uid(2)})
	f.add("b", bid, "j", part(uid(2), 1, 10, 3))
	f.add("b", bid, "j", completion(uid(2), 3))
	f.add("b", bid, "j", completion(uid(2), 3)) // completed twice
	f.add("b", bid, "j", &event.MultipartAborted{UploadID: uid(2)})
	applyFeed(t, c, &f)
	if _, found, _ := c.Object(bid, "k"); found {
		t.Fatal("completion after an abort made an object")
	}
	if seq, _ := c.KeySeq(bid, "k"); seq != 5 {
		t.Fatalf("key seq %d, want 5 (the no-op completion)", seq)
	}
	if o, _, _ := c.Object(bid, "j"); o.Seq != 9 {
		t.Fatalf("object j made by seq %d, want 9 (the first completion)", o.Seq)
	}
	for seg, want := range map[uint64]uint64{1: 0, 2: 0, 3: 1} {
		if _, r := liveness(t, c, seg); r != want {
			t.Errorf("segment %d: %d live records, want %d", seg, r, want)
		}
	}
}

func TestDeletingABucketDropsItsUploads(t *testing.T) {
	c := open(t)
	var f feed
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})
	f.add("b", bid, "k", &event.MultipartCreated{UploadID: uid(1)})
	f.add("b", bid, "k", part(uid(1), 1, 10, 1))
	f.add("b", bid, "", &event.BucketDeleted{})
	applyFeed(t, c, &f)
	if _, r := liveness(t, c, 1); r != 0 {
		t.Fatal("a deleted bucket's upload still holds its part")
	}
	var dump strings.Builder
	_ = c.Dump(&dump)
	for _, line := range strings.Split(dump.String(), "\n") {
		if strings.HasPrefix(line, "55") || strings.HasPrefix(line, "50") { // 'U', 'P'
			t.Fatalf("left over: %s", line)
		}
	}
}

func uploadsIndex(t *testing.T, keys ...string) *Catalog {
	t.Helper()
	c := open(t)
	var f feed
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})
	for i, k := range keys {
		f.add("b", bid, k, &event.MultipartCreated{UploadID: uid(i)})
	}
	applyFeed(t, c, &f)
	return c
}

func renderUploads(p UploadPage) string {
	var b strings.Builder
	for _, u := range p.Uploads {
		fmt.Fprintf(&b, "%q@%d ", u.Key, u.Seq-2)
	}
	for _, cp := range p.CommonPrefixes {
		fmt.Fprintf(&b, "cp:%s ", cp)
	}
	fmt.Fprintf(&b, "truncated=%v next=%q/", p.Truncated, p.NextKey)
	if p.NextUploadID != "" {
		fmt.Fprintf(&b, "%d", p.NextUploadID[15]-'0')
	}
	return b.String()
}

func TestListUploadsPages(t *testing.T) {
	// Upload n is uid(n): "a" has uploads 0 and 3, in initiation order.
	c := uploadsIndex(t, "a", "a\x00z", "b/1", "a", "b/2", "c", "a0")
	cases := []struct {
		q    UploadQuery
		want string
	}{
		{UploadQuery{Max: 10}, `"a"@0 "a"@3 "a\x00z"@1 "a0"@6 "b/1"@2 "b/2"@4 "c"@5 truncated=false next="c"/5`},
		{UploadQuery{Max: 3}, `"a"@0 "a"@3 "a\x00z"@1 truncated=true next="a\x00z"/1`},
		{UploadQuery{Max: 10, KeyMarker: "a"}, `"a\x00z"@1 "a0"@6 "b/1"@2 "b/2"@4 "c"@5 truncated=false next="c"/5`},
		{UploadQuery{Max: 2, KeyMarker: "a", UploadIDMarker: uid(0)}, `"a"@3 "a\x00z"@1 truncated=true next="a\x00z"/1`},
		{UploadQuery{Max: 10, Delimiter: "/"}, `"a"@0 "a"@3 "a\x00z"@1 "a0"@6 "c"@5 cp:b/ truncated=false next="c"/5`},
		{UploadQuery{Max: 5, Delimiter: "/", KeyMarker: "a0"}, `"c"@5 cp:b/ truncated=false next="c"/5`},
		{UploadQuery{Max: 1, Delimiter: "/", KeyMarker: "a0"}, `cp:b/ truncated=true next="b/"/`},
		{UploadQuery{Max: 5, Delimiter: "/", KeyMarker: "b/"}, `"c"@5 truncated=false next="c"/5`},
		{UploadQuery{Max: 5, Prefix: "b/"}, `"b/1"@2 "b/2"@4 truncated=false next="b/2"/4`},
		{UploadQuery{Max: 5, Prefix: "b/", KeyMarker: "a"}, `"b/1"@2 "b/2"@4 truncated=false next="b/2"/4`},
		{UploadQuery{Max: 5, Prefix: "a", Delimiter: "\x00"}, `"a"@0 "a"@3 "a0"@6 cp:a` + "\x00" + ` truncated=false next="a0"/6`},
		{UploadQuery{Max: 0}, `truncated=false next=""/`},
	}
	for _, tc := range cases {
		p, err := c.ListUploads(bid, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := renderUploads(p); got != tc.want {
			t.Errorf("%+v:\n got %s\nwant %s", tc.q, got, tc.want)
		}
	}
}

func TestPartsPages(t *testing.T) {
	c := open(t)
	var f feed
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})
	f.add("b", bid, "k", &event.MultipartCreated{UploadID: uid(1)})
	for _, n := range []int{1, 2, 5, 10000} {
		f.add("b", bid, "k", part(uid(1), n, 1, 1))
	}
	f.add("b", bid, "k", part(uid(1), 0, 1, 1))     // out of range: ignored
	f.add("b", bid, "k", part(uid(1), 10001, 1, 1)) // out of range: ignored
	applyFeed(t, c, &f)
	numbers := func(after, max int) string {
		ps, more, err := c.Parts(bid, uid(1), after, max)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, p := range ps {
			s = append(s, fmt.Sprint(p.Number))
		}
		return fmt.Sprint(s, more)
	}
	for _, tc := range []struct {
		after, max int
		want       string
	}{{0, 0, "[1 2 5 10000] false"}, {0, 2, "[1 2] true"}, {2, 2, "[5 10000] false"}, {5, 1, "[10000] false"},
		{10000, 5, "[] false"}, {-3, 1, "[1] true"}} {
		if got := numbers(tc.after, tc.max); got != tc.want {
			t.Errorf("after %d max %d: %s, want %s", tc.after, tc.max, got, tc.want)
		}
	}
	if _, _, err := c.Parts(bid, "not-an-id", 0, 0); err != nil {
		t.Fatalf("a malformed upload id is simply absent: %v", err)
	}
}
