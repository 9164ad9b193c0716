package runner

import (
	"context"
	"time"

	"github.com/cairnstore/cairn/log/stream"
)

// Progress describes a rebuild in flight.
type Progress struct {
	Applied uint64        // events applied so far in this run
	Total   uint64        // events to apply in this run
	Elapsed time.Duration // since the start
	Rate    float64       // events per second so far
	Left    time.Duration // estimated time left
}

// Rebuild applies the log to target up to the stream's last sequence at the
// time of the call, reporting progress about every interval, and returns the
// final figures. target must be empty or partially rebuilt (it resumes).
func Rebuild(ctx context.Context, log *stream.Log, target Target, interval time.Duration, report func(Progress)) (Progress, error) {
	st, err := log.State(ctx)
	if err != nil {
		return Progress{}, err
	}
	from, err := target.AppliedSeq()
	if err != nil {
		return Progress{}, err
	}
	start := time.Now()
	p := Progress{Total: st.LastSeq - min(from, st.LastSeq)}
	if p.Total == 0 {
		return p, nil
	}
	r, err := Start(ctx, Options{Log: log, Target: target, MaxBatch: 1024, SyncEvery: time.Hour})
	if err != nil {
		return p, err
	}
	defer r.Stop()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- r.WaitFor(wctx, st.LastSeq) }()
	for {
		select {
		case err := <-errc:
			p = progress(start, r.Applied()-from, p.Total)
			return p, err
		case <-tick.C:
			report(progress(start, r.Applied()-from, p.Total))
		}
	}
}

func progress(start time.Time, applied, total uint64) Progress {
	p := Progress{Applied: applied, Total: total, Elapsed: time.Since(start)}
	if secs := p.Elapsed.Seconds(); secs > 0 {
		p.Rate = float64(applied) / secs
	}
	if p.Rate > 0 && total > applied {
		p.Left = time.Duration(float64(total-applied) / p.Rate * float64(time.Second))
	}
	return p
}
