package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"time"
)

// DefaultLatencyBuckets are upper bounds in seconds from 100µs to 30s.
var DefaultLatencyBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// Histogram counts observations into fixed buckets.
type Histogram struct {
	bounds []float64
	mu     sync.Mutex
	counts []uint64 // len(bounds)+1, the last for +Inf
	sum    float64
	n      uint64
}

// Observe records v.
func (h *Histogram) Observe(v float64) {
	i := sort.SearchFloat64s(h.bounds, v)
	h.mu.Lock()
	h.counts[i]++
	h.sum += v
	h.n++
	h.mu.Unlock()
}

// Since records the seconds elapsed since t.
func (h *Histogram) Since(t time.Time) { h.Observe(time.Since(t).Seconds()) }

// Count is the number of observations.
func (h *Histogram) Count() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

func (h *Histogram) write(w io.Writer, name, labels string) {
	h.mu.Lock()
	counts := append([]uint64(nil), h.counts...)
	sum, n := h.sum, h.n
	h.mu.Unlock()
	inner := strings.TrimSuffix(strings.TrimPrefix(labels, "{"), "}")
	if inner != "" {
		inner += ","
	}
	var cum uint64
	for i, b := range h.bounds {
		cum += counts[i]
		fmt.Fprintf(w, "%s_bucket{%sle=%q} %d\n", name, inner, fmtFloat(b), cum)
	}
	fmt.Fprintf(w, "%s_bucket{%sle=\"+Inf\"} %d\n", name, inner, n)
	fmt.Fprintf(w, "%s_sum%s %s\n%s_count%s %d\n", name, labels, fmtFloat(sum), name, labels, n)
}

// HistogramVec is a histogram family.
type HistogramVec struct{ f *family[Histogram] }

// Histogram registers (or finds) a histogram family with these bucket
// upper bounds (ascending; nil for DefaultLatencyBuckets).
func (r *Registry) Histogram(name, help string, bounds []float64, labels ...string) *HistogramVec {
	if bounds == nil {
		bounds = DefaultLatencyBuckets
	}
	if !sort.Float64sAreSorted(bounds) || math.IsInf(bounds[len(bounds)-1], 1) {
		panic("metrics: histogram bounds must ascend and exclude +Inf")
	}
	mk := func() *Histogram { return &Histogram{bounds: bounds, counts: make([]uint64, len(bounds)+1)} }
	return &HistogramVec{register(r, name, help, "histogram", labels, mk)}
}

// With returns the series of these label values.
func (v *HistogramVec) With(values ...string) *Histogram { return v.f.with(values...) }
