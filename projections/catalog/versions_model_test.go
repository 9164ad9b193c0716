package catalog

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/segment"
	"github.com/cairnstore/cairn/projections/catalog/listmodel"
)

// versionModel is the naive truth the index is held to: every key's
// versions, newest first.
type versionModel map[string][]modelVersion

type modelVersion struct {
	id     string // "null" for the null version
	ord    order
	marker bool
	size   int64
}

// apply makes a version (replacing one with the same id) or, with del,
// removes one.
func (m versionModel) apply(key string, v modelVersion, del bool) {
	vs := slices.DeleteFunc(m[key], func(x modelVersion) bool { return x.id == v.id })
	if !del {
		vs = append(vs, v)
		sort.Slice(vs, func(i, j int) bool { return vs[i].ord.newer(vs[j].ord) })
	}
	m[key] = vs
}

func (m versionModel) all() []listmodel.Version {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []listmodel.Version
	for _, k := range keys {
		for _, v := range m[k] {
			out = append(out, listmodel.Version{Key: k, ID: v.id, Marker: v.marker})
		}
	}
	return out
}

// randomHistory feeds a versioned bucket random puts (real and null
// versions), delete markers and version deletions over keys, mirroring
// each in the model; some keys get null versions before versioning.
func randomHistory(t *testing.T, keys []string, n int) (*Catalog, versionModel, *feed) {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 8))
	c := open(t)
	f := &feed{}
	m := versionModel{}
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})
	records := 0
	newPut := func(size int64) *event.ObjectPut { // each version its own record
		records++
		p := put(size, 1)
		p.Extents[0].Record = fmt.Sprintf("%016x%016x", 1<<40, records)
		return p
	}
	for _, k := range keys[:len(keys)/4] {
		ev := f.add("b", bid, k, newPut(1))
		m.apply(k, modelVersion{id: NullVersion, ord: nullOrder(ev.Time), size: 1}, false)
	}
	f.add("b", bid, "", &event.BucketVersioningSet{Status: event.VersioningEnabled})
	for i := 0; i < n; i++ {
		k := keys[r.IntN(len(keys))]
		at := t0.Add(time.Duration(f.seq+1) * time.Second)
		v := modelVersion{id: vidAt(at, r.Uint64()), size: 1 + r.Int64N(9)}
		if r.IntN(5) == 0 {
			v.id = NullVersion
		}
		switch op := r.IntN(10); {
		case op < 6:
			f.addV(k, v.id, newPut(v.size))
		case op < 8:
			v.marker = true
			f.addV(k, v.id, &event.ObjectMarkerCreated{})
		default:
			if vs := m[k]; len(vs) > 0 {
				v = vs[r.IntN(len(vs))]
			}
			f.addV(k, v.id, &event.ObjectDeleted{})
			m.apply(k, v, true)
			continue
		}
		v.ord, _ = orderOf(&Object{VersionID: v.id, Modified: at})
		m.apply(k, v, false)
	}
	mustApply(t, c, f)
	return c, m, f
}

func nullOrder(at time.Time) order {
	o, _ := orderOf(&Object{Modified: at})
	return o
}

// walkVersions pages through a version listing with the index and with
// the model, and checks every page is the same.
func walkVersions(t *testing.T, c *Catalog, all []listmodel.Version, prefix, delim string, max int) int {
	t.Helper()
	km, vm := "", ""
	for pages := 1; ; pages++ {
		got, err := c.ListVersions(bid, VersionQuery{Prefix: prefix, Delimiter: delim, KeyMarker: km, VersionIDMarker: vm, Max: max})
		if err != nil {
			t.Fatal(err)
		}
		want := listmodel.ListVersions(all, prefix, delim, km, vm, max)
		gotPage := listmodel.VersionPage{Prefixes: got.CommonPrefixes, Truncated: got.Truncated, NextKey: got.NextKey, NextID: got.NextVersionID}
		for _, v := range got.Versions {
			gotPage.Versions = append(gotPage.Versions, listmodel.Version{Key: v.Key, ID: shown(v.VersionID), Marker: v.Marker, Latest: v.Latest})
		}
		if len(got.Versions) > 0 && got.NextVersionID != "" {
			gotPage.NextID = shown(got.NextVersionID)
		}
		if !want.Truncated {
			gotPage.NextKey, gotPage.NextID, want.NextKey, want.NextID = "", "", "", ""
		}
		if g, w := renderVersions(gotPage), renderVersions(want); g != w {
			t.Fatalf("prefix %q delim %q key-marker %q version-id-marker %q max %d (page %d):\n index %s\n model %s",
				prefix, delim, km, vm, max, pages, g, w)
		}
		if !got.Truncated {
			return pages
		}
		km, vm = got.NextKey, shown(got.NextVersionID)
		if got.NextVersionID == "" {
			vm = ""
		}
	}
}

