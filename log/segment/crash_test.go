package segment

import (
	"context"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// crashWorkload runs writers against s until stop is closed. Every committed
// record is added to acked before commits receives a token.
type crashWorkload struct {
	s       *Store
	mu      sync.Mutex
	acked   map[RecordID]Locator
	commits chan struct{}
	stop    chan struct{}
	wg      sync.WaitGroup
	nextID  atomic.Uint64
	err     atomic.Value
}

func startWorkload(s *Store, writers int, seed uint64) *crashWorkload {
	cw := &crashWorkload{s: s, acked: map[RecordID]Locator{}, commits: make(chan struct{}), stop: make(chan struct{})}
	for g := range writers {
		cw.wg.Add(1)
		go cw.writer(rand.New(rand.NewPCG(seed, uint64(g))))
	}
	return cw
}

func (cw *crashWorkload) writer(rng *rand.Rand) {
	defer cw.wg.Done()
	ctx := context.Background()
	for {
		select {
		case <-cw.stop:
			return
		default:
		}
		id := rid(cw.nextID.Add(1))
		n := rng.Int64N(12 << 10)
		data := payload(id, n)
		w, err := cw.s.Create(ctx, id, n)
		if err != nil {
			cw.err.Store(err)
			return
		}
		half := n / 2
		_, _ = w.Write(data[:half])
		if rng.IntN(8) == 0 {
			_ = w.Abort()
			continue
		}
		_, _ = w.Write(data[half:])
		loc, err := w.Commit(ctx)
		if err != nil {
			cw.err.Store(err)
			return
		}
		cw.mu.Lock()
		cw.acked[id] = loc
		cw.mu.Unlock()
		select {
		case cw.commits <- struct{}{}:
		case <-cw.stop:
			return
		}
	}
}

func (cw *crashWorkload) snapshot() map[RecordID]Locator {
	cw.mu.Lock()
	defer cw.mu.Unlock()
	return maps.Clone(cw.acked)
}

// checkRecovered opens a store on a crash image and checks that every record
// acknowledged before the crash is intact, that every segment is sealed and
// that the store accepts new writes.
func checkRecovered(t *testing.T, opts Options, acked map[RecordID]Locator) {
	t.Helper()
	s, err := Open(opts)
	if err != nil {
		t.Fatalf("Open after crash: %v", err)
	}
	defer s.Close()
	for id, loc := range acked {
		if err := s.Verify(context.Background(), loc); err != nil {
			t.Fatalf("acknowledged record lost: %v: %v", loc, err)
		}
		mustRead(t, s, loc, 0, -1, payload(id, loc.Length))
	}
	walked := map[RecordID]Locator{}
	for _, si := range s.Segments() {
		if !si.Sealed || si.Err != nil || si.Active {
			t.Fatalf("segment after recovery: %+v", si)
		}
		for _, ri := range walkAll(t, s, si.ID) {
			walked[ri.Locator.ID] = ri.Locator
		}
	}
	// Recovery cut only torn tails: every acknowledged record is still in
	// its segment's header chain, below the seal.
	for id, loc := range acked {
		if walked[id] != loc {
			t.Fatalf("acknowledged record %v not in the recovered chain (%v)", loc, walked[id])
		}
	}
	for i := range 20 {
		id := rid(1<<50 + uint64(i))
		data := payload(id, int64(i*911))
		loc := put(t, s, id, data, 0)
		mustRead(t, s, loc, 0, -1, data)
	}
}

func TestCrashRecovery(t *testing.T) {
	for _, p := range []int{0, 50, 100} {
		t.Run("unsynced="+itoa(p), func(t *testing.T) {
			fs := vfs.NewCrashableMem()
			opts := memOpts(fs)
			opts.SegmentSize = 48 << 10
			s, err := Open(opts)
			if err != nil {
				t.Fatal(err)
			}
			cw := startWorkload(s, 8, uint64(p))
			rng := rand.New(rand.NewPCG(uint64(p), 99))
			for round := range 12 {
				for range 1 + rng.IntN(40) {
					<-cw.commits
				}
				acked := cw.snapshot()
				clone := fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: p, RNG: rand.New(rand.NewPCG(uint64(round), uint64(p)))})
				copts := opts
				copts.FS = clone
				checkRecovered(t, copts, acked)
			}
			close(cw.stop)
			cw.wg.Wait()
			if err, _ := cw.err.Load().(error); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			// A clean shutdown leaves nothing to recover.
			checkRecovered(t, opts, cw.snapshot())
		})
	}
}

func itoa(i int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		if i /= 10; i == 0 {
			return string(b)
		}
	}
}

// TestRecoverTornTailOnDisk uses the disk file system, where recovery
// truncates: it copies the directory of a live store (what kill -9 leaves),
// appends a torn record to the open segment and recovers the copy.
func TestRecoverTornTailOnDisk(t *testing.T) {
	dir := t.TempDir()
	opts := Options{FS: vfs.Default, Dir: filepath.Join(dir, "live"), BlockSize: 1024, NoSync: true}
	s := openStore(t, opts)
	acked := map[RecordID]Locator{}
	for i := range 20 {
		id := rid(uint64(i))
		acked[id] = put(t, s, id, payload(id, int64(i*333)), 0)
	}
	// An in-flight record whose payload is half written.
	w, err := s.Create(context.Background(), rid(999), 3<<20)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(payload(rid(999), 3<<20)[:3<<19])
	crash := filepath.Join(dir, "crash")
	copyDir(t, opts.Dir, crash)
	_ = w.Abort()
	active := s.Segments()[0]
	name := filepath.Join(crash, filepath.Base(active.Path))
	before, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	// The in-flight record reaches past EOF: torn. Add garbage after it too.
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write([]byte("torn tail garbage"))
	f.Close()

	copts := opts
	copts.Dir = crash
	checkRecovered(t, copts, acked)
	var last Locator
	for _, l := range acked {
		if l.Offset > last.Offset {
			last = l
		}
	}
	after, err := os.Stat(filepath.Join(crash, segName(active.ID, true)))
	if err != nil {
		t.Fatal(err)
	}
	want := last.Offset + recordSize(last.Length, 1024) + headerSize
	if after.Size() != want || after.Size() >= before.Size() {
		t.Fatalf("recovered size %d (was %d), want truncation to %d + seal", after.Size(), before.Size(), want)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		src, err := os.Open(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Create(filepath.Join(to, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		src.Close()
		dst.Close()
	}
}
