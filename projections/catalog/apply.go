package catalog

import (
	"encoding/json"
	"fmt"
	"maps"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cockroachdb/pebble/v2"
)

// Apply folds events (in stream order) into one batch together with the
// last one's sequence, and commits it; sync makes the commit durable (the
// log is the truth, so most commits need not be). Events at or below the
// applied sequence are skipped.
func (c *Catalog) Apply(events []*event.Event, sync bool) error {
	applied, err := c.AppliedSeq()
	if err != nil {
		return err
	}
	b := &tx{Batch: c.db.NewIndexedBatch(), c: c, buckets: map[string]Bucket{},
		iam: iamChanges{users: map[string]*User{}, keys: map[string]*Key{}}, moved: map[string]SegmentState{}}
	defer b.Close()
	last := applied
	for _, ev := range events {
		if ev.Seq <= last {
			continue
		}
		b.ev = ev
		if err := apply(b, ev); err != nil {
			return fmt.Errorf("catalog: apply seq %d (%s): %w", ev.Seq, ev.Payload.EventType(), err)
		}
		last = ev.Seq
	}
	if last == applied {
		return nil
	}
	if err := b.Set(keyApplied, be64(last), nil); err != nil {
		return err
	}
	opt := pebble.NoSync
	if sync {
		opt = pebble.Sync
	}
	if err := b.Commit(opt); err != nil {
		return fmt.Errorf("catalog: commit: %w", err)
	}
	c.mu.Lock()
	maps.Copy(c.mu.buckets, b.buckets)
	maps.Copy(c.mu.moved, b.moved)
	c.commitIAMLocked(b.iam)
	c.mu.Unlock()
	return nil
}

// tx is one Apply's batch plus the bucket records and segment states it
// changed, which become visible to readers once the batch is committed.
type tx struct {
	*pebble.Batch
	c       *Catalog
	ev      *event.Event // the event being applied
	buckets map[string]Bucket
	iam     iamChanges
	moved   map[string]SegmentState
}

func (b *tx) bucket(name string) (Bucket, bool) {
	if bk, ok := b.buckets[name]; ok {
		return bk, true
	}
	bk, found, _ := b.c.Bucket(name)
	return bk, found
}

func (b *tx) setBucket(name string, bk Bucket) error {
	bk.Name = name
	b.buckets[name] = bk
	return setJSON(b.Batch, bucketKey(name), &bk)
}

// apply folds one event. Event types this projection does not know are
// ignored (other projections may); unknown versions never reach here:
// decoding refuses them.
func apply(b *tx, ev *event.Event) error {
	switch p := ev.Payload.(type) {
	case *event.BucketCreated:
		return applyBucketCreated(b, ev, p)
	case *event.BucketDeleted:
		return applyBucketDeleted(b, ev)
	case *event.ObjectPut:
		return applyObjectPut(b, ev, p)
	case *event.ObjectDeleted:
		return applyObjectDeleted(b, ev)
	case *event.ObjectTagged: // a version deleted meanwhile changes nothing
		return updateVersion(b, ev, func(o *Object) { o.Tags = p.Tags })
	case *event.BucketTagged:
		return applyBucketTagged(b, ev, p)
	case *event.BucketACLSet, *event.BucketOwnershipSet, *event.BucketPublicAccessSet, *event.BucketPolicySet:
		return applyBucketAccess(b, ev)
	case *event.ObjectACLSet:
		return updateVersion(b, ev, func(o *Object) { o.ACL = &p.ACL })
	case *event.UserCreated:
		return applyIAM(b, ev, stream.UserSubject(p.Name))
	case *event.UserUpdated:
		return applyIAM(b, ev, stream.UserSubject(p.Name))
	case *event.UserDeleted:
		return applyIAM(b, ev, stream.UserSubject(p.Name))
	case *event.KeyCreated:
		return applyIAM(b, ev, stream.KeySubject(p.AccessKey))
	case *event.KeyUpdated:
		return applyIAM(b, ev, stream.KeySubject(p.AccessKey))
	case *event.KeyDeleted:
		return applyIAM(b, ev, stream.KeySubject(p.AccessKey))
	case *event.MultipartCreated:
		return applyMultipartCreated(b, ev, p)
	case *event.MultipartPart:
		return applyMultipartPart(b, ev, p)
	case *event.MultipartAborted:
		return applyMultipartAborted(b, ev, p)
	case *event.ObjectMarkerCreated:
		return applyObjectMarker(b, ev, p)
	case *event.ObjectRetentionSet:
		return updateVersion(b, ev, func(o *Object) { o.LockMode, o.RetainUntil = p.Mode, p.RetainUntil })
	case *event.ObjectLegalHoldSet:
		return updateVersion(b, ev, func(o *Object) { o.LegalHold = p.On })
	case *event.BucketVersioningSet:
		return applyBucketVersioning(b, ev, p)
	case *event.BucketObjectLockSet:
		return applyBucketObjectLock(b, ev, p)
	case *event.BucketNotification:
		return applyBucketNotification(b, ev, p)
	case *event.BucketReplication:
		return applyBucketReplication(b, ev, p)
	case *event.ObjectReplicated:
		return applyObjectReplicated(b, ev, p)
	case *event.SegmentRelocated:
		return applyRelocated(b, p)
	case *event.SegmentRetired:
		return applyRetired(b, p)
	}
	return nil
}

