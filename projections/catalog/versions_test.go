package catalog

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/segment"
)

// vidAt is a real version id made at time t (as the engine makes them).
func vidAt(t time.Time, rnd uint64) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixNano()))
	binary.BigEndian.PutUint64(b[8:], rnd)
	return hex.EncodeToString(b[:])
}

// addV adds an event about version vid of key.
func (f *feed) addV(key, vid string, p event.Payload) *event.Event {
	ev := f.add("b", bid, key, p)
	ev.VersionID = vid
	return ev
}

// newVID is a fresh real version id at the next event's time.
func (f *feed) newVID() string { return vidAt(t0.Add(time.Duration(f.seq+1)*time.Second), f.seq+1) }

func versioned(t *testing.T) (*Catalog, *feed) {
	t.Helper()
	c := open(t)
	f := &feed{}
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})
	f.add("b", bid, "", &event.BucketVersioningSet{Status: event.VersioningEnabled})
	return c, f
}

func mustApply(t *testing.T, c *Catalog, f *feed) {
	t.Helper()
	if err := c.Apply(f.events, false); err != nil {
		t.Fatal(err)
	}
}

// versionsOf renders a key's versions newest first, "*" marking the
// current object and "M" delete markers, e.g. "v3* v2 M:v1".
func versionsOf(t *testing.T, c *Catalog, key string, names map[string]string) string {
	t.Helper()
	page, err := c.ListVersions(bid, VersionQuery{Prefix: key, Max: 1000})
	if err != nil {
		t.Fatal(err)
	}
	cur, hasCur, err := c.Object(bid, key)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range page.Versions {
		if v.Key != key {
			continue
		}
		s := names[v.VersionID]
		if v.Marker {
			s = "M:" + s
		}
		if hasCur && sameVersion(cur.VersionID, v.VersionID) && !v.Marker {
			s += "*"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestVersionHistoryFolds(t *testing.T) {
	c, f := versioned(t)
	names := map[string]string{"": "null", "null": "null"}
	step := func(vid, name string, p event.Payload) string {
		f.addV("k", vid, p)
		names[vid] = name
		return vid
	}
	steps := []struct {
		do   func()
		want string
	}{
		{func() { step(f.newVID(), "v1", put(10, 1)) }, "v1*"},
		{func() { step(f.newVID(), "v2", put(20, 1)) }, "v2* v1"},
		{func() { step(f.newVID(), "m1", &event.ObjectMarkerCreated{}) }, "M:m1 v2 v1"},
		{func() { f.addV("k", vidOf(names, "m1"), &event.ObjectDeleted{}) }, "v2* v1"}, // deleting the marker restores v2
		{func() { f.addV("k", vidOf(names, "v2"), &event.ObjectDeleted{}) }, "v1*"},    // deleting the current version
		{func() { step("null", "null", put(5, 1)) }, "null* v1"},                       // suspended: a null version
		{func() { step("null", "null", put(6, 1)) }, "null* v1"},                       // overwrites the null version
		{func() { step(f.newVID(), "v3", put(7, 1)) }, "v3* null v1"},
		{func() { step("null", "null", &event.ObjectMarkerCreated{}) }, "M:null v3 v1"}, // a null marker replaces the (older) null version
		{func() { f.addV("k", vidOf(names, "v1"), &event.ObjectDeleted{}) }, "M:null v3"},
		{func() { f.addV("k", "null", &event.ObjectDeleted{}) }, "v3*"},
		{func() { f.addV("k", "0000000000000000ffffffffffffffff", &event.ObjectDeleted{}) }, "v3*"}, // no such version
	}
	for i, s := range steps {
		s.do()
		mustApply(t, c, f)
		if got := versionsOf(t, c, "k", names); got != s.want {
			t.Fatalf("step %d: versions %q, want %q", i, got, s.want)
		}
	}
	// Only v3's record (7 bytes) is still referenced.
	if got, want := live(t, c, 1), fmt.Sprintf("%d bytes in 1 records", segment.RecordFootprint(7)); got != want {
		t.Fatalf("segment 1: %s", got)
	}
}

func vidOf(names map[string]string, name string) string {
	for vid, n := range names {
		if n == name && vid != "" {
			return vid
		}
	}
	panic("no version " + name)
}

// live renders segment seg's liveness.
func live(t *testing.T, c *Catalog, seg uint64) string {
	t.Helper()
	b, r := liveness(t, c, seg)
	return fmt.Sprintf("%d bytes in %d records", b, r)
}

func TestVersionsOlderThanTheCurrentOneStayNoncurrent(t *testing.T) {
	c, f := versioned(t)
	late := f.newVID()
	f.seq += 10 // the next event is 10 s later
	early := vidAt(t0, 1)
	f.addV("k", late, put(1, 1))
	f.addV("k", early, put(2, 1)) // an older id (a replica's, or a skewed clock): not current
	f.addV("k", vidAt(t0.Add(-time.Second), 2), &event.ObjectMarkerCreated{})
	mustApply(t, c, f)
	names := map[string]string{late: "late", early: "early", vidAt(t0.Add(-time.Second), 2): "m"}
	if got := versionsOf(t, c, "k", names); got != "late* early M:m" {
		t.Fatalf("versions %q", got)
	}
}

func TestUnversionedBucketKeepsOneNullVersion(t *testing.T) {
	c := open(t)
	var f feed
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})
	f.add("b", bid, "k", put(3, 1))
	f.add("b", bid, "k", put(4, 1))
	f.add("b", bid, "k", &event.ObjectMarkerCreated{}) // never written there: a no-op
	f.add("b", bid, "k", &event.ObjectTagged{Tags: map[string]string{"a": "b"}})
	mustApply(t, c, &f)
	o, found, err := c.Object(bid, "k")
	if err != nil || !found || o.Size != 4 || o.Tags["a"] != "b" || o.VersionID != "" {
		t.Fatalf("object %+v found %v err %v", o, found, err)
	}
	var dump bytes.Buffer
	_ = c.Dump(&dump)
	for _, line := range strings.Split(dump.String(), "\n") {
		if strings.HasPrefix(line, fmt.Sprintf("%x", prefixVersion)) || strings.HasPrefix(line, fmt.Sprintf("%x", prefixNull)) {
			t.Fatalf("an unversioned bucket stores versions: %s", line)
		}
	}
	f.add("b", bid, "k", &event.ObjectDeleted{})
	mustApply(t, c, &f)
	if empty, _, _ := c.BucketEmpty(bid); !empty || live(t, c, 1) != "0 bytes in 0 records" {
		t.Fatalf("empty %v, liveness %s", empty, live(t, c, 1))
	}
}

func TestVersionChangesReachNoncurrentVersions(t *testing.T) {
	c, f := versioned(t)
	v1, v2 := f.newVID(), ""
	f.addV("k", v1, put(1, 1))
	v2 = f.newVID()
	f.addV("k", v2, put(1, 1))
	until := t0.Add(time.Hour)
	f.addV("k", v1, &event.ObjectTagged{Tags: map[string]string{"old": "1"}})
	f.addV("k", v1, &event.ObjectRetentionSet{Mode: event.LockGovernance, RetainUntil: &until})
	f.addV("k", v1, &event.ObjectLegalHoldSet{On: true})
	f.addV("k", v2, &event.ObjectACLSet{ACL: event.ACL{Owner: "o"}})
	mustApply(t, c, f)
	o1, found, err := c.Version(bid, "k", v1)
	if err != nil || !found || o1.Tags["old"] != "1" || o1.LockMode != event.LockGovernance || !o1.RetainUntil.Equal(until) || !o1.LegalHold {
		t.Fatalf("v1 %+v found %v err %v", o1, found, err)
	}
	o2, _, _ := c.Object(bid, "k")
	if o2.VersionID != v2 || o2.ACL == nil || o2.ACL.Owner != "o" || o2.Tags != nil {
		t.Fatalf("current %+v", o2)
	}
	if _, found, _ := c.Version(bid, "k", "null"); found {
		t.Fatal("a null version that was never made")
	}
}

func TestBucketWithVersionsIsNotEmptyAndDropsThemOnDelete(t *testing.T) {
	c, f := versioned(t)
	f.addV("k", f.newVID(), put(8, 1))
	f.addV("k", f.newVID(), &event.ObjectMarkerCreated{})
	mustApply(t, c, f)
	if empty, _, _ := c.BucketEmpty(bid); empty {
		t.Fatal("a bucket holding a version and a marker is empty")
	}
	f.add("b", bid, "", &event.BucketDeleted{})
	mustApply(t, c, f)
	var dump bytes.Buffer
	_ = c.Dump(&dump)
	if live(t, c, 1) != "0 bytes in 0 records" || strings.Contains(dump.String(), "\"vid\"") {
		t.Fatalf("versions outlive their bucket:\n%s", dump.String())
	}
}

func TestObjectLockNeedsVersioningAndStaysEnabled(t *testing.T) {
	c := open(t)
	var f feed
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})
	f.add("b", bid, "", &event.BucketObjectLockSet{DefaultMode: event.LockCompliance, DefaultDays: 1}) // not versioned: no-op
	mustApply(t, c, &f)
	if b, _, _ := c.Bucket("b"); b.Lock != nil {
		t.Fatal("Object Lock on an unversioned bucket")
	}
	f.add("l", "ffeeddccbbaa99887766554433221100", "", &event.BucketCreated{Region: "r", Owner: "AK", ObjectLock: true})
	f.add("l", "ffeeddccbbaa99887766554433221100", "", &event.BucketVersioningSet{Status: event.VersioningSuspended})
	f.add("l", "ffeeddccbbaa99887766554433221100", "", &event.BucketObjectLockSet{DefaultMode: event.LockGovernance, DefaultYears: 2})
	mustApply(t, c, &f)
	b, _, _ := c.Bucket("l")
	if b.Versioning != event.VersioningEnabled || b.Lock == nil || b.Lock.DefaultYears != 2 {
		t.Fatalf("bucket %+v lock %+v", b, b.Lock)
	}
}
