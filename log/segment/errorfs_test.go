package segment

import (
	"context"
	"errors"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
)

// injectOn returns an injector, initially off, failing ops of the given
// kind on paths with the given suffix with errno.
func injectOn(kind errorfs.OpKind, suffix string, errno error) *errorfs.Toggle {
	return &errorfs.Toggle{Injector: errorfs.InjectorFunc(func(op errorfs.Op) error {
		if op.Kind == kind && strings.HasSuffix(op.Path, suffix) {
			return errno
		}
		return nil
	})}
}

// TestInjectedErrors fails one kind of operation at a time: the failing
// Create or Commit returns the error and acknowledges nothing, the store
// keeps working once the fault clears, and everything acknowledged is
// readable after reopening on the healthy file system.
func TestInjectedErrors(t *testing.T) {
	cases := []struct {
		name    string
		kind    errorfs.OpKind
		suffix  string
		errno   error
		atRoll  bool // the fault hits while creating a segment
		poisons bool // the segment cannot take more records
	}{
		{"fdatasync EIO", errorfs.OpFileSyncData, ".open", syscall.EIO, false, true},
		{"fdatasync ENOSPC", errorfs.OpFileSyncData, ".open", syscall.ENOSPC, false, true},
		{"payload write ENOSPC", errorfs.OpFileWriteAt, ".open", syscall.ENOSPC, false, false},
		{"payload write EIO", errorfs.OpFileWriteAt, ".open", syscall.EIO, false, false},
		{"segment create ENOSPC", errorfs.OpCreate, ".open", syscall.ENOSPC, true, false},
		{"segment fsync EIO", errorfs.OpFileSync, ".open", syscall.EIO, true, false},
		{"dir fsync EIO", errorfs.OpFileSync, "disk0", syscall.EIO, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := vfs.NewMem()
			inj := injectOn(c.kind, c.suffix, c.errno)
			opts := memOpts(errorfs.Wrap(mem, inj))
			opts.SegmentSize = 16 << 10
			s := openStore(t, opts)
			acked := map[RecordID]Locator{}
			for i := range 5 {
				id := rid(uint64(i))
				acked[id] = put(t, s, id, payload(id, 3000), 0)
			}
			before := acked[rid(4)].Segment
			if c.atRoll {
				before = fillSegment(t, s, acked)
			}
			err := failOnce(t, s, inj, c.atRoll, rid(1000))
			if !errors.Is(err, c.errno) {
				t.Fatalf("put with %s: %v, want %v", c.name, err, c.errno)
			}
			if c.poisons && !errors.Is(err, ErrSegmentFailed) {
				t.Fatalf("sync failure not reported as ErrSegmentFailed: %v", err)
			}
			inj.Off()
			for i := 2000; i < 2010; i++ {
				id := rid(uint64(i))
				loc := put(t, s, id, payload(id, 3000), 0)
				if c.poisons && loc.Segment == before {
					t.Fatalf("record acknowledged in a segment whose fdatasync failed")
				}
				acked[id] = loc
			}
			for id, loc := range acked {
				mustRead(t, s, loc, 0, -1, payload(id, loc.Length))
			}
			_ = s.Close()
			reopenAndCheck(t, mem, opts, acked, rid(1000))
		})
	}
}

// fillSegment fills the active segment with records of 3000 bytes so that
// the next Create must roll; it returns the active segment.
func fillSegment(t *testing.T, s *Store, acked map[RecordID]Locator) uint64 {
	t.Helper()
	for i := 100; ; i++ {
		segs := s.Segments()
		if active := segs[len(segs)-1]; active.Size+recordSize(3000, 1024) > s.segSize {
			return active.ID
		}
		id := rid(uint64(i))
		acked[id] = put(t, s, id, payload(id, 3000), 0)
	}
}

// failOnce turns the injector on and writes one record: at Create when
// atCreate, otherwise after a successful reservation.
func failOnce(t *testing.T, s *Store, inj *errorfs.Toggle, atCreate bool, id RecordID) error {
	t.Helper()
	ctx := context.Background()
	if atCreate {
		inj.On()
		_, err := s.Create(ctx, id, 3000)
		return err
	}
	w, err := s.Create(ctx, id, 3000)
	if err != nil {
		t.Fatal(err)
	}
	inj.On()
	if _, err = w.Write(payload(id, 3000)); err == nil {
		_, err = w.Commit(ctx)
	}
	_ = w.Abort()
	return err
}

