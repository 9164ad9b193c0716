package blob

import (
	"context"
	"errors"
	"fmt"

	"github.com/cairnstore/cairn/log/segment"
	"github.com/cairnstore/cairn/projections/catalog"
)

// VerifyReport is what Verify found.
type VerifyReport struct {
	Disks, Segments int
	SegmentBytes    int64 // size of every segment file
	LiveRecords     int   // referenced records checked
	LiveBytes       int64 // their payload bytes, every one read and verified
	GarbageRecords  int   // records no index entry references where they are (dead, aborted, orphaned by a crash)
	GarbageBytes    int64 // segment bytes not held by referenced records
	// Problems: each is one line naming the disk, segment and record.
	Missing []string // referenced records whose disk, segment or record is not there
	Corrupt []string // referenced records that do not verify
	Broken  []string // segments whose structure is damaged
	Offline []string // disks that are missing or failed
}

// Problems counts what makes the store unhealthy.
func (r *VerifyReport) Problems() int {
	return len(r.Missing) + len(r.Corrupt) + len(r.Broken) + len(r.Offline)
}

// Verify checks this node's segments against the index, offline: every
// record the index references must be on its disk, in its segment, at its
// offset, with its id and length, and every block checksum must match. It
// also sums up the garbage. progress, if not nil, is called after each
// segment.
func Verify(ctx context.Context, s *Set, cat *catalog.Catalog, progress func(done, total int)) (VerifyReport, error) {
	var rep VerifyReport
	total := 0
	for _, d := range s.disks {
		if d.store != nil {
			total += len(d.store.Segments())
		}
	}
	present := map[segID]bool{}
	for _, d := range s.disks {
		rep.Disks++
		switch {
		case d.state == Missing:
			rep.Offline = append(rep.Offline, fmt.Sprintf("disk %d is missing: its number was handed out, but no --disk names it", d.id))
			continue
		case d.store == nil:
			rep.Offline = append(rep.Offline, fmt.Sprintf("disk %d (%s) failed: %v", d.id, d.dir, d.err))
			continue
		}
		for _, si := range d.store.Segments() {
			present[segID{d.id, si.ID}] = true
			if err := verifySegment(ctx, s, cat, d, si, &rep); err != nil {
				return rep, err
			}
			if progress != nil {
				progress(rep.Segments, total)
			}
		}
	}
	return rep, missingSegments(s, cat, present, &rep)
}

// verifySegment checks one segment: its referenced records are read in
// full; the rest is garbage.
func verifySegment(ctx context.Context, s *Set, cat *catalog.Catalog, d *disk, si segment.SegmentInfo, rep *VerifyReport) error {
	rep.Segments++
	rep.SegmentBytes += si.Size
	where := fmt.Sprintf("disk %d segment %d", d.id, si.ID)
	if si.Err != nil {
		rep.Broken = append(rep.Broken, fmt.Sprintf("%s: %v", where, si.Err))
	}
	headers := map[int64]segment.RecordInfo{}
	if err := d.store.Walk(ctx, si.ID, func(ri segment.RecordInfo) error {
		headers[ri.Locator.Offset] = ri
		return nil
	}); err != nil {
		if ctx.Err() != nil {
			return err
		}
		if si.Err == nil {
			rep.Broken = append(rep.Broken, fmt.Sprintf("%s: %v", where, err))
		}
	}
	live := int64(0)
	err := s.indexedRecords(cat, d, si.ID, func(loc segment.Locator) error {
		rep.LiveRecords++
		rep.LiveBytes += loc.Length
		h, ok := headers[loc.Offset]
		if ok && (h.Locator.ID != loc.ID || h.Locator.Length != loc.Length || h.Abandoned) {
			rep.Missing = append(rep.Missing, fmt.Sprintf("%s: offset %d holds record %s (%d bytes, abandoned %v), the index wants %s (%d bytes)",
				where, loc.Offset, h.Locator.ID, h.Locator.Length, h.Abandoned, loc.ID, loc.Length))
			return nil
		}
		delete(headers, loc.Offset)
		live += segment.RecordFootprint(loc.Length)
		err := verifyRecord(ctx, d.store, loc, nil)
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, segment.ErrCorrupt):
			rep.Corrupt = append(rep.Corrupt, fmt.Sprintf("%s: record %s at offset %d: %v", where, loc.ID, loc.Offset, err))
		default:
			rep.Missing = append(rep.Missing, fmt.Sprintf("%s: record %s at offset %d: %v", where, loc.ID, loc.Offset, err))
		}
		return nil
	})
	rep.GarbageRecords += len(headers)
	rep.GarbageBytes += max(0, si.Size-live)
	return err
}

// missingSegments reports referenced records placed in segments (or on
// disks) that are not there.
func missingSegments(s *Set, cat *catalog.Catalog, present map[segID]bool, rep *VerifyReport) error {
	return cat.Records(func(r catalog.RecordPlace) error {
		if r.Refs == 0 || r.Node != s.o.Node || present[segID{r.Disk, r.Segment}] {
			return nil
		}
		rep.LiveRecords++
		rep.LiveBytes += r.Length
		rep.Missing = append(rep.Missing, fmt.Sprintf("disk %d segment %d: not there, but the index places record %s (%d bytes) at offset %d in it",
			r.Disk, r.Segment, r.ID, r.Length, r.Offset))
		return nil
	})
}
