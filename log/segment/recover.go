package segment

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// dirEntry is a segment file found in the directory.
type dirEntry struct {
	id      uint64
	sealed  bool
	name    string
	dupOpen bool // an .open name exists too
}

// listSegments parses the directory listing. A segment listed both open
// and sealed (a crash between the rename and the directory sync, on a file
// system that does not make renames atomic) is reported once, with dupOpen.
func (s *Store) listSegments() ([]dirEntry, error) {
	names, err := s.fs.List(s.dir)
	if err != nil {
		return nil, fmt.Errorf("segment: list %s: %w", s.dir, err)
	}
	byID := make(map[uint64]*dirEntry)
	for _, name := range names {
		base, sealed := strings.CutSuffix(name, ".seg")
		if !sealed {
			var ok bool
			if base, ok = strings.CutSuffix(name, ".open"); !ok {
				continue
			}
		}
		id, err := strconv.ParseUint(base, 16, 64)
		if len(base) != 16 || err != nil || id == 0 {
			s.log.Warn("segment: ignoring unexpected file", "dir", s.dir, "name", name)
			continue
		}
		e := byID[id]
		if e == nil {
			byID[id] = &dirEntry{id: id, sealed: sealed, name: name}
			continue
		}
		e.dupOpen = true
		if sealed {
			e.sealed, e.name = true, name
		}
	}
	out := make([]dirEntry, 0, len(byID))
	for _, e := range byID {
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b dirEntry) int { return cmpU64(a.id, b.id) })
	return out, nil
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// recover loads sealed segments and seals the ones that were active.
func (s *Store) recover() error {
	entries, err := s.listSegments()
	if err != nil {
		return err
	}
	for _, e := range entries {
		s.nextSeg = max(s.nextSeg, e.id+1)
		var seg *segment
		if e.sealed {
			if seg, err = s.loadSealed(e); err == nil && e.dupOpen {
				err = s.dropDupOpen(seg)
			}
		} else {
			seg, err = s.recoverOpen(e)
		}
		if err != nil {
			return err
		}
		if seg != nil {
			s.segs[e.id] = seg
		}
	}
	return nil
}

// dropDupOpen removes the stale .open name of a segment whose .seg name
// holds a valid seal (the seal was durable before the rename).
func (s *Store) dropDupOpen(seg *segment) error {
	name := segName(seg.id, false)
	if seg.corrupt != nil {
		return fmt.Errorf("segment: segment %d exists as %s and as a corrupt %s: %w", seg.id, name, seg.name, seg.corrupt)
	}
	s.log.Warn("segment: removing stale open name of a sealed segment", "segment", seg.id, "name", name)
	if err := s.fs.Remove(s.fs.PathJoin(s.dir, name)); err != nil {
		return fmt.Errorf("segment: remove %s: %w", name, err)
	}
	return s.syncDirIf()
}

// loadSealed checks the file header and the seal of a sealed segment. A
// mismatch marks the segment corrupt; I/O errors fail Open.
func (s *Store) loadSealed(e dirEntry) (*segment, error) {
	f, err := s.fs.Open(s.fs.PathJoin(s.dir, e.name))
	if err != nil {
		return nil, fmt.Errorf("segment: open %s: %w", e.name, err)
	}
	defer f.Close()
	seg := &segment{id: e.id, name: e.name, state: stSealed, refs: 1}
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("segment: stat %s: %w", e.name, err)
	}
	seg.size, seg.tail = st.Size(), st.Size()
	var b [fileHeaderSize]byte
	cerr := s.readFull(f, b[:], 0, seg.size, e.id)
	if cerr == nil {
		var fh fileHeader
		if fh, cerr = decodeFileHeader(b[:], e.id); cerr == nil {
			seg.created = time.Unix(0, fh.created)
		}
	}
	if cerr == nil && seg.size < DataStart+headerSize {
		cerr = corruptf(e.id, seg.size, "sealed segment too short")
	}
	if cerr == nil {
		off := seg.size - headerSize
		if cerr = s.readFull(f, b[:headerSize], off, seg.size, e.id); cerr == nil {
			var h recHeader
			if h, cerr = decodeHeader(b[:], e.id, off); cerr == nil && h.kind != kindSeal {
				cerr = corruptf(e.id, off, "no seal record at end of sealed segment")
			}
			seg.tail, seg.records, seg.sealedAt = off, h.sealRecords(), time.Unix(0, h.created)
		}
	}
	if cerr != nil {
		if !errors.Is(cerr, ErrCorrupt) {
			return nil, cerr
		}
		seg.corrupt, seg.tail, seg.records = cerr, seg.size, 0
		s.log.Error("segment: sealed segment is corrupt", "segment", e.id, "err", cerr)
	}
	return seg, nil
}