// applyBucketAccess folds a bucket's access-control changes.
func applyBucketAccess(b *tx, ev *event.Event) error {
	cur, found := b.bucket(ev.Bucket)
	if !found || cur.Deleted || cur.ID != ev.BucketID {
		return nil
	}
	switch p := ev.Payload.(type) {
	case *event.BucketACLSet:
		cur.ACL = &p.ACL
	case *event.BucketOwnershipSet:
		cur.Ownership = p.Ownership
	case *event.BucketPublicAccessSet:
		cur.PublicAccess = p.Config
	case *event.BucketPolicySet:
		cur.Policy = p.Policy
	}
	return b.setBucket(ev.Bucket, cur)
}

func applyBucketTagged(b *tx, ev *event.Event, p *event.BucketTagged) error {
	cur, found := b.bucket(ev.Bucket)
	if !found || cur.Deleted || cur.ID != ev.BucketID {
		return nil
	}
	cur.Tags = p.Tags
	return b.setBucket(ev.Bucket, cur)
}

func setJSON(b *pebble.Batch, key []byte, v any) error {
	val, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Set(key, val, nil)
}

func applyBucketCreated(b *tx, ev *event.Event, p *event.BucketCreated) error {
	cur, found := b.bucket(ev.Bucket)
	if found && !cur.Deleted {
		// The name is taken: the stream's expected sequence should have
		// refused this event. First claim wins, everywhere.
		return nil
	}
	if _, err := rawID(ev.BucketID); err != nil {
		return err
	}
	nb := Bucket{ID: ev.BucketID, Region: p.Region, Owner: p.Owner, Created: ev.Time, Seq: ev.Seq, NameSeq: ev.Seq,
		ACL: p.ACL, Ownership: p.Ownership, PublicAccess: p.PublicAccess}
	if p.ObjectLock {
		nb.Versioning, nb.Lock = event.VersioningEnabled, &event.BucketObjectLockSet{}
	}
	return b.setBucket(ev.Bucket, nb)
}

func applyBucketDeleted(b *tx, ev *event.Event) error {
	cur, found := b.bucket(ev.Bucket)
	if !found || cur.Deleted || cur.ID != ev.BucketID {
		return nil
	}
	rid, err := rawID(cur.ID)
	if err != nil {
		return err
	}
	// The stream guard made sure the bucket was empty; should anything be
	// left, drop it deterministically so no object outlives its bucket.
	if err := dropObjects(b, rid); err != nil {
		return err
	}
	if err := dropVersions(b, rid); err != nil {
		return err
	}
	// In-progress uploads do not keep a bucket alive (as in S3 for general
	// purpose buckets): they go with it.
	if err := dropUploads(b, rid); err != nil {
		return err
	}
	if err := b.Delete(lastObjKey(rid), nil); err != nil {
		return err
	}
	ks := append([]byte{prefixKeySeq}, rid...)
	if err := b.DeleteRange(ks, prefixEnd(ks), nil); err != nil {
		return err
	}
	cur.Deleted, cur.NameSeq = true, ev.Seq
	return b.setBucket(ev.Bucket, cur)
}

