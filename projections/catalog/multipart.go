package catalog

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cockroachdb/pebble/v2"
)

// Upload is an in-progress multipart upload. It embeds the event that
// created it, so the schema is the one definition of its attributes.
type Upload struct {
	Key       string    `json:"-"`
	Initiated time.Time `json:"initiated"`
	Owner     string    `json:"owner,omitempty"`
	Seq       uint64    `json:"seq"`     // the multipart.created event
	LastSeq   uint64    `json:"lastSeq"` // the last event applied on the upload's subject
	event.MultipartCreated
}

// Part is one stored part of an upload.
type Part struct {
	Seq      uint64    `json:"seq"` // the multipart.part event that stored it
	Modified time.Time `json:"mtime"`
	event.MultipartPart
}

// MaxPartNumber is the highest part number S3 allows.
const MaxPartNumber = 10000

// rawUploadID decodes a 32-hex upload id into its 16-byte key form.
func rawUploadID(id string) ([]byte, error) {
	b, err := hex.DecodeString(id)
	if err != nil || len(b) != 16 {
		return nil, fmt.Errorf("catalog: bad upload id %q", id)
	}
	return b, nil
}

// escapeKey appends key to dst with every 0x00 byte written as 0x00 0xff.
// With the terminator 0x00 0x01 after it, keys keep their byte order and
// the end of a key is unambiguous even for keys holding NUL bytes (0xff
// never occurs in UTF-8).
func escapeKey(dst []byte, key string) []byte {
	for i := 0; i < len(key); i++ {
		dst = append(dst, key[i])
		if key[i] == 0 {
			dst = append(dst, 0xff)
		}
	}
	return dst
}

func unescapeKey(b []byte) string {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		out = append(out, b[i])
		if b[i] == 0 {
			i++ // skip the 0xff
		}
	}
	return string(out)
}

// uploadsPrefix is the start of every upload of keys beginning with
// prefix in a bucket incarnation.
func uploadsPrefix(rid []byte, prefix string) []byte {
	k := make([]byte, 0, 17+len(prefix)+2)
	return escapeKey(append(append(k, prefixUpload), rid...), prefix)
}

// keyUploadsPrefix is the start of the uploads of exactly key.
func keyUploadsPrefix(rid []byte, key string) []byte {
	return append(uploadsPrefix(rid, key), 0x00, 0x01)
}

func uploadKey(rid []byte, key string, uid []byte) []byte {
	return append(keyUploadsPrefix(rid, key), uid...)
}

// splitUploadKey returns the S3 key and upload id of an upload record key.
func splitUploadKey(k []byte) (key, uploadID string) {
	body := k[1+16 : len(k)-16]
	return unescapeKey(body[:len(body)-2]), hex.EncodeToString(k[len(k)-16:])
}

func partsPrefix(rid, uid []byte) []byte {
	k := make([]byte, 0, 1+16+16+4)
	return append(append(append(k, prefixPart), rid...), uid...)
}

func partKey(rid, uid []byte, n int) []byte {
	return binary.BigEndian.AppendUint32(partsPrefix(rid, uid), uint32(n))
}

// liveUpload finds the upload ev is about; found is false when its bucket
// incarnation or the upload is gone.
func liveUpload(b *tx, ev *event.Event, uploadID string) (rid, uid []byte, up Upload, found bool, err error) {
	rid, live, err := liveBucket(b, ev)
	if err != nil || !live {
		return nil, nil, up, false, err
	}
	if uid, err = rawUploadID(uploadID); err != nil {
		return nil, nil, up, false, err
	}
	found, err = getJSON(b, uploadKey(rid, ev.Key, uid), &up)
	return rid, uid, up, found, err
}

func applyMultipartCreated(b *tx, ev *event.Event, p *event.MultipartCreated) error {
	rid, uid, _, found, err := liveUpload(b, ev, p.UploadID)
	if err != nil || rid == nil || found {
		return err // a dead bucket, or an id already used: the first claim stands
	}
	up := Upload{Initiated: ev.Time, Owner: ev.Actor, Seq: ev.Seq, LastSeq: ev.Seq, MultipartCreated: *p}
	return setJSON(b.Batch, uploadKey(rid, ev.Key, uid), &up)
}

// applyMultipartPart stores a part, replacing (and releasing) an earlier
// part with the same number. A part of an upload that has ended is a no-op.
func applyMultipartPart(b *tx, ev *event.Event, p *event.MultipartPart) error {
	rid, uid, up, found, err := liveUpload(b, ev, p.UploadID)
	if err != nil || !found || p.Number < 1 || p.Number > MaxPartNumber {
		return err
	}
	pk := partKey(rid, uid, p.Number)
	var old Part
	had, err := getJSON(b, pk, &old)
	if err != nil {
		return err
	}
	if had {
		if err := addLiveness(b, old.Extents, -1); err != nil {
			return err
		}
	}
	if err := setJSON(b.Batch, pk, &Part{Seq: ev.Seq, Modified: ev.Time, MultipartPart: *p}); err != nil {
		return err
	}
	if err := addLiveness(b, p.Extents, +1); err != nil {
		return err
	}
	up.LastSeq = ev.Seq
	return setJSON(b.Batch, uploadKey(rid, ev.Key, uid), &up)
}

func applyMultipartAborted(b *tx, ev *event.Event, p *event.MultipartAborted) error {
	rid, uid, _, found, err := liveUpload(b, ev, p.UploadID)
	if err != nil || !found {
		return err
	}
	return endUpload(b, rid, ev.Key, uid)
}

// endUpload removes an upload and its parts, releasing the parts' bytes.
// (A completion adds the bytes it uses back with its object, in the same
// batch.)
func endUpload(b *tx, rid []byte, key string, uid []byte) error {
	if err := b.Delete(uploadKey(rid, key, uid), nil); err != nil {
		return err
	}
	return dropParts(b, partsPrefix(rid, uid))
}

// dropParts releases and deletes every part record under pfx.
func dropParts(b *tx, pfx []byte) error {
	it, err := b.NewIter(&pebble.IterOptions{LowerBound: pfx, UpperBound: prefixEnd(pfx)})
	if err != nil {
		return err
	}
	var extents []event.Extent
	for ok := it.First(); ok; ok = it.Next() {
		var p Part
		if err := json.Unmarshal(it.Value(), &p); err != nil {
			_ = it.Close()
			return fmt.Errorf("catalog: corrupt part %x: %w", it.Key(), err)
		}
		extents = append(extents, p.Extents...)
	}
	if err := it.Close(); err != nil {
		return err
	}
	if err := addLiveness(b, extents, -1); err != nil {
		return err
	}
	return b.DeleteRange(pfx, prefixEnd(pfx), nil)
}

// completeUpload ends the upload an object.put completes. ok is false when
// that upload no longer exists (aborted, or completed already): the put
// must then leave the key alone.
func completeUpload(b *tx, rid []byte, ev *event.Event, uploadID string) (ok bool, err error) {
	uid, err := rawUploadID(uploadID)
	if err != nil {
		return false, err
	}
	uk := uploadKey(rid, ev.Key, uid)
	var up Upload
	found, err := getJSON(b, uk, &up)
	if err != nil || !found {
		return false, err
	}
	return true, endUpload(b, rid, ev.Key, uid)
}

// dropUploads removes every upload and part of a bucket incarnation.
func dropUploads(b *tx, rid []byte) error {
	up := append([]byte{prefixUpload}, rid...)
	if err := b.DeleteRange(up, prefixEnd(up), nil); err != nil {
		return err
	}
	return dropParts(b, append([]byte{prefixPart}, rid...))
}
