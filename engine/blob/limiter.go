package blob

import (
	"context"
	"io"
	"sync"
	"time"
)

// limiter is a token bucket of bytes per second shared by the goroutines
// of one background task. Callers take what they use and sleep off any
// debt, so the long-run rate is the configured one whatever the sizes.
type limiter struct {
	rate  float64 // bytes per second; <= 0: unlimited
	burst float64

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

// newLimiter returns a limiter of rate bytes/s (<= 0: unlimited) with a
// burst of 256 KiB (a few milliseconds at usual rates), so background I/O
// comes as a steady trickle rather than in bursts.
func newLimiter(rate int64) *limiter {
	l := &limiter{rate: float64(rate), last: time.Now()}
	l.burst = 256 << 10
	l.tokens = l.burst
	return l
}

// wait takes n bytes' worth of tokens, sleeping while in debt.
func (l *limiter) wait(ctx context.Context, n int) error {
	if l == nil || l.rate <= 0 {
		return ctx.Err()
	}
	l.mu.Lock()
	now := time.Now()
	l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	l.last = now
	l.tokens -= float64(n)
	debt := -l.tokens
	l.mu.Unlock()
	if debt <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(time.Duration(debt / l.rate * float64(time.Second)))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// limitedWriter charges cost bytes per byte written to the limiter first.
type limitedWriter struct {
	ctx  context.Context
	w    io.Writer
	l    *limiter
	cost int
}

func (lw limitedWriter) Write(p []byte) (int, error) {
	if err := lw.l.wait(lw.ctx, lw.cost*len(p)); err != nil {
		return 0, err
	}
	return lw.w.Write(p)
}
