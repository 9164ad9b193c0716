package catalog

import (
	"strings"
	"testing"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/segment"
)

func move(rec string, length int64, from, to event.Place) *event.SegmentRelocated {
	return &event.SegmentRelocated{Node: "n", Moves: []event.Move{{Record: rec, Length: length, From: from, To: to}}}
}

func segRecords(t *testing.T, c *Catalog, seg uint64) map[string]RecordPlace {
	t.Helper()
	out := map[string]RecordPlace{}
	err := c.SegmentRecords("n", 0, seg, func(r RecordPlace) error { out[r.ID] = r; return nil })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func dumpOf(t *testing.T, c *Catalog) string {
	t.Helper()
	var b strings.Builder
	if err := c.Dump(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A record shared by a copy counts once towards its segment and stays
// live until its last reference goes; it then records when it died.
func TestSharedRecordsCountOnce(t *testing.T) {
	c := open(t)
	var f feed
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})
	f.add("b", bid, "k", put(100, 1))
	cp := put(100, 1)
	cp.CopySource = "b/k"
	f.add("b", bid, "j", cp)
	applyFeed(t, c, &f)
	fp := uint64(segment.RecordFootprint(100))
	if b, r := liveness(t, c, 1); b != fp || r != 1 {
		t.Fatalf("shared record: %d bytes %d records, want %d in 1", b, r, fp)
	}
	f.add("b", bid, "k", &event.ObjectDeleted{})
	applyFeed(t, c, &f)
	if b, r := liveness(t, c, 1); b != fp || r != 1 {
		t.Fatalf("record still referenced by the copy: %d bytes %d records", b, r)
	}
	del := f.add("b", bid, "j", &event.ObjectDeleted{})
	applyFeed(t, c, &f)
	if b, r := liveness(t, c, 1); b != 0 || r != 0 {
		t.Fatalf("unreferenced record still live: %d bytes %d records", b, r)
	}
	rp, found, err := c.Record(recID(1, 100))
	if err != nil || !found || rp.Refs != 0 || !rp.Dead.Equal(del.Time) {
		t.Fatalf("dead record %+v found %v err %v, want dead at %v", rp, found, err, del.Time)
	}
}

// A relocation moves a record only from where it still is: readers find
// it through Locate, liveness follows it, and a stale or replayed
// relocation is a no-op.
func TestRelocationMovesOnlyFromTheCurrentPlace(t *testing.T) {
	c := open(t)
	var f feed
	a, b := recID(1, 100), recID(1, 7)
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})
	f.add("b", bid, "k", put(100, 1))
	f.add("b", bid, "j", put(7, 1))
	from, to := event.Place{Segment: 1}, event.Place{Segment: 5, Offset: 64}
	f.add("", "", "", move(a, 100, from, to))
	applyFeed(t, c, &f)
	o, _, _ := c.Object(bid, "k")
	x, err := c.Locate(o.Extents[0])
	if err != nil || x.Segment != 5 || x.Offset != 64 || x.Record != a {
		t.Fatalf("located %+v err %v, want segment 5 offset 64", x, err)
	}
	if b, r := liveness(t, c, 1); b != uint64(segment.RecordFootprint(7)) || r != 1 {
		t.Fatalf("segment 1 after the move: %d bytes %d records", b, r)
	}
	if b, r := liveness(t, c, 5); b != uint64(segment.RecordFootprint(100)) || r != 1 {
		t.Fatalf("segment 5 after the move: %d bytes %d records", b, r)
	}
	if u, _ := c.SegmentUsage("n", 0, 1); u.State != SegmentMoving {
		t.Fatalf("segment 1 state %d, want moving", u.State)
	}
	before := dumpOf(t, c)
	f.add("", "", "", move(a, 100, from, event.Place{Segment: 9, Offset: 64})) // stale: a is no longer in 1
	f.add("", "", "", move(a, 100, from, to))                                  // replayed
	f.add("", "", "", move(b, 8, from, to))                                    // wrong length
	applyFeed(t, c, &f)
	if after := dumpOf(t, c); after[strings.Index(after, "\n"):] != before[strings.Index(before, "\n"):] {
		t.Fatalf("stale relocations changed the index:\n%s\nwas\n%s", after, before)
	}
	j, _, _ := c.Object(bid, "j")
	if x, _ := c.Locate(j.Extents[0]); x != j.Extents[0] {
		t.Fatalf("a record that was not moved located at %+v", x)
	}
	// The overwritten object releases the record where it is now.
	f.add("b", bid, "k", put(3, 2))
	applyFeed(t, c, &f)
	if b, r := liveness(t, c, 5); b != 0 || r != 0 {
		t.Fatalf("segment 5 still live (%d, %d) after its record's object was overwritten", b, r)
	}
}

