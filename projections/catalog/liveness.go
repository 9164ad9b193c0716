package catalog

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/segment"
	"github.com/cockroachdb/pebble/v2"
)

// Segment liveness (see doc.go): per record a reference count and its
// current place ("R"), per segment the records placed in it ("G"), their
// live bytes ("S") and whether compaction moved records out of it ("T").

// segKey names one segment of one node: node 0x00 disk[2] seg[8].
func segKey(node string, disk uint16, seg uint64) []byte {
	k := make([]byte, 0, len(node)+11)
	k = append(append(k, node...), 0)
	k = binary.BigEndian.AppendUint16(k, disk)
	return binary.BigEndian.AppendUint64(k, seg)
}

func livenessKey(node string, disk uint16, seg uint64) []byte {
	return append([]byte{prefixLiveness}, segKey(node, disk, seg)...)
}

func segRecordsPrefix(node string, disk uint16, seg uint64) []byte {
	return append([]byte{prefixSegRecords}, segKey(node, disk, seg)...)
}

func segRecordKey(node string, disk uint16, seg uint64, id []byte) []byte {
	return append(segRecordsPrefix(node, disk, seg), id...)
}

func segStateKey(node string, disk uint16, seg uint64) []byte {
	return append([]byte{prefixSegState}, segKey(node, disk, seg)...)
}

func recordKey(id []byte) []byte { return append([]byte{prefixRecord}, id...) }

func hexID(id []byte) string { return hex.EncodeToString(id) }

// rawRecordID decodes a 32-hex segment record id; ok is false for anything
// else (such an extent is not counted).
func rawRecordID(s string) ([]byte, bool) {
	b, err := hex.DecodeString(s)
	return b, err == nil && len(b) == 16
}

// record is the "R" value: where a record is now and how many index
// entries reference it. Dead is the time (ns, from the event) its count
// last fell to zero.
type record struct {
	Node           string
	Disk           uint16
	Seg            uint64
	Off, Len, Refs int64
	Dead           int64
	id             []byte
}

func (r *record) encode() []byte {
	b := make([]byte, 0, 42+len(r.Node))
	b = binary.BigEndian.AppendUint16(b, r.Disk)
	for _, v := range []uint64{r.Seg, uint64(r.Off), uint64(r.Len), uint64(r.Refs), uint64(r.Dead)} {
		b = binary.BigEndian.AppendUint64(b, v)
	}
	return append(b, r.Node...)
}

func decodeRecord(id, b []byte) (record, error) {
	if len(b) < 42 {
		return record{}, fmt.Errorf("catalog: corrupt record place %x", id)
	}
	return record{Disk: binary.BigEndian.Uint16(b), Seg: u64(b[2:]), Off: int64(u64(b[10:])), Len: int64(u64(b[18:])),
		Refs: int64(u64(b[26:])), Dead: int64(u64(b[34:])), Node: string(b[42:]), id: id}, nil
}

func getRecord(r pebble.Reader, id []byte) (record, bool, error) {
	v, closer, err := r.Get(recordKey(id))
	if errors.Is(err, pebble.ErrNotFound) {
		return record{}, false, nil
	}
	if err != nil {
		return record{}, false, err
	}
	defer closer.Close()
	rec, err := decodeRecord(id, v)
	return rec, err == nil, err
}

// addLiveness adds (sign +1) or removes (-1) one reference per extent.
// References are counted per record, so records shared by copies and
// parts count once towards their segment's live bytes, which follow the
// record wherever compaction moved it. A record seen for the first time is
// placed where its extent says.
func addLiveness(b *tx, extents []event.Extent, sign int64) error {
	var order []string
	deltas := map[string]int64{}
	first := map[string]event.Extent{}
	for _, x := range extents {
		if _, ok := rawRecordID(x.Record); !ok {
			continue
		}
		if _, seen := deltas[x.Record]; !seen {
			order = append(order, x.Record)
			first[x.Record] = x
		}
		deltas[x.Record] += sign
	}
	seg := segDeltas{}
	for _, id := range order {
		if err := addRefs(b, first[id], deltas[id], seg); err != nil {
			return err
		}
	}
	return seg.apply(b)
}

// addRefs changes the reference count of x's record by d.
func addRefs(b *tx, x event.Extent, d int64, seg segDeltas) error {
	id, _ := rawRecordID(x.Record)
	r, found, err := getRecord(b, id)
	if err != nil {
		return err
	}
	if !found {
		if d <= 0 {
			return nil // releasing a record never counted: nothing to do
		}
		r = record{Node: x.Node, Disk: x.Disk, Seg: x.Segment, Off: x.Offset, Len: x.Length}
		if err := b.Set(segRecordKey(r.Node, r.Disk, r.Seg, id), nil, nil); err != nil {
			return err
		}
	}
	was := r.Refs
	r.Refs = max(0, r.Refs+d)
	switch {
	case was == 0 && r.Refs > 0:
		seg.add(&r, +1)
		r.Dead = 0
	case was > 0 && r.Refs == 0:
		seg.add(&r, -1)
		r.Dead = b.ev.Time.UnixNano()
	}
	return b.Set(recordKey(id), r.encode(), nil)
}

// segDeltas sums live bytes and records per segment, so a batch of
// records costs one update per segment.
type segDeltas map[string]*[2]int64

func (s segDeltas) add(r *record, sign int64) {
	k := string(livenessKey(r.Node, r.Disk, r.Seg))
	d := s[k]
	if d == nil {
		d = new([2]int64)
		s[k] = d
	}
	d[0] += sign * segment.RecordFootprint(r.Len)
	d[1] += sign
}

func (s segDeltas) apply(b *tx) error {
	for k, d := range s {
		if err := updateLiveness(b, []byte(k), d[0], d[1]); err != nil {
			return err
		}
	}
	return nil
}

func updateLiveness(b *tx, k []byte, dBytes, dRecords int64) error {
	if dBytes == 0 && dRecords == 0 {
		return nil
	}
	var bytes, records uint64
	v, closer, err := b.Get(k)
	switch {
	case err == nil:
		bytes, records = u64(v), u64(v[8:])
		closer.Close()
	case !errors.Is(err, pebble.ErrNotFound):
		return err
	}
	bytes = uint64(int64(bytes) + dBytes)
	records = uint64(int64(records) + dRecords)
	if records == 0 {
		return b.Delete(k, nil)
	}
	return b.Set(k, append(be64(bytes), be64(records)...), nil)
}
