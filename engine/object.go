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

// ObjectInfo describes a version of a key: the current object, or the
// version a request named.
type ObjectInfo struct {
	Key       string
	VersionID string // as S3 shows it: "" in a bucket whose versioning was never configured
	Size      int64
	ETag      string // without quotes
	Modified  time.Time
	ContentHeaders
	UserMeta     map[string]string
	Checksums    map[string]string // algorithm -> base64
	ChecksumType string
	StorageClass string
	Owner        string // canonical id of the object's owner
	Tags         map[string]string
	Parts        []PartInfo // in order, for objects made by a multipart upload
	Seq          uint64     // stream sequence of the event that made it
	Lock                    // Object Lock: retention mode and date, legal hold
	// ReplicationStatus is S3's x-amz-replication-status: PENDING,
	// COMPLETED or FAILED on a replicated source, REPLICA on a replica;
	// "" when the version is not replicated.
	ReplicationStatus string
	extents           []event.Extent
	acl               *ACL
}

// Lock is a version's Object Lock state.
type Lock = event.Lock

// info describes version o of an object in b.
func (b Bucket) info(o catalog.Object) ObjectInfo {
	owner := ""
	if o.ACL != nil {
		owner = o.ACL.Owner
	}
	return ObjectInfo{Key: o.Key, VersionID: b.shown(o.VersionID), Size: o.Size, ETag: o.ETag, Modified: o.Modified,
		ContentHeaders: o.ContentHeaders, UserMeta: o.UserMeta, Checksums: o.Checksums, ChecksumType: o.ChecksumType,
		StorageClass: o.StorageClass, Owner: owner, Tags: o.Tags, Parts: o.Parts, Seq: o.Seq, Lock: o.Lock,
		ReplicationStatus: o.ReplicationStatus(), extents: o.Extents, acl: o.ACL}
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
		err = e.missing(b, key)
	}
	return b, o, err
}

// current is the object under key in b as the local index has it.
func (e *Engine) current(b Bucket, key string) (ObjectInfo, bool, error) {
	o, found, err := e.o.Catalog.Object(b.id, key)
	if err != nil || !found {
		return ObjectInfo{}, false, err
	}
	return b.info(o), true, nil
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
		if attempt > 0 && b.Versioning != "" {
			// Someone made a version meanwhile: this one must be newer.
			if ev.VersionID, ev.Time, err = e.newVersion(b, key, ev.Time); err != nil {
				return 0, err
			}
		}
		s, err := e.appendEvent(ctx, subj, ev, &stream.Expect{Seq: seq})
		if !errors.Is(err, stream.ErrConflict) {
			return s, err
		}
	}
	return 0, ErrBusy
}

// DeleteInput deletes a key (its current object) or one of its versions.
type DeleteInput struct {
	Bucket, Key string
	VersionID   string // "": the key; otherwise that version, for good
	Actor       string
	Cond        WriteConditions // If-Match only
	Bypass      bool            // x-amz-bypass-governance-retention: true
}

// DeleteResult is what S3 answers to a DELETE: the version removed (or
// the delete marker made), and whether it is a marker.
type DeleteResult struct {
	VersionID string
	Marker    bool
}

// DeleteObject deletes a key or a version. Without a version id, in an
// unversioned bucket it removes the object (a key that does not exist is
// no error, and appends nothing, unless If-Match asks for it to exist);
// in a versioned bucket it makes a delete marker. With one, it removes
// that version for good, if Object Lock allows.
func (e *Engine) DeleteObject(ctx context.Context, in DeleteInput) (DeleteResult, error) {
	if err := names.CheckKey(in.Key); err != nil {
		return DeleteResult{}, err
	}
	if err := checkVersionID(in.VersionID); err != nil {
		return DeleteResult{}, err
	}
	b, err := e.bucket(ctx, in.Bucket)
	switch {
	case err != nil:
		return DeleteResult{}, err
	case replicaOf(ctx) != nil && (in.VersionID != "" || b.Versioning != VersioningEnabled):
		return DeleteResult{}, ErrReplicaNeedsVersioning // a replicated DELETE only ever makes a marker
	case in.VersionID != "":
		return e.deleteVersion(ctx, b, in)
	case b.Versioning != "":
		return e.deleteCurrent(ctx, b, in)
	}
	o, found, err := e.current(b, in.Key)
	if err != nil || !found && !in.Cond.set() {
		return DeleteResult{}, err
	}
	if err := in.Cond.check(o, found); err != nil {
		return DeleteResult{}, err
	}
	ev := &event.Event{Header: e.header(ctx, in.Actor), Payload: &event.ObjectDeleted{}}
	ev.Bucket, ev.BucketID, ev.Key = in.Bucket, b.id, in.Key
	_, err = e.appendObject(ctx, b, in.Key, ev, in.Cond)
	return DeleteResult{}, err
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
		res.Objects[i] = b.info(o)
	}
	return res, nil
}
