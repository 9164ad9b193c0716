package blob_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cairnstore/cairn/engine/blob"
	"github.com/cairnstore/cairn/log/segment"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
)

var ctx = context.Background()

func opts(data string, disks ...string) blob.Options {
	o := blob.Options{Node: "n1", DataDir: data, Legacy: blob.DiskSpec{Dir: filepath.Join(data, "segments")},
		SegmentSize: 64 << 10, Reserve: -1}
	for _, d := range disks {
		o.Disks = append(o.Disks, blob.DiskSpec{Dir: d})
	}
	return o
}

func open(t *testing.T, o blob.Options) *blob.Set {
	t.Helper()
	s, err := blob.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

var nextID atomic.Uint64

func write(t *testing.T, s *blob.Set, data []byte) (segment.Locator, error) {
	t.Helper()
	var id segment.RecordID
	copy(id[:], fmt.Sprintf("%016d", nextID.Add(1)))
	w, err := s.Create(ctx, id, int64(len(data)))
	if err != nil {
		return segment.Locator{}, err
	}
	if _, err := w.Write(data); err != nil {
		_ = w.Abort()
		return segment.Locator{}, err
	}
	return w.Commit(ctx)
}

func mustWrite(t *testing.T, s *blob.Set, data []byte) segment.Locator {
	t.Helper()
	loc, err := write(t, s, data)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func read(s *blob.Set, loc segment.Locator) ([]byte, error) {
	r, err := s.OpenRange(ctx, loc, 0, -1)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func state(s *blob.Set, id uint16) blob.State {
	for _, d := range s.Disks() {
		if d.ID == id {
			return d.State
		}
	}
	return ""
}

// Disk numbers live in the disks' identity files: reordering the --disk
// flags changes nothing, a new disk gets a new number, and a disk left
// out is missing (its records unavailable, the rest readable).
func TestDiskNumbersSurviveReordering(t *testing.T) {
	data, a, b, c := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	s, err := blob.Open(opts(data, a, b))
	if err != nil {
		t.Fatal(err)
	}
	locs := map[uint16]segment.Locator{}
	for len(locs) < 2 {
		loc := mustWrite(t, s, []byte(fmt.Sprint("record on disk ", len(locs))))
		locs[loc.Disk] = loc
	}
	if _, ok := locs[0]; ok {
		t.Fatal("wrote to <data>/segments although --disk was given")
	}
	_ = s.Close()
	s = open(t, opts(data, c, b, a))
	for _, d := range s.Disks() {
		want := map[string]uint16{a: 1, b: 2, c: 3}[d.Dir]
		if d.ID != want || d.State != blob.Online {
			t.Fatalf("disk %s is number %d (%s), want %d", d.Dir, d.ID, d.State, want)
		}
	}
	for _, loc := range locs {
		if _, err := read(s, loc); err != nil {
			t.Fatalf("record on disk %d after reordering: %v", loc.Disk, err)
		}
	}
	_ = s.Close()
	s = open(t, opts(data, b, c))
	if st := state(s, 1); st != blob.Missing {
		t.Fatalf("left-out disk 1 is %q, want missing", st)
	}
	if _, err := read(s, locs[1]); !errors.Is(err, blob.ErrDiskUnavailable) {
		t.Fatalf("read from the missing disk: %v", err)
	}
	if _, err := read(s, locs[2]); err != nil {
		t.Fatalf("read from a present disk: %v", err)
	}
}

// Directories that are not this node's disks are refused.
func TestForeignDisksAreRefused(t *testing.T) {
	data, a := t.TempDir(), t.TempDir()
	s := open(t, opts(data, a))
	_ = s.Close()
	other := opts(t.TempDir(), a)
	other.Node = "n2"
	if _, err := blob.Open(other); err == nil || !strings.Contains(err.Error(), "belongs to node n1") {
		t.Fatalf("another node's disk: %v", err)
	}
	if _, err := blob.Open(opts(data, a, a)); err == nil || !strings.Contains(err.Error(), "both disk 1") {
		t.Fatalf("one disk given twice: %v", err)
	}
	used := t.TempDir()
	seg, err := segment.Open(segment.Options{FS: vfs.Default, Dir: used})
	if err != nil {
		t.Fatal(err)
	}
	_ = seg.Close()
	if err := vfsCreate(filepath.Join(used, "0000000000000001.seg")); err != nil {
		t.Fatal(err)
	}
	if _, err := blob.Open(opts(data, used)); err == nil || !strings.Contains(err.Error(), "no CAIRN-DISK") {
		t.Fatalf("a directory with segments but no identity: %v", err)
	}
}

func vfsCreate(path string) error {
	f, err := vfs.Default.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return err
	}
	return f.Close()
}

// <data>/segments is disk 0: alone without --disk, then still read (but
// not written) once --disk is given.
func TestDataDirSegmentsStayDiskZero(t *testing.T) {
	data, a := t.TempDir(), t.TempDir()
	s, err := blob.Open(opts(data))
	if err != nil {
		t.Fatal(err)
	}
	old := mustWrite(t, s, []byte("written before --disk"))
	if old.Disk != 0 {
		t.Fatalf("without --disk a record went to disk %d", old.Disk)
	}
	_ = s.Close()
	s = open(t, opts(data, a))
	if got, err := read(s, old); err != nil || string(got) != "written before --disk" {
		t.Fatalf("old record: %q %v", got, err)
	}
	for range 20 {
		if loc := mustWrite(t, s, []byte("new")); loc.Disk != 1 {
			t.Fatalf("a new record went to disk %d", loc.Disk)
		}
	}
}

// New records spread over the disks in proportion to their free space,
// and a disk below the reserve takes none.
func TestPlacementFollowsFreeSpace(t *testing.T) {
	fs := []*vfs.MemFS{vfs.NewMem(), vfs.NewMem(), vfs.NewMem()}
	for i, gib := range []uint64{3, 1, 1} {
		fs[i].TestingSetDiskUsage(vfs.DiskUsage{AvailBytes: gib << 30, TotalBytes: 4 << 30})
	}
	fs[2].TestingSetDiskUsage(vfs.DiskUsage{AvailBytes: 100 << 20, TotalBytes: 4 << 30})
	o := opts("/data")
	o.DataFS, o.Legacy.FS, o.Reserve = vfs.NewMem(), nil, 512<<20
	for i := range fs {
		o.Disks = append(o.Disks, blob.DiskSpec{Dir: fmt.Sprintf("/d%d", i), FS: fs[i]})
	}
	s := open(t, o)
	if st := state(s, 3); st != blob.Full {
		t.Fatalf("disk below the reserve is %q", st)
	}
	count := map[uint16]int{}
	for range 400 {
		count[mustWrite(t, s, make([]byte, 100)).Disk]++
	}
	// Room above the reserve: 2.5 GiB and 0.5 GiB, so 5 in 6 to disk 1.
	if count[3] != 0 || count[1] < 300 || count[1] > 370 {
		t.Fatalf("placement %v, want about 333/67/0", count)
	}
}

// injector fails matching operations with errno while on.
func injector(errno error, match func(errorfs.Op) bool) (*errorfs.Toggle, *errorfs.FS) {
	tog := &errorfs.Toggle{Injector: errorfs.InjectorFunc(func(op errorfs.Op) error {
		if match(op) {
			return errno
		}
		return nil
	})}
	return tog, errorfs.Wrap(vfs.Default, tog)
}

// A disk that runs out of space leaves placement: a Create that meets
// ENOSPC goes to another disk, a write that meets it mid-record fails with
// ErrNoSpace; once the disk has room and the cooldown passed, it is back.
func TestFullDiskLeavesPlacement(t *testing.T) {
	data, a, b := t.TempDir(), t.TempDir(), t.TempDir()
	tog, fsA := injector(syscall.ENOSPC, func(op errorfs.Op) bool {
		return op.Kind == errorfs.OpFileWriteAt && strings.HasSuffix(op.Path, ".open")
	})
	now := atomic.Int64{}
	now.Store(time.Now().UnixNano())
	o := opts(data)
	o.Disks = []blob.DiskSpec{{Dir: a, FS: fsA}, {Dir: b}}
	o.FullCooldown = time.Minute
	o.Now = func() time.Time { return time.Unix(0, now.Load()) }
	s := open(t, o)
	tog.On()
	for range 30 {
		if loc := mustWrite(t, s, []byte("x")); loc.Disk != 2 {
			t.Fatalf("record went to disk %d while disk 1 is out of space", loc.Disk)
		}
	}
	if st := state(s, 1); st != blob.Full {
		t.Fatalf("disk 1 is %q after ENOSPC", st)
	}
	tog.Off()
	s.CheckDisks()
	if st := state(s, 1); st != blob.Full {
		t.Fatalf("disk 1 is %q before the cooldown ends", st)
	}
	now.Add(int64(2 * time.Minute))
	s.CheckDisks()
	if st := state(s, 1); st != blob.Online {
		t.Fatalf("disk 1 is %q after the cooldown, with room", st)
	}
	// Mid-record: the header is written, then the disk fills.
	for {
		var id segment.RecordID
		copy(id[:], fmt.Sprintf("mid%013d", nextID.Add(1)))
		w, err := s.Create(ctx, id, 5000)
		if err != nil {
			t.Fatal(err)
		}
		if w.Locator().Disk != 1 {
			_ = w.Abort()
			continue
		}
		tog.On()
		_, err = w.Write(make([]byte, 5000))
		if err == nil {
			_, err = w.Commit(ctx)
		}
		_ = w.Abort()
		if !errors.Is(err, blob.ErrNoSpace) {
			t.Fatalf("write on a full disk: %v", err)
		}
		break
	}
	if st := state(s, 1); st != blob.Full {
		t.Fatalf("disk 1 is %q after ENOSPC mid-record", st)
	}
}

// A disk whose reads fail is taken out of placement; reads of its records
// fail with ErrDiskUnavailable, the other disk keeps serving.
func TestFailedDiskReadsFailCleanly(t *testing.T) {
	data, a, b := t.TempDir(), t.TempDir(), t.TempDir()
	tog, fsA := injector(syscall.EIO, func(op errorfs.Op) bool {
		return op.Kind == errorfs.OpFileReadAt && strings.HasSuffix(op.Path, ".open")
	})
	o := opts(data)
	o.Disks = []blob.DiskSpec{{Dir: a, FS: fsA}, {Dir: b}}
	s := open(t, o)
	locs := map[uint16]segment.Locator{}
	for len(locs) < 2 {
		loc := mustWrite(t, s, bytes.Repeat([]byte("y"), 1000))
		locs[loc.Disk] = loc
	}
	tog.On()
	if _, err := read(s, locs[1]); !errors.Is(err, blob.ErrDiskUnavailable) {
		t.Fatalf("read on the failing disk: %v", err)
	}
	if st := state(s, 1); st != blob.Failed {
		t.Fatalf("disk 1 is %q after a read error", st)
	}
	if got, err := read(s, locs[2]); err != nil || len(got) != 1000 {
		t.Fatalf("read on the healthy disk: %v", err)
	}
	for range 20 {
		if loc := mustWrite(t, s, []byte("z")); loc.Disk != 2 {
			t.Fatalf("record went to failed disk %d", loc.Disk)
		}
	}
}
