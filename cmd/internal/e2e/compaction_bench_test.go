package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

// lean clients send UNSIGNED-PAYLOAD and no checksums either way, so that
// the server is what is measured.
func lean(o *s3.Options) {
	o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
}

func benchEnv(name string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil {
		return v
	}
	return def
}

// latencies of one kind of request.
type latencies []time.Duration

func (l latencies) pct(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// foreground runs 8 clients doing 4 KiB PUTs and GETs (of the small
// objects) for d and returns their latencies.
func foreground(b *testing.B, c *s3.Client, phase string, d time.Duration) (puts, gets latencies) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	body := make([]byte, 4096)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 9))
			var p, g latencies
			for i := 0; time.Now().Before(deadline); i++ {
				start := time.Now()
				if i%2 == 0 {
					_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprintf("fg/%s/%d/%d", phase, w, i)),
						Body: bytes.NewReader(body)})
					if err != nil {
						b.Error(err)
						return
					}
					p = append(p, time.Since(start))
					continue
				}
				out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprintf("small/%d", r.IntN(1000)))})
				if err == nil {
					_, err = io.Copy(io.Discard, out.Body)
					out.Body.Close()
				}
				if err != nil {
					b.Error(err)
					return
				}
				g = append(g, time.Since(start))
			}
			mu.Lock()
			puts, gets = append(puts, p...), append(gets, g...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return puts, gets
}

// BenchmarkForegroundDuringCompaction measures small PUT and GET
// latencies (8 clients, 4 KiB, power durability) with the server idle and
// while compaction rewrites 3 GiB of segments that are 80% garbage, at its
// default rate. The machine is shared and its load drifts, so the two
// conditions alternate in short windows (idle, compacting, idle, ...) and
// each condition's percentiles are taken over all its windows; compare
// them, not absolute numbers. A compacting window runs a pass cut off at
// the window's end (the next window resumes the work). Run with
// -benchtime 1x. CAIRN_BENCH_COMPACTION_RATE overrides the rate (bytes/s),
// CAIRN_BENCH_ROUNDS the number of window pairs (10) and
// CAIRN_BENCH_WINDOW_MS their length (2000). With a rate of 1 byte/s
// the compacting windows do (almost) nothing: an A/A run that shows how
// much the ratio moves by noise alone.
func BenchmarkForegroundDuringCompaction(b *testing.B) {
	rate := benchEnv("CAIRN_BENCH_COMPACTION_RATE", server.DefaultCompactionRate)
	rounds := int(benchEnv("CAIRN_BENCH_ROUNDS", 10))
	window := time.Duration(benchEnv("CAIRN_BENCH_WINDOW_MS", 2000)) * time.Millisecond
	ts := testserver.Start(b, func(c *server.Config) {
		c.SegmentSize = 64 << 20
		c.Compaction = server.CompactionConfig{Threshold: 0.5, Rate: rate, Interval: time.Hour}
	})
	c := ts.S3(b, lean)
	preload(b, c)
	b.ResetTimer()
	for range b.N {
		var idleP, idleG, busyP, busyG latencies
		busyWindows := 0
		for r := range rounds {
			p, g := foreground(b, c, fmt.Sprint("idle", r), window)
			idleP, idleG = append(idleP, p...), append(idleG, g...)
			if compactFor(b, ts, window, func() { p, g = foreground(b, c, fmt.Sprint("busy", r), window) }) {
				busyWindows++
			}
			busyP, busyG = append(busyP, p...), append(busyG, g...)
		}
		if busyWindows < rounds {
			b.Logf("compaction ran out of work after %d of %d windows", busyWindows, rounds)
		}
		for _, m := range []struct {
			name string
			l    latencies
		}{{"put-idle", idleP}, {"put-compacting", busyP}, {"get-idle", idleG}, {"get-compacting", busyG}} {
			b.ReportMetric(ms(m.l.pct(0.5)), m.name+"-p50-ms")
			b.ReportMetric(ms(m.l.pct(0.99)), m.name+"-p99-ms")
		}
		b.ReportMetric(ms(busyP.pct(0.99))/ms(idleP.pct(0.99)), "put-p99-ratio")
		b.ReportMetric(ms(busyG.pct(0.99))/ms(idleG.pct(0.99)), "get-p99-ratio")
		b.ReportMetric(float64(busyWindows), "compacting-windows")
	}
}

// preload writes 3 GiB of 4 MiB objects and deletes four in five (garbage
// for compaction), and 1000 small objects for the GETs.
func preload(b *testing.B, c *s3.Client) {
	mkBucket(b, c, "bench")
	big := randBytes(b, 4<<20)
	put8(b, 512, func(i int) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprint("big/", i)), Body: bytes.NewReader(big)})
		return err
	})
	put8(b, 1000, func(i int) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprint("small/", i)), Body: bytes.NewReader(big[:4096])})
		return err
	})
	put8(b, 768, func(i int) error {
		if i%5 == 0 {
			return nil
		}
		_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprint("big/", i))})
		return err
	})
}

// compactFor runs fn while a compaction pass runs, cutting the pass off
// after d; it reports whether compaction had work for the whole window.
func compactFor(b *testing.B, ts *testserver.TS, d time.Duration, fn func()) bool {
	cctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	done := make(chan bool, 1)
	go func() {
		_, err := ts.Compactor().Pass(cctx)
		if err != nil && cctx.Err() == nil {
			b.Error(err)
		}
		done <- cctx.Err() != nil
	}()
	fn()
	return <-done
}

// BenchmarkLargeGet reads 1 GiB (four 256 MiB objects) through the S3 API
// (lean client, body to io.Discard) and then the same segment files with
// a plain 1 MiB ReadAt loop: both from the page cache, since the data was
// just written (this box has far more RAM than 1 GiB). The ratio is what
// the HTTP stack and block verification cost; for the disk's own read
// speed see dd iflag=direct in the README.
func BenchmarkLargeGet(b *testing.B) {
	ts := testserver.Start(b)
	c := ts.S3(b, lean)
	mkBucket(b, c, "bench")
	data := randBytes(b, 256<<20)
	for i := range 4 {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprint("large/", i)), Body: bytes.NewReader(data)}); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(1 << 30)
	b.ResetTimer()
	var getSecs, rawSecs float64
	for range b.N {
		start := time.Now()
		for i := range 4 {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprint("large/", i))})
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.Copy(io.Discard, out.Body); err != nil || n != int64(len(data)) {
				b.Fatal(n, err)
			}
			out.Body.Close()
		}
		getSecs += time.Since(start).Seconds()
		start = time.Now()
		rawRead(b, ts)
		rawSecs += time.Since(start).Seconds()
	}
	b.ReportMetric(float64(b.N)*1024/getSecs, "get-MiB/s")
	b.ReportMetric(float64(b.N)*1024/rawSecs, "raw-read-MiB/s")
	b.ReportMetric(rawSecs/getSecs, "get/raw")
}

// rawRead reads every segment file of the server with 1 MiB preads.
func rawRead(b *testing.B, ts *testserver.TS) {
	buf := make([]byte, 1<<20)
	for _, d := range ts.Blobs().Disks() {
		for _, si := range d.Segments {
			f, err := os.Open(si.Path)
			if err != nil {
				b.Fatal(err)
			}
			for off := int64(0); ; off += int64(len(buf)) {
				n, err := f.ReadAt(buf, off)
				if n < len(buf) || err != nil {
					break
				}
			}
			f.Close()
		}
	}
}
