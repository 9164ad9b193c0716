package segment

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// Options configure a Store.
type Options struct {
	FS          vfs.FS       // vfs.Default in production, vfs.NewMem()/NewCrashableMem() in tests
	Dir         string       // the disk's segment directory (created if missing)
	Disk        uint16       // this store's disk index, copied into Locators
	SegmentSize int64        // roll threshold; 0 => 1 GiB
	BlockSize   int          // 0 => 64 KiB; stored per record so it can change later
	NoSync      bool         // true = no fdatasync (kill -9-only durability)
	Logger      *slog.Logger // nil => discard
}

// Lane selects which active segment a record goes to. Each lane has its
// own active segment (and so its own group commit): background copies
// (compaction) never share an fdatasync with foreground writes, and the
// data they move, colder than new writes, is kept apart from them.
type Lane uint8

// Lanes.
const (
	LaneForeground Lane = iota
	LaneBackground
	numLanes
)

// segState is the life cycle of a segment.
type segState uint8

const (
	stActive  segState = iota // accepts reservations
	stRolled                  // no new reservations; sealed when writers == 0
	stSealing                 // seal in progress
	stSealed                  // ends with a seal record, named .seg
	stBroken                  // unsealed and unrecoverable (bad file header)
)

// segment is one segment file. Fields marked (mu) are guarded by Store.mu.
type segment struct {
	id      uint64
	created time.Time

	sealedAt time.Time // (mu) when the seal record was written; zero until sealed

	name    string   // (mu) current file name
	state   segState // (mu)
	tail    int64    // (mu) next reservation offset, or data end once sealed
	size    int64    // (mu) file size once sealed
	writers int      // (mu) open reservations
	records int64    // (mu) data records
	refs    int      // (mu) Store membership + writers + readers
	retired bool     // (mu)
	failed  error    // (mu) fdatasync failed: nothing more is acknowledged
	corrupt error    // (mu) found at Open; wraps ErrCorrupt

	fileMu sync.Mutex
	file   vfs.File // (fileMu) nil until opened

	sync syncer
}

// Store is the segment store of one disk. It is safe for concurrent use.
type Store struct {
	fs        vfs.FS
	dir       string
	disk      uint16
	segSize   int64
	blockSize int
	noSync    bool
	log       *slog.Logger

	lock    io.Closer
	dirFile vfs.File

	batchBlocks int       // blocks per pooled batch buffer
	onePool     sync.Pool // *[]byte: headerSize + blockSize + sumSize
	batchPool   sync.Pool // *[]byte: headerSize + batchBlocks*(blockSize+sumSize)

	sealWG sync.WaitGroup
	rollMu sync.Mutex // serialises segment creation

	mu      sync.Mutex
	segs    map[uint64]*segment
	active  [numLanes]*segment // per lane: the segment new records go to
	nextSeg uint64
	closed  bool
	hdrBuf  [headerSize]byte // header scratch for reserve
}

// SegmentInfo describes one segment.
type SegmentInfo struct {
	ID      uint64
	Path    string
	Size    int64 // bytes in use: the tail for unsealed segments, the file size once sealed
	Sealed  bool
	Active  bool // a segment new records go to (in either lane)
	Records int64
	Writers int // reservations still open
	Refs    int // references: the Store's own, writers and readers
	Created time.Time
	// SealedAt is the time in the seal record (zero until sealed). Every
	// record of the segment was committed before it.
	SealedAt time.Time
	Err      error // non-nil if the segment is corrupt or failed
}

func segName(id uint64, sealed bool) string {
	if sealed {
		return fmt.Sprintf("%016x.seg", id)
	}
	return fmt.Sprintf("%016x.open", id)
}

