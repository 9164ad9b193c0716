package catalog

import (
	"encoding/json"
	"fmt"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cockroachdb/pebble/v2"
)

// keyTx changes the versions of one key in a batch. Its steps keep the
// layout's invariant (see doc.go): "O" holds the newest version when that
// is an object, "V" every other version, "Z" the null version's order
// when it is under "V".
type keyTx struct {
	history
	b *tx
}

func (b *tx) keyTx(rid []byte, key string) keyTx {
	return keyTx{history: history{r: b.Batch, rid: rid, key: key}, b: b}
}

// putVersion makes o a version of its key (a new version, or the null
// version replacing the old one), releasing the bytes of a version it
// replaces; the caller counts o's own bytes. In a bucket whose versioning
// was never configured every version is the null version, "O" alone.
func putVersion(b *tx, bk Bucket, rid []byte, o *Object) error {
	k := b.keyTx(rid, o.Key)
	if bk.Versioning == "" {
		if o.Marker {
			return nil // cairn writes none there; there is nothing to hide
		}
		o.VersionID = ""
		if err := replaceObject(b, objectKey(rid, o.Key)); err != nil {
			return err
		}
		return setJSON(b.Batch, objectKey(rid, o.Key), o)
	}
	if err := k.remove(o.VersionID); err != nil {
		return err
	}
	if err := k.insert(o); err != nil {
		return err
	}
	return k.settle()
}

// deleteVersion permanently removes version vid of key; the next newer
// version becomes current if the current one goes.
func deleteVersion(b *tx, bk Bucket, rid []byte, key, vid string) error {
	if bk.Versioning == "" {
		vid = ""
	}
	k := b.keyTx(rid, key)
	if err := k.remove(vid); err != nil {
		return err
	}
	return k.settle()
}

// remove deletes version vid wherever it is and releases its bytes. It
// may leave the key without a current object: settle fixes that.
func (k keyTx) remove(vid string) error {
	cur, found, err := k.current()
	if err != nil {
		return err
	}
	if found && sameVersion(cur.VersionID, vid) {
		if err := k.b.Delete(objectKey(k.rid, k.key), nil); err != nil {
			return err
		}
		return release(k.b, &cur)
	}
	ord, o, found, err := k.stored(vid)
	if err != nil || !found {
		return err
	}
	if err := k.unstore(&o, ord); err != nil {
		return err
	}
	return release(k.b, &o)
}

// release drops the references a removed version held.
func release(b *tx, o *Object) error {
	if o.Marker {
		return nil
	}
	return addLiveness(b, o.Extents, -1)
}

// insert places a new version by its order: as the current object when it
// is the newest and not a marker, under "V" otherwise. A current object
// that the new version is newer than moves under "V" (and keeps its
// references: it is not removed, only no longer current).
func (k keyTx) insert(o *Object) error {
	ord, err := orderOf(o)
	if err != nil {
		return err
	}
	cur, hasCur, err := k.current()
	if err != nil {
		return err
	}
	var curOrd order
	if hasCur {
		if curOrd, err = orderOf(&cur); err != nil {
			return err
		}
		if !ord.newer(curOrd) {
			return k.store(o, ord)
		}
	} else {
		topOrd, _, hasTop, err := k.top()
		if err != nil {
			return err
		}
		if hasTop && !ord.newer(topOrd) {
			return k.store(o, ord)
		}
	}
	if hasCur {
		if err := k.store(&cur, curOrd); err != nil {
			return err
		}
	}
	if o.Marker {
		if hasCur {
			if err := k.b.Delete(objectKey(k.rid, k.key), nil); err != nil {
				return err
			}
		}
		return k.store(o, ord)
	}
	return setJSON(k.b.Batch, objectKey(k.rid, k.key), o)
}

// settle makes the newest stored version current when the key has no
// current object and that version is not a delete marker (deleting a
// marker by id brings back the version it hid).
func (k keyTx) settle() error {
	_, hasCur, err := k.current()
	if err != nil || hasCur {
		return err
	}
	ord, top, found, err := k.top()
	if err != nil || !found || top.Marker {
		return err
	}
	if err := k.unstore(&top, ord); err != nil {
		return err
	}
	return setJSON(k.b.Batch, objectKey(k.rid, k.key), &top)
}

// store writes o under "V" (and "Z" for the null version).
func (k keyTx) store(o *Object, ord order) error {
	if err := setJSON(k.b.Batch, versionKey(k.rid, k.key, ord), o); err != nil {
		return err
	}
	if IsNull(o.VersionID) {
		return k.b.Set(nullKey(k.rid, k.key), ord[:], nil)
	}
	return nil
}

