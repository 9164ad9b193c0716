package engine

import (
	"context"
	"errors"
	"time"

	"github.com/cairnstore/cairn/engine/names"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/projections/catalog"
)

// ContentHeaders are the standard HTTP headers stored with an object. The
// event schema is their one definition.
type ContentHeaders = event.ContentHeaders

// PartInfo describes one part of an object made by a multipart upload.
type PartInfo = event.PartInfo

// ObjectInfo describes the current object under a key.
type ObjectInfo struct {
	Key      string
	Size     int64
	ETag     string // without quotes
	Modified time.Time
	ContentHeaders
	UserMeta     map[string]string
	Checksums    map[string]string // algorithm -> base64
	ChecksumType string
	StorageClass string
	Owner        string // canonical id of the object's owner
	Tags         map[string]string
	Parts        []PartInfo // in order, for objects made by a multipart upload
	Seq          uint64     // stream sequence of the event that made it
	// ReplicationStatus is S3's x-amz-replication-status: PENDING,
	// COMPLETED or FAILED on a replicated source, REPLICA on a replica;
	// "" when the version is not replicated.
	ReplicationStatus string
	extents           []event.Extent
}

func infoOf(o catalog.Object) ObjectInfo {
	owner := ""
	if o.ACL != nil {
		owner = o.ACL.Owner
	}
	return ObjectInfo{Key: o.Key, Size: o.Size, ETag: o.ETag, Modified: o.Modified, ContentHeaders: o.ContentHeaders,
		UserMeta: o.UserMeta, Checksums: o.Checksums, ChecksumType: o.ChecksumType, StorageClass: o.StorageClass,
		Owner: owner, Tags: o.Tags, Parts: o.Parts, Seq: o.Seq, ReplicationStatus: o.ReplicationStatus(), extents: o.Extents}
}

// object returns the current object under key.
func (e *Engine) object(ctx context.Context, bucket, key string) (Bucket, ObjectInfo, error) {
	if err := names.CheckKey(key); err != nil {
		return Bucket{}, ObjectInfo{}, err
	}
	b, err := e.bucket(ctx, bucket)
	if err != nil {
		return b, ObjectInfo{}, err
	}
	o, found, err := e.current(b, key)
	if err == nil && !found {
		err = ErrNoSuchKey
	}
	return b, o, err
}

// current is the object under key in b as the local index has it.
func (e *Engine) current(b Bucket, key string) (ObjectInfo, bool, error) {
	o, found, err := e.o.Catalog.Object(b.id, key)
	if err != nil || !found {
		return ObjectInfo{}, false, err
	}
	return infoOf(o), true, nil
}

// appendObject appends ev, an event about key, and waits until it is
// applied. With write conditions it checks them against the current object
// and guards the append with the key's last subject sequence, so that the
// stream refuses it if anyone (any gateway) wrote the key in between; after
// losing such a race it looks again: it retries while the conditions hold,
// and answers ErrConditionalConflict once they no longer do, as S3 does.
func (e *Engine) appendObject(ctx context.Context, b Bucket, key string, ev *event.Event, wc WriteConditions) (uint64, error) {
	subj := stream.ObjectSubject(b.id, key)
	if !wc.set() {
		return e.appendEvent(ctx, subj, ev, nil)
	}
	for attempt := range maxConflictRetries {
		if attempt > 0 {
			if err := e.waitLatest(ctx); err != nil {
				return 0, err
			}
		}
		// NB: the sequence is read before the object: an event applied in
		// between makes the guard stale and the append fail, never pass.
		seq, err := e.o.Catalog.KeySeq(b.id, key)
		if err != nil {
			return 0, err
		}
		o, found, err := e.current(b, key)
		if err != nil {
			return 0, err
		}
		if err := wc.check(o, found); err != nil {
			if attempt > 0 {
				return 0, ErrConditionalConflict
			}
			return 0, err
		}
		s, err := e.appendEvent(ctx, subj, ev, &stream.Expect{Seq: seq})
		if !errors.Is(err, stream.ErrConflict) {
			return s, err
		}
	}
	return 0, ErrBusy
}

// DeleteInput deletes the current object under a key.
type DeleteInput struct {
	Bucket, Key string
	Actor       string
	Cond        WriteConditions // If-Match only
}

// DeleteObject removes the current object under key. Deleting a key that
// does not exist succeeds and appends nothing (S3 answers 204 either way),
// unless If-Match asks for it to exist.
func (e *Engine) DeleteObject(ctx context.Context, in DeleteInput) error {
	b, o, err := e.object(ctx, in.Bucket, in.Key)
	if errors.Is(err, ErrNoSuchKey) && !in.Cond.set() {
		return nil
	}
	if err != nil {
		return err
	}
	if err := in.Cond.check(o, true); err != nil {
		return err
	}
	ev := &event.Event{Header: e.header(ctx, in.Actor), Payload: &event.ObjectDeleted{}}
	ev.Bucket, ev.BucketID, ev.Key = in.Bucket, b.id, in.Key
	_, err = e.appendObject(ctx, b, in.Key, ev, in.Cond)
	return err
}

// MaxListKeys is S3's cap on entries per listing page.
const MaxListKeys = 1000

// ListInput selects a page of a bucket's keys.
type ListInput struct {
	Prefix    string
	Delimiter string
	After     string // start after this key (start-after, marker or a decoded token)
	MaxKeys   int    // capped at MaxListKeys
}

// ListResult is one page. Next is where the following page starts (the
// last key or common prefix on this page) when Truncated.
type ListResult struct {
	Objects        []ObjectInfo
	CommonPrefixes []string
	Truncated      bool
	Next           string
}

// ListObjects returns one page of a bucket's objects in UTF-8 byte order.
func (e *Engine) ListObjects(ctx context.Context, bucket string, in ListInput) (ListResult, error) {
	b, err := e.bucket(ctx, bucket)
	if err != nil {
		return ListResult{}, err
	}
	page, err := e.o.Catalog.List(b.id, catalog.ListQuery{Prefix: in.Prefix, Delimiter: in.Delimiter,
		After: in.After, Max: min(max(in.MaxKeys, 0), MaxListKeys)})
	if err != nil {
		return ListResult{}, err
	}
	res := ListResult{CommonPrefixes: page.CommonPrefixes, Truncated: page.Truncated, Next: page.Next}
	res.Objects = make([]ObjectInfo, len(page.Objects))
	for i, o := range page.Objects {
		res.Objects[i] = infoOf(o)
	}
	return res, nil
}
