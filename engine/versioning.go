package engine

import (
	"context"
	"fmt"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/projections/catalog"
)

// Versioning. A bucket's state is "" (never configured: every object is
// the null version, and S3 shows no version ids), Enabled (every write
// makes a new version with a fresh id; a DELETE without a version id
// makes a delete marker) or Suspended (writes and plain DELETEs replace
// the null version: a PUT with the new object, a DELETE with a null delete
// marker; the other versions stay). Every version change is an event on
// the key's subject; the index places versions by time (see
// projections/catalog).

// BucketVersioning returns a bucket's versioning state ("" if never
// configured).
func (e *Engine) BucketVersioning(ctx context.Context, bucket string) (string, error) {
	b, err := e.bucket(ctx, bucket)
	return b.Versioning, err
}

// PutBucketVersioning sets a bucket's versioning state, Enabled or
// Suspended. A bucket with Object Lock cannot be suspended.
func (e *Engine) PutBucketVersioning(ctx context.Context, bucket, actor, status string) error {
	if status != VersioningEnabled && status != VersioningSuspended {
		return fmt.Errorf("%w: versioning status %q", ErrInvalidArgument, status)
	}
	rec, err := e.bucketRecord(ctx, bucket)
	if err != nil {
		return err
	}
	if rec.Lock != nil && status != VersioningEnabled {
		return ErrSuspendLockedBucket
	}
	if err := e.bucketConfigEvent(ctx, rec, actor, &event.BucketVersioningSet{Status: status}); err != nil {
		return err
	}
	// Racing an Object Lock configuration, the projection keeps whichever
	// came first: a suspension after it is a no-op.
	if b, err := e.bucket(ctx, bucket); err != nil || b.Versioning != status {
		return ErrSuspendLockedBucket
	}
	return nil
}

// ListVersionsInput selects a page of a bucket's versions.
type ListVersionsInput struct {
	Prefix          string
	Delimiter       string
	KeyMarker       string
	VersionIDMarker string // only with KeyMarker
	MaxKeys         int    // capped at MaxListKeys
}

// VersionInfo is one version in a listing: an object, or a delete marker
// (whose ObjectInfo has only Key, VersionID, Modified and Owner).
type VersionInfo struct {
	ObjectInfo
	Marker bool
	Latest bool
}

// ListVersionsResult is one page of versions: by key, newest first within
// a key. NextKey and NextVersionID (empty after a common prefix) are the
// markers of the next page when Truncated.
type ListVersionsResult struct {
	Versions       []VersionInfo
	CommonPrefixes []string
	Truncated      bool
	NextKey        string
	NextVersionID  string
}

// ListObjectVersions returns one page of a bucket's versions and delete
// markers. In a bucket whose versioning was never configured, every
// object is its key's only version, "null".
func (e *Engine) ListObjectVersions(ctx context.Context, bucket string, in ListVersionsInput) (ListVersionsResult, error) {
	switch {
	case in.VersionIDMarker != "" && in.KeyMarker == "":
		return ListVersionsResult{}, ErrVersionMarkerNoKey
	case in.VersionIDMarker != "" && !catalog.ValidVersionID(in.VersionIDMarker):
		return ListVersionsResult{}, ErrInvalidVersionID
	}
	b, err := e.bucket(ctx, bucket)
	if err != nil {
		return ListVersionsResult{}, err
	}
	page, err := e.o.Catalog.ListVersions(b.id, catalog.VersionQuery{Prefix: in.Prefix, Delimiter: in.Delimiter,
		KeyMarker: in.KeyMarker, VersionIDMarker: in.VersionIDMarker, Max: min(max(in.MaxKeys, 0), MaxListKeys)})
	if err != nil {
		return ListVersionsResult{}, err
	}
	res := ListVersionsResult{CommonPrefixes: page.CommonPrefixes, Truncated: page.Truncated,
		NextKey: page.NextKey, NextVersionID: page.NextVersionID}
	res.Versions = make([]VersionInfo, len(page.Versions))
	for i, v := range page.Versions {
		res.Versions[i] = VersionInfo{ObjectInfo: b.info(v.Object), Marker: v.Marker, Latest: v.Latest}
		res.Versions[i].VersionID = v.VersionID // "null" even where GET shows none
	}
	return res, nil
}

// markerEvent is the event of a delete marker for key, made now in b (a
// fresh id when versioning is Enabled, the null version when Suspended).
func (e *Engine) markerEvent(ctx context.Context, b Bucket, key, actor string) (*event.Event, error) {
	hdr := e.header(ctx, actor)
	vid, t, err := e.newVersion(b, key, hdr.Time)
	if err != nil {
		return nil, err
	}
	ev := &event.Event{Header: hdr, Payload: &event.ObjectMarkerCreated{Owner: principalOf(ctx).CanonicalID}}
	ev.Bucket, ev.BucketID, ev.Key, ev.VersionID, ev.Time = b.Name, b.id, key, vid, t
	return ev, nil
}

// removeEvent is the event that removes version o of key for good, once
// Object Lock allows it.
func (e *Engine) removeEvent(ctx context.Context, b Bucket, o catalog.Object, vid, actor string, bypass bool) (*event.Event, error) {
	if !o.Marker {
		if err := e.protected(ctx, b, b.info(o), bypass); err != nil {
			return nil, err
		}
	}
	ev := &event.Event{Header: e.header(ctx, actor), Payload: &event.ObjectDeleted{}}
	ev.Bucket, ev.BucketID, ev.Key, ev.VersionID = b.Name, b.id, o.Key, vid
	return ev, nil
}

// deleteVersion removes version vid of key for good, guarded by the key's
// sequence so that a retention or legal hold set meanwhile is seen. A
// version that does not exist is not an error (S3 answers 204).
func (e *Engine) deleteVersion(ctx context.Context, b Bucket, in DeleteInput) (DeleteResult, error) {
	res := DeleteResult{VersionID: in.VersionID}
	err := e.guardedAppend(ctx, b, in.Key, func() (*event.Event, error) {
		o, found, err := e.o.Catalog.Version(b.id, in.Key, in.VersionID)
		if err != nil || !found {
			return nil, err
		}
		if in.Cond.set() && !o.Marker {
			if err := in.Cond.check(b.info(o), true); err != nil {
				return nil, err
			}
		}
		res.Marker = o.Marker
		return e.removeEvent(ctx, b, o, in.VersionID, in.Actor, in.Bypass)
	})
	return res, err
}

// deleteCurrent makes a delete marker in a versioned bucket: the key's
// versions stay, hidden behind it.
func (e *Engine) deleteCurrent(ctx context.Context, b Bucket, in DeleteInput) (DeleteResult, error) {
	if o, here, err := e.replicaHere(ctx, b, in.Key); here || err != nil {
		return DeleteResult{VersionID: o.VersionID, Marker: o.Marker}, err
	}
	ev, err := e.markerEvent(ctx, b, in.Key, in.Actor)
	if err != nil {
		return DeleteResult{}, err
	}
	if err := asReplicaMarker(ctx, b, ev); err != nil {
		return DeleteResult{}, err
	}
	if _, err := e.appendObject(ctx, b, in.Key, ev, in.Cond); err != nil {
		return DeleteResult{}, err
	}
	return DeleteResult{VersionID: ev.VersionID, Marker: true}, nil
}