func (k keyTx) unstore(o *Object, ord order) error {
	if err := k.b.Delete(versionKey(k.rid, k.key, ord), nil); err != nil {
		return err
	}
	if IsNull(o.VersionID) {
		return k.b.Delete(nullKey(k.rid, k.key), nil)
	}
	return nil
}

// update rewrites version vid with fn. Delete markers have no tags, ACL
// or lock: they are left alone.
func (k keyTx) update(vid string, fn func(*Object)) error {
	o, cur, found, err := k.find(vid)
	if err != nil || !found || o.Marker {
		return err
	}
	fn(&o)
	if cur {
		return setJSON(k.b.Batch, objectKey(k.rid, k.key), &o)
	}
	ord, err := orderOf(&o)
	if err != nil {
		return err
	}
	return setJSON(k.b.Batch, versionKey(k.rid, k.key, ord), &o)
}

// updateVersion applies a change of one version (tags, ACL, retention,
// legal hold) named by ev.
func updateVersion(b *tx, ev *event.Event, fn func(*Object)) error {
	rid, live, err := rewriteVersion(b, ev, fn)
	if err != nil || !live {
		return err
	}
	return touchKey(b, rid, ev)
}

// rewriteVersion rewrites the version ev names with fn, if ev's bucket
// incarnation is live; it changes nothing else.
func rewriteVersion(b *tx, ev *event.Event, fn func(*Object)) (rid []byte, live bool, err error) {
	bk, rid, live, err := liveIncarnation(b, ev)
	if err != nil || !live {
		return nil, false, err
	}
	vid := ev.VersionID
	if bk.Versioning == "" {
		vid = ""
	}
	return rid, true, b.keyTx(rid, ev.Key).update(vid, fn)
}

func applyObjectMarker(b *tx, ev *event.Event, p *event.ObjectMarkerCreated) error {
	bk, rid, live, err := liveIncarnation(b, ev)
	if err != nil || !live {
		return err
	}
	o := Object{Key: ev.Key, Seq: ev.Seq, Modified: ev.Time, Owner: ev.Actor, VersionID: ev.VersionID, Marker: true}
	if p.Owner != "" {
		o.ACL = &event.ACL{Owner: p.Owner} // who made it; a marker has no grants
	}
	if err := putVersion(b, bk, rid, &o); err != nil {
		return err
	}
	return touchKey(b, rid, ev)
}

// applyBucketVersioning sets the versioning state. A bucket with Object
// Lock cannot be suspended: the engine refuses that, and should two
// gateways race, the projection keeps the rule (the loser's event is a
// no-op here, and the loser sees it so).
func applyBucketVersioning(b *tx, ev *event.Event, p *event.BucketVersioningSet) error {
	cur, found := b.bucket(ev.Bucket)
	if !found || cur.Deleted || cur.ID != ev.BucketID || cur.Lock != nil && p.Status != event.VersioningEnabled {
		return nil
	}
	cur.Versioning = p.Status
	return b.setBucket(ev.Bucket, cur)
}

// applyBucketObjectLock enables Object Lock and sets its default
// retention; only a bucket with versioning Enabled takes it (the same
// rule as above, the other way round).
func applyBucketObjectLock(b *tx, ev *event.Event, p *event.BucketObjectLockSet) error {
	cur, found := b.bucket(ev.Bucket)
	if !found || cur.Deleted || cur.ID != ev.BucketID || cur.Versioning != event.VersioningEnabled {
		return nil
	}
	lock := *p
	cur.Lock = &lock
	return b.setBucket(ev.Bucket, cur)
}

// dropVersions releases and deletes every stored version (and null
// pointer) of a bucket incarnation.
func dropVersions(b *tx, rid []byte) error {
	pfx := append([]byte{prefixVersion}, rid...)
	it, err := b.NewIter(&pebble.IterOptions{LowerBound: pfx, UpperBound: prefixEnd(pfx)})
	if err != nil {
		return err
	}
	for ok := it.First(); ok; ok = it.Next() {
		var o Object
		if err := json.Unmarshal(it.Value(), &o); err != nil {
			_ = it.Close()
			return fmt.Errorf("catalog: corrupt version %x: %w", it.Key(), err)
		}
		if err := release(b, &o); err != nil {
			_ = it.Close()
			return err
		}
	}
	if err := it.Close(); err != nil {
		return err
	}
	if err := b.DeleteRange(pfx, prefixEnd(pfx), nil); err != nil {
		return err
	}
	np := append([]byte{prefixNull}, rid...)
	return b.DeleteRange(np, prefixEnd(np), nil)
}
