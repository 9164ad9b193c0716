package blob

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/metrics"
	"github.com/cairnstore/cairn/log/segment"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/projections/catalog"
	"github.com/cairnstore/cairn/projections/runner"
)

// CompactOptions configure compaction (see the package comment).
type CompactOptions struct {
	Catalog *catalog.Catalog
	Log     *stream.Log
	Runner  *runner.Runner
	// Threshold is the garbage ratio (garbage / file size) from which a
	// sealed segment is rewritten; 0: 0.5.
	Threshold float64
	// Rate caps compaction I/O in bytes per second, reads and writes
	// counted; 0: 32 MiB/s; < 0: unlimited.
	Rate int64
	// Grace: a segment sealed, or a record dead, for less than this is
	// left alone (another gateway's copy may still reference a record it
	// read just before the record's last reference went). Used as given.
	Grace    time.Duration
	Interval time.Duration // between passes; 0: 1 minute
	// Hook is called at each step (StepCopied, StepRelocated,
	// StepRetired); an error stops the compaction there, as a crash
	// would. Tests use it; nil in production.
	Hook func(step string) error
}

// Compaction steps reported to CompactOptions.Hook.
const (
	StepCopied    = "after-copy"    // live records copied and durable, no event yet
	StepRelocated = "after-event"   // relocation event applied, segment not retired
	StepRetired   = "before-delete" // retirement applied, file not deleted
)

const (
	movesPerEvent  = 1000     // keeps a relocation event well under NATS's 1 MB default
	bytesPerEvent  = 64 << 20 // bounds what a crash between copy and event leaves behind
	copyWorkers    = 4        // concurrent copies share fdatasyncs (group commit)
	failureBackoff = 10 * time.Minute
)

// Compactor rewrites mostly-dead segments of this node's disks.
type Compactor struct {
	s      *Set
	o      CompactOptions
	lim    *limiter
	m      compactMetrics
	wake   chan struct{}
	stop   chan struct{}
	done   chan struct{}
	cancel context.CancelFunc

	passMu sync.Mutex // one pass at a time

	mu     sync.Mutex
	failed map[segID]time.Time // (mu) compaction failed: not before then
}

// NewCompactor returns a compactor of s's disks; Start runs it in the
// background, Pass runs one pass.
func (s *Set) NewCompactor(o CompactOptions) *Compactor {
	if o.Threshold <= 0 {
		o.Threshold = 0.5
	}
	if o.Rate == 0 {
		o.Rate = 32 << 20
	}
	setDefault(&o.Interval, time.Minute)
	return &Compactor{s: s, o: o, lim: newLimiter(o.Rate), m: newCompactMetrics(s.o.Metrics),
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}), failed: map[segID]time.Time{}}
}

// Start runs a pass every Interval (and on Kick) until Stop.
func (c *Compactor) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go func() {
		defer close(c.done)
		t := time.NewTicker(c.o.Interval)
		defer t.Stop()
		for {
			if _, err := c.Pass(ctx); err != nil && ctx.Err() == nil {
				c.s.log.Error("compaction pass failed", "err", err)
			}
			select {
			case <-c.stop:
				return
			case <-t.C:
			case <-c.wake:
			}
		}
	}()
}

