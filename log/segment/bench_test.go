package segment

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// benchStore opens a store on a real directory (vfs.Default).
func benchStore(b *testing.B, noSync bool) *Store {
	b.Helper()
	s, err := Open(Options{FS: vfs.Default, Dir: b.TempDir(), SegmentSize: 256 << 20, NoSync: noSync})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

// runWriters commits b.N records of size bytes from the given number of
// goroutines.
func runWriters(b *testing.B, s *Store, writers int, size int64) {
	data := payload(rid(1), size)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				id := rid(uint64(g)<<40 | uint64(i))
				w, err := s.Create(ctx, id, size)
				if err != nil {
					b.Error(err)
					return
				}
				if _, err := w.Write(data); err != nil {
					b.Error(err)
					return
				}
				if _, err := w.Commit(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkCommit4KiB(b *testing.B) {
	for _, writers := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("sync/writers=%d", writers), func(b *testing.B) {
			runWriters(b, benchStore(b, false), writers, 4<<10)
		})
	}
	b.Run("nosync/writers=16", func(b *testing.B) {
		runWriters(b, benchStore(b, true), 16, 4<<10)
	})
}

func BenchmarkCommit1MiB(b *testing.B) {
	for _, writers := range []int{1, 8} {
		b.Run(fmt.Sprintf("sync/writers=%d", writers), func(b *testing.B) {
			runWriters(b, benchStore(b, false), writers, 1<<20)
		})
	}
}

func BenchmarkRangeRead(b *testing.B) {
	s := benchStore(b, true)
	ctx := context.Background()
	small := put(b, s, rid(1), payload(rid(1), 4<<10), 0)
	big := put(b, s, rid(2), payload(rid(2), 16<<20), 0)
	cases := []struct {
		name   string
		loc    Locator
		off, n int64
	}{
		{"4KiB-object", small, 0, -1},
		{"64KiB-range-unaligned", big, 5<<20 + 1000, 64 << 10},
		{"1MiB-range", big, 3 << 20, 1 << 20},
		{"16MiB-object", big, 0, -1},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			n := c.n
			if n < 0 {
				n = c.loc.Length - c.off
			}
			b.SetBytes(n)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r, err := s.OpenRange(ctx, c.loc, c.off, c.n)
					if err != nil {
						b.Error(err)
						return
					}
					if _, err := io.Copy(io.Discard, r); err != nil {
						b.Error(err)
					}
					r.Close()
				}
			})
		})
	}
}
