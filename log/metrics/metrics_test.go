package metrics

import (
	"strings"
	"sync"
	"testing"
)

func TestExposition(t *testing.T) {
	r := New()
	reqs := r.Counter("cairn_http_requests_total", "Requests served.", "op", "code")
	reqs.With("GetObject", "200").Add(3)
	reqs.With("PutObject", "200").Inc()
	r.Gauge("cairn_backlog_events", "Events not yet delivered.", "target").With("hook").Set(7.5)
	h := r.Histogram("cairn_put_seconds", "PUT latency.", []float64{0.01, 0.1})
	h.With().Observe(0.005)
	h.With().Observe(0.05)
	h.With().Observe(3)
	var b strings.Builder
	r.Write(&b)
	want := `# HELP cairn_backlog_events Events not yet delivered.
# TYPE cairn_backlog_events gauge
cairn_backlog_events{target="hook"} 7.5
# HELP cairn_http_requests_total Requests served.
# TYPE cairn_http_requests_total counter
cairn_http_requests_total{op="GetObject",code="200"} 3
cairn_http_requests_total{op="PutObject",code="200"} 1
# HELP cairn_put_seconds PUT latency.
# TYPE cairn_put_seconds histogram
cairn_put_seconds_bucket{le="0.01"} 1
cairn_put_seconds_bucket{le="0.1"} 2
cairn_put_seconds_bucket{le="+Inf"} 3
cairn_put_seconds_sum 3.055
cairn_put_seconds_count 3
`
	if b.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestConcurrentUseAndSharedRegistration(t *testing.T) {
	r := New()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := r.Counter("c_total", "c").With()
			g := r.Gauge("g", "g").With()
			for j := 0; j < 1000; j++ {
				c.Inc()
				g.Add(1)
			}
		}()
	}
	wg.Wait()
	if v := r.Counter("c_total", "c").With().Value(); v != 8000 {
		t.Fatalf("counter %d", v)
	}
	if v := r.Gauge("g", "g").With().Value(); v != 8000 {
		t.Fatalf("gauge %v", v)
	}
}
