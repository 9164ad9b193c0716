package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cockroachdb/pebble/v2"
)

// Bucket returns the record of a bucket name; found is false when the name
// was never used. A deleted bucket comes back with Deleted set.
func (c *Catalog) Bucket(name string) (b Bucket, found bool, err error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	b, found = c.mu.buckets[name]
	return b, found, nil
}

// Buckets returns the live buckets in name order.
func (c *Catalog) Buckets() ([]Bucket, error) {
	c.mu.RLock()
	out := make([]Bucket, 0, len(c.mu.buckets))
	for _, b := range c.mu.buckets {
		if !b.Deleted {
			out = append(out, b)
		}
	}
	c.mu.RUnlock()
	slices.SortFunc(out, func(a, b Bucket) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Object returns the current object under key in a bucket incarnation.
func (c *Catalog) Object(bucketID, key string) (o Object, found bool, err error) {
	rid, err := rawID(bucketID)
	if err != nil {
		return o, false, err
	}
	found, err = getJSON(c.db, objectKey(rid, key), &o)
	o.Key = key
	return o, found, err
}

// BucketEmpty reports whether a bucket incarnation holds no object and no
// version (delete markers included), and the sequence of its last object
// event (the guard of a DeleteBucket).
func (c *Catalog) BucketEmpty(bucketID string) (empty bool, lastSeq uint64, err error) {
	rid, err := rawID(bucketID)
	if err != nil {
		return false, 0, err
	}
	snap := c.db.NewSnapshot()
	defer snap.Close()
	empty = true
	for _, pfx := range [][]byte{objectPrefix(rid), append([]byte{prefixVersion}, rid...)} {
		it, err := snap.NewIter(&pebble.IterOptions{LowerBound: pfx, UpperBound: prefixEnd(pfx)})
		if err != nil {
			return false, 0, err
		}
		empty = empty && !it.First()
		if err := it.Close(); err != nil {
			return false, 0, err
		}
	}
	v, closer, err := snap.Get(lastObjKey(rid))
	if err == nil {
		lastSeq = u64(v)
		closer.Close()
	} else if !errors.Is(err, pebble.ErrNotFound) {
		return false, 0, err
	}
	return empty, lastSeq, nil
}

// KeySeq is the sequence of the last event on a key's subject, 0 if none.
func (c *Catalog) KeySeq(bucketID, key string) (uint64, error) {
	rid, err := rawID(bucketID)
	if err != nil {
		return 0, err
	}
	v, closer, err := c.db.Get(keySeqKey(rid, key))
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer closer.Close()
	return u64(v), nil
}

// ListQuery selects one page of a bucket's keys.
type ListQuery struct {
	Prefix    string
	Delimiter string
	After     string // list keys strictly after this one (start-after, marker, token)
	Max       int    // objects plus common prefixes on the page
}

// ListPage is one page of a listing. Next is the last key or common prefix
// on the page: listing again with After = Next continues where this page
// stopped.
type ListPage struct {
	Objects        []Object
	CommonPrefixes []string
	Truncated      bool
	Next           string
}

// List returns one page of a bucket incarnation's objects in key order.
func (c *Catalog) List(bucketID string, q ListQuery) (ListPage, error) {
	var page ListPage
	rid, err := rawID(bucketID)
	if err != nil || q.Max <= 0 {
		return page, err
	}
	lower := objectKey(rid, q.Prefix)
	it, err := c.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: prefixEnd(lower)})
	if err != nil {
		return page, err
	}
	defer it.Close()
	base := len(objectPrefix(rid))
	valid := it.SeekGE(startKey(rid, q))
	for ; valid && len(page.Objects)+len(page.CommonPrefixes) < q.Max; valid = it.Valid() {
		key := string(it.Key()[base:])
		if cp, ok := commonPrefix(key, q.Prefix, q.Delimiter); ok {
			page.CommonPrefixes = append(page.CommonPrefixes, cp)
			page.Next = cp
			// Skip the whole common prefix with one seek. (Keys start
			// with 'O', so a successor always exists.)
			it.SeekGE(prefixEnd(objectKey(rid, cp)))
			continue
		}
		var o Object
		if err := json.Unmarshal(it.Value(), &o); err != nil {
			return page, fmt.Errorf("catalog: corrupt object %q: %w", key, err)
		}
		o.Key = key
		page.Objects = append(page.Objects, o)
		page.Next = key
		it.Next()
	}
	page.Truncated = valid
	return page, it.Error()
}

// startKey is where a page starts: just after q.After, or past every key of
// the common prefix q.After when it is one (a continuation after a page that
// ended on a common prefix).
func startKey(rid []byte, q ListQuery) []byte {
	first := objectKey(rid, q.Prefix)
	if q.After == "" || q.After < q.Prefix {
		return first
	}
	if cp, ok := commonPrefix(q.After, q.Prefix, q.Delimiter); ok && cp == q.After {
		return prefixEnd(objectKey(rid, cp))
	}
	return append(objectKey(rid, q.After), 0)
}

// commonPrefix returns the prefix that key rolls up into: the key up to and
// including the first delimiter after prefix.
func commonPrefix(key, prefix, delim string) (string, bool) {
	if delim == "" || !strings.HasPrefix(key, prefix) {
		return "", false
	}
	i := strings.Index(key[len(prefix):], delim)
	if i < 0 {
		return "", false
	}
	return key[:len(prefix)+i+len(delim)], true
}

// NotificationAt returns the notification configuration in force for a
// bucket incarnation at stream sequence seq: the last one set at or before
// it. found is false when none was ever set by then. The caller makes sure
// the index has applied seq (runner.WaitFor) before asking.
func (c *Catalog) NotificationAt(bucketID string, seq uint64) (n Notification, found bool, err error) {
	found, err = c.configAt(prefixNotify, bucketID, seq, &n)
	if err != nil {
		err = fmt.Errorf("catalog: notification configuration: %w", err)
	}
	return n, found, err
}

// configAt reads into v the last configuration of a kind a bucket
// incarnation got at or before seq.
func (c *Catalog) configAt(kind byte, bucketID string, seq uint64, v any) (found bool, err error) {
	rid, err := rawID(bucketID)
	if err != nil {
		return false, err
	}
	lower := configKey(kind, rid, 0)
	upper := prefixEnd(lower[:len(lower)-8]) // every version of the bucket
	if seq < ^uint64(0) {
		upper = configKey(kind, rid, seq+1)
	}
	it, err := c.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return false, err
	}
	defer it.Close()
	if !it.Last() {
		return false, it.Error()
	}
	if err := json.Unmarshal(it.Value(), v); err != nil {
		return false, fmt.Errorf("corrupt value under %q: %w", it.Key(), err)
	}
	return true, nil
}
