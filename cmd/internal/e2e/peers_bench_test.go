package e2e

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// BenchmarkPeerGet compares GETs served by the gateway holding the bytes
// with the same GETs served by another gateway reading them from it
// (engine/peer): 256 MiB of 64 MiB objects, and 4 KiB objects fetched by 8
// concurrent clients. Both gateways, their NATS server and the clients
// share the machine, so compare the ratios.
func BenchmarkPeerGet(b *testing.B) {
	a, o := twoGateways(b)
	ca, co := a.S3(b, lean), o.S3(b, lean)
	mkBucket(b, ca, "bench")
	large := randBytes(b, 64<<20)
	for i := range 4 {
		putBytes(b, ca, "bench", fmt.Sprint("large/", i), large)
	}
	small := randBytes(b, 4096)
	for i := range 256 {
		putBytes(b, ca, "bench", fmt.Sprint("small/", i), small)
	}
	b.ResetTimer()
	var secs [2]float64
	var lat [2][]time.Duration
	for range b.N {
		for i, c := range []*s3.Client{ca, co} {
			start := time.Now()
			for k := range 4 {
				get(b, c, fmt.Sprint("large/", k), len(large))
			}
			secs[i] += time.Since(start).Seconds()
			lat[i] = append(lat[i], smallGets(b, c, len(small))...)
		}
	}
	mib := float64(b.N) * 256
	b.ReportMetric(mib/secs[0], "local-MiB/s")
	b.ReportMetric(mib/secs[1], "peer-MiB/s")
	b.ReportMetric(secs[0]/secs[1], "peer/local-throughput")
	for i, name := range []string{"local", "peer"} {
		slices.Sort(lat[i])
		b.ReportMetric(float64(lat[i][len(lat[i])/2].Microseconds())/1000, name+"-4KiB-p50-ms")
		b.ReportMetric(float64(lat[i][len(lat[i])*99/100].Microseconds())/1000, name+"-4KiB-p99-ms")
	}
}

func get(b *testing.B, c *s3.Client, key string, size int) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String(key)})
	if err != nil {
		b.Fatal(err)
	}
	defer out.Body.Close()
	if n, err := io.Copy(io.Discard, out.Body); err != nil || n != int64(size) {
		b.Fatal(n, err)
	}
}

// smallGets fetches every small object with 8 clients and returns each
// GET's latency.
func smallGets(b *testing.B, c *s3.Client, size int) []time.Duration {
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < 256; i += 8 {
				start := time.Now()
				get(b, c, fmt.Sprint("small/", i), size)
				d := time.Since(start)
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return lat
}
