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

// resolve returns the span the range selects in size bytes.
func (r Range) resolve(size int64) (Span, error) {
	if r.Suffix > 0 {
		if size == 0 {
			return Span{}, ErrInvalidRange
		}
		n := min(r.Suffix, size)
		return Span{Offset: size - n, Length: n, Ranged: true}, nil
	}
	if r.Start < 0 || r.Start >= size || (r.End >= 0 && r.End < r.Start) {
		return Span{}, ErrInvalidRange
	}
	end := r.End
	if end < 0 || end >= size {
		end = size - 1
	}
	return Span{Offset: r.Start, Length: end - r.Start + 1, Ranged: true}, nil
}

// ReadInput selects what a GET or HEAD returns.
type ReadInput struct {
	Bucket, Key string
	VersionID   string // "": the current object
	Range       *Range
	PartNumber  int // 1-based; 0 for none
	Cond        Conditions
}

// Span is the part of an object a read returns. Ranged reads answer 206.
type Span struct {
	Offset, Length int64
	Ranged         bool
}

// Content is the body of a GET.
type Content struct {
	io.ReadCloser
	Span
}

// WriteTo streams the body to w with no copy beyond the verified read
// buffers (io.Copy and io.CopyBuffer use it).
func (c *Content) WriteTo(w io.Writer) (int64, error) {
	if wt, ok := c.ReadCloser.(io.WriterTo); ok {
		return wt.WriteTo(w)
	}
	return io.Copy(w, struct{ io.Reader }{c.ReadCloser})
}

// span checks the preconditions, then resolves the range or part. On
// ErrNotModified and ErrPreconditionFailed the caller still has o for its
// headers.
func span(o ObjectInfo, in ReadInput) (Span, error) {
	if err := in.Cond.checkRead(o); err != nil {
		return Span{}, err
	}
	switch {
	case in.PartNumber > 0 && in.Range != nil:
		return Span{}, ErrRangeWithPartNumber
	case in.PartNumber > 0:
		return partSpan(o, in.PartNumber)
	case in.Range != nil:
		return in.Range.resolve(o.Size)
	}
	return Span{Length: o.Size}, nil
}

// partSpan is part n of o. An object not made by a multipart upload has
// one part: itself.
func partSpan(o ObjectInfo, n int) (Span, error) {
	if len(o.Parts) == 0 {
		if n != 1 {
			return Span{}, ErrInvalidPartNumber
		}
		return Span{Length: o.Size, Ranged: true}, nil
	}
	if n > len(o.Parts) {
		return Span{}, ErrInvalidPartNumber
	}
	var off int64
	for _, p := range o.Parts[:n-1] {
		off += p.Size
	}
	return Span{Offset: off, Length: o.Parts[n-1].Size, Ranged: true}, nil
}

// HeadObject returns the object (the current one, or the version named)
// and the span a GET with the same input would return.
func (e *Engine) HeadObject(ctx context.Context, in ReadInput) (ObjectInfo, Span, error) {
	_, o, err := e.objectAt(ctx, in.Bucket, in.Key, in.VersionID)
	if err != nil {
		return o, Span{}, err
	}
	sp, err := span(o, in)
	return o, sp, err
}

// GetObject returns the object (the current one, or the version named)
// and a reader of the span asked for. The first extent is opened before
// returning, so a missing or unreadable blob is an error before any byte
// is sent.
func (e *Engine) GetObject(ctx context.Context, in ReadInput) (ObjectInfo, *Content, error) {
	o, sp, err := e.HeadObject(ctx, in)
	if err != nil {
		return o, nil, err
	}
	rc, err := e.openExtents(ctx, o.extents, sp.Offset, sp.Length)
	if err != nil {
		return o, nil, err
	}
	return o, &Content{ReadCloser: rc, Span: sp}, nil
}

// openExtents returns a reader of n bytes from off of the concatenation of
// extents.
func (e *Engine) openExtents(ctx context.Context, extents []event.Extent, off, n int64) (io.ReadCloser, error) {
	var parts []part
	for _, x := range extents {
		size := x.Bytes()
		if n > 0 && off < size {
			k := min(n, size-off)
			parts = append(parts, part{x: x, off: x.Skip + off, n: k})
			n -= k
			off = 0
		} else {
			off -= size
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

// part is n bytes from offset off of one extent's record.
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
	rc, err := r.e.openPart(r.ctx, p)
	if err != nil {
		return err
	}
	r.cur = rc
	return nil
}

// openPart opens one part where its record is now. Compaction may move
// the record and retire its segment between the lookup and the open; the
// relocation is applied before the segment goes, so looking again finds it.
func (e *Engine) openPart(ctx context.Context, p part) (io.ReadCloser, error) {
	if p.x.Node != e.o.Node {
		if e.o.Peers == nil {
			return nil, fmt.Errorf("%w: node %s", ErrBlobUnavailable, p.x.Node)
		}
		return e.o.Peers.Open(ctx, p.x, p.off, p.n)
	}
	var err error
	for range 3 {
		var rc io.ReadCloser
		if rc, err = e.openPartOnce(ctx, p); !errors.Is(err, segment.ErrNotFound) {
			return rc, err
		}
	}
	return nil, fmt.Errorf("engine: object data not found: %w", err)
}

func (e *Engine) openPartOnce(ctx context.Context, p part) (io.ReadCloser, error) {
	x, err := e.o.Catalog.Locate(p.x)
	if err != nil {
		return nil, err
	}
	loc, err := locator(x)
	if err != nil {
		return nil, err
	}
	return e.o.Blobs.OpenRange(ctx, loc, p.off, p.n)
}

// locator turns an extent into the segment store's address of its record.
func locator(x event.Extent) (segment.Locator, error) {
	var rec segment.RecordID
	if err := rec.UnmarshalText([]byte(x.Record)); err != nil {
		return segment.Locator{}, fmt.Errorf("engine: extent record id: %w", err)
	}
	return segment.Locator{Disk: x.Disk, Segment: x.Segment, Offset: x.Offset, Length: x.Length, ID: rec}, nil
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

// WriteTo streams the parts to w, each straight from the verified blocks
// of its segment reader.
func (r *extentReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for r.cur != nil {
		n, err := io.Copy(w, r.cur)
		total += n
		if err != nil {
			return total, err
		}
		if err := r.next(); err != nil {
			return total, err
		}
	}
	return total, nil
}

func (r *extentReader) Close() error {
	if r.cur != nil {
		return r.cur.Close()
	}
	return nil
}
