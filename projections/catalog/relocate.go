package catalog

import (
	"errors"
	"time"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cockroachdb/pebble/v2"
)

// SegmentState says what compaction has done to a segment ("T").
type SegmentState uint8

// Segment states; an append-only enum stored in the index.
const (
	SegmentInUse   SegmentState = 0 // no record was moved out of it
	SegmentMoving  SegmentState = 1 // records were relocated out of it
	SegmentRetired SegmentState = 2 // retired: its file is (being) deleted
)

// applyRelocated moves each record that is still where the move says it
// comes from; any other move (stale, replayed, or about a record no index
// entry references) changes nothing.
func applyRelocated(b *tx, p *event.SegmentRelocated) error {
	seg := segDeltas{}
	for _, m := range p.Moves {
		id, ok := rawRecordID(m.Record)
		if !ok {
			continue
		}
		r, found, err := getRecord(b, id)
		if err != nil {
			return err
		}
		if !found || r.Node != p.Node || r.Disk != m.From.Disk || r.Seg != m.From.Segment || r.Off != m.From.Offset || r.Len != m.Length {
			continue
		}
		if err := b.Delete(segRecordKey(r.Node, r.Disk, r.Seg, id), nil); err != nil {
			return err
		}
		if r.Refs > 0 {
			seg.add(&r, -1)
		}
		if err := b.markSegment(r.Node, r.Disk, r.Seg, SegmentMoving); err != nil {
			return err
		}
		r.Disk, r.Seg, r.Off = m.To.Disk, m.To.Segment, m.To.Offset
		if r.Refs > 0 {
			seg.add(&r, +1)
		}
		if err := b.Set(segRecordKey(r.Node, r.Disk, r.Seg, id), nil, nil); err != nil {
			return err
		}
		if err := b.Set(recordKey(id), r.encode(), nil); err != nil {
			return err
		}
	}
	return seg.apply(b)
}

// applyRetired forgets the unreferenced records still placed in the
// segment and marks it retired. A record still referenced there (which a
// correct compactor never leaves) is kept, and so is the segment's
// liveness: the compactor then does not delete the file.
func applyRetired(b *tx, p *event.SegmentRetired) error {
	pfx := segRecordsPrefix(p.Node, p.Disk, p.Segment)
	it, err := b.NewIter(&pebble.IterOptions{LowerBound: pfx, UpperBound: prefixEnd(pfx)})
	if err != nil {
		return err
	}
	var dead [][]byte
	for ok := it.First(); ok; ok = it.Next() {
		id := append([]byte(nil), it.Key()[len(pfx):]...)
		r, found, err := getRecord(b, id)
		if err != nil {
			_ = it.Close()
			return err
		}
		if !found || r.Refs == 0 {
			dead = append(dead, id)
		}
	}
	if err := it.Close(); err != nil {
		return err
	}
	for _, id := range dead {
		if err := b.Delete(recordKey(id), nil); err != nil {
			return err
		}
		if err := b.Delete(segRecordKey(p.Node, p.Disk, p.Segment, id), nil); err != nil {
			return err
		}
	}
	return b.markSegment(p.Node, p.Disk, p.Segment, SegmentRetired)
}

// markSegment raises a segment's state (it never goes back).
func (b *tx) markSegment(node string, disk uint16, seg uint64, st SegmentState) error {
	k := segStateKey(node, disk, seg)
	cur, err := segmentState(b, k)
	if err != nil || cur >= st {
		return err
	}
	b.moved[string(segKey(node, disk, seg))] = st
	return b.Set(k, []byte{byte(st)}, nil)
}

func segmentState(r pebble.Reader, k []byte) (SegmentState, error) {
	v, closer, err := r.Get(k)
	if errors.Is(err, pebble.ErrNotFound) {
		return SegmentInUse, nil
	}
	if err != nil {
		return 0, err
	}
	defer closer.Close()
	if len(v) == 0 {
		return SegmentInUse, nil
	}
	return SegmentState(v[0]), nil
}

// loadMoved fills the in-memory set of segments records were moved out of.
func (c *Catalog) loadMoved() error {
	pfx := []byte{prefixSegState}
	it, err := c.db.NewIter(&pebble.IterOptions{LowerBound: pfx, UpperBound: prefixEnd(pfx)})
	if err != nil {
		return err
	}
	defer it.Close()
	c.mu.moved = map[string]SegmentState{}
	for ok := it.First(); ok; ok = it.Next() {
		if v := it.Value(); len(v) > 0 {
			c.mu.moved[string(it.Key()[1:])] = SegmentState(v[0])
		}
	}
	return it.Error()
}

