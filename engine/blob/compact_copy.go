package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/segment"
	"github.com/cairnstore/cairn/projections/catalog"
)

// copySeq makes the pending keys of compaction copies unique.
var copySeq atomic.Uint64

// copyAll copies recs out of cd's segment with a few workers, so that
// their commits share fdatasyncs. It returns the moves of the records
// copied and the pending keys of the copies. A record that does not
// verify is logged and left where it is (the segment is then not
// retired); any other error stops the batch.
func (c *Compactor) copyAll(ctx context.Context, cd candidate, recs []catalog.RecordPlace) ([]event.Move, []string, int64, int, error) {
	moves := make([]*event.Move, len(recs))
	keys := make([]string, len(recs))
	var copied, bad atomic.Int64
	var firstErr error
	var mu sync.Mutex
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range copyWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(recs); i = int(next.Add(1) - 1) {
				m, key, err := c.copyOne(ctx, cd, recs[i])
				keys[i] = key
				if err == nil {
					moves[i] = &m
					copied.Add(recs[i].Length)
					continue
				}
				if errors.Is(err, segment.ErrCorrupt) {
					bad.Add(1)
					c.s.log.Error("compaction: a live record does not verify; left in place", "disk", cd.d.id,
						"segment", cd.info.ID, "record", recs[i].ID, "err", err)
					continue
				}
				mu.Lock()
				firstErr = cmpErr(firstErr, err)
				mu.Unlock()
				return
			}
		}()
	}
	wg.Wait()
	var out []event.Move
	var used []string
	for i, m := range moves {
		if keys[i] != "" {
			used = append(used, keys[i])
		}
		if m != nil {
			out = append(out, *m)
		}
	}
	return out, used, copied.Load(), int(bad.Load()), firstErr
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// copyOne copies one record to a disk chosen by placement, through the
// rate limiter (a byte read and a byte written count for two).
func (c *Compactor) copyOne(ctx context.Context, cd candidate, r catalog.RecordPlace) (event.Move, string, error) {
	var id segment.RecordID
	if err := id.UnmarshalText([]byte(r.ID)); err != nil {
		return event.Move{}, "", err
	}
	from := segment.Locator{Disk: cd.d.id, Segment: cd.info.ID, Offset: r.Offset, Length: r.Length, ID: id}
	src, err := cd.d.store.OpenRange(ctx, from, 0, -1)
	if err != nil {
		return event.Move{}, "", c.s.readErr(cd.d, from, err)
	}
	defer src.Close()
	key := fmt.Sprintf("compact/%s/%d", r.ID, copySeq.Add(1))
	w, err := c.s.create(ctx, segment.LaneBackground, id, r.Length, key)
	if err != nil {
		return event.Move{}, "", err
	}
	dst := &trackWriter{w: limitedWriter{ctx: ctx, w: w, l: c.lim, cost: 2}}
	if _, err := io.Copy(dst, src); err != nil {
		_ = w.Abort()
		if dst.err != nil {
			return event.Move{}, key, err // the destination's (or the context's) error
		}
		return event.Move{}, key, c.s.readErr(cd.d, from, err)
	}
	to, err := w.Commit(ctx)
	if err != nil {
		return event.Move{}, key, err
	}
	return event.Move{Record: r.ID, Length: r.Length,
		From: event.Place{Disk: from.Disk, Segment: from.Segment, Offset: from.Offset},
		To:   event.Place{Disk: to.Disk, Segment: to.Segment, Offset: to.Offset}}, key, nil
}
