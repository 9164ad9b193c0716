package engine

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairnstore/cairn/engine/checksum"
)

// uploadParts stores parts 1..n of size bytes each with c workers.
func (te *testEngine) uploadParts(b *testing.B, key, id string, n, size, c int) []CompletePart {
	b.Helper()
	data := randData(1, size)
	list := make([]CompletePart, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)); i <= n; i = int(next.Add(1)) {
				res, err := te.UploadPart(ctx, UploadPartInput{Bucket: "bkt", Key: key, UploadID: id, PartNumber: i,
					Size: int64(size), Body: bytes.NewReader(data), Checksum: Checksum{Algorithm: checksum.CRC32}})
				if err != nil {
					failed.Store(err)
					return
				}
				list[i-1] = CompletePart{Number: i, ETag: res.ETag, Checksum: res.Checksum}
			}
		}()
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	return list
}

// BenchmarkComplete10000Parts times CompleteMultipartUpload of an upload
// of 10,000 small parts (the minimum part size lowered to 1 KiB).
func BenchmarkComplete10000Parts(b *testing.B) {
	te := newTestEngine(b, 1024)
	for _, typ := range []string{"COMPOSITE", "FULL_OBJECT"} {
		b.Run(typ, func(b *testing.B) {
			var total time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				key := fmt.Sprintf("big-%s-%d", typ, i)
				id := te.create(b, key, "CRC32", typ)
				list := te.uploadParts(b, key, id, MaxParts, 1024, 16)
				b.StartTimer()
				start := time.Now()
				if _, err := te.CompleteMultipartUpload(ctx, CompleteMultipartInput{Bucket: "bkt", Key: key, UploadID: id,
					Parts: list, ObjectSize: -1}); err != nil {
					b.Fatal(err)
				}
				total += time.Since(start)
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s/complete")
		})
	}
}

// BenchmarkUploadPartConcurrency stores 64 KiB parts of one upload with 1,
// 4 and 16 concurrent writers on a durable engine (every part is
// fdatasync'd and its event fsync'd before it is acknowledged). Parts of
// one upload share no lock, so concurrent parts ride the same group
// commits: parts/s grows with writers instead of staying flat.
func BenchmarkUploadPartConcurrency(b *testing.B) {
	te := newTestEngineWith(b, 1, true)
	for _, c := range []int{1, 4, 16} {
		b.Run(fmt.Sprint("c=", c), func(b *testing.B) {
			key := fmt.Sprint("conc-", c)
			id := te.create(b, key, "CRC32", "")
			b.SetBytes(64 << 10)
			b.ResetTimer()
			start := time.Now()
			te.uploadParts(b, key, id, min(b.N, MaxParts), 64<<10, c)
			b.ReportMetric(float64(min(b.N, MaxParts))/time.Since(start).Seconds(), "parts/s")
		})
	}
}