// readFull reads len(b) bytes at off of a file of the given size; reading
// past size is corruption.
func (s *Store) readFull(f vfs.File, b []byte, off, size int64, seg uint64) error {
	if off < 0 || off+int64(len(b)) > size {
		return corruptf(seg, off, "read of %d bytes past end of file (%d)", len(b), size)
	}
	n, err := f.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || err == io.EOF {
		return corruptf(seg, off, "short read: %d of %d bytes", n, len(b))
	}
	return fmt.Errorf("segment: read segment %d at %d: %w", seg, off, err)
}

// recoverOpen cuts the torn tail of a segment that was active when the
// process stopped and seals it.
func (s *Store) recoverOpen(e dirEntry) (*segment, error) {
	path := s.fs.PathJoin(s.dir, e.name)
	f, err := s.fs.OpenReadWrite(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return nil, fmt.Errorf("segment: open %s: %w", e.name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("segment: stat %s: %w", e.name, err)
	}
	size := st.Size()
	var b [fileHeaderSize]byte
	n, err := f.ReadAt(b[:], 0)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("segment: read %s: %w", e.name, err)
	}
	if n < fileHeaderSize || b == [fileHeaderSize]byte{} {
		// Creation was torn: the header was never durable, so nothing in
		// the file was acknowledged.
		s.log.Warn("segment: removing segment whose creation was torn", "path", path, "size", size)
		if err := s.fs.Remove(path); err != nil {
			return nil, fmt.Errorf("segment: remove torn segment %s: %w", e.name, err)
		}
		return nil, s.syncDirIf()
	}
	seg := &segment{id: e.id, name: e.name, refs: 1, tail: size, size: size}
	fh, err := decodeFileHeader(b[:], e.id)
	if err != nil {
		seg.state, seg.corrupt = stBroken, err
		s.log.Error("segment: unsealed segment has a bad file header; left untouched", "path", path, "err", err)
		return seg, nil
	}
	seg.created = time.Unix(0, fh.created)
	end, records, err := s.scanTail(f, e.id, size)
	if err != nil {
		return nil, err
	}
	sealAt, err := s.cutTail(f, e.id, end, size)
	if err != nil {
		return nil, err
	}
	sealedAt := time.Now()
	if err := s.writeSeal(f, e.id, sealAt, records, e.name, sealedAt); err != nil {
		return nil, err
	}
	s.log.Info("segment: recovered unsealed segment", "segment", e.id, "records", records,
		"end", end, "torn_bytes", size-end)
	seg.state, seg.name, seg.tail, seg.size, seg.records = stSealed, segName(e.id, true), sealAt, sealAt+headerSize, records
	seg.sealedAt = sealedAt
	return seg, nil
}

// scanTail walks the header chain of an unsealed segment and returns where
// it ends: EOF, the first invalid header, a record reaching past EOF or a
// seal record. Only I/O errors are returned.
func (s *Store) scanTail(f vfs.File, seg uint64, size int64) (end, records int64, err error) {
	sc := newScanner(f, seg, size)
	pos := int64(DataStart)
	for pos < size {
		h, err := sc.header(pos)
		if err != nil {
			if errors.Is(err, ErrCorrupt) {
				return pos, records, nil
			}
			return 0, 0, err
		}
		if h.kind == kindSeal || pos+h.size() > size {
			return pos, records, nil
		}
		if h.kind == kindData {
			records++
		}
		pos += h.size()
	}
	return pos, records, nil
}

// truncater is implemented by files that can be truncated (the disk FS).
type truncater interface{ Truncate(size int64) error }