// Open opens (creating if needed) the store in opts.Dir and recovers it:
// unsealed segments have their torn tails cut and are sealed.
func Open(opts Options) (*Store, error) {
	if opts.FS == nil {
		return nil, errors.New("segment: Options.FS is nil")
	}
	if opts.Dir == "" {
		return nil, errors.New("segment: Options.Dir is empty")
	}
	if opts.BlockSize == 0 {
		opts.BlockSize = defaultBlockSize
	}
	if opts.BlockSize < MinBlockSize || opts.BlockSize > MaxBlockSize || opts.BlockSize%8 != 0 {
		return nil, fmt.Errorf("segment: BlockSize %d must be a multiple of 8 in [%d, %d]", opts.BlockSize, MinBlockSize, MaxBlockSize)
	}
	if opts.SegmentSize == 0 {
		opts.SegmentSize = defaultSegmentSize
	}
	if opts.SegmentSize < DataStart+headerSize {
		return nil, fmt.Errorf("segment: SegmentSize %d too small", opts.SegmentSize)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{
		fs: opts.FS, dir: opts.Dir, disk: opts.Disk, segSize: opts.SegmentSize,
		blockSize: opts.BlockSize, noSync: opts.NoSync, log: opts.Logger,
		segs: make(map[uint64]*segment), nextSeg: 1,
	}
	s.batchBlocks = max(1, (1<<20)/opts.BlockSize)
	oneSize := headerSize + opts.BlockSize + sumSize
	batchSize := headerSize + s.batchBlocks*(opts.BlockSize+sumSize)
	s.onePool.New = func() any { b := make([]byte, oneSize); return &b }
	s.batchPool.New = func() any { b := make([]byte, batchSize); return &b }

	if err := s.fs.MkdirAll(s.dir, 0o755); err != nil {
		return nil, fmt.Errorf("segment: create dir: %w", err)
	}
	if !s.noSync {
		// The directory entry itself must be durable before any segment in
		// it is acknowledged.
		if err := syncDirPath(s.fs, s.fs.PathDir(s.dir)); err != nil {
			return nil, fmt.Errorf("segment: sync parent of %s: %w", s.dir, err)
		}
	}
	lock, err := s.fs.Lock(s.fs.PathJoin(s.dir, "LOCK"))
	if err != nil {
		return nil, fmt.Errorf("segment: lock %s: %w", s.dir, err)
	}
	s.lock = lock
	if s.dirFile, err = s.fs.OpenDir(s.dir); err != nil {
		_ = lock.Close()
		return nil, fmt.Errorf("segment: open dir: %w", err)
	}
	if err := s.recover(); err != nil {
		s.closeFiles()
		_ = s.dirFile.Close()
		_ = lock.Close()
		return nil, err
	}
	return s, nil
}

// closeFiles closes every open segment file; used when Open fails.
func (s *Store) closeFiles() {
	for _, seg := range s.segs {
		seg.closeFile()
	}
}

// Close seals the active segment (and any rolled one without writers),
// waits for background seals and releases the Store's references. Writers
// still open keep their segment unsealed (it is recovered on the next Open)
// and fail with ErrClosed on Commit. Readers still open keep working until
// closed. Close is idempotent.
func (s *Store) Close() error {
	s.rollMu.Lock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.rollMu.Unlock()
		return nil
	}
	s.closed = true
	var toSeal []*segment
	for _, seg := range s.segs {
		if (seg.state == stActive || seg.state == stRolled) && seg.writers == 0 && seg.failed == nil {
			seg.state = stSealing
			toSeal = append(toSeal, seg)
		}
	}
	s.active = [numLanes]*segment{}
	s.mu.Unlock()
	s.rollMu.Unlock()

	var errs []error
	for _, seg := range toSeal {
		errs = append(errs, s.seal(seg))
	}
	s.sealWG.Wait()

	s.mu.Lock()
	var dead []*segment
	for id, seg := range s.segs {
		delete(s.segs, id)
		if seg.refs--; seg.refs == 0 {
			dead = append(dead, seg)
		}
	}
	s.mu.Unlock()
	for _, seg := range dead {
		seg.closeFile()
	}
	errs = append(errs, s.dirFile.Close(), s.lock.Close())
	return errors.Join(errs...)
}

// Segments lists the store's segments in ascending order.
func (s *Store) Segments() []SegmentInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SegmentInfo, 0, len(s.segs))
	for _, seg := range s.segs {
		si := SegmentInfo{
			ID: seg.id, Path: s.fs.PathJoin(s.dir, seg.name), Size: seg.tail,
			Sealed: seg.state == stSealed, Active: seg == s.active[LaneForeground] || seg == s.active[LaneBackground], Records: seg.records,
			Writers: seg.writers, Refs: seg.refs, Created: seg.created, SealedAt: seg.sealedAt, Err: seg.corrupt,
		}
		if si.Sealed {
			si.Size = seg.size
		}
		if seg.failed != nil {
			si.Err = seg.failed
		}
		out = append(out, si)
	}
	slices.SortFunc(out, func(a, b SegmentInfo) int { return cmpU64(a.ID, b.ID) })
	return out
}

