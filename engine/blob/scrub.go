package blob

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/cairnstore/cairn/log/metrics"
	"github.com/cairnstore/cairn/log/segment"
	"github.com/cairnstore/cairn/projections/catalog"
)

// ScrubOptions configure the scrub (see the package comment).
type ScrubOptions struct {
	Catalog  *catalog.Catalog
	Rate     int64         // bytes read per second; <= 0: the scrub does not run
	Interval time.Duration // at least this long from one pass's start to the next; 0: 24h
}

// Scrubber verifies every record of this node's sealed segments, and the
// referenced records of the unsealed ones.
type Scrubber struct {
	s      *Set
	o      ScrubOptions
	lim    *limiter
	m      scrubMetrics
	wake   chan struct{}
	done   chan struct{}
	cancel context.CancelFunc

	passMu sync.Mutex // one pass at a time

	mu   sync.Mutex
	last ScrubResult // (mu) the last finished pass
}

// CorruptRecord is a record that does not verify.
type CorruptRecord struct {
	Locator    segment.Locator
	Referenced bool // some index entry references it: data is damaged
	Err        error
}

// ScrubResult sums up one pass.
type ScrubResult struct {
	Started, Finished time.Time
	Records           int
	Bytes             int64
	Corrupt           []CorruptRecord // referenced ones, and unreferenced ones (garbage)
	BrokenSegments    []string        // segments whose record chain is broken
}

// NewScrubber returns a scrubber of s's disks; Start runs it.
func (s *Set) NewScrubber(o ScrubOptions) *Scrubber {
	setDefault(&o.Interval, 24*time.Hour)
	return &Scrubber{s: s, o: o, lim: newLimiter(o.Rate), m: newScrubMetrics(s.o.Metrics),
		wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// Start runs passes in the background, one per Interval at most, unless
// the rate is <= 0.
func (sc *Scrubber) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	sc.cancel = cancel
	if sc.o.Rate <= 0 {
		close(sc.done)
		return
	}
	go func() {
		defer close(sc.done)
		for {
			start := time.Now()
			if _, err := sc.Pass(ctx); err != nil && ctx.Err() == nil {
				sc.s.log.Error("scrub pass failed", "err", err)
			}
			t := time.NewTimer(max(0, sc.o.Interval-time.Since(start)))
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			case <-sc.wake:
				t.Stop()
			}
		}
	}()
}

// Kick starts the next pass now (once the current one ends).
func (sc *Scrubber) Kick() {
	select {
	case sc.wake <- struct{}{}:
	default:
	}
}

// Stop ends the scrub and waits for it.
func (sc *Scrubber) Stop() {
	if sc.cancel != nil {
		sc.cancel()
		<-sc.done
	}
}

// Last returns the last finished pass.
func (sc *Scrubber) Last() ScrubResult {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.last
}

// Pass verifies every record of every sealed segment, and every
// referenced record of the others, once.
func (sc *Scrubber) Pass(ctx context.Context) (ScrubResult, error) {
	sc.passMu.Lock()
	defer sc.passMu.Unlock()
	res := ScrubResult{Started: time.Now()}
	for _, d := range sc.s.disks {
		if d.store == nil {
			continue
		}
		for _, si := range d.store.Segments() {
			var err error
			if si.Sealed {
				err = sc.segment(ctx, d, si, &res)
			} else {
				// Records of an unsealed segment may still be in flight:
				// only those the index references are committed.
				err = sc.s.indexedRecords(sc.o.Catalog, d, si.ID, func(loc segment.Locator) error {
					return sc.record(ctx, d, loc, &res)
				})
			}
			if err != nil {
				return res, err
			}
		}
	}
	res.Finished = time.Now()
	sc.m.passes.With().Inc()
	sc.mu.Lock()
	sc.last = res
	sc.mu.Unlock()
	sc.s.log.Info("scrub pass done", "records", res.Records, "bytes", res.Bytes, "corrupt", len(res.Corrupt),
		"broken_segments", len(res.BrokenSegments), "took", res.Finished.Sub(res.Started).Round(time.Millisecond))
	return res, nil
}

