package bench

import (
	"math"
	"math/bits"
	"time"
)

// histogram is a fixed-size log-linear latency histogram (HDR-like) over
// nanoseconds. Values below 2^subBits are recorded exactly; above that each
// power of two is split into 2^subBits equal buckets, so a bucket's width is
// at most 1/2^subBits (0.78%) of its lower bound and the value reported for
// it (the bucket midpoint) is within 0.4% of every value it holds. It takes
// the same memory (about 58 KiB) however many values are recorded, so a long
// run at a high rate cannot exhaust memory, and recording is a few
// instructions with no allocation. It is not safe for concurrent use: each
// worker owns one and they are merged at the end.
type histogram struct {
	counts [numBuckets]uint64
	n      uint64
	min    int64
	max    int64
	sum    float64
}

const (
	subBits    = 7
	subCount   = 1 << subBits
	numBuckets = subCount + (63-subBits)*subCount
)

func newHistogram() *histogram { return &histogram{min: math.MaxInt64} }

func bucketOf(v int64) int {
	if v < subCount {
		if v < 0 {
			return 0
		}
		return int(v)
	}
	e := bits.Len64(uint64(v)) - 1 // 2^e <= v < 2^(e+1), e >= subBits
	shift := e - subBits
	return subCount + shift*subCount + int(uint64(v)>>uint(shift)) - subCount
}

// bucketRange returns the smallest value in bucket i and the bucket's width.
func bucketRange(i int) (lo, width int64) {
	if i < subCount {
		return int64(i), 1
	}
	shift := (i - subCount) / subCount
	sub := (i - subCount) % subCount
	return int64(subCount+sub) << uint(shift), int64(1) << uint(shift)
}

// Record adds one latency.
func (h *histogram) Record(d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	}
	h.counts[bucketOf(v)]++
	h.n++
	h.sum += float64(v)
	if v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
}

// Merge adds all of o's values to h.
func (h *histogram) Merge(o *histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.min = min(h.min, o.min)
	h.max = max(h.max, o.max)
}

// Count is the number of recorded values.
func (h *histogram) Count() uint64 { return h.n }

// Max is the largest recorded value, exactly.
func (h *histogram) Max() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.max)
}

// Mean is the arithmetic mean, exactly (up to float rounding).
func (h *histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100): the
// smallest recorded value v such that at least p% of values are <= v, to
// within the histogram's resolution. The result is clamped to the exact
// minimum and maximum, so p=100 returns the exact maximum.
func (h *histogram) Percentile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(p / 100 * float64(h.n)))
	if rank < 1 {
		rank = 1
	}
	if rank >= h.n {
		return time.Duration(h.max)
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, w := bucketRange(i)
			v := lo + (w-1)/2
			v = max(v, h.min)
			v = min(v, h.max)
			return time.Duration(v)
		}
	}
	return time.Duration(h.max)
}