// reopenAndCheck reopens on the healthy file system and checks acked and
// that the never-acknowledged record is not readable as valid data.
func reopenAndCheck(t *testing.T, mem vfs.FS, opts Options, acked map[RecordID]Locator, failed RecordID) {
	t.Helper()
	opts.FS = mem
	s := openStore(t, opts)
	for id, loc := range acked {
		mustRead(t, s, loc, 0, -1, payload(id, loc.Length))
	}
	for _, si := range s.Segments() {
		if !si.Sealed || si.Err != nil {
			t.Fatalf("segment after reopen: %+v", si)
		}
		for _, ri := range walkAll(t, s, si.ID) {
			if ri.Locator.ID == failed && !ri.Abandoned {
				if err := s.Verify(context.Background(), ri.Locator); err == nil {
					t.Logf("failed record %v is intact but was never acknowledged", ri.Locator)
				}
			}
		}
	}
}

// TestHeaderWriteError fails the reservation's header write: Create fails,
// the tail does not move, and the chain stays walkable.
func TestHeaderWriteError(t *testing.T) {
	mem := vfs.NewMem()
	var on sync.Mutex
	fail := false
	inj := errorfs.InjectorFunc(func(op errorfs.Op) error {
		on.Lock()
		defer on.Unlock()
		if fail && op.Kind == errorfs.OpFileWriteAt {
			return syscall.ENOSPC
		}
		return nil
	})
	opts := memOpts(errorfs.Wrap(mem, inj))
	s := openStore(t, opts)
	a := put(t, s, rid(1), payload(rid(1), 100), 0)
	on.Lock()
	fail = true
	on.Unlock()
	if _, err := s.Create(context.Background(), rid(2), 100); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Create with failing header write: %v", err)
	}
	on.Lock()
	fail = false
	on.Unlock()
	b := put(t, s, rid(3), payload(rid(3), 100), 0)
	if b.Offset != a.Offset+recordSize(100, 1024) {
		t.Fatalf("failed reservation leaked space: %v after %v", b, a)
	}
	if got := walkAll(t, s, a.Segment); len(got) != 2 {
		t.Fatalf("walk: %+v", got)
	}
}

// TestRandomInjectedErrors injects errors into random write operations
// under a concurrent workload: no panic, and every acknowledged record is
// intact after reopening on the healthy file system.
func TestRandomInjectedErrors(t *testing.T) {
	for seed := range int64(4) {
		mem := vfs.NewMem()
		inj := &errorfs.Toggle{Injector: errorfs.ErrInjected.If(
			errorfs.And(errorfs.Writes, errorfs.Randomly(0.05, seed)))}
		opts := memOpts(errorfs.Wrap(mem, inj))
		opts.SegmentSize = 32 << 10
		s := openStore(t, opts)
		inj.On()
		var mu sync.Mutex
		acked := map[RecordID]Locator{}
		var wg sync.WaitGroup
		for g := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 60 {
					id := rid(uint64(seed<<32) | uint64(g<<16|i))
					loc, err := tryPut(context.Background(), s, id, payload(id, int64(i*131%9000)), 700)
					if err != nil {
						continue
					}
					mu.Lock()
					acked[id] = loc
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		_ = s.Close()
		inj.Off()
		if len(acked) == 0 {
			t.Fatal("nothing committed")
		}
		opts.FS = mem
		s2 := openStore(t, opts)
		for id, loc := range acked {
			mustRead(t, s2, loc, 0, -1, payload(id, loc.Length))
		}
		_ = s2.Close()
	}
}

// TestReadErrorIsNotCorruption checks that an I/O error on read is returned
// as such and not mistaken for corruption.
func TestReadErrorIsNotCorruption(t *testing.T) {
	mem := vfs.NewMem()
	inj := injectOn(errorfs.OpFileReadAt, ".seg", syscall.EIO)
	opts := memOpts(errorfs.Wrap(mem, inj))
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	loc := put(t, s, rid(1), payload(rid(1), 5000), 0)
	_ = s.Close()
	s = openStore(t, opts)
	inj.On()
	_, err = readAll(t, s, loc, 0, -1)
	if !errors.Is(err, syscall.EIO) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("read with EIO: %v", err)
	}
	inj.Off()
	mustRead(t, s, loc, 0, -1, payload(rid(1), 5000))
}
