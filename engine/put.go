package engine

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"

	"github.com/cairnstore/cairn/engine/blob"
	"github.com/cairnstore/cairn/engine/checksum"
	"github.com/cairnstore/cairn/engine/names"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/segment"
)

// Limits of a single PUT, as in S3.
const (
	MaxPutSize      = 5 << 30
	MaxUserMetaSize = 2 << 10
)

// Checksum asks for an additional checksum of the body. The expected value
// comes from a header (Value) or, when the body carries it in a trailer,
// from Trailer once the body has been read to its end. With neither, the
// checksum is computed and stored.
type Checksum struct {
	Algorithm checksum.Algorithm
	Value     string
	Trailer   func() (string, bool)
}

// PutObjectInput is a PUT of a whole object.
type PutObjectInput struct {
	Bucket, Key string
	Actor       string
	Size        int64 // exact number of body bytes
	Body        io.Reader
	ContentHeaders
	UserMeta     map[string]string
	StorageClass string
	ContentMD5   []byte // expected MD5 of the body, if sent
	Checksum     Checksum
	Tags         map[string]string
	Cond         WriteConditions
	ACL          *ACLSpec
	Lock         *LockSpec // x-amz-object-lock-*
	Post         bool      // a browser POST upload, not a PUT
}

// PutObjectResult is what S3 answers to a PUT.
type PutObjectResult struct {
	ETag      string
	Checksums map[string]string
	VersionID string // "" in a bucket whose versioning was never configured
}

func checkPut(in *PutObjectInput) error {
	if err := names.CheckKey(in.Key); err != nil {
		return err
	}
	if in.Size > MaxPutSize {
		return ErrEntityTooLarge
	}
	if in.Size < 0 {
		return ErrIncompleteBody
	}
	n := 0
	for k, v := range in.UserMeta {
		n += len(k) + len(v)
	}
	if n > MaxUserMetaSize {
		return ErrMetadataTooLarge
	}
	if c := in.Checksum; c.Value != "" && !c.Algorithm.Valid(c.Value) {
		return ErrInvalidChecksum
	}
	return nil
}

// PutObject stores a whole object: bytes first (durable), then the event.
func (e *Engine) PutObject(ctx context.Context, in PutObjectInput) (PutObjectResult, error) {
	if err := checkPut(&in); err != nil {
		return PutObjectResult{}, err
	}
	b, err := e.bucket(ctx, in.Bucket)
	if err != nil {
		return PutObjectResult{}, err
	}
	rec, err := e.bucketRecord(ctx, in.Bucket)
	if err != nil {
		return PutObjectResult{}, err
	}
	acl, err := objectACL(ctx, rec, in.ACL)
	if err != nil {
		return PutObjectResult{}, err
	}
	if err := e.askLock(b, in.Lock, in.ContentMD5 != nil || in.Checksum.Algorithm != ""); err != nil {
		return PutObjectResult{}, err
	}
	if in.Cond.set() { // fail fast, before reading the body
		o, found, err := e.current(b, in.Key)
		if err == nil {
			err = in.Cond.check(o, found)
		}
		if err != nil {
			return PutObjectResult{}, err
		}
	}
	if o, here, err := e.replicaHere(ctx, b, in.Key); here || err != nil {
		if err == nil {
			_, err = io.Copy(io.Discard, in.Body) // a verifying body reader checks it to its end
		}
		return PutObjectResult{ETag: o.ETag, Checksums: o.Checksums, VersionID: o.VersionID}, err
	}
	id := event.NewID()
	sums, extents, err := e.storeBody(ctx, id, &in)
	if err != nil {
		return PutObjectResult{}, err
	}
	p := &event.ObjectPut{Size: in.Size, ETag: hexMD5(sums.md5), Extents: extents,
		ContentHeaders: in.ContentHeaders, UserMeta: in.UserMeta, StorageClass: in.StorageClass, Tags: in.Tags, ACL: acl, Post: in.Post}
	if sums.checksum != "" {
		p.Checksums = map[string]string{string(in.Checksum.Algorithm): sums.checksum}
		p.ChecksumType = "FULL_OBJECT"
	}
	ev := &event.Event{Header: e.header(ctx, in.Actor), Payload: p}
	ev.ID, ev.Bucket, ev.BucketID, ev.Key = id, in.Bucket, b.id, in.Key
	if ev.VersionID, ev.Time, err = e.newVersion(b, in.Key, ev.Time); err != nil {
		return PutObjectResult{}, err
	}
	if err := asReplica(ctx, b, ev, &p.ACL); err != nil {
		return PutObjectResult{}, err
	}
	p.Lock = lockFor(b, in.Lock, ev.Time)
	if _, err := e.appendObject(ctx, b, in.Key, ev, in.Cond); err != nil {
		return PutObjectResult{}, err
	}
	// The projection ignores object events of a deleted bucket incarnation.
	if cur, err := e.bucket(ctx, in.Bucket); err != nil || cur.id != b.id {
		return PutObjectResult{}, ErrNoSuchBucket
	}
	return PutObjectResult{ETag: p.ETag, Checksums: p.Checksums, VersionID: ev.VersionID}, nil
}