func dropObjects(b *tx, rid []byte) error {
	pfx := objectPrefix(rid)
	it, err := b.NewIter(&pebble.IterOptions{LowerBound: pfx, UpperBound: prefixEnd(pfx)})
	if err != nil {
		return err
	}
	var keys [][]byte
	for ok := it.First(); ok; ok = it.Next() {
		var o Object
		if err := json.Unmarshal(it.Value(), &o); err != nil {
			_ = it.Close()
			return err
		}
		if err := addLiveness(b, o.Extents, -1); err != nil {
			_ = it.Close()
			return err
		}
		keys = append(keys, append([]byte(nil), it.Key()...))
	}
	if err := it.Close(); err != nil {
		return err
	}
	for _, k := range keys {
		if err := b.Delete(k, nil); err != nil {
			return err
		}
	}
	return nil
}

// liveBucket returns the raw id of ev's bucket incarnation if it is live.
func liveBucket(b *tx, ev *event.Event) ([]byte, bool, error) {
	_, rid, live, err := liveIncarnation(b, ev)
	return rid, live, err
}

// liveIncarnation returns the record and raw id of ev's bucket
// incarnation if it is live.
func liveIncarnation(b *tx, ev *event.Event) (Bucket, []byte, bool, error) {
	bk, found := b.bucket(ev.Bucket)
	if !found || bk.Deleted || bk.ID != ev.BucketID {
		return bk, nil, false, nil
	}
	rid, err := rawID(bk.ID)
	return bk, rid, err == nil, err
}

func applyObjectPut(b *tx, ev *event.Event, p *event.ObjectPut) error {
	bk, rid, live, err := liveIncarnation(b, ev)
	if err != nil || !live {
		return err // an object event after its bucket's deletion is a no-op
	}
	if p.UploadID != "" {
		ok, err := completeUpload(b, rid, ev, p.UploadID)
		if err != nil {
			return err
		}
		if !ok {
			// The upload was aborted or completed before: no object. The
			// event is still the last one on the key's subject.
			return touchKey(b, rid, ev)
		}
	}
	o := Object{Key: ev.Key, Seq: ev.Seq, Modified: ev.Time, Owner: ev.Actor, VersionID: ev.VersionID, ObjectPut: *p}
	o.Replica, o.Replication = replicationOf(b, ev, p.Tags)
	if err := putVersion(b, bk, rid, &o); err != nil {
		return err
	}
	if err := addLiveness(b, p.Extents, +1); err != nil {
		return err
	}
	return touchKey(b, rid, ev)
}

// touchKey records ev as the last event on its key's subject and on its
// bucket's object subjects.
func touchKey(b *tx, rid []byte, ev *event.Event) error {
	if err := b.Set(keySeqKey(rid, ev.Key), be64(ev.Seq), nil); err != nil {
		return err
	}
	return b.Set(lastObjKey(rid), be64(ev.Seq), nil)
}

func applyObjectDeleted(b *tx, ev *event.Event) error {
	bk, rid, live, err := liveIncarnation(b, ev)
	if err != nil || !live {
		return err
	}
	if err := deleteVersion(b, bk, rid, ev.Key, ev.VersionID); err != nil {
		return err
	}
	return touchKey(b, rid, ev)
}

// replaceObject releases the liveness of the object currently under key.
func replaceObject(b *tx, key []byte) error {
	var old Object
	found, err := getJSON(b, key, &old)
	if err != nil || !found {
		return err
	}
	return addLiveness(b, old.Extents, -1)
}

// applyBucketNotification records a new notification configuration version
// of a live bucket incarnation, with the bucket's owner at that time (S3's
// records name it).
func applyBucketNotification(b *tx, ev *event.Event, p *event.BucketNotification) error {
	rid, live, err := liveBucket(b, ev)
	if err != nil || !live {
		return err
	}
	cur, _ := b.bucket(ev.Bucket)
	n := Notification{Seq: ev.Seq, Owner: cur.Owner, Rules: p.Rules}
	return setJSON(b.Batch, configKey(prefixNotify, rid, ev.Seq), &n)
}
