package engine

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"time"

	"github.com/cairnstore/cairn/engine/names"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/projections/catalog"
)

// Versioning states of a bucket ("" for one whose versioning was never
// configured: it reports no status, and its objects no version id).
const (
	VersioningEnabled   = event.VersioningEnabled
	VersioningSuspended = event.VersioningSuspended
)

// NullVersion is the id of the null version.
const NullVersion = catalog.NullVersion

// DeleteMarkerError says that the version a request named, or the current
// version of its key, is a delete marker. Unnamed, S3 behaves as if the
// object did not exist (it matches ErrNoSuchKey); named, it refuses every
// operation but DELETE (ErrMethodNotAllowed). Either way the response
// says it is a marker, with the marker's id and time.
type DeleteMarkerError struct {
	VersionID string
	Modified  time.Time
	Named     bool
}

func (e *DeleteMarkerError) Error() string {
	return "engine: version " + e.VersionID + " is a delete marker"
}

// Is makes errors.Is match ErrMethodNotAllowed or ErrNoSuchKey.
func (e *DeleteMarkerError) Is(target error) bool {
	if e.Named {
		return target == ErrMethodNotAllowed
	}
	return target == ErrNoSuchKey
}

// newVersionID returns a version id for a version made at t: the time in
// nanoseconds (16 hex digits) and 64 random bits (see log/event's
// versioning.go), so that ids are unique and order versions by time.
func newVersionID(t time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixNano()))
	_, _ = rand.Read(b[8:])
	return hex.EncodeToString(b[:])
}

// shown is the id S3 reports for version vid of an object in b: none in
// a bucket whose versioning was never configured, "null" for the null
// version elsewhere.
func (b Bucket) shown(vid string) string {
	switch {
	case b.Versioning == "":
		return ""
	case catalog.IsNull(vid):
		return NullVersion
	}
	return vid
}

// newVersion decides the id and time of a version of key made now in b:
// a fresh id when versioning is Enabled, the null version when it is
// Suspended, and "" (the null version too) when it was never configured.
// The time never goes back from the key's newest version, so that a
// version made now is the newest even if the clock stepped back: the
// index orders versions by time.
func (e *Engine) newVersion(b Bucket, key string, now time.Time) (string, time.Time, error) {
	if b.Versioning == "" {
		return "", now, nil
	}
	l, found, err := e.o.Catalog.Latest(b.id, key)
	if err != nil {
		return "", now, err
	}
	if found && !now.After(l.Modified) {
		now = l.Modified.Add(time.Nanosecond)
	}
	if b.Versioning == VersioningSuspended {
		return NullVersion, now, nil
	}
	return newVersionID(now), now, nil
}

// checkVersionID refuses a version id that cannot name a version ("" is
// no version: the current one).
func checkVersionID(vid string) error {
	if vid != "" && !catalog.ValidVersionID(vid) {
		return ErrInvalidVersionID
	}
	return nil
}

// objectAt returns version vid of key ("": the current object). A delete
// marker is a *DeleteMarkerError; a version that does not exist is
// ErrNoSuchVersion (ErrNoSuchKey for the current one).
func (e *Engine) objectAt(ctx context.Context, bucket, key, vid string) (Bucket, ObjectInfo, error) {
	if vid == "" {
		return e.object(ctx, bucket, key)
	}
	if err := names.CheckKey(key); err != nil {
		return Bucket{}, ObjectInfo{}, err
	}
	if err := checkVersionID(vid); err != nil {
		return Bucket{}, ObjectInfo{}, err
	}
	b, err := e.bucket(ctx, bucket)
	if err != nil {
		return b, ObjectInfo{}, err
	}
	o, found, err := e.o.Catalog.Version(b.id, key, vid)
	switch {
	case err != nil:
		return b, ObjectInfo{}, err
	case !found:
		return b, ObjectInfo{}, ErrNoSuchVersion
	case o.Marker:
		return b, ObjectInfo{}, &DeleteMarkerError{VersionID: b.shown(o.VersionID), Modified: o.Modified, Named: true}
	}
	return b, b.info(o), nil
}

// missing explains why key has no current object: a *DeleteMarkerError
// when a delete marker hides it, ErrNoSuchKey otherwise.
func (e *Engine) missing(b Bucket, key string) error {
	if b.Versioning == "" {
		return ErrNoSuchKey
	}
	l, found, err := e.o.Catalog.Latest(b.id, key)
	switch {
	case err != nil:
		return err
	case found && l.Marker:
		return &DeleteMarkerError{VersionID: b.shown(l.VersionID), Modified: l.Modified}
	}
	return ErrNoSuchKey
}

// guardedAppend appends the event build makes for key, guarded by the
// key's last subject sequence: build reads what it checks after the
// sequence is read, so an event of anyone (any gateway) on the key in
// between makes the append fail, and build runs again on the new state.
// A nil event appends nothing.
func (e *Engine) guardedAppend(ctx context.Context, b Bucket, key string, build func() (*event.Event, error)) error {
	for attempt := range maxConflictRetries {
		if attempt > 0 {
			if err := e.waitLatest(ctx); err != nil {
				return err
			}
		}
		seq, err := e.o.Catalog.KeySeq(b.id, key)
		if err != nil {
			return err
		}
		ev, err := build()
		if err != nil || ev == nil {
			return err
		}
		_, err = e.appendEvent(ctx, stream.ObjectSubject(b.id, key), ev, &stream.Expect{Seq: seq})
		if !errors.Is(err, stream.ErrConflict) {
			return err
		}
	}
	return ErrBusy
}

// appendVersionEvent appends an event that changes version vid of key in
// b (tags, ACL, legal hold), unguarded: a change of a version removed
// meanwhile is a no-op in the index.
func (e *Engine) appendVersionEvent(ctx context.Context, b Bucket, key, vid, actor string, p event.Payload) error {
	ev := &event.Event{Header: e.header(ctx, actor), Payload: p}
	ev.Bucket, ev.BucketID, ev.Key, ev.VersionID = b.Name, b.id, key, vid
	_, err := e.appendEvent(ctx, stream.ObjectSubject(b.id, key), ev, nil)
	return err
}
