package engine

import (
	"context"
	"time"

	"github.com/cairnstore/cairn/engine/names"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/projections/catalog"
)

// ContentHeaders are the standard HTTP headers stored with an object. The
// event schema is their one definition.
type ContentHeaders = event.ContentHeaders

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
	Owner        string
	extents      []event.Extent
}

func infoOf(o catalog.Object) ObjectInfo {
	return ObjectInfo{Key: o.Key, Size: o.Size, ETag: o.ETag, Modified: o.Modified, ContentHeaders: o.ContentHeaders,
		UserMeta: o.UserMeta, Checksums: o.Checksums, ChecksumType: o.ChecksumType, StorageClass: o.StorageClass,
		Owner: o.Owner, extents: o.Extents}
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
	o, found, err := e.o.Catalog.Object(b.id, key)
	if err != nil {
		return b, ObjectInfo{}, err
	}
	if !found {
		return b, ObjectInfo{}, ErrNoSuchKey
	}
	return b, infoOf(o), nil
}

// HeadObject returns the current object's attributes.
func (e *Engine) HeadObject(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	_, o, err := e.object(ctx, bucket, key)
	return o, err
}

// DeleteObject removes the current object under key. Deleting a key that
// does not exist succeeds and appends nothing, as S3 answers 204 either way.
func (e *Engine) DeleteObject(ctx context.Context, bucket, key, actor string) error {
	b, _, err := e.object(ctx, bucket, key)
	if err == ErrNoSuchKey {
		return nil
	}
	if err != nil {
		return err
	}
	ev := &event.Event{Header: e.header(actor), Payload: &event.ObjectDeleted{}}
	ev.Bucket, ev.BucketID, ev.Key = bucket, b.id, key
	_, err = e.appendEvent(ctx, stream.ObjectSubject(b.id, key), ev, nil)
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