type bodySums struct {
	md5      []byte
	checksum string
}

// storeBody streams the body into a segment record named id, verifying
// length, Content-MD5 and the requested checksum, and makes it durable. An
// empty body stores no record.
func (e *Engine) storeBody(ctx context.Context, id string, in *PutObjectInput) (bodySums, []event.Extent, error) {
	var rec segment.RecordID
	if _, err := hex.Decode(rec[:], []byte(id)); err != nil {
		return bodySums{}, nil, err
	}
	var w *blob.Writer
	dst := io.Discard
	if in.Size > 0 {
		var err error
		if w, err = e.o.Blobs.Create(ctx, rec, in.Size); err != nil {
			return bodySums{}, nil, err
		}
		dst = w
	}
	sums, err := copyHashed(dst, in)
	if err != nil {
		if w != nil {
			_ = w.Abort()
		}
		return bodySums{}, nil, err
	}
	if w == nil {
		return sums, nil, nil
	}
	loc, err := w.Commit(ctx)
	if err != nil {
		_ = w.Abort()
		return bodySums{}, nil, err
	}
	ext := event.Extent{Node: e.o.Node, Disk: loc.Disk, Segment: loc.Segment, Offset: loc.Offset, Length: loc.Length, Record: id}
	return sums, []event.Extent{ext}, nil
}

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// copyHashed copies the body to dst while computing MD5 and the requested
// checksum, reads it to EOF (so a verifying body reader can check its
// signature or trailer), and checks length and digests.
func copyHashed(dst io.Writer, in *PutObjectInput) (bodySums, error) {
	md := md5.New()
	hashes := []hash.Hash{md}
	var ck hash.Hash
	if in.Checksum.Algorithm != "" {
		ck = in.Checksum.Algorithm.New()
		hashes = append(hashes, ck)
	}
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	n, err := copyTo(dst, in.Body, *bp, hashes)
	if err != nil {
		return bodySums{}, err
	}
	if n != in.Size {
		return bodySums{}, fmt.Errorf("%w: got %d of %d bytes", ErrIncompleteBody, n, in.Size)
	}
	sums := bodySums{md5: md.Sum(nil)}
	if in.ContentMD5 != nil && !bytes.Equal(in.ContentMD5, sums.md5) {
		return bodySums{}, ErrBadDigest
	}
	if ck != nil {
		sums.checksum = checksum.Encode(ck.Sum(nil))
		if err := verifyChecksum(in.Checksum, sums.checksum); err != nil {
			return bodySums{}, err
		}
	}
	return sums, nil
}

func copyTo(dst io.Writer, src io.Reader, buf []byte, hashes []hash.Hash) (int64, error) {
	var n int64
	for {
		k, err := src.Read(buf)
		if k > 0 {
			for _, h := range hashes {
				h.Write(buf[:k])
			}
			if _, werr := dst.Write(buf[:k]); werr != nil {
				return n, werr
			}
			n += int64(k)
		}
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

func verifyChecksum(c Checksum, got string) error {
	want := c.Value
	if want == "" && c.Trailer != nil {
		v, ok := c.Trailer()
		if !ok {
			return ErrMissingChecksum
		}
		if !c.Algorithm.Valid(v) {
			return ErrInvalidChecksum
		}
		want = v
	}
	if want != "" && want != got {
		return &ChecksumMismatchError{Algorithm: c.Algorithm}
	}
	return nil
}

func hexMD5(sum []byte) string { return hex.EncodeToString(sum) }
