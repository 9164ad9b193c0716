package blob

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cairnstore/cairn/log/segment"
)

// Create reserves a record of exactly length payload bytes on a disk
// chosen by placement, retrying on another disk if the reservation fails.
// The record is pending (see the package comment) until Settle or Abort.
func (s *Set) Create(ctx context.Context, id segment.RecordID, length int64) (*Writer, error) {
	return s.create(ctx, segment.LaneForeground, id, length, id.String())
}

func (s *Set) create(ctx context.Context, lane segment.Lane, id segment.RecordID, length int64, key string) (*Writer, error) {
	skip := map[*disk]bool{}
	var last error
	for {
		d := s.pick(lane, length, skip)
		if d == nil {
			if last != nil {
				return nil, fmt.Errorf("%w: %w", ErrNoSpace, last)
			}
			return nil, ErrNoSpace
		}
		w, err := d.store.CreateIn(ctx, lane, id, length)
		if err == nil {
			s.pending.add(key, segID{d.id, w.Locator().Segment})
			d.took(segment.RecordFootprint(length))
			return &Writer{s: s, d: d, w: w, key: key}, nil
		}
		if s.fault(d, err) == faultNone {
			return nil, err
		}
		skip[d], last = true, err
	}
}

// Writer streams one record's payload (see segment.Writer); errors that
// say something about the disk take it out of placement.
type Writer struct {
	s   *Set
	d   *disk
	w   *segment.Writer
	key string
}

// Locator is where the record will be once committed.
func (w *Writer) Locator() segment.Locator { return w.w.Locator() }

// Write appends payload bytes.
func (w *Writer) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	return n, w.diskErr(err)
}

// Commit makes the record durable and returns its locator. The record
// stays pending until settled.
func (w *Writer) Commit(ctx context.Context) (segment.Locator, error) {
	loc, err := w.w.Commit(ctx)
	if err != nil {
		w.s.pending.remove(w.key)
		return loc, w.diskErr(err)
	}
	w.s.pending.expireAt(w.key, w.s.o.Now().Add(w.s.o.PendingTTL))
	return loc, nil
}

// Abort abandons the record.
func (w *Writer) Abort() error {
	w.s.pending.remove(w.key)
	return w.w.Abort()
}

func (w *Writer) diskErr(err error) error {
	switch w.s.fault(w.d, err) {
	case faultFull:
		return fmt.Errorf("%w: disk %d: %w", ErrNoSpace, w.d.id, err)
	case faultIO:
		return fmt.Errorf("%w: disk %d: %w", ErrDiskUnavailable, w.d.id, err)
	}
	return err
}

// OpenRange returns a reader of payload bytes [off, off+n) of the record
// at loc (n == -1: to the end), verified block by block as it streams. A
// segment that no longer exists is segment.ErrNotFound (compaction may
// have moved the record: look again); a missing or failed disk is
// ErrDiskUnavailable; bytes that do not verify are ErrCorrupt, counted and
// logged.
func (s *Set) OpenRange(ctx context.Context, loc segment.Locator, off, n int64) (io.ReadCloser, error) {
	d := s.disk(loc.Disk)
	if d == nil || d.store == nil {
		return nil, fmt.Errorf("%w: disk %d is not here", ErrDiskUnavailable, loc.Disk)
	}
	r, err := d.store.OpenRange(ctx, loc, off, n)
	if err != nil {
		return nil, s.readErr(d, loc, err)
	}
	return &reader{s: s, d: d, loc: loc, r: r}, nil
}

// readErr reports and wraps an error met reading loc on d.
func (s *Set) readErr(d *disk, loc segment.Locator, err error) error {
	if errors.Is(err, segment.ErrCorrupt) {
		s.m.corrupt.With(label(d)).Inc()
		s.log.Error("read found data failing its checksum: the request fails, no unverified byte is served", "disk", d.id,
			"locator", loc.String(), "err", err)
		return err
	}
	if s.fault(d, err) == faultIO {
		return fmt.Errorf("%w: disk %d: %w", ErrDiskUnavailable, d.id, err)
	}
	return err
}

// reader reports the errors of a segment reader once.
type reader struct {
	s   *Set
	d   *disk
	loc segment.Locator
	r   io.ReadCloser
	err error // reported already
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	return n, r.check(err)
}

// WriteTo passes the verified blocks straight from the segment reader's
// buffer to w (no extra copy); w's own errors are returned as they are.
func (r *reader) WriteTo(w io.Writer) (int64, error) {
	t := &trackWriter{w: w}
	n, err := r.r.(io.WriterTo).WriteTo(t)
	if err != nil && t.err != nil && errors.Is(err, t.err) {
		return n, err
	}
	return n, r.check(err)
}

func (r *reader) check(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	if r.err == nil {
		r.err = r.s.readErr(r.d, r.loc, err)
	}
	return r.err
}

func (r *reader) Close() error { return r.r.Close() }

// trackWriter remembers the error of the writer it wraps.
type trackWriter struct {
	w   io.Writer
	err error
}

func (t *trackWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	if err != nil {
		t.err = err
	}
	return n, err
}