// segment verifies one segment's records by walking its header chain; if
// the chain is broken, it verifies the records the index places there.
func (sc *Scrubber) segment(ctx context.Context, d *disk, si segment.SegmentInfo, res *ScrubResult) error {
	verified := map[int64]bool{}
	err := d.store.Walk(ctx, si.ID, func(ri segment.RecordInfo) error {
		if ri.Abandoned {
			return nil
		}
		verified[ri.Locator.Offset] = true
		return sc.record(ctx, d, ri.Locator, res)
	})
	if err == nil || ctx.Err() != nil {
		return err
	}
	if errors.Is(err, segment.ErrNotFound) {
		return nil // retired meanwhile
	}
	res.BrokenSegments = append(res.BrokenSegments, err.Error())
	sc.m.corrupt.With(label(d)).Inc()
	sc.s.log.Error("scrub: segment's record chain is broken; checking the records the index places in it",
		"disk", d.id, "segment", si.ID, "err", err)
	return sc.s.indexedRecords(sc.o.Catalog, d, si.ID, func(loc segment.Locator) error {
		if verified[loc.Offset] {
			return nil
		}
		return sc.record(ctx, d, loc, res)
	})
}

// record verifies one record through the rate limiter.
func (sc *Scrubber) record(ctx context.Context, d *disk, loc segment.Locator, res *ScrubResult) error {
	res.Records++
	err := verifyRecord(ctx, d.store, loc, sc.lim)
	res.Bytes += loc.Length
	sc.m.bytes.With().Add(uint64(loc.Length))
	switch {
	case err == nil || errors.Is(err, segment.ErrNotFound):
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case !errors.Is(err, segment.ErrCorrupt):
		sc.s.fault(d, err)
		return err
	}
	ref := sc.s.referenced(sc.o.Catalog, loc)
	res.Corrupt = append(res.Corrupt, CorruptRecord{Locator: loc, Referenced: ref, Err: err})
	if ref {
		sc.m.corrupt.With(label(d)).Inc()
		sc.s.log.Error("scrub: corrupt record holding live data", "disk", d.id, "locator", loc.String(), "err", err)
	} else {
		sc.s.log.Info("scrub: corrupt record in garbage (no object uses it)", "disk", d.id, "locator", loc.String(), "err", err)
	}
	return nil
}

// verifyRecord reads a whole record, checking its header and every block
// checksum, at the limiter's pace.
func verifyRecord(ctx context.Context, st *segment.Store, loc segment.Locator, lim *limiter) error {
	r, err := st.OpenRange(ctx, loc, 0, -1)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = io.Copy(limitedWriter{ctx: ctx, w: io.Discard, l: lim, cost: 1}, r)
	return err
}

// referenced says whether the index references the record at loc.
func (s *Set) referenced(cat *catalog.Catalog, loc segment.Locator) bool {
	r, found, err := cat.Record(loc.ID.String())
	return err == nil && found && r.Refs > 0 && r.Node == s.o.Node && r.Disk == loc.Disk &&
		r.Segment == loc.Segment && r.Offset == loc.Offset
}

// indexedRecords calls fn with the locator of every referenced record the
// index places in segment seg of d.
func (s *Set) indexedRecords(cat *catalog.Catalog, d *disk, seg uint64, fn func(segment.Locator) error) error {
	return cat.SegmentRecords(s.o.Node, d.id, seg, func(r catalog.RecordPlace) error {
		if r.Refs == 0 {
			return nil
		}
		var id segment.RecordID
		if err := id.UnmarshalText([]byte(r.ID)); err != nil {
			return err
		}
		return fn(segment.Locator{Disk: d.id, Segment: seg, Offset: r.Offset, Length: r.Length, ID: id})
	})
}

type scrubMetrics struct {
	bytes, corrupt, passes *metrics.CounterVec
}

func newScrubMetrics(r *metrics.Registry) scrubMetrics {
	return scrubMetrics{
		bytes:   r.Counter("cairn_scrub_bytes_total", "Payload bytes the scrub verified."),
		corrupt: r.Counter("cairn_scrub_corrupt_records_total", "Records holding live data (or broken segments) the scrub found corrupt.", "disk"),
		passes:  r.Counter("cairn_scrub_passes_total", "Scrub passes finished."),
	}
}
