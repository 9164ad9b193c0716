// Package runner feeds the event log to a projection: it reads the stream
// from the projection's applied sequence, decodes events, applies them in
// batches, and lets writers wait until their event is applied
// (read-after-write).
//
// Each batch is committed without fsync: the log is the truth, and a crash
// only rolls the projection back to an earlier applied sequence, from which
// it replays. Every SyncEvery, one batch is committed with fsync to bound
// that replay.
package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
)

// ErrStopped is returned by WaitFor once the runner has stopped.
var ErrStopped = errors.New("runner: stopped")

// Target is a projection.
type Target interface {
	AppliedSeq() (uint64, error)
	// Apply folds events in order, atomically with the last one's sequence.
	Apply(events []*event.Event, sync bool) error
}

// Options configures Start.
type Options struct {
	Log       *stream.Log
	Target    Target
	Logger    *slog.Logger
	MaxBatch  int           // events per batch; 512 when zero
	SyncEvery time.Duration // fsync a batch at least this often; 1s when zero
}

// Runner applies the log to one projection.
type Runner struct {
	o    Options
	sub  *stream.Subscription
	stop chan struct{}
	done chan struct{}

	mu struct {
		sync.Mutex
		applied uint64
		err     error         // why the runner stopped, if it failed
		changed chan struct{} // closed and replaced on every change
	}
}

// Start begins applying from the target's applied sequence + 1.
func Start(ctx context.Context, o Options) (*Runner, error) {
	if o.MaxBatch <= 0 {
		o.MaxBatch = 512
	}
	if o.SyncEvery <= 0 {
		o.SyncEvery = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	applied, err := o.Target.AppliedSeq()
	if err != nil {
		return nil, err
	}
	sub, err := o.Log.Subscribe(ctx, applied+1)
	if err != nil {
		return nil, err
	}
	r := &Runner{o: o, sub: sub, stop: make(chan struct{}), done: make(chan struct{})}
	r.mu.applied = applied
	r.mu.changed = make(chan struct{})
	go r.run()
	return r, nil
}

func (r *Runner) run() {
	defer close(r.done)
	lastSync := time.Now()
	batch := make([]*event.Event, 0, r.o.MaxBatch)
	for {
		batch = batch[:0]
		select {
		case m, ok := <-r.sub.C():
			if !ok {
				r.fail(fmt.Errorf("runner: log subscription ended: %v", r.sub.Err()))
				return
			}
			if !r.add(&batch, m) {
				return
			}
		case <-r.stop:
			return
		}
		if !r.drain(&batch) {
			return
		}
		sync := time.Since(lastSync) >= r.o.SyncEvery
		if err := r.o.Target.Apply(batch, sync); err != nil {
			r.fail(err)
			return
		}
		if sync {
			lastSync = time.Now()
		}
		r.advance(batch[len(batch)-1].Seq)
	}
}

// drain adds whatever else is already delivered, up to MaxBatch.
func (r *Runner) drain(batch *[]*event.Event) bool {
	for len(*batch) < r.o.MaxBatch {
		select {
		case m, ok := <-r.sub.C():
			if !ok {
				return true // the next receive reports it
			}
			if !r.add(batch, m) {
				return false
			}
		default:
			return true
		}
	}
	return true
}

func (r *Runner) add(batch *[]*event.Event, m stream.Message) bool {
	ev, err := event.Decode(m.Data)
	if err != nil {
		r.fail(fmt.Errorf("runner: event at seq %d (%s): %w", m.Seq, m.Subject, err))
		return false
	}
	ev.Seq = m.Seq
	*batch = append(*batch, ev)
	return true
}

func (r *Runner) advance(seq uint64) {
	r.mu.Lock()
	r.mu.applied = seq
	close(r.mu.changed)
	r.mu.changed = make(chan struct{})
	r.mu.Unlock()
}

// fail records why the runner stopped. A projection that cannot apply the
// log must not serve answers that ignore it: waiters get the error.
func (r *Runner) fail(err error) {
	r.o.Logger.Error("projection stopped", "err", err)
	r.mu.Lock()
	r.mu.err = err
	close(r.mu.changed)
	r.mu.changed = make(chan struct{})
	r.mu.Unlock()
}

// Applied is the last applied stream sequence.
func (r *Runner) Applied() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.mu.applied
}

// Err is why the runner stopped applying, or nil while it runs.
func (r *Runner) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.mu.err
}

// WaitFor blocks until the projection has applied seq.
func (r *Runner) WaitFor(ctx context.Context, seq uint64) error {
	for {
		r.mu.Lock()
		applied, err, ch := r.mu.applied, r.mu.err, r.mu.changed
		r.mu.Unlock()
		if applied >= seq {
			return nil
		}
		if err != nil {
			return err
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-r.done:
			if r.Applied() >= seq {
				return nil
			}
			if err := r.Err(); err != nil {
				return err
			}
			return ErrStopped
		}
	}
}

// Stop ends the runner and waits for its goroutine. The target stays open.
func (r *Runner) Stop() {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	r.sub.Stop()
	<-r.done
}
