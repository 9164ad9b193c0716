package engine

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/segment"
)

// Range is one byte range as an HTTP Range header names it: Start-End
// (End inclusive, -1 for "to the end"), or the last Suffix bytes.
type Range struct {
	Start, End int64
	Suffix     int64 // > 0 for a suffix range
}

// resolve returns the offset and length the range selects in size bytes.
func (r Range) resolve(size int64) (off, n int64, err error) {
	if r.Suffix > 0 {
		if size == 0 {
			return 0, 0, ErrInvalidRange
		}
		n = min(r.Suffix, size)
		return size - n, n, nil
	}
	if r.Start < 0 || r.Start >= size || (r.End >= 0 && r.End < r.Start) {
		return 0, 0, ErrInvalidRange
	}
	end := r.End
	if end < 0 || end >= size {
		end = size - 1
	}
	return r.Start, end - r.Start + 1, nil
}

// Content is the body of a GET: Length bytes from Offset of the object.
type Content struct {
	io.ReadCloser
	Offset, Length int64
	Ranged         bool
}

// GetObject returns the current object and a reader of its bytes (or of
// the requested range). The first extent is opened before returning, so a
// missing or unreadable blob is an error before any byte is sent.
func (e *Engine) GetObject(ctx context.Context, bucket, key string, rng *Range) (ObjectInfo, *Content, error) {
	_, o, err := e.object(ctx, bucket, key)
	if err != nil {
		return o, nil, err
	}
	c := &Content{Length: o.Size}
	if rng != nil {
		if c.Offset, c.Length, err = rng.resolve(o.Size); err != nil {
			return o, nil, err
		}
		c.Ranged = true
	}
	if c.ReadCloser, err = e.openExtents(ctx, o.extents, c.Offset, c.Length); err != nil {
		return o, nil, err
	}
	return o, c, nil
}

// openExtents returns a reader of n bytes from off of the concatenation of
// extents.
func (e *Engine) openExtents(ctx context.Context, extents []event.Extent, off, n int64) (io.ReadCloser, error) {
	var parts []part
	for _, x := range extents {
		if x.Node != e.o.Node {
			return nil, fmt.Errorf("%w: node %s", ErrBlobUnavailable, x.Node)
		}
		if n > 0 && off < x.Length {
			k := min(n, x.Length-off)
			parts = append(parts, part{x: x, off: off, n: k})
			n -= k
			off = 0
		} else {
			off -= x.Length
		}
	}
	if n > 0 {
		return nil, fmt.Errorf("engine: extents are %d bytes short of the object size", n)
	}
	r := &extentReader{ctx: ctx, e: e, parts: parts}
	if err := r.next(); err != nil {
		return nil, err
	}
	return r, nil
}

type part struct {
	x      event.Extent
	off, n int64
}

// extentReader reads parts one after the other, opening each lazily.
type extentReader struct {
	ctx   context.Context
	e     *Engine
	parts []part
	cur   io.ReadCloser
}

func (r *extentReader) next() error {
	if r.cur != nil {
		err := r.cur.Close()
		r.cur = nil
		if err != nil {
			return err
		}
	}
	if len(r.parts) == 0 {
		return nil
	}
	p := r.parts[0]
	r.parts = r.parts[1:]
	var rec segment.RecordID
	if err := rec.UnmarshalText([]byte(p.x.Record)); err != nil {
		return fmt.Errorf("engine: extent record id: %w", err)
	}
	loc := segment.Locator{Disk: p.x.Disk, Segment: p.x.Segment, Offset: p.x.Offset, Length: p.x.Length, ID: rec}
	rc, err := r.e.o.Segments.OpenRange(r.ctx, loc, p.off, p.n)
	if err != nil {
		return err
	}
	r.cur = rc
	return nil
}

func (r *extentReader) Read(b []byte) (int, error) {
	for r.cur != nil {
		n, err := r.cur.Read(b)
		if errors.Is(err, io.EOF) {
			if err := r.next(); err != nil {
				return n, err
			}
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
	return 0, io.EOF
}

func (r *extentReader) Close() error {
	if r.cur != nil {
		return r.cur.Close()
	}
	return nil
}
