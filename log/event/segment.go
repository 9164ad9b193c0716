package event

// Segment events are written by a node's compactor about its own disks
// (see log/stream: s3.sys.seg.<nodehash>). They never name a bucket or a
// key: object records keep the extents they were written with, and the
// projection keeps, per segment record id, where the record is now.
//
// A compaction of one segment is any number of segment.relocated events
// (the live records copied elsewhere, their bytes durable before the
// event), then one segment.retired event; the file is deleted only after
// that is applied. Both are idempotent: a relocation applies to a record
// only if the record is still where the move says it comes from, so a
// stale or replayed relocation changes nothing.
const (
	TypeSegmentRelocated = "segment.relocated"
	TypeSegmentRetired   = "segment.retired"
)

// Place is where a record is on one node: disk, segment, and the offset
// of the record header in the segment file.
type Place struct {
	Disk    uint16 `json:"disk"`
	Segment uint64 `json:"seg"`
	Offset  int64  `json:"off"`
}

// Move says that record Record (payload Length bytes) was copied from
// From to To. The copy keeps the record id and payload, so extents with
// Skip and Take stay valid.
type Move struct {
	Record string `json:"rec"` // segment record id (32 hex)
	Length int64  `json:"len"`
	From   Place  `json:"from"`
	To     Place  `json:"to"`
}

// SegmentRelocated (v1) moves records of node Node. Each move applies only
// if the record is still at From.
type SegmentRelocated struct {
	Node  string `json:"node"`
	Moves []Move `json:"moves"`
}

// EventType implements Payload.
func (*SegmentRelocated) EventType() string { return TypeSegmentRelocated }

// SegmentRetired (v1) says that segment Segment on disk Disk of node Node
// holds no live record any more: its file is about to be deleted.
type SegmentRetired struct {
	Node    string `json:"node"`
	Disk    uint16 `json:"disk"`
	Segment uint64 `json:"seg"`
}

// EventType implements Payload.
func (*SegmentRetired) EventType() string { return TypeSegmentRetired }