// Locate returns x with its record's current place: where compaction
// moved it, if it did. It costs a map lookup unless records were moved out
// of x's segment, and a point lookup then.
func (c *Catalog) Locate(x event.Extent) (event.Extent, error) {
	c.mu.RLock()
	_, moved := c.mu.moved[string(segKey(x.Node, x.Disk, x.Segment))]
	c.mu.RUnlock()
	if !moved {
		return x, nil
	}
	id, ok := rawRecordID(x.Record)
	if !ok {
		return x, nil
	}
	r, found, err := getRecord(c.db, id)
	if err != nil || !found || r.Node != x.Node {
		return x, err
	}
	x.Disk, x.Segment, x.Offset = r.Disk, r.Seg, r.Off
	return x, nil
}

// SegmentUsage is what the index knows about one segment.
type SegmentUsage struct {
	LiveBytes   int64 // bytes the live records occupy in the file (see segment.RecordFootprint)
	LiveRecords int64
	State       SegmentState
}

// SegmentUsage returns the liveness and state of one segment.
func (c *Catalog) SegmentUsage(node string, disk uint16, seg uint64) (SegmentUsage, error) {
	var u SegmentUsage
	v, closer, err := c.db.Get(livenessKey(node, disk, seg))
	switch {
	case err == nil:
		u.LiveBytes, u.LiveRecords = int64(u64(v)), int64(u64(v[8:]))
		closer.Close()
	case !errors.Is(err, pebble.ErrNotFound):
		return u, err
	}
	u.State, err = segmentState(c.db, segStateKey(node, disk, seg))
	return u, err
}

// RecordPlace is one record as the index has it.
type RecordPlace struct {
	ID      string // segment record id (32 hex)
	Node    string
	Disk    uint16
	Segment uint64
	Offset  int64
	Length  int64
	Refs    int64     // index entries referencing it
	Dead    time.Time // when Refs last fell to zero; zero while referenced
}

func (r *record) place() RecordPlace {
	p := RecordPlace{ID: hexID(r.id), Node: r.Node, Disk: r.Disk, Segment: r.Seg, Offset: r.Off, Length: r.Len, Refs: r.Refs}
	if r.Refs == 0 {
		p.Dead = time.Unix(0, r.Dead).UTC()
	}
	return p
}

// SegmentRecords calls fn, in record id order, for every record the index
// places in one segment (referenced ones and dead ones not yet forgotten),
// as of one consistent snapshot.
func (c *Catalog) SegmentRecords(node string, disk uint16, seg uint64, fn func(RecordPlace) error) error {
	snap := c.db.NewSnapshot()
	defer snap.Close()
	pfx := segRecordsPrefix(node, disk, seg)
	it, err := snap.NewIter(&pebble.IterOptions{LowerBound: pfx, UpperBound: prefixEnd(pfx)})
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		id := append([]byte(nil), it.Key()[len(pfx):]...)
		r, found, err := getRecord(snap, id)
		if err != nil {
			return err
		}
		if found {
			if err := fn(r.place()); err != nil {
				return err
			}
		}
	}
	return it.Error()
}

// Records calls fn for every record the index knows, in record id order.
func (c *Catalog) Records(fn func(RecordPlace) error) error {
	pfx := []byte{prefixRecord}
	it, err := c.db.NewIter(&pebble.IterOptions{LowerBound: pfx, UpperBound: prefixEnd(pfx)})
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		id := append([]byte(nil), it.Key()[1:]...)
		r, err := decodeRecord(id, it.Value())
		if err != nil {
			return err
		}
		if err := fn(r.place()); err != nil {
			return err
		}
	}
	return it.Error()
}

// Record returns the index's view of one record.
func (c *Catalog) Record(id string) (RecordPlace, bool, error) {
	raw, ok := rawRecordID(id)
	if !ok {
		return RecordPlace{}, false, nil
	}
	r, found, err := getRecord(c.db, raw)
	if err != nil || !found {
		return RecordPlace{}, false, err
	}
	return r.place(), true, nil
}