// Retiring a segment forgets its dead records and marks it retired; a
// record still referenced there is kept (and keeps the segment live).
func TestRetireForgetsDeadRecords(t *testing.T) {
	c := open(t)
	var f feed
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})
	f.add("b", bid, "k", put(100, 1))
	f.add("b", bid, "j", put(7, 1))
	f.add("b", bid, "j", &event.ObjectDeleted{})
	f.add("", "", "", move(recID(1, 100), 100, event.Place{Segment: 1}, event.Place{Segment: 5, Offset: 64}))
	f.add("", "", "", &event.SegmentRetired{Node: "n", Segment: 1})
	applyFeed(t, c, &f)
	if recs := segRecords(t, c, 1); len(recs) != 0 {
		t.Fatalf("retired segment still places %v", recs)
	}
	if _, found, _ := c.Record(recID(1, 7)); found {
		t.Fatal("retired segment's dead record still known")
	}
	if u, _ := c.SegmentUsage("n", 0, 1); u.State != SegmentRetired || u.LiveBytes != 0 {
		t.Fatalf("segment 1: %+v", u)
	}
	if recs := segRecords(t, c, 5); len(recs) != 1 || recs[recID(1, 100)].Refs != 1 {
		t.Fatalf("segment 5 places %+v", recs)
	}
	// A retirement that finds a live record keeps it.
	f.add("b", bid, "m", put(9, 3))
	f.add("", "", "", &event.SegmentRetired{Node: "n", Segment: 3})
	applyFeed(t, c, &f)
	if u, _ := c.SegmentUsage("n", 0, 3); u.LiveRecords != 1 || u.State != SegmentRetired {
		t.Fatalf("segment 3: %+v", u)
	}
	// Reopening keeps the moved set that Locate uses.
	if err := c.loadMoved(); err != nil || len(c.mu.moved) != 2 {
		t.Fatalf("moved set %v err %v", c.mu.moved, err)
	}
}

// Folding the same events one at a time or all at once gives the same
// index: relocation is part of the projection's pure fold.
func TestRelocationFoldIsDeterministic(t *testing.T) {
	var f feed
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})
	f.add("b", bid, "k", put(100, 1))
	f.add("b", bid, "j", put(7, 1))
	f.add("", "", "", move(recID(1, 100), 100, event.Place{Segment: 1}, event.Place{Segment: 5, Offset: 64}))
	f.add("b", bid, "j", &event.ObjectDeleted{})
	f.add("", "", "", &event.SegmentRetired{Node: "n", Segment: 1})
	f.add("b", bid, "k", &event.ObjectDeleted{})
	whole, single := open(t), open(t)
	applyFeed(t, whole, &f)
	for i := range f.events {
		if err := single.Apply(f.events[i:i+1], false); err != nil {
			t.Fatal(err)
		}
	}
	if a, b := dumpOf(t, whole), dumpOf(t, single); a != b {
		t.Fatalf("one batch:\n%s\none at a time:\n%s", a, b)
	}
}
