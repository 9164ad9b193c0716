package segment

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// Writer streams the payload of one reserved record. A Writer is not safe
// for concurrent use; it must end with Commit or Abort.
type Writer struct {
	s    *Store
	seg  *segment
	f    vfs.File
	loc  Locator
	bs   int
	seed uint64

	written int64      // payload bytes accepted
	buf     []byte     // consecutive blocks with their checksums
	bufp    *[]byte    // pooled buffer backing buf (nil if none)
	pool    *sync.Pool // pool bufp came from
	first   int64      // index of the first block in buf
	block   int64      // index of the current block
	fill    int        // offset in buf where the current block starts
	cur     int        // payload bytes in the current block
	curLen  int        // payload length of the current block

	err       error // sticky failure
	done      bool
	writeback bool // start writeback after each flush (background lane)
}

// Create reserves space for a record of exactly length payload bytes in
// the foreground lane and writes its header. The returned Writer must be
// finished with Commit or Abort; until then the segment it is in cannot
// be sealed.
func (s *Store) Create(ctx context.Context, id RecordID, length int64) (*Writer, error) {
	return s.CreateIn(ctx, LaneForeground, id, length)
}

// CreateIn is Create in the given lane.
func (s *Store) CreateIn(ctx context.Context, lane Lane, id RecordID, length int64) (*Writer, error) {
	if lane >= numLanes {
		return nil, fmt.Errorf("%w: lane %d", ErrRange, lane)
	}
	if length < 0 || length > MaxRecordLength {
		return nil, fmt.Errorf("%w: record length %d", ErrRange, length)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	size := recordSize(length, s.blockSize)
	for {
		seg, off, observed, err := s.reserve(lane, id, length, size)
		if err != nil {
			return nil, err
		}
		if seg != nil {
			w := s.newWriter(seg, id, off, length)
			w.writeback = lane == LaneBackground && !s.noSync
			return w, nil
		}
		if err := s.roll(lane, observed); err != nil {
			return nil, err
		}
	}
}

// reserve takes [off, off+size) at the tail of the lane's active segment
// and writes the header there. It returns a nil segment (and the active
// segment it saw) when a roll is needed first.
func (s *Store) reserve(lane Lane, id RecordID, length, size int64) (*segment, int64, *segment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, 0, nil, ErrClosed
	}
	a := s.active[lane]
	if a == nil || a.failed != nil || (a.tail > DataStart && a.tail+size > s.segSize) {
		return nil, 0, a, nil
	}
	off := a.tail
	h := recHeader{kind: kindData, blockSize: s.blockSize, id: id, length: length, created: time.Now().UnixNano()}
	h.encode(s.hdrBuf[:], a.id, off)
	if _, err := a.file.WriteAt(s.hdrBuf[:], off); err != nil {
		// The tail does not move: the next reservation overwrites whatever
		// part of this header reached the file.
		return nil, 0, nil, fmt.Errorf("segment: write record header: %w", err)
	}
	a.tail += size
	a.writers++
	a.records++
	a.refs++
	return a, off, nil, nil
}

// roll replaces observed as the lane's active segment by a new one, unless
// another goroutine did so already.
func (s *Store) roll(lane Lane, observed *segment) error {
	s.rollMu.Lock()
	defer s.rollMu.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	if s.active[lane] != observed {
		s.mu.Unlock()
		return nil
	}
	id := s.nextSeg
	s.nextSeg++
	s.mu.Unlock()

	seg, err := s.createSegment(id) // I/O without Store.mu; rollMu keeps Close out
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.segs[id] = seg
	s.active[lane] = seg
	if observed != nil && observed.state == stActive {
		observed.state = stRolled
		s.sealIfIdleLocked(observed)
	}
	return nil
}

// sealIfIdleLocked starts sealing a rolled segment without writers in the
// background. Store.mu is held.
func (s *Store) sealIfIdleLocked(seg *segment) {
	if seg.state != stRolled || seg.writers != 0 || seg.failed != nil || s.closed {
		return
	}
	seg.state = stSealing
	seg.refs++
	s.sealWG.Add(1)
	go func() {
		defer s.sealWG.Done()
		defer s.release(seg)
		_ = s.seal(seg)
	}()
}

func (s *Store) newWriter(seg *segment, id RecordID, off, length int64) *Writer {
	w := &Writer{
		s: s, seg: seg, f: seg.file, bs: s.blockSize, seed: idSeed(id),
		loc: Locator{Disk: s.disk, Segment: seg.id, Offset: off, Length: length, ID: id},
	}
	nb := numBlocks(length, s.blockSize)
	if nb == 0 {
		return w
	}
	w.pool = &s.batchPool
	if nb == 1 {
		w.pool = &s.onePool
	}
	w.bufp = w.pool.Get().(*[]byte)
	w.buf = (*w.bufp)[:cap(*w.bufp)]
	w.curLen = blockLen(0, length, w.bs)
	return w
}

// Locator returns where the record will be once committed.
func (w *Writer) Locator() Locator { return w.loc }

func (w *Writer) usable() error {
	if w.done {
		return ErrWriterDone
	}
	return w.err
}

// Write appends payload bytes. Offering more than the remaining length is an
// error (ErrOverflow) and nothing of p is written.
func (w *Writer) Write(p []byte) (int, error) {
	if err := w.usable(); err != nil {
		return 0, err
	}
	if int64(len(p)) > w.loc.Length-w.written {
		w.err = fmt.Errorf("%w: %d bytes offered, %d left", ErrOverflow, len(p), w.loc.Length-w.written)
		return 0, w.err
	}
	n := 0
	for len(p) > 0 {
		c := copy(w.buf[w.fill+w.cur:w.fill+w.curLen], p)
		p = p[c:]
		n += c
		if err := w.advance(c); err != nil {
			return n, err
		}
	}
	return n, nil
}

