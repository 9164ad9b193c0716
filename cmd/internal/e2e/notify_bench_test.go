package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

func envOr(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// BenchmarkNotifyWebhook measures notification throughput and end-to-end
// latency: from a PUT's acknowledgement at the client to the webhook's
// receipt of its record, with the server in its default (power)
// durability and one webhook destination. PUTs are paced at
// CAIRN_NOTIFY_RATE per second (1000; 0: as fast as CAIRN_NOTIFY_CONC
// clients go) for CAIRN_NOTIFY_SECONDS (5). CAIRN_NOTIFY_BASELINE=1
// runs the same PUTs with no destination, to show what delivery costs the
// writers. Run it once:
//
//	go test -run '^$' -bench NotifyWebhook -benchtime 1x ./cmd/internal/e2e/
func BenchmarkNotifyWebhook(b *testing.B) {
	rate, secs, conc := envOr("CAIRN_NOTIFY_RATE", 1000), envOr("CAIRN_NOTIFY_SECONDS", 5), envOr("CAIRN_NOTIFY_CONC", 64)
	for i := 0; i < b.N; i++ {
		runNotifyBench(b, rate, time.Duration(secs)*time.Second, conc)
	}
}

// benchHook records the receipt time of each key's first record.
type benchHook struct {
	mu sync.Mutex
	at map[string]time.Time
}

func (h *benchHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	var doc struct {
		Records []record `json:"Records"`
		Event   string   `json:"Event"`
	}
	if err := decodeJSON(r, &doc); err != nil || (len(doc.Records) != 1 && doc.Event != "s3:TestEvent") {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if doc.Event == "s3:TestEvent" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	h.mu.Lock()
	if k := doc.Records[0].key(); h.at[k].IsZero() {
		h.at[k] = now
	}
	h.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func runNotifyBench(b *testing.B, rate int, dur time.Duration, conc int) {
	hook := &benchHook{at: map[string]time.Time{}}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	baseline := os.Getenv("CAIRN_NOTIFY_BASELINE") == "1"
	var ts *testserver.TS
	if baseline {
		ts = testserver.Start(b)
	} else {
		ts = testserver.Start(b, withWebhook("hook", srv.URL, ""))
	}
	c := ts.S3(b, func(o *s3.Options) {
		o.HTTPClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	})
	mkBucket(b, c, "bench")
	if !baseline {
		putNotification(b, c, "bench", &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queueConfig("all", hookARN, "", "s3:ObjectCreated:*")}})
	}
	body := strings.Repeat("x", 1024)
	acks := make([]time.Time, 0, rate*int(dur/time.Second)+1)
	sent := make([]time.Time, 0, cap(acks))
	var mu sync.Mutex
	keys := make(chan int, conc)
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range keys {
				t0 := time.Now()
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprintf("k%07d", k)),
					Body: strings.NewReader(body)}); err != nil {
					b.Error(err)
					return
				}
				now := time.Now()
				mu.Lock()
				for len(acks) <= k {
					acks, sent = append(acks, time.Time{}), append(sent, time.Time{})
				}
				acks[k], sent[k] = now, t0
				mu.Unlock()
			}
		}()
	}
	b.ResetTimer()
	start := time.Now()
	n := feedKeys(keys, rate, dur)
	wg.Wait()
	putSecs := time.Since(start).Seconds()
	if baseline {
		b.ReportMetric(float64(n)/putSecs, "puts/s")
		b.Logf("baseline, no destination: %d PUTs at %.0f/s", n, float64(n)/putSecs)
		return
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		hook.mu.Lock()
		got := len(hook.at)
		hook.mu.Unlock()
		if got >= n {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d notifications after 2 minutes", got, n)
		}
		<-time.After(10 * time.Millisecond)
	}
	b.StopTimer()
	reportNotifyBench(b, hook, sent, acks, n, start, putSecs)
}

// feedKeys hands out key numbers at rate per second (0: as fast as taken)
// for dur, then closes keys; it returns how many it handed out.
func feedKeys(keys chan<- int, rate int, dur time.Duration) int {
	defer close(keys)
	start := time.Now()
	n := 0
	for time.Since(start) < dur {
		if rate > 0 {
			due := start.Add(time.Duration(n) * time.Second / time.Duration(rate))
			if wait := time.Until(due); wait > 0 {
				<-time.After(wait)
			}
		}
		keys <- n
		n++
	}
	return n
}

// reportNotifyBench reports latency from the PUT's acknowledgement to the
// webhook's receipt (0 when the record arrived first, as it often does:
// delivery starts as soon as the event is stored, while the PUT still
// waits for the index), and from the PUT's start, which includes the
// PUT itself.
func reportNotifyBench(b *testing.B, hook *benchHook, sent, acks []time.Time, n int, start time.Time, putSecs float64) {
	hook.mu.Lock()
	defer hook.mu.Unlock()
	fromAck, fromSend := make([]float64, 0, n), make([]float64, 0, n)
	var last time.Time
	early := 0
	for k := 0; k < n; k++ {
		at := hook.at[fmt.Sprintf("k%07d", k)]
		if at.Before(acks[k]) {
			early++
		}
		fromAck = append(fromAck, max(0, at.Sub(acks[k]).Seconds()*1000))
		fromSend = append(fromSend, at.Sub(sent[k]).Seconds()*1000)
		if at.After(last) {
			last = at
		}
	}
	slices.Sort(fromAck)
	slices.Sort(fromSend)
	pct := func(l []float64, p float64) float64 { return l[min(len(l)-1, int(p*float64(len(l))))] }
	notifyRate := float64(n) / last.Sub(start).Seconds()
	b.ReportMetric(float64(n)/putSecs, "puts/s")
	b.ReportMetric(notifyRate, "notifications/s")
	b.ReportMetric(pct(fromAck, 0.5), "ack-p50-ms")
	b.ReportMetric(pct(fromAck, 0.99), "ack-p99-ms")
	b.Logf("%d PUTs at %.0f/s, %d notifications at %.0f/s", n, float64(n)/putSecs, n, notifyRate)
	b.Logf("PUT ack -> receipt: p50 %.1f ms, p90 %.1f, p99 %.1f, max %.1f (%.0f%% of records arrived before the ack)",
		pct(fromAck, 0.5), pct(fromAck, 0.9), pct(fromAck, 0.99), fromAck[n-1], 100*float64(early)/float64(n))
	b.Logf("PUT start -> receipt: p50 %.1f ms, p90 %.1f, p99 %.1f, max %.1f",
		pct(fromSend, 0.5), pct(fromSend, 0.9), pct(fromSend, 0.99), fromSend[n-1])
}