func shown(vid string) string {
	if IsNull(vid) {
		return NullVersion
	}
	return vid
}

func renderVersions(p listmodel.VersionPage) string {
	var b strings.Builder
	for _, v := range p.Versions {
		b.WriteString(v.Key + "@" + v.ID[:4])
		if v.Marker {
			b.WriteString("(M)")
		}
		if v.Latest {
			b.WriteString("(L)")
		}
		b.WriteString(" ")
	}
	b.WriteString("CP:" + strings.Join(p.Prefixes, ","))
	if p.Truncated {
		b.WriteString(" +next=" + p.NextKey + "@" + p.NextID)
	}
	return b.String()
}

func TestVersionListingMatchesTheModel(t *testing.T) {
	keys := modelKeys(200)
	c, m, f := randomHistory(t, keys, 2500)
	all := m.all()
	if len(all) < 1000 {
		t.Fatalf("only %d versions", len(all))
	}
	if pages := walkVersions(t, c, all, "", "", 7); pages < len(all)/7 {
		t.Fatalf("%d pages", pages)
	}
	for _, delim := range []string{"", "/", "--", "2"} {
		walkVersions(t, c, all, "", delim, 1000)
		for _, prefix := range []string{"a", "a/", "photos/", "ü", "nothing"} {
			for _, max := range []int{1, 3, 1000} {
				walkVersions(t, c, all, prefix, delim, max)
			}
		}
	}
	checkCurrent(t, c, m, keys)
	// Replaying the same log into a fresh index, one event per batch,
	// gives the same bytes: folding is deterministic.
	fresh := open(t)
	for i := range f.events {
		if err := fresh.Apply(f.events[i:i+1], false); err != nil {
			t.Fatal(err)
		}
	}
	var a, b bytes.Buffer
	_ = c.Dump(&a)
	_ = fresh.Dump(&b)
	if a.String() != b.String() {
		t.Fatal("replaying the log one event at a time gives another index")
	}
}

// checkCurrent: GET (the current object), the newest version, ListObjects
// and segment liveness all agree with the model.
func checkCurrent(t *testing.T, c *Catalog, m versionModel, keys []string) {
	t.Helper()
	var listed []string
	var bytes, records uint64
	for _, k := range keys {
		vs := m[k]
		for _, v := range vs {
			if !v.marker {
				bytes, records = bytes+uint64(segment.RecordFootprint(v.size)), records+1
			}
		}
		o, found, err := c.Object(bid, k)
		if err != nil {
			t.Fatal(err)
		}
		if wantCur := len(vs) > 0 && !vs[0].marker; found != wantCur || found && shown(o.VersionID) != vs[0].id {
			t.Fatalf("%q: current %q (found %v), model %+v", k, o.VersionID, found, vs)
		}
		if found {
			listed = append(listed, k)
		}
		l, found, err := c.Latest(bid, k)
		if err != nil || found != (len(vs) > 0) || found && (shown(l.VersionID) != vs[0].id || l.Marker != vs[0].marker) {
			t.Fatalf("%q: latest %+v found %v err %v, model %+v", k, l, found, err, vs)
		}
	}
	sort.Strings(listed)
	walk(t, c, bid, listed, "", "/", "", 10)
	walk(t, c, bid, listed, "", "", "", 1000)
	if b, r := liveness(t, c, 1); b != bytes || r != records {
		t.Fatalf("liveness %d bytes in %d records, model %d in %d", b, r, bytes, records)
	}
}
