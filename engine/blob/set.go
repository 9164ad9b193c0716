package blob

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/cairnstore/cairn/log/metrics"
	"github.com/cairnstore/cairn/log/segment"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// DiskSpec is one disk directory and the file system it is reached by.
type DiskSpec struct {
	Dir string
	FS  vfs.FS // nil: vfs.Default
}

// Options configure a Set.
type Options struct {
	Node    string   // this node's id: disks of another node are refused
	DataDir string   // where disks.json lives
	DataFS  vfs.FS   // nil: vfs.Default
	Legacy  DiskSpec // disk 0: <data>/segments
	Disks   []DiskSpec
	// Segment store options, the same for every disk.
	SegmentSize int64
	BlockSize   int
	NoSync      bool
	// Reserve is the free space kept on every disk (0: 128 MiB; < 0: none).
	Reserve        int64
	HealthInterval time.Duration // free space and recovery checks; 0: 5s
	FullCooldown   time.Duration // a disk full after an ENOSPC stays out this long; 0: 30s
	PendingTTL     time.Duration // a committed record never settled stops being pending; 0: 10m
	FailedHold     time.Duration // a record whose event append failed stays pending; 0: 2m
	Logger         *slog.Logger
	Metrics        *metrics.Registry // nil: a private registry
	Now            func() time.Time
}

