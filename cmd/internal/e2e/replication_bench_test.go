package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/notify/replicate"
)

// BenchmarkReplication measures replication throughput and lag between two
// servers in this process (each with its own embedded NATS, in its default
// power durability, default replication tuning): writers PUT to the source,
// which replicates every object to the destination. Lag is from the PUT's
// acknowledgement at the client to the replica's event being stored at
// the destination. 4KiB: CAIRN_REPL_CONC (16) writers flat out for
// CAIRN_REPL_SECONDS (5); 16MiB: CAIRN_REPL_BIG (24) objects by 4 writers.
// CAIRN_REPL_BASELINE=1 runs the same PUTs with both servers up but no
// replication configured, to show what replicating costs the writers.
// Run it once:
//
//	go test -run '^$' -bench Replication -benchtime 1x ./cmd/internal/e2e/
func BenchmarkReplication(b *testing.B) {
	b.Run("4KiB", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			runReplBench(b, 4<<10, envOr("CAIRN_REPL_CONC", 16), time.Duration(envOr("CAIRN_REPL_SECONDS", 5))*time.Second, 0)
		}
	})
	b.Run("16MiB", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			runReplBench(b, 16<<20, 4, 0, envOr("CAIRN_REPL_BIG", 24))
		}
	})
}

// arrivals records when each replica's event was stored at the destination.
type arrivals struct {
	mu sync.Mutex
	at map[string]time.Time
}

func (a *arrivals) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.at)
}

// watch follows dst's log from its next event and records replicas.
func (a *arrivals) watch(b *testing.B, dst *testserver.TS) {
	st, err := dst.Log().State(ctx)
	if err != nil {
		b.Fatal(err)
	}
	sub, err := dst.Log().Subscribe(ctx, st.LastSeq+1)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(sub.Stop)
	go func() {
		for m := range sub.C() {
			now := time.Now()
			ev, err := event.Decode(m.Data)
			if _, ok := ev.Payload.(*event.ObjectPut); err == nil && ok && ev.Replica {
				a.mu.Lock()
				a.at[ev.Key] = now
				a.mu.Unlock()
			}
		}
	}()
}

func runReplBench(b *testing.B, size, conc int, dur time.Duration, count int) {
	dst := testserver.Start(b)
	src := testserver.Start(b, func(c *server.Config) {
		c.Replicate.Targets = []replicate.TargetSpec{{ID: "dst", URL: dst.Endpoint, AccessKey: dst.Cfg.Root.AccessKey,
			SecretKey: dst.Cfg.Root.SecretKey}}
	})
	sc := src.S3(b, func(o *s3.Options) {
		o.HTTPClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	})
	mkVersioned(b, sc, "bench")
	mkVersioned(b, dst.S3(b), "bench")
	baseline := os.Getenv("CAIRN_REPL_BASELINE") == "1"
	if !baseline {
		putReplication(b, sc, "bench", rule("all", 1, "", "dst", "bench", false))
	}
	arr := &arrivals{at: map[string]time.Time{}}
	arr.watch(b, dst)
	body := bytes.Repeat([]byte("x"), size)
	var mu sync.Mutex
	acks := map[string]time.Time{}
	keys := make(chan int, conc)
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for k := range keys {
				key := fmt.Sprintf("k%07d", k)
				if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(key),
					Body: bytes.NewReader(body)}); err != nil {
					b.Error(err)
					return
				}
				mu.Lock()
				acks[key] = time.Now()
				mu.Unlock()
			}
		})
	}
	b.ResetTimer()
	start := time.Now()
	n := count
	if count > 0 {
		for k := 0; k < count; k++ {
			keys <- k
		}
		close(keys)
	} else {
		n = feedKeys(keys, 0, dur)
	}
	wg.Wait()
	putSecs := time.Since(start).Seconds()
	if baseline {
		b.ReportMetric(float64(n)/putSecs, "puts/s")
		b.Logf("baseline, no replication: %d PUTs of %d B at %.0f/s (%.1f MiB/s)", n, size, float64(n)/putSecs,
			float64(n)*float64(size)/(1<<20)/putSecs)
		return
	}
	waitFor(b, "every replica", 5*time.Minute, func() bool { return arr.count() >= n })
	b.StopTimer()
	reportReplBench(b, arr, acks, size, n, start, putSecs)
}

func reportReplBench(b *testing.B, arr *arrivals, acks map[string]time.Time, size, n int, start time.Time, putSecs float64) {
	arr.mu.Lock()
	defer arr.mu.Unlock()
	lags := make([]float64, 0, n)
	var last time.Time
	for key, ack := range acks {
		at := arr.at[key]
		lags = append(lags, max(0, at.Sub(ack).Seconds()*1000))
		if at.After(last) {
			last = at
		}
	}
	slices.Sort(lags)
	pct := func(p float64) float64 { return lags[min(len(lags)-1, int(p*float64(len(lags))))] }
	replSecs := last.Sub(start).Seconds()
	mib := float64(size) / (1 << 20)
	b.ReportMetric(float64(n)/putSecs, "puts/s")
	b.ReportMetric(float64(n)/replSecs, "replicas/s")
	b.ReportMetric(float64(n)*mib/replSecs, "replica-MiB/s")
	b.ReportMetric(pct(0.5), "lag-p50-ms")
	b.ReportMetric(pct(0.99), "lag-p99-ms")
	b.Logf("%d PUTs of %d B at %.0f/s (%.1f MiB/s); all replicated after %.2f s: %.0f replicas/s, %.1f MiB/s",
		n, size, float64(n)/putSecs, float64(n)*mib/putSecs, replSecs, float64(n)/replSecs, float64(n)*mib/replSecs)
	b.Logf("PUT ack -> replica stored: p50 %.1f ms, p90 %.1f, p99 %.1f, max %.1f", pct(0.5), pct(0.9), pct(0.99), lags[len(lags)-1])
}