// cutTail discards [end, size) and returns where the seal goes: end after a
// truncation, or after a pad record covering the tail when the file cannot
// be truncated.
func (s *Store) cutTail(f vfs.File, seg uint64, end, size int64) (int64, error) {
	if end >= size {
		return end, nil
	}
	if t, ok := f.(truncater); ok {
		if err := t.Truncate(end); err != nil {
			return 0, fmt.Errorf("segment: truncate segment %d at %d: %w", seg, end, err)
		}
		return end, nil
	}
	sealAt := (max(size, end+headerSize) + 7) &^ 7
	h := recHeader{kind: kindPad, length: sealAt - end - headerSize}
	var b [headerSize]byte
	h.encode(b[:], seg, end)
	if _, err := f.WriteAt(b[:], end); err != nil {
		return 0, fmt.Errorf("segment: pad torn tail of segment %d: %w", seg, err)
	}
	return sealAt, nil
}

// writeSeal writes the seal record at off, makes it durable and renames the
// file to its sealed name.
func (s *Store) writeSeal(f vfs.File, seg uint64, off, records int64, name string, now time.Time) error {
	var b [headerSize]byte
	h := sealHeader(records, off, now)
	h.encode(b[:], seg, off)
	if _, err := f.WriteAt(b[:], off); err != nil {
		return fmt.Errorf("segment: write seal of segment %d: %w", seg, err)
	}
	if !s.noSync {
		if err := f.SyncData(); err != nil {
			return fmt.Errorf("segment: sync seal of segment %d: %w", seg, err)
		}
	}
	from, to := s.fs.PathJoin(s.dir, name), s.fs.PathJoin(s.dir, segName(seg, true))
	if err := s.fs.Rename(from, to); err != nil {
		return fmt.Errorf("segment: rename sealed segment %d: %w", seg, err)
	}
	return s.syncDirIf()
}

func (s *Store) syncDirIf() error {
	if s.noSync {
		return nil
	}
	if err := s.dirFile.Sync(); err != nil {
		return fmt.Errorf("segment: sync dir %s: %w", s.dir, err)
	}
	return nil
}

// seal seals a rolled segment whose writers have all finished. On failure
// the segment stays unsealed (it is recovered on the next Open).
func (s *Store) seal(seg *segment) error {
	s.mu.Lock()
	off, records, name := seg.tail, seg.records, seg.name
	s.mu.Unlock()
	seg.fileMu.Lock()
	f := seg.file
	seg.fileMu.Unlock()
	now := time.Now()
	err := s.writeSeal(f, seg.id, off, records, name, now)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		seg.state = stRolled
		if seg.failed == nil {
			seg.failed = err
		}
		s.log.Error("segment: seal failed; segment left for recovery", "segment", seg.id, "err", err)
		return err
	}
	seg.state, seg.name, seg.size, seg.sealedAt = stSealed, segName(seg.id, true), off+headerSize, now
	s.log.Debug("segment: sealed", "segment", seg.id, "records", records, "size", off+headerSize)
	return nil
}

// scanner reads record headers through a window to save preads when
// walking a segment of small records.
type scanner struct {
	f      vfs.File
	seg    uint64
	size   int64
	buf    []byte
	bufOff int64
	bufLen int
}

func newScanner(f vfs.File, seg uint64, size int64) *scanner {
	return &scanner{f: f, seg: seg, size: size, buf: make([]byte, 64<<10)}
}

// header reads and validates the record header at off.
func (sc *scanner) header(off int64) (recHeader, error) {
	if off+headerSize > sc.size {
		return recHeader{}, corruptf(sc.seg, off, "record header past end of segment (%d)", sc.size)
	}
	if off < sc.bufOff || off+headerSize > sc.bufOff+int64(sc.bufLen) {
		n := int(min(int64(len(sc.buf)), sc.size-off))
		got, err := sc.f.ReadAt(sc.buf[:n], off)
		if got < headerSize {
			if err == nil || err == io.EOF {
				return recHeader{}, corruptf(sc.seg, off, "short read of record header")
			}
			return recHeader{}, fmt.Errorf("segment: read segment %d at %d: %w", sc.seg, off, err)
		}
		sc.bufOff, sc.bufLen = off, got
	}
	i := off - sc.bufOff
	return decodeHeader(sc.buf[i:i+headerSize], sc.seg, off)
}
