package bench

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// within reports whether got is within 1% of want.
func within(got, want time.Duration) bool {
	return math.Abs(float64(got-want)) <= 0.01*float64(want)
}

// exactPercentile is the nearest-rank percentile of sorted values.
func exactPercentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = max(rank, 1)
	return sorted[rank-1]
}

func TestPercentileUniform(t *testing.T) {
	h := newHistogram()
	// 1µs .. 10000µs, each once, shuffled.
	vals := make([]time.Duration, 10000)
	for i := range vals {
		vals[i] = time.Duration(i+1) * time.Microsecond
	}
	rand.Shuffle(len(vals), func(i, j int) { vals[i], vals[j] = vals[j], vals[i] })
	for _, v := range vals {
		h.Record(v)
	}
	if h.Count() != 10000 {
		t.Fatalf("count %d", h.Count())
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{
		{50, 5000 * time.Microsecond},
		{90, 9000 * time.Microsecond},
		{99, 9900 * time.Microsecond},
		{99.9, 9990 * time.Microsecond},
		{1, 100 * time.Microsecond},
	} {
		if got := h.Percentile(c.p); !within(got, c.want) {
			t.Errorf("p%v = %v, want %v ±1%%", c.p, got, c.want)
		}
	}
	if got := h.Max(); got != 10000*time.Microsecond {
		t.Errorf("max = %v, want exactly 10ms", got)
	}
	if got := h.Percentile(100); got != 10000*time.Microsecond {
		t.Errorf("p100 = %v, want exactly 10ms", got)
	}
	if got, want := h.Mean(), 5000500*time.Nanosecond; got != want {
		t.Errorf("mean = %v, want %v", got, want)
	}
}

func TestPercentileBimodal(t *testing.T) {
	// 90% at 1ms, 10% at 100ms: p50 and p90 are 1ms, p91 and p99 100ms.
	h := newHistogram()
	for i := range 1000 {
		if i%10 == 9 {
			h.Record(100 * time.Millisecond)
		} else {
			h.Record(time.Millisecond)
		}
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{
		{50, time.Millisecond},
		{90, time.Millisecond},
		{91, 100 * time.Millisecond},
		{99, 100 * time.Millisecond},
	} {
		if got := h.Percentile(c.p); !within(got, c.want) {
			t.Errorf("p%v = %v, want %v ±1%%", c.p, got, c.want)
		}
	}
}

func TestPercentileConstantAndSmall(t *testing.T) {
	h := newHistogram()
	if h.Percentile(50) != 0 || h.Max() != 0 || h.Mean() != 0 {
		t.Fatal("empty histogram should report zeros")
	}
	// A single repeated value is reported exactly (clamped to min/max).
	for range 100 {
		h.Record(1234567 * time.Nanosecond)
	}
	for _, p := range []float64{1, 50, 99, 100} {
		if got := h.Percentile(p); got != 1234567 {
			t.Errorf("constant: p%v = %d, want 1234567", p, got)
		}
	}
	// Values below 128ns are recorded exactly.
	s := newHistogram()
	for v := range 100 {
		s.Record(time.Duration(v + 1))
	}
	if got := s.Percentile(50); got != 50 {
		t.Errorf("small: p50 = %d, want 50", got)
	}
	if got := s.Percentile(99); got != 99 {
		t.Errorf("small: p99 = %d, want 99", got)
	}
}

func TestPercentileMatchesExactOnRandomData(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	h := newHistogram()
	var vals []time.Duration
	for range 50000 {
		// Log-normal around 2ms with a long tail, as latencies are.
		v := time.Duration(math.Exp(r.NormFloat64()*1.5) * float64(2*time.Millisecond))
		vals = append(vals, v)
		h.Record(v)
	}
	slices.Sort(vals)
	for _, p := range []float64{10, 25, 50, 75, 90, 95, 99, 99.9} {
		want := exactPercentile(vals, p)
		if got := h.Percentile(p); !within(got, want) {
			t.Errorf("p%v = %v, exact %v: off by more than 1%%", p, got, want)
		}
	}
	if h.Max() != vals[len(vals)-1] {
		t.Errorf("max = %v, want %v", h.Max(), vals[len(vals)-1])
	}
}

func TestHistogramMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	all := newHistogram()
	parts := []*histogram{newHistogram(), newHistogram(), newHistogram()}
	for i := range 30000 {
		v := time.Duration(r.Int64N(int64(time.Second)))
		all.Record(v)
		parts[i%3].Record(v)
	}
	m := newHistogram()
	m.Merge(newHistogram()) // merging an empty one changes nothing
	for _, p := range parts {
		m.Merge(p)
	}
	if m.counts != all.counts || m.Count() != all.Count() || m.Max() != all.Max() || m.min != all.min {
		t.Fatal("merged histogram differs from one that recorded everything")
	}
	for _, p := range []float64{50, 90, 99} {
		if m.Percentile(p) != all.Percentile(p) {
			t.Errorf("p%v: merged %v, direct %v", p, m.Percentile(p), all.Percentile(p))
		}
	}
}

func TestBucketBoundaries(t *testing.T) {
	// Every value maps to a bucket whose range contains it, bucket indexes
	// never decrease with the value, and buckets are narrow.
	prev := -1
	check := func(v int64) {
		i := bucketOf(v)
		if i < prev {
			t.Fatalf("bucketOf(%d) = %d < previous %d", v, i, prev)
		}
		prev = i
		lo, w := bucketRange(i)
		if v < lo || v-lo >= w {
			t.Fatalf("value %d in bucket %d = [%d, %d)", v, i, lo, lo+w)
		}
		if (lo < subCount && w != 1) || (lo >= subCount && float64(w)/float64(lo) > 1.0/subCount) {
			t.Fatalf("bucket %d too wide: [%d, +%d)", i, lo, w)
		}
	}
	for v := int64(0); v < 100000; v++ {
		check(v)
	}
	for v := int64(100000); v > 0 && v < math.MaxInt64/2; v = v*9/8 + 1 {
		check(v)
	}
	check(math.MaxInt64)
	if bucketOf(math.MaxInt64) >= numBuckets {
		t.Fatal("max value out of range")
	}
}
