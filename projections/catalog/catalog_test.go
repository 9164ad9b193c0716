package catalog

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cockroachdb/pebble/v2/vfs"
)

const bid = "00112233445566778899aabbccddeeff"

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// feed builds events with consecutive sequences.
type feed struct {
	seq    uint64
	events []*event.Event
}

func (f *feed) add(bucket, bucketID, key string, p event.Payload) *event.Event {
	f.seq++
	ev := &event.Event{Seq: f.seq, Header: event.Header{ID: event.NewID(), Time: t0.Add(time.Duration(f.seq) * time.Second),
		Actor: "AK", Bucket: bucket, BucketID: bucketID, Key: key}, Payload: p}
	f.events = append(f.events, ev)
	return ev
}

// recID is the record id of the test record of size bytes in segment seg.
func recID(seg uint64, size int64) string { return fmt.Sprintf("%016x%016x", seg, size) }

func put(size int64, seg uint64) *event.ObjectPut {
	return &event.ObjectPut{Size: size, ETag: "e", Extents: []event.Extent{{Node: "n", Segment: seg, Length: size, Record: recID(seg, size)}}}
}

func open(t *testing.T) *Catalog {
	t.Helper()
	c, err := Open(Options{Dir: "idx", FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func withKeys(t *testing.T, keys ...string) *Catalog {
	t.Helper()
	c := open(t)
	var f feed
	f.add("b", bid, "", &event.BucketCreated{Region: "us-east-1", Owner: "AK"})
	for _, k := range keys {
		f.add("b", bid, k, put(1, 1))
	}
	if err := c.Apply(f.events, false); err != nil {
		t.Fatal(err)
	}
	return c
}

func render(p ListPage) string {
	var parts []string
	for _, o := range p.Objects {
		parts = append(parts, o.Key)
	}
	for _, cp := range p.CommonPrefixes {
		parts = append(parts, "CP:"+cp)
	}
	s := strings.Join(parts, ",")
	if p.Truncated {
		s += " +next=" + p.Next
	}
	return s
}

func TestListPages(t *testing.T) {
	c := withKeys(t, "a", "a/1", "a/2", "a/b/3", "b", "b/1", "c//d", "photos/2026/x.jpg", "photos/2026/y.jpg", "photos/z.jpg", "ü/1", "zz")
	cases := []struct {
		q    ListQuery
		want string
	}{
		{ListQuery{Max: 1000}, "a,a/1,a/2,a/b/3,b,b/1,c//d,photos/2026/x.jpg,photos/2026/y.jpg,photos/z.jpg,zz,ü/1"}, // UTF-8 byte order
		{ListQuery{Max: 3}, "a,a/1,a/2 +next=a/2"},
		{ListQuery{Max: 3, After: "a/2"}, "a/b/3,b,b/1 +next=b/1"},
		{ListQuery{Delimiter: "/", Max: 1000}, "a,b,zz,CP:a/,CP:b/,CP:c/,CP:photos/,CP:ü/"},
		{ListQuery{Delimiter: "/", Max: 2}, "a,CP:a/ +next=a/"},
		{ListQuery{Delimiter: "/", Max: 2, After: "a/"}, "b,CP:b/ +next=b/"},
		{ListQuery{Prefix: "photos/", Delimiter: "/", Max: 1000}, "photos/z.jpg,CP:photos/2026/"},
		{ListQuery{Prefix: "photos/2026/", Max: 1}, "photos/2026/x.jpg +next=photos/2026/x.jpg"},
		{ListQuery{Prefix: "photos/2026/", Max: 1, After: "photos/2026/x.jpg"}, "photos/2026/y.jpg"},
		{ListQuery{Prefix: "nope", Max: 1000}, ""},
		{ListQuery{Max: 0}, ""},
		{ListQuery{Delimiter: "//", Max: 1000}, "a,a/1,a/2,a/b/3,b,b/1,photos/2026/x.jpg,photos/2026/y.jpg,photos/z.jpg,zz,ü/1,CP:c//"},
		{ListQuery{Delimiter: "2026", Prefix: "photos", Max: 1000}, "photos/z.jpg,CP:photos/2026"},
		{ListQuery{After: "zz", Max: 10}, "ü/1"},
		{ListQuery{After: "ü/1", Max: 10}, ""},
		{ListQuery{After: "0", Prefix: "b", Max: 10}, "b,b/1"},
		{ListQuery{After: "a/1x", Delimiter: "/", Max: 10}, "b,zz,CP:a/,CP:b/,CP:c/,CP:photos/,CP:ü/"},
	}
	for _, tc := range cases {
		page, err := c.List(bid, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := render(page); got != tc.want {
			t.Errorf("List(%+v)\n got %s\nwant %s", tc.q, got, tc.want)
		}
	}
}

// Paging with After = Next visits every key and common prefix exactly once.
func TestListPaginationVisitsEachEntryOnce(t *testing.T) {
	var keys []string
	for i := 0; i < 50; i++ {
		keys = append(keys, fmt.Sprintf("d%02d/f", i%7), fmt.Sprintf("k%03d", i))
	}
	c := withKeys(t, keys...)
	for _, max := range []int{1, 2, 3, 7, 100} {
		seen := map[string]int{}
		after := ""
		for pages := 0; ; pages++ {
			if pages > 200 {
				t.Fatal("pagination does not end")
			}
			p, err := c.List(bid, ListQuery{Delimiter: "/", Max: max, After: after})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range p.Objects {
				seen[o.Key]++
			}
			for _, cp := range p.CommonPrefixes {
				seen[cp]++
			}
			if !p.Truncated {
				break
			}
			after = p.Next
		}
		if len(seen) != 57 {
			t.Fatalf("max %d: saw %d entries, want 57 (7 prefixes + 50 keys)", max, len(seen))
		}
		for k, n := range seen {
			if n != 1 {
				t.Fatalf("max %d: %q listed %d times", max, k, n)
			}
		}
	}
}

func TestApplyIsIdempotentAndTracksLiveness(t *testing.T) {
	c := open(t)
	var f feed
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})
	f.add("b", bid, "k", put(100, 1))
	f.add("b", bid, "k", put(30, 2)) // overwrite: segment 1 loses 100 bytes
	f.add("b", bid, "j", put(5, 2))
	if err := c.Apply(f.events[:2], false); err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(f.events, false); err != nil { // replays 1..2, applies 3..4
		t.Fatal(err)
	}
	if seq, _ := c.AppliedSeq(); seq != 4 {
		t.Fatalf("applied %d, want 4", seq)
	}
	o, found, err := c.Object(bid, "k")
	if err != nil || !found || o.Size != 30 || o.Seq != 3 || !o.Modified.Equal(t0.Add(3*time.Second)) {
		t.Fatalf("object %+v found %v err %v", o, found, err)
	}
	var dump bytes.Buffer
	if err := c.Dump(&dump); err != nil {
		t.Fatal(err)
	}
	if b, r := liveness(t, c, 1); b != 0 || r != 0 {
		t.Fatalf("segment 1 still live (%d bytes, %d records) after its only record was overwritten", b, r)
	}
	// Live bytes are what the records occupy on disk: 64 + 30 + 8 -> 104
	// and 64 + 5 + 8 -> 80.
	if b, r := liveness(t, c, 2); b != 184 || r != 2 {
		t.Fatalf("segment 2 liveness is %d bytes in %d records, want 184 in 2", b, r)
	}
	// Re-applying everything changes nothing.
	if err := c.Apply(f.events, true); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	_ = c.Dump(&again)
	if again.String() != dump.String() {
		t.Fatal("replaying applied events changed the index")
	}
}

func TestBucketLifecycleAndIncarnations(t *testing.T) {
	c := open(t)
	const bid2 = "ffeeddccbbaa99887766554433221100"
	var f feed
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})
	f.add("b", bid2, "", &event.BucketCreated{Region: "r", Owner: "other"}) // lost the race: ignored
	f.add("b", bid, "k", put(1, 1))
	f.add("b", bid, "k", &event.ObjectDeleted{})
	f.add("b", bid, "", &event.BucketDeleted{})
	f.add("b", bid, "late", put(1, 1)) // after deletion: ignored
	f.add("b", bid2, "", &event.BucketCreated{Region: "r", Owner: "other"})
	if err := c.Apply(f.events, false); err != nil {
		t.Fatal(err)
	}
	b, found, err := c.Bucket("b")
	if err != nil || !found || b.Deleted || b.ID != bid2 || b.Owner != "other" || b.Seq != 7 || b.NameSeq != 7 {
		t.Fatalf("bucket %+v found %v err %v", b, found, err)
	}
	if _, found, _ := c.Object(bid, "late"); found {
		t.Fatal("object event after its bucket's deletion was applied")
	}
	empty, last, err := c.BucketEmpty(bid2)
	if err != nil || !empty || last != 0 {
		t.Fatalf("new incarnation empty=%v last=%d err=%v", empty, last, err)
	}
	bs, err := c.Buckets()
	if err != nil || len(bs) != 1 || bs[0].Name != "b" {
		t.Fatalf("buckets %+v err %v", bs, err)
	}
}