// Retire removes a sealed (or broken) segment from the Store: new reads of
// it fail with ErrNotFound, and its file is deleted as soon as the last
// reader still holding it closes. It is the hook for compaction, which must
// first have copied out every live record.
func (s *Store) Retire(id uint64) error {
	s.mu.Lock()
	seg := s.segs[id]
	switch {
	case s.closed:
		s.mu.Unlock()
		return ErrClosed
	case seg == nil:
		s.mu.Unlock()
		return fmt.Errorf("%w: segment %d", ErrNotFound, id)
	case seg.state != stSealed && seg.state != stBroken:
		s.mu.Unlock()
		return fmt.Errorf("segment: retire segment %d: not sealed", id)
	}
	delete(s.segs, id)
	seg.retired = true
	s.mu.Unlock()
	s.release(seg)
	return nil
}

// acquire takes a reference on segment id.
func (s *Store) acquire(id uint64) (*segment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	seg := s.segs[id]
	if seg == nil {
		return nil, fmt.Errorf("%w: segment %d", ErrNotFound, id)
	}
	seg.refs++
	return seg, nil
}

// release drops a reference; the last one closes the file and, for a
// retired segment, deletes it.
func (s *Store) release(seg *segment) {
	s.mu.Lock()
	seg.refs--
	last, retired, name := seg.refs == 0, seg.retired, seg.name
	s.mu.Unlock()
	if !last {
		return
	}
	seg.closeFile()
	if !retired {
		return
	}
	path := s.fs.PathJoin(s.dir, name)
	if err := s.fs.Remove(path); err != nil {
		s.log.Error("segment: remove retired segment", "path", path, "err", err)
		return
	}
	s.log.Info("segment: removed retired segment", "path", path)
	if !s.noSync {
		if err := s.syncDir(); err != nil {
			s.log.Error("segment: sync dir after remove", "dir", s.dir, "err", err)
		}
	}
}

// syncDir fsyncs the directory with a fresh handle (usable after Close).
func (s *Store) syncDir() error { return syncDirPath(s.fs, s.dir) }

func syncDirPath(fs vfs.FS, dir string) error {
	d, err := fs.OpenDir(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// openFile returns the segment's file, opening it read-only on first use.
// The caller holds a reference.
func (s *Store) openFile(seg *segment, name string) (vfs.File, error) {
	seg.fileMu.Lock()
	defer seg.fileMu.Unlock()
	if seg.file != nil {
		return seg.file, nil
	}
	f, err := s.fs.Open(s.fs.PathJoin(s.dir, name))
	if err != nil {
		return nil, fmt.Errorf("segment: open segment %d: %w", seg.id, err)
	}
	seg.file = f
	return f, nil
}

func (seg *segment) closeFile() {
	seg.fileMu.Lock()
	defer seg.fileMu.Unlock()
	if seg.file != nil {
		_ = seg.file.Close()
		seg.file = nil
	}
}

// createSegment makes a new durable, empty segment file. No lock is held.
func (s *Store) createSegment(id uint64) (*segment, error) {
	name := segName(id, false)
	path := s.fs.PathJoin(s.dir, name)
	f, err := s.fs.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return nil, fmt.Errorf("segment: create segment %d: %w", id, err)
	}
	now := time.Now()
	var buf [fileHeaderSize]byte
	fh := fileHeader{version: currentFormat, disk: s.disk, seg: id, created: now.UnixNano()}
	fh.encode(buf[:])
	_, err = f.WriteAt(buf[:], 0)
	if err == nil && !s.noSync {
		if err = f.Sync(); err == nil {
			err = s.dirFile.Sync()
		}
	}
	if err != nil {
		_ = f.Close()
		if rerr := s.fs.Remove(path); rerr != nil && !os.IsNotExist(rerr) {
			s.log.Warn("segment: remove failed new segment", "path", path, "err", rerr)
		}
		return nil, fmt.Errorf("segment: create segment %d: %w", id, err)
	}
	s.log.Debug("segment: created", "path", path)
	return &segment{
		id: id, created: now, name: name, state: stActive, tail: DataStart,
		refs: 1, file: f,
	}, nil
}
