package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/metrics"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/notify/target"
	"github.com/zeebo/xxh3"
)

// errPinMoved ends a session: another process pulled the destination's
// consumer in between, and may have left messages unacknowledged.
var errPinMoved = errors.New("notify: the consumer was pinned to another puller")

// deliverer delivers the event log to one destination through its durable
// consumer.
type deliverer struct {
	s   *Service
	t   target.Target
	dur *stream.Durable

	backlog    *metrics.Gauge
	deliveries *metrics.Counter
	failures   *metrics.Counter
	latency    *metrics.Histogram
}

func newDeliverer(s *Service, t target.Target, dur *stream.Durable) *deliverer {
	id := t.ID()
	return &deliverer{s: s, t: t, dur: dur, backlog: s.m.backlog.With(id), deliveries: s.m.deliveries.With(id),
		failures: s.m.failures.With(id), latency: s.m.latency.With(id)}
}

// run runs sessions until the service stops, pausing (exponentially, up to
// 30s) after one that failed.
func (d *deliverer) run() {
	defer d.s.wg.Done()
	pause := time.Second
	for {
		start := time.Now()
		err := d.session()
		if d.s.ctx.Err() != nil {
			return
		}
		if errors.Is(err, errPinMoved) {
			d.s.o.Logger.Info("notification consumer changed hands; replaying from its ack floor", "target", d.t.ID())
			continue
		}
		d.s.o.Logger.Warn("notification delivery interrupted", "target", d.t.ID(), "err", err, "retry_in", pause)
		if time.Since(start) > time.Minute {
			pause = time.Second
		}
		select {
		case <-d.s.ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 30*time.Second)
	}
}

// session delivers from a fresh reset of the consumer until the pull
// fails, the consumer's pin moves, or the service stops. Whatever it held
// unacknowledged is dropped with it: the next session's reset delivers it
// again, in order.
func (d *deliverer) session() error {
	ctx, cancel := context.WithCancel(d.s.ctx)
	defer cancel()
	// NB: the reset makes messages a previous session or process left
	// unacknowledged come back now and in stream order, instead of after
	// AckWait behind newer events of the same key. With several
	// processes declaring one destination, only the pinned one receives
	// anything; the first message tells this process it holds the pin,
	// and it resets once more, so that what the previous holder left
	// comes back to it in order too.
	pull, err := d.restart(ctx, nil)
	if err != nil {
		return err
	}
	unblock := context.AfterFunc(ctx, pull.Stop)
	first, err := pull.Next()
	unblock()
	if err != nil {
		d.stopPull(pull)
		return d.ended(err)
	}
	if pull, err = d.restart(ctx, pull); err != nil {
		return err
	}
	defer d.stopPull(pull)
	pin := first.PinID
	stop := context.AfterFunc(ctx, pull.Stop)
	defer stop()
	workers := make([]*worker, d.s.o.Workers)
	done := make(chan struct{})
	for i := range workers {
		workers[i] = newWorker(d)
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
	for {
		m, err := pull.Next()
		if err != nil {
			return d.ended(err)
		}
		if m.PinID != pin {
			return errPinMoved
		}
		w := workers[xxh3.HashString(m.Subject)%uint64(len(workers))]
		select {
		case w.inbox <- m:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// restart stops old (if any), resets the consumer and starts a new pull.
func (d *deliverer) restart(ctx context.Context, old *stream.Pull) (*stream.Pull, error) {
	if old != nil {
		d.stopPull(old)
	}
	if _, err := d.dur.Reset(ctx); err != nil {
		return nil, err
	}
	return d.dur.Pull(min(d.s.o.MaxAckPending, 512))
}

// stopPull stops p and waits until the server has dropped it.
func (d *deliverer) stopPull(p *stream.Pull) {
	p.Stop()
	for {
		if _, err := p.Next(); err != nil {
			return
		}
	}
}

func (d *deliverer) ended(err error) error {
	if errors.Is(err, stream.ErrStopped) && d.s.ctx.Err() != nil {
		return d.s.ctx.Err()
	}
	return err
}

// deliver sends the notifications one event causes at this destination:
// one per rule of the configuration in force at the event's sequence that
// names the destination and matches the event. nil means done (including
// "nothing to send"); an error means try again later.
func (d *deliverer) deliver(ctx context.Context, m *stream.Delivery) error {
	ev, err := event.Decode(m.Data)
	if err != nil {
		return fmt.Errorf("event at seq %d: %w", m.Seq, err)
	}
	ev.Seq = m.Seq
	name := EventName(ev)
	if name == "" {
		return nil
	}
	if err := d.s.o.Applied.WaitFor(ctx, m.Seq); err != nil {
		return fmt.Errorf("waiting for the index to apply seq %d: %w", m.Seq, err)
	}
	n, found, err := d.s.o.Index.NotificationAt(ev.BucketID, m.Seq)
	if err != nil || !found {
		return err
	}
	arn := d.t.ARN()
	for _, r := range n.Rules {
		if r.ARN != arn || !ruleFilter(r).Match(name, ev.Key) {
			continue
		}
		body, err := Encode(NewRecord(ev, name, r.ID, n.Owner, d.s.o.Region))
		if err != nil {
			return err
		}
		if err := d.t.Send(ctx, target.Message{Body: body, ID: MessageID(m.Seq, r.ID)}); err != nil {
			return err
		}
		d.deliveries.Inc()
		d.latency.Since(ev.Time)
	}
	return nil
}

// watchBacklog keeps the backlog gauge current.
func (d *deliverer) watchBacklog() {
	defer d.s.wg.Done()
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(d.s.ctx, 5*time.Second)
		if pending, unacked, err := d.dur.Pending(ctx); err == nil {
			d.backlog.Set(float64(pending + unacked))
		}
		cancel()
		select {
		case <-d.s.ctx.Done():
			return
		case <-tick.C:
		}
	}
}
