package segment

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// TestConcurrentWriters runs many writers of mixed sizes with a tiny segment
// size so that rolls and seals happen while writers are in flight.
func TestConcurrentWriters(t *testing.T) {
	fs := vfs.NewMem()
	opts := memOpts(fs)
	opts.SegmentSize = 32 << 10
	s := openStore(t, opts)
	const writers, perWriter = 12, 40
	var mu sync.Mutex
	locs := map[RecordID]Locator{}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			for i := range perWriter {
				id := rid(uint64(g*1000 + i))
				n := rng.Int64N(20 << 10)
				if i%10 == 0 {
					n = 0
				}
				loc, err := tryPut(context.Background(), s, id, payload(id, n), 1+rng.IntN(5000))
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				locs[id] = loc
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s.sealWG.Wait()
	segs := s.Segments()
	if len(segs) < 5 {
		t.Fatalf("expected several rolls, got %d segments", len(segs))
	}
	walked := map[RecordID]Locator{}
	for _, si := range segs {
		if !si.Active && !si.Sealed {
			t.Fatalf("rolled segment without writers not sealed: %+v", si)
		}
		for _, ri := range walkAll(t, s, si.ID) {
			walked[ri.Locator.ID] = ri.Locator
		}
	}
	for id, loc := range locs {
		mustRead(t, s, loc, 0, -1, payload(id, loc.Length))
		if walked[id] != loc {
			t.Fatalf("walk has %v for %v", walked[id], loc)
		}
	}
	if len(walked) != len(locs) {
		t.Fatalf("walk found %d records, want %d", len(walked), len(locs))
	}
}

// TestSlowWriterDoesNotBlock holds a reservation open while small writers
// commit (and roll the segment): they must complete while the slow one is
// still open, and its segment must seal only once it commits.
func TestSlowWriterDoesNotBlock(t *testing.T) {
	for _, noSync := range []bool{false, true} {
		opts := memOpts(vfs.NewMem())
		opts.SegmentSize = 16 << 10
		opts.NoSync = noSync
		s := openStore(t, opts)
		ctx := context.Background()
		slowID := rid(1 << 40)
		slowData := payload(slowID, 10<<10)
		slow, err := s.Create(ctx, slowID, int64(len(slowData)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := slow.Write(slowData[:5000]); err != nil {
			t.Fatal(err)
		}
		const small = 40
		done := make(chan Locator, small)
		errs := make(chan error, small)
		for i := range small {
			go func() {
				id := rid(uint64(i))
				loc, err := tryPut(ctx, s, id, payload(id, 1500), 0)
				if err != nil {
					errs <- err
					return
				}
				done <- loc
			}()
		}
		deadline := time.After(time.Minute)
		var locs []Locator
		for len(locs) < small {
			select {
			case loc := <-done:
				locs = append(locs, loc)
			case err := <-errs:
				t.Fatal(err)
			case <-deadline:
				t.Fatalf("small writers blocked behind the slow one: %d of %d committed", len(locs), small)
			}
		}
		slowSeg := slow.Locator().Segment
		for _, si := range s.Segments() {
			if si.ID == slowSeg && (si.Sealed || si.Active || si.Writers != 1) {
				t.Fatalf("slow writer's segment should be rolled, unsealed, with one writer: %+v", si)
			}
		}
		if _, err := slow.Write(slowData[5000:]); err != nil {
			t.Fatal(err)
		}
		loc, err := slow.Commit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		s.sealWG.Wait()
		for _, si := range s.Segments() {
			if si.ID == slowSeg && !si.Sealed {
				t.Fatalf("slow writer's segment not sealed after its commit: %+v", si)
			}
		}
		mustRead(t, s, loc, 0, -1, slowData)
		for _, l := range locs {
			mustRead(t, s, l, 0, -1, payload(l.ID, l.Length))
		}
	}
}

// TestConcurrentReadersAndWriters reads records back while others are being
// written to the same segments.
func TestConcurrentReadersAndWriters(t *testing.T) {
	opts := memOpts(vfs.NewMem())
	s := openStore(t, opts)
	ctx := context.Background()
	locs := make(chan Locator, 1000)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				id := rid(uint64(g<<20 | i))
				loc, err := tryPut(ctx, s, id, payload(id, int64(i*97)), 0)
				if err != nil {
					t.Error(err)
					return
				}
				locs <- loc
			}
		}()
	}
	var rg sync.WaitGroup
	for range 4 {
		rg.Add(1)
		go func() {
			defer rg.Done()
			for loc := range locs {
				got, err := readAll(t, s, loc, 0, -1)
				if err != nil || string(got) != string(payload(loc.ID, loc.Length)) {
					t.Errorf("read %v: %v", loc, err)
				}
				if err := s.Walk(ctx, loc.Segment, func(RecordInfo) error { return nil }); err != nil {
					t.Errorf("walk: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	close(locs)
	rg.Wait()
}
