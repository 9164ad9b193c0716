package relay

import (
	"context"
	"errors"
	"time"

	"github.com/cairnstore/cairn/log/stream"
	"github.com/zeebo/xxh3"
)

// run runs sessions until the relay stops, pausing (exponentially, up to
// 30s) after one that failed.
func (r *Relay) run() {
	defer r.wg.Done()
	pause := time.Second
	for {
		start := time.Now()
		err := r.session()
		if r.ctx.Err() != nil {
			return
		}
		if errors.Is(err, errPinMoved) {
			r.o.Logger.Info("consumer changed hands; replaying from its ack floor", "consumer", r.o.Name)
			continue
		}
		r.o.Logger.Warn("delivery interrupted", "consumer", r.o.Name, "err", err, "retry_in", pause)
		if time.Since(start) > time.Minute {
			pause = time.Second
		}
		select {
		case <-r.ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 30*time.Second)
	}
}

// pulled is one result of Pull.Next.
type pulled struct {
	m   *stream.Delivery
	err error
}

// session delivers from a fresh reset of the consumer until the pull
// fails, the consumer's pin moves, or the relay stops. Whatever it held
// unacknowledged is dropped with it: the next session's reset delivers it
// again, in order.
func (r *Relay) session() error {
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	// NB: the reset makes messages a previous session or process left
	// unacknowledged come back now and in stream order, instead of after
	// AckWait behind newer events of the same subject. With several
	// processes running one relay, only the pinned one receives anything;
	// the first message tells this process it holds the pin, and it
	// resets once more, so that what the previous holder left comes back
	// to it in order too.
	pull, err := r.restart(ctx, nil)
	if err != nil {
		return err
	}
	unblock := context.AfterFunc(ctx, pull.Stop)
	first, err := pull.Next()
	unblock()
	if err != nil {
		pull.Stop()
		drain(pull)
		return r.ended(err)
	}
	if pull, err = r.restart(ctx, pull); err != nil {
		return err
	}
	in, quit, pumped := make(chan pulled), make(chan struct{}), make(chan struct{})
	go pump(pull, in, quit, pumped)
	defer func() {
		close(quit)
		pull.Stop()
		<-pumped
	}()
	stop := context.AfterFunc(ctx, pull.Stop)
	defer stop()
	defer r.dropHeld()
	workers := make([]*worker, r.o.Workers)
	done := make(chan struct{})
	for i := range workers {
		workers[i] = newWorker(r)
		go func(w *worker) {
			defer func() { done <- struct{}{} }()
			w.run(ctx)
		}(workers[i])
	}
	defer func() {
		cancel()
		for range workers {
			<-done
		}
	}()
	return (&dispatcher{r: r, workers: workers, pin: first.PinID}).loop(ctx, in)
}

// pump hands the pull's messages to in until the pull ends: after Stop,
// it drains what was buffered, so that the server has dropped the pull
// before pumped closes. Once quit is closed nobody reads in: messages are
// dropped (they stay unacknowledged).
func pump(p *stream.Pull, in chan<- pulled, quit <-chan struct{}, pumped chan<- struct{}) {
	defer close(pumped)
	for {
		m, err := p.Next()
		select {
		case in <- pulled{m: m, err: err}:
		case <-quit:
		}
		if err != nil {
			return
		}
	}
}

// dispatcher sends a session's events to the workers, and runs barriers.
type dispatcher struct {
	r        *Relay
	workers  []*worker
	pin      string
	deferred []*stream.Delivery // read while a barrier runs, in order
	barrier  chan error         // non-nil while a barrier runs
}

func (d *dispatcher) loop(ctx context.Context, in <-chan pulled) error {
	beat := time.NewTicker(d.r.o.AckWait / 3)
	defer beat.Stop()
	for {
		select {
		case p := <-in:
			if p.err != nil {
				return d.r.ended(p.err)
			}
			if p.m.PinID != d.pin {
				return errPinMoved
			}
			d.r.hold(p.m)
			if d.barrier != nil {
				d.deferred = append(d.deferred, p.m)
				continue
			}
			if err := d.dispatch(ctx, p.m); err != nil {
				return err
			}
		case err := <-d.barrier:
			d.barrier = nil
			if err != nil {
				return err
			}
			for len(d.deferred) > 0 && d.barrier == nil {
				m := d.deferred[0]
				d.deferred = d.deferred[1:]
				if err := d.dispatch(ctx, m); err != nil {
					return err
				}
			}
		case <-beat.C:
			for _, m := range d.deferred {
				_ = m.InProgress()
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// dispatch hands m to its subject's worker, or starts a barrier with it.
func (d *dispatcher) dispatch(ctx context.Context, m *stream.Delivery) error {
	if d.r.o.Barrier != nil && d.r.o.Barrier(m) {
		d.barrier = make(chan error, 1)
		go func(done chan<- error) { done <- d.r.barrier(ctx, m) }(d.barrier)
		return nil
	}
	w := d.workers[xxh3.HashString(m.Subject)%uint64(len(d.workers))]
	select {
	case w.inbox <- m:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// barrier handles m once no earlier event is held, retrying until it
// succeeds; it keeps m in progress meanwhile.
func (r *Relay) barrier(ctx context.Context, m *stream.Delivery) error {
	beat := time.NewTicker(r.o.AckWait / 3)
	defer beat.Stop()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-beat.C:
				_ = m.InProgress()
			}
		}
	}()
	if err := r.waitBefore(ctx, m.Seq); err != nil {
		return err
	}
	for attempts := 1; ; attempts++ {
		err := r.o.Handle(ctx, m)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			r.acked(m)
			return nil
		}
		r.attemptFailed(m, attempts, err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(r.backoff(attempts)):
		}
	}
}

// acked acknowledges a handled event and forgets it.
func (r *Relay) acked(m *stream.Delivery) {
	if err := m.Ack(); err != nil {
		// The event may come again (at-least-once); nothing is lost.
		r.o.Logger.Debug("ack failed", "consumer", r.o.Name, "seq", m.Seq, "err", err)
	}
	r.release(m)
}

// attemptFailed counts and (sparingly) logs a failed attempt.
func (r *Relay) attemptFailed(m *stream.Delivery, attempts int, err error) {
	r.failed(err)
	if attempts == 1 || attempts&(attempts-1) == 0 { // 1, 2, 4, 8...: do not flood the log
		r.o.Logger.Warn("event not delivered; retrying", "consumer", r.o.Name, "seq", m.Seq,
			"attempts", attempts, "err", err)
	}
}

// restart stops old (if any), resets the consumer and starts a new pull.
func (r *Relay) restart(ctx context.Context, old *stream.Pull) (*stream.Pull, error) {
	if old != nil {
		old.Stop()
		drain(old)
	}
	if _, err := r.dur.Reset(ctx); err != nil {
		return nil, err
	}
	return r.dur.Pull(min(r.o.MaxAckPending, 512))
}

// drain reads a stopped pull until the server has dropped it.
func drain(p *stream.Pull) {
	for {
		if _, err := p.Next(); err != nil {
			return
		}
	}
}

func (r *Relay) ended(err error) error {
	if errors.Is(err, stream.ErrStopped) && r.ctx.Err() != nil {
		return r.ctx.Err()
	}
	return err
}
