package catalog

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Upload returns an in-progress upload of key in a bucket incarnation;
// found is false when there is none (never created, aborted, completed,
// or not an upload id at all).
func (c *Catalog) Upload(bucketID, key, uploadID string) (up Upload, found bool, err error) {
	rid, err := rawID(bucketID)
	if err != nil {
		return up, false, err
	}
	uid, err := rawUploadID(uploadID)
	if err != nil {
		return up, false, nil
	}
	found, err = getJSON(c.db, uploadKey(rid, key, uid), &up)
	up.Key = key
	return up, found, err
}

// Part returns part n of an upload; found is false when it is not stored.
func (c *Catalog) Part(bucketID, uploadID string, n int) (p Part, found bool, err error) {
	rid, err := rawID(bucketID)
	if err != nil {
		return p, false, err
	}
	uid, err := rawUploadID(uploadID)
	if err != nil || n < 1 || n > MaxPartNumber {
		return p, false, nil
	}
	found, err = getJSON(c.db, partKey(rid, uid, n), &p)
	return p, found, err
}

// Parts returns an upload's parts numbered above after, in order, at most
// max of them (all when max <= 0); truncated says whether more follow.
func (c *Catalog) Parts(bucketID, uploadID string, after, max int) (parts []Part, truncated bool, err error) {
	rid, err := rawID(bucketID)
	if err != nil {
		return nil, false, err
	}
	uid, err := rawUploadID(uploadID)
	if err != nil {
		return nil, false, nil
	}
	return readParts(c.db, rid, uid, after, max)
}

// UploadParts returns an upload and all its parts as of one moment (a
// completion must not see the upload alive and its parts gone).
func (c *Catalog) UploadParts(bucketID, key, uploadID string) (up Upload, parts []Part, found bool, err error) {
	rid, err := rawID(bucketID)
	if err != nil {
		return up, nil, false, err
	}
	uid, err := rawUploadID(uploadID)
	if err != nil {
		return up, nil, false, nil
	}
	snap := c.db.NewSnapshot()
	defer snap.Close()
	if found, err = getJSON(snap, uploadKey(rid, key, uid), &up); err != nil || !found {
		return up, nil, false, err
	}
	up.Key = key
	parts, _, err = readParts(snap, rid, uid, 0, 0)
	return up, parts, err == nil, err
}

func readParts(r pebble.Reader, rid, uid []byte, after, max int) (parts []Part, truncated bool, err error) {
	pfx := partsPrefix(rid, uid)
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: pfx, UpperBound: prefixEnd(pfx)})
	if err != nil {
		return nil, false, err
	}
	defer it.Close()
	valid := it.SeekGE(partKey(rid, uid, max0(after)+1))
	if after >= MaxPartNumber {
		valid = false
	}
	for ; valid && (max <= 0 || len(parts) < max); valid = it.Next() {
		var p Part
		if err := json.Unmarshal(it.Value(), &p); err != nil {
			return nil, false, fmt.Errorf("catalog: corrupt part %x: %w", it.Key(), err)
		}
		p.Number = int(binary.BigEndian.Uint32(it.Key()[len(pfx):]))
		parts = append(parts, p)
	}
	return parts, valid, it.Error()
}

func max0(n int) int { return max(n, 0) }

// UploadQuery selects one page of a bucket's in-progress uploads.
type UploadQuery struct {
	Prefix    string
	Delimiter string
	// KeyMarker alone starts after every upload of that key (or after the
	// common prefix it names); with UploadIDMarker, after that upload of
	// that key.
	KeyMarker      string
	UploadIDMarker string
	Max            int // uploads plus common prefixes on the page
}

// UploadPage is one page of uploads in key order, then initiation order.
// NextKey and NextUploadID are the last entry on the page (NextUploadID is
// empty when it is a common prefix): the markers of the following page.
type UploadPage struct {
	Uploads        []Upload
	CommonPrefixes []string
	Truncated      bool
	NextKey        string
	NextUploadID   string
}

// ListUploads returns one page of a bucket incarnation's uploads.
func (c *Catalog) ListUploads(bucketID string, q UploadQuery) (UploadPage, error) {
	var page UploadPage
	rid, err := rawID(bucketID)
	if err != nil || q.Max <= 0 {
		return page, err
	}
	lower := uploadsPrefix(rid, q.Prefix)
	it, err := c.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: prefixEnd(lower)})
	if err != nil {
		return page, err
	}
	defer it.Close()
	valid := it.SeekGE(uploadsStart(rid, q))
	for ; valid && len(page.Uploads)+len(page.CommonPrefixes) < q.Max; valid = it.Valid() {
		key, id := splitUploadKey(it.Key())
		if key == q.KeyMarker && q.UploadIDMarker != "" && id <= q.UploadIDMarker {
			it.Next() // an upload of the marker's key at or before the marker id
			continue
		}
		if cp, ok := commonPrefix(key, q.Prefix, q.Delimiter); ok {
			page.CommonPrefixes = append(page.CommonPrefixes, cp)
			page.NextKey, page.NextUploadID = cp, ""
			it.SeekGE(prefixEnd(uploadsPrefix(rid, cp)))
			continue
		}
		var up Upload
		if err := json.Unmarshal(it.Value(), &up); err != nil {
			return page, fmt.Errorf("catalog: corrupt upload %x: %w", it.Key(), err)
		}
		up.Key = key
		page.Uploads = append(page.Uploads, up)
		page.NextKey, page.NextUploadID = key, id
		it.Next()
	}
	page.Truncated = valid
	return page, it.Error()
}

// uploadsStart is where a page of uploads starts (see UploadQuery).
func uploadsStart(rid []byte, q UploadQuery) []byte {
	first := uploadsPrefix(rid, q.Prefix)
	var start []byte
	switch cp, isCP := commonPrefix(q.KeyMarker, q.Prefix, q.Delimiter); {
	case q.KeyMarker == "":
		return first
	case q.UploadIDMarker != "":
		start = keyUploadsPrefix(rid, q.KeyMarker) // ListUploads skips ids up to the marker
	case isCP && cp == q.KeyMarker:
		start = prefixEnd(uploadsPrefix(rid, cp))
	default:
		start = prefixEnd(keyUploadsPrefix(rid, q.KeyMarker))
	}
	if bytes.Compare(start, first) < 0 {
		return first // a marker before the prefix
	}
	return start
}

// ObjectSeq returns the sequence of the event that made the current object
// under key, without decoding the rest of it (a completed upload's object
// lists every part and extent).
func (c *Catalog) ObjectSeq(bucketID, key string) (seq uint64, found bool, err error) {
	rid, err := rawID(bucketID)
	if err != nil {
		return 0, false, err
	}
	var o struct {
		Seq uint64 `json:"seq"`
	}
	found, err = getJSON(c.db, objectKey(rid, key), &o)
	return o.Seq, found, err
}
