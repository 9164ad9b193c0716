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

// rangeReader serves verified payload bytes [pos, end) of one record.
//
// buf[:headerSize] holds the header; blocks lo..hi-1 (with their checksums)
// follow from buf[headerSize:], all verified.
type rangeReader struct {
	s    *Store
	ctx  context.Context
	seg  *segment
	f    vfs.File
	loc  Locator
	bs   int
	seed uint64

	pos, end int64
	lo, hi   int64
	buf      []byte
	bufp     *[]byte
	pool     *sync.Pool
	err      error
	closed   bool
}

// OpenRange returns a reader of payload bytes [off, off+n) of the record at
// loc (n == -1: to the end). It verifies the record header (kind, id and
// length must match loc) and the xxh3 of every block it touches; a mismatch
// is an error wrapping ErrCorrupt, never wrong bytes. The reader must be
// closed; it holds a reference on the segment.
func (s *Store) OpenRange(ctx context.Context, loc Locator, off, n int64) (io.ReadCloser, error) {
	if loc.Disk != s.disk {
		return nil, fmt.Errorf("%w: disk %d, this is disk %d", ErrWrongDisk, loc.Disk, s.disk)
	}
	if n == -1 {
		n = loc.Length - off
	}
	if loc.Length < 0 || off < 0 || n < 0 || off > loc.Length || n > loc.Length-off ||
		loc.Offset < DataStart || loc.Offset%8 != 0 {
		return nil, fmt.Errorf("%w: [%d, +%d) of %v", ErrRange, off, n, loc)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	seg, err := s.acquire(loc.Segment)
	if err != nil {
		return nil, err
	}
	r := &rangeReader{s: s, ctx: ctx, seg: seg, loc: loc, pos: off, end: off + n, bs: s.blockSize, seed: idSeed(loc.ID)}
	if err := r.open(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// open reads and checks the header, together with the first blocks when the
// range starts in block 0 and the record uses the Store's block size.
func (r *rangeReader) open() error {
	s := r.s
	s.mu.Lock()
	segEnd, name := r.seg.tail, r.seg.name
	s.mu.Unlock()
	f, err := s.openFile(r.seg, name)
	if err != nil {
		return err
	}
	r.f = f
	first, nb := r.span()
	r.getBuf(nb)
	want := headerSize
	if nb > 0 && first == 0 {
		want = r.readLen(0, min(nb, r.capBlocks()))
	}
	got, err := f.ReadAt(r.buf[:want], r.loc.Offset)
	if got < headerSize {
		return r.readErr(r.loc.Offset, err)
	}
	h, err := decodeHeader(r.buf[:headerSize], r.loc.Segment, r.loc.Offset)
	if err != nil {
		return err
	}
	if err := r.checkHeader(&h, segEnd); err != nil {
		return err
	}
	if h.blockSize != r.bs {
		// Written with another block size: buffers are sized for it.
		r.putBuf()
		r.bs = h.blockSize
		first, nb = r.span()
		r.getBuf(nb)
		return nil
	}
	if want > headerSize {
		if got < want {
			return r.readErr(r.loc.Offset, err)
		}
		return r.verify(0, min(nb, r.capBlocks()))
	}
	return nil
}

func (r *rangeReader) checkHeader(h *recHeader, segEnd int64) error {
	seg, off := r.loc.Segment, r.loc.Offset
	switch {
	case h.kind != kindData:
		return corruptf(seg, off, "locator points at a non-data record (kind %d)", h.kind)
	case h.id != r.loc.ID:
		return corruptf(seg, off, "record id %s, locator wants %s", h.id, r.loc.ID)
	case h.length != r.loc.Length:
		return corruptf(seg, off, "record length %d, locator wants %d", h.length, r.loc.Length)
	case h.abandoned():
		return corruptf(seg, off, "record %s was abandoned", h.id)
	case off+h.size() > segEnd:
		return corruptf(seg, off, "record reaches past the end of the segment (%d)", segEnd)
	}
	return nil
}

// span returns the first block of the range and how many blocks it touches.
func (r *rangeReader) span() (first, nb int64) {
	if r.end == r.pos {
		return 0, 0
	}
	first = r.pos / int64(r.bs)
	return first, (r.end-1)/int64(r.bs) - first + 1
}

// capBlocks is how many blocks fit in buf after the header slot.
func (r *rangeReader) capBlocks() int64 {
	return int64((len(r.buf) - headerSize) / (r.bs + sumSize))
}

// getBuf takes a buffer able to hold the header and up to nb blocks (at
// most one batch).
func (r *rangeReader) getBuf(nb int64) {
	s := r.s
	if r.bs != s.blockSize {
		k := min(max(nb, 1), int64(max(1, (1<<20)/r.bs)))
		r.buf = make([]byte, headerSize+int(k)*(r.bs+sumSize))
		return
	}
	r.pool = &s.onePool
	if nb > 1 {
		r.pool = &s.batchPool
	}
	r.bufp = r.pool.Get().(*[]byte)
	r.buf = (*r.bufp)[:cap(*r.bufp)]
}

func (r *rangeReader) putBuf() {
	if r.bufp != nil {
		r.pool.Put(r.bufp)
	}
	r.bufp, r.buf, r.pool = nil, nil, nil
}

// readLen is the number of bytes of blocks first..first+k-1 with their
// checksums (only the record's last block can be short).
func (r *rangeReader) readLen(first, k int64) int {
	last := first + k - 1
	return headerSize + int(k-1)*(r.bs+sumSize) + blockLen(last, r.loc.Length, r.bs) + sumSize
}

// verify checks blocks first..first+k-1 now in buf and makes them current.
func (r *rangeReader) verify(first, k int64) error {
	r.lo, r.hi = 0, 0
	p := r.buf[headerSize:]
	for i := first; i < first+k; i++ {
		n := blockLen(i, r.loc.Length, r.bs)
		if blockSum(r.seed, i, p[:n]) != binary.LittleEndian.Uint64(p[n:]) {
			return corruptf(r.loc.Segment, r.loc.Offset+blockOffset(i, r.bs), "record %s block %d checksum mismatch", r.loc.ID, i)
		}
		p = p[n+sumSize:]
	}
	r.lo, r.hi = first, first+k
	return nil
}

// load reads and verifies the blocks from block i on, as many as the range
// still needs and the buffer holds, in one pread.
func (r *rangeReader) load(i int64) error {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	k := min((r.end-1)/int64(r.bs)-i+1, r.capBlocks())
	n := r.readLen(i, k) - headerSize
	off := r.loc.Offset + blockOffset(i, r.bs)
	got, err := r.f.ReadAt(r.buf[headerSize:headerSize+n], off)
	if got < n {
		return r.readErr(off, err)
	}
	return r.verify(i, k)
}

func (r *rangeReader) readErr(off int64, err error) error {
	if err == nil || err == io.EOF {
		return corruptf(r.loc.Segment, off, "record %s truncated", r.loc.ID)
	}
	return fmt.Errorf("segment: read segment %d at %d: %w", r.loc.Segment, off, err)
}

// avail returns verified bytes starting at pos (at most to the end of the
// block and of the range), loading blocks as needed.
func (r *rangeReader) avail() ([]byte, error) {
	i := r.pos / int64(r.bs)
	if i < r.lo || i >= r.hi {
		if err := r.load(i); err != nil {
			return nil, err
		}
	}
	start := headerSize + int(i-r.lo)*(r.bs+sumSize) + int(r.pos-i*int64(r.bs))
	n := min(int64(r.bs)*(i+1), r.end) - r.pos
	return r.buf[start : start+int(n)], nil
}

// Read implements io.Reader.
func (r *rangeReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.pos >= r.end {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.pos < r.end {
		b, err := r.avail()
		if err != nil {
			r.err = err
			return n, err
		}
		c := copy(p[n:], b)
		n += c
		r.pos += int64(c)
		if i := r.pos / int64(r.bs); (i < r.lo || i >= r.hi) && n > 0 {
			break // do not read ahead just to fill p
		}
	}
	return n, nil
}

// WriteTo implements io.WriterTo: verified blocks go straight from the read
// buffer to w.
func (r *rangeReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for r.err == nil && r.pos < r.end {
		b, err := r.avail()
		if err != nil {
			r.err = err
			return total, err
		}
		c, err := w.Write(b)
		total += int64(c)
		r.pos += int64(c)
		if err != nil {
			return total, err
		}
		if c < len(b) {
			return total, io.ErrShortWrite
		}
	}
	return total, r.err
}

// Close releases the buffer and the segment reference. It is idempotent.
func (r *rangeReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.err == nil {
		r.err = ErrClosed
	}
	r.putBuf()
	r.s.release(r.seg)
	return nil
}

// Verify checks the header and every block checksum of one record.
func (s *Store) Verify(ctx context.Context, loc Locator) error {
	r, err := s.OpenRange(ctx, loc, 0, -1)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = io.Copy(io.Discard, r)
	return err
}

// RecordInfo describes one record found by Walk.
type RecordInfo struct {
	Locator   Locator
	Abandoned bool      // the writer aborted: garbage
	Created   time.Time // when the record was reserved
	BlockSize int
	Size      int64 // bytes on disk: header, payload, checksums and padding
}

// Walk visits every data record of segment seg in file order. In a sealed
// segment it checks that the header chain ends exactly at the seal; in an
// unsealed one it visits the records reserved so far, including ones whose
// writers are still running. It reads headers only: use Verify for blocks.
// A broken chain is an error wrapping ErrCorrupt.
func (s *Store) Walk(ctx context.Context, seg uint64, fn func(RecordInfo) error) error {
	sg, err := s.acquire(seg)
	if err != nil {
		return err
	}
	defer s.release(sg)
	s.mu.Lock()
	end, name := sg.tail, sg.name
	s.mu.Unlock()
	f, err := s.openFile(sg, name)
	if err != nil {
		return err
	}
	sc := newScanner(f, seg, end)
	for pos := int64(DataStart); pos < end; {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := sc.header(pos)
		if err != nil {
			return err
		}
		if h.kind == kindSeal || pos+h.size() > end {
			return corruptf(seg, pos, "header chain overruns the segment end (%d)", end)
		}
		if h.kind == kindData {
			err := fn(RecordInfo{
				Locator:   Locator{Disk: s.disk, Segment: seg, Offset: pos, Length: h.length, ID: h.id},
				Abandoned: h.abandoned(), Created: time.Unix(0, h.created),
				BlockSize: h.blockSize, Size: h.size(),
			})
			if err != nil {
				return err
			}
		}
		pos += h.size()
	}
	return nil
}