// ReadFrom reads the payload from r straight into the block buffers until
// EOF. A reader yielding more than length bytes is an error (ErrOverflow);
// fewer is reported by Commit (ErrShortWrite).
func (w *Writer) ReadFrom(r io.Reader) (int64, error) {
	if err := w.usable(); err != nil {
		return 0, err
	}
	var total int64
	for stalls := 0; w.written < w.loc.Length; {
		c, err := r.Read(w.buf[w.fill+w.cur : w.fill+w.curLen])
		total += int64(c)
		if aerr := w.advance(c); aerr != nil {
			return total, aerr
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		if stalls = stalls + 1; c > 0 {
			stalls = 0
		} else if stalls > 100 {
			return total, io.ErrNoProgress
		}
	}
	var one [1]byte
	for range 100 {
		c, err := r.Read(one[:])
		if c > 0 {
			w.err = fmt.Errorf("%w: reader has more than %d bytes", ErrOverflow, w.loc.Length)
			return total, w.err
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
	return total, io.ErrNoProgress
}

// advance accounts for c payload bytes placed in the current block, closing
// the block (and flushing the buffer) when it is full.
func (w *Writer) advance(c int) error {
	w.cur += c
	w.written += int64(c)
	if w.cur < w.curLen || w.curLen == 0 {
		return nil
	}
	start := w.fill
	end := start + w.curLen
	binary.LittleEndian.PutUint64(w.buf[end:], blockSum(w.seed, w.block, w.buf[start:end]))
	w.fill = end + sumSize
	w.block++
	w.cur = 0
	if w.written == w.loc.Length {
		// Write the padding too, so that a complete record never reaches
		// past the end of the file.
		pad := (8 - w.fill%8) % 8
		clear(w.buf[w.fill : w.fill+pad])
		w.fill += pad
		w.curLen = 0
		return w.flush()
	}
	w.curLen = blockLen(w.block, w.loc.Length, w.bs)
	if w.fill+w.curLen+sumSize > len(w.buf) {
		return w.flush()
	}
	return nil
}

// flush writes the completed blocks in the buffer.
func (w *Writer) flush() error {
	off := w.loc.Offset + blockOffset(w.first, w.bs)
	if _, err := w.f.WriteAt(w.buf[:w.fill], off); err != nil {
		w.err = fmt.Errorf("segment: write record %s: %w", w.loc.ID, err)
		return w.err
	}
	w.first = w.block
	w.fill = 0
	if w.writeback {
		// Start writing back what this record has written so far, so
		// that its commit (and anyone's journal commit meanwhile) finds
		// little dirty data. A hint: errors show at Commit's fdatasync.
		_, _ = w.f.SyncTo(off + int64(len(w.buf)))
	}
	return nil
}

// Commit checks that exactly length bytes were written, waits until they are
// durable (group fdatasync, unless NoSync) and returns the record's Locator.
// On any failure the record is abandoned and nothing is acknowledged.
func (w *Writer) Commit(ctx context.Context) (Locator, error) {
	if err := w.usable(); err != nil {
		if !w.done {
			_ = w.finish(true)
		}
		return Locator{}, err
	}
	if w.written != w.loc.Length {
		err := fmt.Errorf("%w: %d of %d bytes written", ErrShortWrite, w.written, w.loc.Length)
		_ = w.finish(true)
		return Locator{}, err
	}
	s := w.s
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		_ = w.finish(true)
		return Locator{}, ErrClosed
	}
	if !s.noSync {
		if err := w.seg.sync.wait(ctx, w.f, func(err error) { s.failSegment(w.seg, err) }); err != nil {
			_ = w.finish(true)
			return Locator{}, err
		}
	}
	return w.loc, w.finish(false)
}

// Abort abandons the record: its header is marked abandoned and its space
// stays garbage. Abort is idempotent and safe after a failed Write or Commit.
func (w *Writer) Abort() error {
	if w.done {
		return nil
	}
	return w.finish(true)
}

// finish ends the writer, marking the record abandoned if asked, and lets
// the segment seal if it was rolled and this was its last writer.
func (w *Writer) finish(abandon bool) error {
	w.done = true
	var err error
	if abandon {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], abandonMark(w.loc.ID))
		if _, werr := w.f.WriteAt(b[:], w.loc.Offset+markOffset); werr != nil {
			err = fmt.Errorf("segment: mark record %s abandoned: %w", w.loc.ID, werr)
		}
	}
	if w.bufp != nil {
		w.pool.Put(w.bufp)
		w.bufp, w.buf = nil, nil
	}
	s := w.s
	s.mu.Lock()
	w.seg.writers--
	s.sealIfIdleLocked(w.seg)
	s.mu.Unlock()
	s.release(w.seg)
	return err
}

// failSegment records that seg's fdatasync failed: nothing more is
// acknowledged in it and new records go to a new segment.
func (s *Store) failSegment(seg *segment, err error) {
	s.log.Error("segment: fdatasync failed; segment poisoned", "segment", seg.id, "err", err)
	seg.sync.fail(err)
	s.mu.Lock()
	defer s.mu.Unlock()
	if seg.failed == nil {
		seg.failed = err
	}
}

var _ io.ReaderFrom = (*Writer)(nil)
