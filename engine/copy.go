package engine

import (
	"context"
	"errors"
	"time"

	"github.com/cairnstore/cairn/engine/checksum"
	"github.com/cairnstore/cairn/engine/names"
	"github.com/cairnstore/cairn/log/event"
)

// MaxCopySize is S3's limit on the source of a CopyObject.
const MaxCopySize = 5 << 30

// CopyObjectInput copies an object (S3 CopyObject).
type CopyObjectInput struct {
	SrcBucket, SrcKey string
	SrcVersionID      string // "": the source's current object
	Bucket, Key       string
	Actor             string
	SrcCond           Conditions      // x-amz-copy-source-if-*
	Cond              WriteConditions // If-Match / If-None-Match on the destination
	// ReplaceMeta (x-amz-metadata-directive: REPLACE) takes ContentHeaders
	// and UserMeta from the request instead of the source.
	ReplaceMeta bool
	ContentHeaders
	UserMeta map[string]string
	// ReplaceTags (x-amz-tagging-directive: REPLACE) takes Tags.
	ReplaceTags  bool
	Tags         map[string]string
	StorageClass string             // "" is STANDARD, as in S3
	Checksum     checksum.Algorithm // "" keeps the source's checksums
	ACL          *ACLSpec           // the copy's ACL (S3 never copies the source's)
	Lock         *LockSpec          // the copy's Object Lock (never the source's)
}

// CopyObjectResult is what S3 answers to a copy.
type CopyObjectResult struct {
	ETag         string
	Modified     time.Time
	Checksums    map[string]string
	ChecksumType string
	VersionID    string // the copy's
	SrcVersionID string // the source version copied
}

// CopyObject makes Key a copy of SrcKey. The new object shares the source's
// extents: no byte is read or written, unless a checksum algorithm the
// source lacks is asked for, which needs the bytes read once.
func (e *Engine) CopyObject(ctx context.Context, in CopyObjectInput) (CopyObjectResult, error) {
	defer e.o.Blobs.HoldCopies()() // the source's records must outlive compaction until the copy is applied
	src, err := e.copySource(ctx, in.SrcBucket, in.SrcKey, in.SrcVersionID)
	if err != nil {
		return CopyObjectResult{}, err
	}
	if err := in.SrcCond.checkRead(src); err != nil {
		return CopyObjectResult{}, copyCondition(err)
	}
	if src.Size > MaxCopySize {
		return CopyObjectResult{}, ErrCopySourceTooLarge
	}
	rewrite := in.Checksum != "" && src.Checksums[string(in.Checksum)] == ""
	if in.SrcBucket == in.Bucket && in.SrcKey == in.Key && in.SrcVersionID == "" && !in.ReplaceMeta &&
		in.StorageClass == src.StorageClass && !rewrite {
		return CopyObjectResult{}, ErrCopyToItself
	}
	b, err := e.bucket(ctx, in.Bucket)
	if err != nil {
		return CopyObjectResult{}, err
	}
	if err := names.CheckKey(in.Key); err != nil {
		return CopyObjectResult{}, err
	}
	rec, err := e.bucketRecord(ctx, in.Bucket)
	if err != nil {
		return CopyObjectResult{}, err
	}
	p := copiedPut(src, in)
	if p.ACL, err = objectACL(ctx, rec, in.ACL); err != nil {
		return CopyObjectResult{}, err
	}
	if err := e.askLock(b, in.Lock, true); err != nil {
		return CopyObjectResult{}, err
	}
	if rewrite {
		if err := e.rewriteForChecksum(ctx, src, in.Checksum, p); err != nil {
			return CopyObjectResult{}, err
		}
	}
	ev := &event.Event{Header: e.header(ctx, in.Actor), Payload: p}
	ev.Bucket, ev.BucketID, ev.Key = in.Bucket, b.id, in.Key
	if ev.VersionID, ev.Time, err = e.newVersion(b, in.Key, ev.Time); err != nil {
		return CopyObjectResult{}, err
	}
	p.Lock = lockFor(b, in.Lock, ev.Time)
	if _, err := e.appendObject(ctx, b, in.Key, ev, in.Cond); err != nil {
		return CopyObjectResult{}, err
	}
	return CopyObjectResult{ETag: p.ETag, Modified: ev.Time, Checksums: p.Checksums, ChecksumType: p.ChecksumType,
		VersionID: ev.VersionID, SrcVersionID: src.VersionID}, nil
}

// copySource returns the object a copy (or a part copy) reads: the
// source's current object, or the version named, which the principal must
// be allowed to read. A delete marker cannot be copied: named, it is
// ErrCopyFromDeleteMarker; current, the key has no object.
func (e *Engine) copySource(ctx context.Context, bucket, key, vid string) (ObjectInfo, error) {
	op := "GetObject"
	if vid != "" {
		op = "GetObjectVersion"
	}
	if err := e.authorize(ctx, op, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	_, src, err := e.objectAt(ctx, bucket, key, vid)
	var dm *DeleteMarkerError
	switch {
	case errors.As(err, &dm) && dm.Named:
		return src, ErrCopyFromDeleteMarker
	case errors.As(err, &dm):
		return src, ErrNoSuchKey
	}
	return src, err
}

// copyCondition: a copy-source condition that does not hold is a 412,
// whether a GET would have answered 304 or 412.
func copyCondition(err error) error {
	if errors.Is(err, ErrNotModified) {
		return ErrPreconditionFailed
	}
	return err
}

// copiedPut is the destination's object.put: the source's bytes, ETag and
// checksums, with metadata and tags from the source or the request.
func copiedPut(src ObjectInfo, in CopyObjectInput) *event.ObjectPut {
	p := &event.ObjectPut{Size: src.Size, ETag: src.ETag, Extents: src.extents, ContentHeaders: src.ContentHeaders,
		UserMeta: src.UserMeta, Checksums: src.Checksums, ChecksumType: src.ChecksumType, Parts: src.Parts,
		Tags: src.Tags, StorageClass: in.StorageClass, CopySource: in.SrcBucket + "/" + in.SrcKey, CopySourceVersion: src.VersionID}
	if in.ReplaceMeta {
		p.ContentHeaders, p.UserMeta = in.ContentHeaders, in.UserMeta
	}
	if in.ReplaceTags {
		p.Tags = in.Tags
	}
	return p
}

// rewriteForChecksum reads the source once into a new record, computing
// the requested checksum, and points p at the new record.
func (e *Engine) rewriteForChecksum(ctx context.Context, src ObjectInfo, alg checksum.Algorithm, p *event.ObjectPut) error {
	rc, err := e.openExtents(ctx, src.extents, 0, src.Size)
	if err != nil {
		return err
	}
	defer rc.Close()
	put := &PutObjectInput{Size: src.Size, Body: rc, Checksum: Checksum{Algorithm: alg}}
	id := event.NewID()
	sums, extents, err := e.storeBody(ctx, id, put)
	if err != nil {
		return err
	}
	p.Extents, p.Parts = extents, nil
	p.ETag = hexMD5(sums.md5)
	p.Checksums = map[string]string{string(alg): sums.checksum}
	p.ChecksumType = "FULL_OBJECT"
	return nil
}
