package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Version returns version vid ("null" or "": the null version) of key in
// a bucket incarnation, an object or a delete marker; found is false when
// there is no such version.
func (c *Catalog) Version(bucketID, key, vid string) (o Object, found bool, err error) {
	rid, err := rawID(bucketID)
	if err != nil {
		return o, false, err
	}
	snap := c.db.NewSnapshot()
	defer snap.Close()
	o, _, found, err = history{r: snap, rid: rid, key: key}.find(vid)
	return o, found, err
}

// Latest returns the newest version of key: the current object, or the
// delete marker that hides the versions before it; found is false when
// the key has no version.
func (c *Catalog) Latest(bucketID, key string) (o Object, found bool, err error) {
	rid, err := rawID(bucketID)
	if err != nil {
		return o, false, err
	}
	snap := c.db.NewSnapshot()
	defer snap.Close()
	return history{r: snap, rid: rid, key: key}.latest()
}

// VersionQuery selects one page of a bucket's versions.
type VersionQuery struct {
	Prefix    string
	Delimiter string
	// KeyMarker alone starts after every version of that key (or after
	// the common prefix it names); with VersionIDMarker, after that
	// version of that key.
	KeyMarker       string
	VersionIDMarker string
	Max             int // versions, delete markers and common prefixes on the page
}

// Version is one entry of a version listing (the null version's id is
// "null" there).
type Version struct {
	Object
	Latest bool // the key's newest version
}

// VersionPage is one page of versions in key order, newest first within
// a key. NextKey and NextVersionID are the last entry on the page
// (NextVersionID is empty when it is a common prefix): the markers of the
// following page.
type VersionPage struct {
	Versions       []Version
	CommonPrefixes []string
	Truncated      bool
	NextKey        string
	NextVersionID  string
}

// ListVersions returns one page of a bucket incarnation's versions. It
// merges two range scans, of current objects ("O") and of the other
// versions ("V"), both in key order; a key's current object is its
// newest version, so it comes first.
func (c *Catalog) ListVersions(bucketID string, q VersionQuery) (VersionPage, error) {
	var page VersionPage
	rid, err := rawID(bucketID)
	if err != nil || q.Max <= 0 {
		return page, err
	}
	snap := c.db.NewSnapshot()
	defer snap.Close()
	s, err := newVersionScan(snap, rid, q)
	if err != nil {
		return page, err
	}
	defer s.close()
	for more := s.valid(); more; more = s.valid() {
		if len(page.Versions)+len(page.CommonPrefixes) == q.Max {
			page.Truncated = true
			break
		}
		key := s.key()
		if cp, ok := commonPrefix(key, q.Prefix, q.Delimiter); ok {
			page.CommonPrefixes = append(page.CommonPrefixes, cp)
			page.NextKey, page.NextVersionID = cp, ""
			s.skipPrefix(cp)
			continue
		}
		v, err := s.next(key)
		if err != nil {
			return page, err
		}
		page.Versions = append(page.Versions, v)
		page.NextKey, page.NextVersionID = key, v.VersionID
	}
	return page, s.err()
}

// versionScan walks the current objects and the stored versions of a
// bucket's keys in listing order.
type versionScan struct {
	r      pebble.Reader
	rid    []byte
	o, v   *pebble.Iterator
	last   string // the key of the previous entry
	seen   bool   // an entry of key last has been listed (or lies before the page)
	resume string // the key a page starts in the middle of
}

func newVersionScan(r pebble.Reader, rid []byte, q VersionQuery) (*versionScan, error) {
	s := &versionScan{r: r, rid: rid}
	var err error
	lowO := objectKey(rid, q.Prefix)
	if s.o, err = r.NewIter(&pebble.IterOptions{LowerBound: lowO, UpperBound: prefixEnd(lowO)}); err != nil {
		return nil, err
	}
	lowV := versionsPrefix(rid, q.Prefix)
	if s.v, err = r.NewIter(&pebble.IterOptions{LowerBound: lowV, UpperBound: prefixEnd(lowV)}); err != nil {
		_ = s.o.Close()
		return nil, err
	}
	km := q.KeyMarker
	cp, isCP := commonPrefix(km, q.Prefix, q.Delimiter)
	switch {
	case km == "" || km < q.Prefix:
		s.o.First()
		s.v.First()
	case isCP && cp == km:
		s.skipPrefix(cp)
	case q.VersionIDMarker == "":
		seek(s.o, append(objectKey(rid, km), 0), lowO)
		seek(s.v, prefixEnd(keyVersionsPrefix(rid, km)), lowV)
	default:
		err = s.startWithin(km, q.VersionIDMarker, lowO, lowV)
	}
	if err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// startWithin starts after version vid of key km: the versions of km
// older than it, then the keys after km. A version id that names no
// version of km starts after the whole key.
func (s *versionScan) startWithin(km, vid string, lowO, lowV []byte) error {
	h := history{r: s.r, rid: s.rid, key: km}
	o, _, found, err := h.find(vid)
	if err != nil {
		return err
	}
	if !found {
		seek(s.o, append(objectKey(s.rid, km), 0), lowO)
		seek(s.v, prefixEnd(keyVersionsPrefix(s.rid, km)), lowV)
		return nil
	}
	ord, err := orderOf(&o)
	if err != nil {
		return err
	}
	// km's current object, if any, is its newest version: at or before
	// the marker.
	seek(s.o, append(objectKey(s.rid, km), 0), lowO)
	seek(s.v, append(versionKey(s.rid, km, ord), 0), lowV)
	s.resume = km
	return nil
}

// seek positions it at the first key at or after k, never before lower.
func seek(it *pebble.Iterator, k, lower []byte) {
	if bytes.Compare(k, lower) < 0 {
		k = lower
	}
	it.SeekGE(k)
}

func (s *versionScan) valid() bool { return s.o.Valid() || s.v.Valid() }

// key is the key of the next entry (the smaller of the two scans').
func (s *versionScan) key() string {
	kv, okV := s.keyV()
	if !s.o.Valid() {
		return kv
	}
	ko := string(s.o.Key()[1+16:])
	if okV && kv < ko {
		return kv
	}
	return ko
}

func (s *versionScan) keyV() (string, bool) {
	if !s.v.Valid() {
		return "", false
	}
	k, _ := splitVersionKey(s.v.Key())
	return k, true
}

// next returns the next entry, a version of key, and moves past it.
func (s *versionScan) next(key string) (Version, error) {
	if key != s.last {
		s.last, s.seen = key, key == s.resume
	}
	it, latest := s.v, !s.seen
	if s.o.Valid() && string(s.o.Key()[1+16:]) == key {
		it = s.o
	}
	var v Version
	if err := json.Unmarshal(it.Value(), &v.Object); err != nil {
		return v, fmt.Errorf("catalog: corrupt version %x: %w", it.Key(), err)
	}
	v.Key, v.Latest, s.seen = key, latest, true
	if IsNull(v.VersionID) {
		v.VersionID = NullVersion
	}
	it.Next()
	return v, nil
}

// skipPrefix moves both scans past every key beginning with cp.
func (s *versionScan) skipPrefix(cp string) {
	// Keys start with 'O' or 'V', so a successor always exists.
	s.o.SeekGE(prefixEnd(objectKey(s.rid, cp)))
	s.v.SeekGE(prefixEnd(versionsPrefix(s.rid, cp)))
}

func (s *versionScan) err() error {
	if err := s.o.Error(); err != nil {
		return err
	}
	return s.v.Error()
}

func (s *versionScan) close() {
	_ = s.o.Close()
	_ = s.v.Close()
}