func (o *Options) defaults() {
	if o.DataFS == nil {
		o.DataFS = vfs.Default
	}
	if o.Reserve == 0 {
		o.Reserve = 128 << 20
	}
	o.Reserve = max(o.Reserve, 0)
	setDefault(&o.HealthInterval, 5*time.Second)
	setDefault(&o.FullCooldown, 30*time.Second)
	setDefault(&o.PendingTTL, 10*time.Minute)
	setDefault(&o.FailedHold, 2*time.Minute)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Metrics == nil {
		o.Metrics = metrics.New()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

// Set is one node's disks. It is safe for concurrent use.
type Set struct {
	o       Options
	log     *slog.Logger
	disks   []*disk // by number; fixed after Open
	pending pending
	// copies is held (read) by copies that add references to existing
	// records, from reading the source until their event is applied, and
	// (write) by compaction while it retires a segment.
	copies sync.RWMutex
	m      setMetrics
	stop   chan struct{}
	done   chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// Open resolves the disks (assigning numbers to new ones), opens their
// segment stores and starts watching their free space. A disk whose store
// cannot be opened is marked failed; configuration mistakes (a disk of
// another node, a number given twice) fail Open.
func Open(o Options) (*Set, error) {
	o.defaults()
	s := &Set{o: o, log: o.Logger, stop: make(chan struct{}), done: make(chan struct{})}
	s.m = newSetMetrics(o.Metrics)
	specs, err := s.resolve()
	if err != nil {
		return nil, err
	}
	for _, d := range specs {
		s.openDisk(d)
	}
	slices.SortFunc(s.disks, func(a, b *disk) int { return int(a.id) - int(b.id) })
	s.CheckDisks()
	go s.watch()
	return s, nil
}

// resolve returns the disks to use with their numbers, and the numbers
// handed out before whose disks are absent (as missing disks).
func (s *Set) resolve() ([]*disk, error) {
	o := s.o
	if err := o.DataFS.MkdirAll(o.DataDir, 0o755); err != nil {
		return nil, err
	}
	reg, err := readRegistry(o.DataFS, o.DataDir)
	if err != nil {
		return nil, err
	}
	var out []*disk
	byID := map[uint16]string{}
	add := func(id uint16, spec DiskSpec, placement bool) error {
		if prev, dup := byID[id]; dup {
			return fmt.Errorf("blob: %s and %s are both disk %d", prev, spec.Dir, id)
		}
		byID[id] = spec.Dir
		out = append(out, &disk{id: id, dir: spec.Dir, fs: spec.FS, placement: placement})
		return nil
	}
	legacy := o.Legacy
	if legacy.FS == nil {
		legacy.FS = o.DataFS
	}
	disks := slices.DeleteFunc(slices.Clone(o.Disks), func(d DiskSpec) bool {
		return filepath.Clean(d.Dir) == filepath.Clean(legacy.Dir)
	})
	legacyNamed := len(disks) < len(o.Disks)
	useLegacy := len(disks) == 0 || legacyNamed
	if !useLegacy {
		if useLegacy, err = hasSegments(legacy.FS, legacy.Dir); err != nil {
			return nil, err
		}
	}
	if useLegacy {
		if err := s.claimLegacy(legacy); err != nil {
			return nil, err
		}
		if err := add(0, legacy, len(disks) == 0 || legacyNamed); err != nil {
			return nil, err
		}
	}
	for _, spec := range disks {
		if spec.FS == nil {
			spec.FS = vfs.Default
		}
		id, err := s.claim(spec, &reg)
		if err != nil {
			return nil, err
		}
		if err := add(id, spec, true); err != nil {
			return nil, err
		}
	}
	for id := uint16(1); id < reg.Next; id++ {
		if _, ok := byID[id]; !ok {
			out = append(out, &disk{id: id, state: Missing})
			s.log.Warn("disk missing: its number was handed out but no --disk names it; reads of its data fail", "disk", id)
		}
	}
	return out, nil
}

// claimLegacy makes sure <data>/segments is (or becomes) disk 0.
func (s *Set) claimLegacy(spec DiskSpec) error {
	if err := spec.FS.MkdirAll(spec.Dir, 0o755); err != nil {
		return fmt.Errorf("blob: %s: %w", spec.Dir, err)
	}
	id, found, err := readIdentity(spec.FS, spec.Dir)
	switch {
	case err != nil:
		return err
	case found && (id.Disk != 0 || id.Node != s.o.Node):
		return fmt.Errorf("blob: %s is disk %d of node %s, not this node's disk 0", spec.Dir, id.Disk, id.Node)
	case found:
		return nil
	}
	return writeFileDurably(spec.FS, spec.FS.PathJoin(spec.Dir, identityFile), identity{Format: identityFormat, Node: s.o.Node, Disk: 0})
}

// claim returns the number of the disk in spec, handing out a new one
// (recorded durably in the registry first) to a new, empty directory.
func (s *Set) claim(spec DiskSpec, reg *registry) (uint16, error) {
	if err := spec.FS.MkdirAll(spec.Dir, 0o755); err != nil {
		return 0, fmt.Errorf("blob: disk %s: %w", spec.Dir, err)
	}
	id, found, err := readIdentity(spec.FS, spec.Dir)
	if err != nil {
		return 0, err
	}
	if found {
		if id.Node != s.o.Node {
			return 0, fmt.Errorf("blob: disk %s belongs to node %s, this is node %s", spec.Dir, id.Node, s.o.Node)
		}
		if id.Disk >= reg.Next {
			return 0, fmt.Errorf("blob: disk %s claims number %d, never handed out by %s", spec.Dir, id.Disk, s.o.DataDir)
		}
		return id.Disk, nil
	}
	used, err := hasSegments(spec.FS, spec.Dir)
	if err != nil {
		return 0, err
	}
	if used {
		return 0, fmt.Errorf("blob: disk %s holds segments but no %s file: it is not this data directory's", spec.Dir, identityFile)
	}
	if reg.Next == 0xffff {
		return 0, errors.New("blob: out of disk numbers")
	}
	n := reg.Next
	reg.Next++
	if err := writeFileDurably(s.o.DataFS, s.o.DataFS.PathJoin(s.o.DataDir, registryFile), reg); err != nil {
		return 0, fmt.Errorf("blob: record disk %d: %w", n, err)
	}
	if err := writeFileDurably(spec.FS, spec.FS.PathJoin(spec.Dir, identityFile), identity{Format: identityFormat, Node: s.o.Node, Disk: n}); err != nil {
		return 0, fmt.Errorf("blob: label disk %s: %w", spec.Dir, err)
	}
	s.log.Info("new disk", "disk", n, "dir", spec.Dir)
	return n, nil
}

// openDisk opens d's segment store; failing that, d is failed.
func (s *Set) openDisk(d *disk) {
	s.disks = append(s.disks, d)
	d.free = -1
	if d.state == Missing {
		s.m.online(d, false)
		return
	}
	st, err := segment.Open(segment.Options{FS: d.fs, Dir: d.dir, Disk: d.id, SegmentSize: s.o.SegmentSize,
		BlockSize: s.o.BlockSize, NoSync: s.o.NoSync, Logger: s.log.With("disk", d.id)})
	if err != nil {
		d.state, d.err = Failed, err
		s.log.Error("disk failed: cannot open its segments; it takes no new data and reads of its data fail", "disk", d.id, "dir", d.dir, "err", err)
		s.m.online(d, false)
		return
	}
	d.store, d.state = st, Online
	s.m.online(d, true)
}

// disk returns disk id, or nil.
func (s *Set) disk(id uint16) *disk {
	i, ok := slices.BinarySearchFunc(s.disks, id, func(d *disk, id uint16) int { return int(d.id) - int(id) })
	if !ok {
		return nil
	}
	return s.disks[i]
}

// watch refreshes free space and states every HealthInterval.
func (s *Set) watch() {
	defer close(s.done)
	t := time.NewTicker(s.o.HealthInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.CheckDisks()
		}
	}
}

// CheckDisks reads every disk's free space and moves disks between online
// and full at once; a watcher does it every HealthInterval.
func (s *Set) CheckDisks() {
	now := s.o.Now()
	for _, d := range s.disks {
		if d.store == nil {
			continue
		}
		free := int64(-1)
		if u, err := d.fs.GetDiskUsage(d.dir); err == nil {
			free = int64(u.AvailBytes)
		}
		s.m.free(d, free)
		s.recheck(d, free, now)
	}
}

// Close stops the watcher and closes every store. It is idempotent.
func (s *Set) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		<-s.done
		var errs []error
		for _, d := range s.disks {
			if d.store != nil {
				errs = append(errs, d.store.Close())
			}
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// HoldCopies is taken by an operation that adds references to records
// it found in the index (CopyObject, UploadPartCopy), from reading the
// source until its event is applied; call the returned function then.
// Compaction does not retire a segment while a copy holds it.
func (s *Set) HoldCopies() (release func()) {
	s.copies.RLock()
	return s.copies.RUnlock
}

// Settle ends the pending state of records once the event referencing
// them is applied; failed says the append failed (it may still land), so
// they stay pending for FailedHold.
func (s *Set) Settle(records []string, failed bool) {
	for _, r := range records {
		if failed {
			s.pending.expireAt(r, s.o.Now().Add(s.o.FailedHold))
		} else {
			s.pending.remove(r)
		}
	}
}