func TestBucketEmptyReportsLastObjectEvent(t *testing.T) {
	c := withKeys(t, "x")
	empty, last, err := c.BucketEmpty(bid)
	if err != nil || empty || last != 2 {
		t.Fatalf("empty=%v last=%d err=%v", empty, last, err)
	}
}

func TestReopenChecksFormat(t *testing.T) {
	fs := vfs.NewMem()
	c, err := Open(Options{Dir: "idx", FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.db.Set(keyFormat, be64(99), nil); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := Open(Options{Dir: "idx", FS: fs}); err == nil || !strings.Contains(err.Error(), "rebuild") {
		t.Fatalf("opening a store of another format: %v", err)
	}
}

func TestObjectKeepsEveryAttribute(t *testing.T) {
	c := open(t)
	var f feed
	f.add("b", bid, "", &event.BucketCreated{})
	p := &event.ObjectPut{Size: 3, ETag: "abc", ContentHeaders: event.ContentHeaders{ContentType: "text/plain", ContentEncoding: "gzip",
		ContentDisposition: "inline", ContentLanguage: "en", CacheControl: "no-cache", Expires: "Thu, 01 Dec 1994 16:00:00 GMT"},
		UserMeta: map[string]string{"a": "1"}, Checksums: map[string]string{"CRC32": "x"}, ChecksumType: "FULL_OBJECT",
		Extents: []event.Extent{{Node: "n", Length: 3, Record: "r"}}}
	f.add("b", bid, "k", p)
	if err := c.Apply(f.events, false); err != nil {
		t.Fatal(err)
	}
	o, _, _ := c.Object(bid, "k")
	if !reflect.DeepEqual(o.ObjectPut, *p) {
		t.Fatalf("stored %+v, want %+v", o.ObjectPut, *p)
	}
}