// Kick starts a pass soon.
func (c *Compactor) Kick() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Stop ends the background passes, interrupting one in progress (what it
// copied without an event stays garbage), and waits for it.
func (c *Compactor) Stop() {
	if c.cancel == nil {
		return
	}
	close(c.stop)
	c.cancel()
	<-c.done
}

// PassResult sums up one pass.
type PassResult struct {
	Segments  int   // segments compacted and retired
	Copied    int64 // payload bytes copied
	Reclaimed int64 // bytes of segment files retired
}

// candidate is a sealed segment worth compacting, or a retired one whose
// file a crash left behind.
type candidate struct {
	d       *disk
	info    segment.SegmentInfo
	ratio   float64
	retired bool
}

// Pass compacts every segment past the threshold, most garbage first.
// Passes do not overlap.
func (c *Compactor) Pass(ctx context.Context) (PassResult, error) {
	c.passMu.Lock()
	defer c.passMu.Unlock()
	var res PassResult
	cands, err := c.candidates()
	if err != nil {
		return res, err
	}
	for _, cd := range cands {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		copied, err := c.compact(ctx, cd)
		res.Copied += copied
		if err != nil {
			if ctx.Err() != nil {
				return res, err
			}
			c.backoff(cd)
			c.m.failures.With().Inc()
			c.s.log.Error("compaction of a segment failed; retried later", "disk", cd.d.id, "segment", cd.info.ID, "err", err)
			continue
		}
		res.Segments++
		res.Reclaimed += cd.info.Size
	}
	return res, nil
}

// candidates lists the segments to compact, and updates the garbage gauges.
func (c *Compactor) candidates() ([]candidate, error) {
	now := c.s.o.Now()
	var out []candidate
	for _, d := range c.s.disks {
		if d.store == nil {
			continue
		}
		var garbage, live int64
		for _, si := range d.store.Segments() {
			if !si.Sealed || si.Err != nil {
				continue
			}
			u, err := c.o.Catalog.SegmentUsage(c.s.o.Node, d.id, si.ID)
			if err != nil {
				return nil, err
			}
			garbage += max(0, si.Size-u.LiveBytes)
			live += u.LiveBytes
			if c.skip(d, si, now) {
				continue
			}
			ratio := float64(si.Size-u.LiveBytes) / float64(si.Size)
			// A retired segment whose file a crash left behind is deleted;
			// one still holding live records (never left by this code) is
			// compacted again.
			retired := u.State == catalog.SegmentRetired && u.LiveRecords == 0
			if retired || ratio >= c.o.Threshold {
				out = append(out, candidate{d: d, info: si, ratio: ratio, retired: retired})
			}
		}
		c.m.garbage.With(label(d)).Set(float64(garbage))
		c.m.live.With(label(d)).Set(float64(live))
	}
	slices.SortFunc(out, func(a, b candidate) int { return cmp.Compare(b.ratio, a.ratio) })
	return out, nil
}

// skip says whether a sealed segment must be left alone for now.
func (c *Compactor) skip(d *disk, si segment.SegmentInfo, now time.Time) bool {
	if now.Sub(si.SealedAt) < c.o.Grace || c.s.pending.busy(segID{d.id, si.ID}, now) {
		return true
	}
	d.mu.Lock()
	failed := d.state == Failed
	d.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	return failed || now.Before(c.failed[segID{d.id, si.ID}])
}

func (c *Compactor) backoff(cd candidate) {
	c.mu.Lock()
	c.failed[segID{cd.d.id, cd.info.ID}] = c.s.o.Now().Add(failureBackoff)
	c.mu.Unlock()
}

// compact moves the live records out of one segment, retires it and
// deletes its file (once no reader holds it). It returns the bytes copied.
func (c *Compactor) compact(ctx context.Context, cd candidate) (int64, error) {
	var copied int64
	for attempt := 0; !cd.retired; attempt++ {
		if attempt == 3 {
			return copied, errors.New("records keep becoming live in the segment")
		}
		n, bad, err := c.relocate(ctx, cd)
		copied += n
		if err != nil {
			return copied, err
		}
		if bad > 0 {
			return copied, fmt.Errorf("%d live records do not verify: the segment is kept (see cairn verify)", bad)
		}
		if cd.retired, err = c.retire(ctx, cd); err != nil {
			return copied, err
		}
	}
	if err := c.step(StepRetired); err != nil {
		return copied, err
	}
	if err := cd.d.store.Retire(cd.info.ID); err != nil {
		return copied, err
	}
	c.m.segments.With().Inc()
	c.m.reclaimed.With().Add(uint64(cd.info.Size))
	c.s.log.Info("compacted segment", "disk", cd.d.id, "segment", cd.info.ID, "size", cd.info.Size,
		"garbage_ratio", fmt.Sprintf("%.2f", cd.ratio), "copied", copied)
	return copied, nil
}

func (c *Compactor) step(name string) error {
	if c.o.Hook == nil {
		return nil
	}
	return c.o.Hook(name)
}

// keep says whether a record placed in a segment must move out of it:
// referenced, or dead for less than the grace period.
func (c *Compactor) keep(r catalog.RecordPlace, now time.Time) bool {
	return r.Refs > 0 || now.Sub(r.Dead) < c.o.Grace
}

// relocate copies the records to keep to other segments and appends
// relocation events for them, in batches. It returns the bytes copied and
// the number of records left in place because they do not verify.
func (c *Compactor) relocate(ctx context.Context, cd candidate) (copied int64, bad int, err error) {
	now := c.s.o.Now()
	var recs []catalog.RecordPlace
	err = c.o.Catalog.SegmentRecords(c.s.o.Node, cd.d.id, cd.info.ID, func(r catalog.RecordPlace) error {
		if c.keep(r, now) {
			recs = append(recs, r)
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	for len(recs) > 0 {
		n, size := 0, int64(0)
		for n < len(recs) && n < movesPerEvent && (n == 0 || size+recs[n].Length <= bytesPerEvent) {
			size += recs[n].Length
			n++
		}
		moved, skipped, err := c.relocateBatch(ctx, cd, recs[:n])
		copied += moved
		bad += skipped
		if err != nil {
			return copied, bad, err
		}
		recs = recs[n:]
	}
	return copied, bad, nil
}

// relocateBatch copies recs and appends one relocation event for them. It
// returns the bytes copied and how many records did not verify.
func (c *Compactor) relocateBatch(ctx context.Context, cd candidate, recs []catalog.RecordPlace) (int64, int, error) {
	moves, keys, copied, bad, err := c.copyAll(ctx, cd, recs)
	settle := func(failed bool) {
		for _, k := range keys {
			if failed {
				c.s.pending.expireAt(k, c.s.o.Now().Add(c.s.o.FailedHold))
			} else {
				c.s.pending.remove(k)
			}
		}
	}
	if err != nil || len(moves) == 0 {
		settle(false) // without an event the copies are garbage
		return copied, bad, err
	}
	if err := c.step(StepCopied); err != nil {
		return copied, bad, err
	}
	err = c.appendEvent(ctx, &event.SegmentRelocated{Node: c.s.o.Node, Moves: moves})
	settle(err != nil)
	if err != nil {
		return copied, bad, err
	}
	c.m.copied.With().Add(uint64(copied))
	return copied, bad, c.step(StepRelocated)
}

// retire appends the segment's retirement if nothing in it must be kept,
// while no copy is adding references to records it read. done is false
// when records must be relocated first.
func (c *Compactor) retire(ctx context.Context, cd candidate) (done bool, err error) {
	if err := c.lockCopies(ctx); err != nil {
		return false, err
	}
	defer c.s.copies.Unlock()
	now := c.s.o.Now()
	left := 0
	err = c.o.Catalog.SegmentRecords(c.s.o.Node, cd.d.id, cd.info.ID, func(r catalog.RecordPlace) error {
		if c.keep(r, now) {
			left++
		}
		return nil
	})
	if err != nil || left > 0 {
		return false, err
	}
	if err := c.appendEvent(ctx, &event.SegmentRetired{Node: c.s.o.Node, Disk: cd.d.id, Segment: cd.info.ID}); err != nil {
		return false, err
	}
	u, err := c.o.Catalog.SegmentUsage(c.s.o.Node, cd.d.id, cd.info.ID)
	if err == nil && u.LiveRecords > 0 {
		err = fmt.Errorf("%d records still live after the retirement", u.LiveRecords)
	}
	return err == nil, err
}

// lockCopies takes the copy lock without making copies wait behind it.
func (c *Compactor) lockCopies(ctx context.Context) error {
	for !c.s.copies.TryLock() {
		t := time.NewTimer(5 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// appendEvent appends p on this node's segment subject and waits until the
// local index applied it.
func (c *Compactor) appendEvent(ctx context.Context, p event.Payload) error {
	ev := &event.Event{Header: event.Header{ID: event.NewID(), Time: c.s.o.Now().UTC()}, Payload: p}
	data, err := event.Encode(ev)
	if err != nil {
		return err
	}
	seq, err := c.o.Log.Append(ctx, stream.Msg{Subject: stream.SegmentsSubject(c.s.o.Node), Data: data, ID: ev.ID})
	if err != nil {
		return err
	}
	return c.o.Runner.WaitFor(ctx, seq)
}

type compactMetrics struct {
	garbage, live                         *metrics.GaugeVec
	copied, segments, reclaimed, failures *metrics.CounterVec
}

func newCompactMetrics(r *metrics.Registry) compactMetrics {
	return compactMetrics{
		garbage:   r.Gauge("cairn_segment_garbage_bytes", "Bytes of sealed segments not held by live records, as of the last compaction pass.", "disk"),
		live:      r.Gauge("cairn_segment_live_bytes", "Bytes of sealed segments held by live records, as of the last compaction pass.", "disk"),
		copied:    r.Counter("cairn_compaction_bytes_total", "Payload bytes compaction copied out of segments."),
		segments:  r.Counter("cairn_compaction_segments_total", "Segments compaction retired."),
		reclaimed: r.Counter("cairn_compaction_reclaimed_bytes_total", "Bytes of segment files compaction retired."),
		failures:  r.Counter("cairn_compaction_failures_total", "Segment compactions that failed (retried 10 minutes later)."),
	}
}
