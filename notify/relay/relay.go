package relay

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/cairnstore/cairn/log/metrics"
	"github.com/cairnstore/cairn/log/stream"
)

// Tuning holds the delivery knobs; zero values take the defaults.
type Tuning struct {
	Workers       int           // single-threaded workers per relay; 8
	MaxAckPending int           // events in flight per relay; 1024
	AckWait       time.Duration // server-side redelivery safety net; 30s
	RetryMin      time.Duration // first retry delay of a failed event; 200ms
	RetryMax      time.Duration // cap of the exponential retry delay; 1m
	PinnedTTL     time.Duration // a silent puller loses the consumer after; 1m
}

// Defaults fills in the zero values.
func (t *Tuning) Defaults() {
	if t.Workers <= 0 {
		t.Workers = 8
	}
	if t.MaxAckPending <= 0 {
		t.MaxAckPending = 1024
	}
	if t.AckWait <= 0 {
		t.AckWait = 30 * time.Second
	}
	if t.RetryMin <= 0 {
		t.RetryMin = 200 * time.Millisecond
	}
	if t.RetryMax <= 0 {
		t.RetryMax = time.Minute
	}
	t.RetryMax = max(t.RetryMax, t.RetryMin)
	if t.PinnedTTL <= 0 {
		t.PinnedTTL = time.Minute
	}
}

// Options configures Start.
type Options struct {
	Log     *stream.Log
	Name    string   // the durable consumer: letters, digits, '-' and '_'
	Filters []string // the subjects it reads
	// Handle does what one event asks for; nil means done (including
	// "nothing to do"), an error means try again later.
	Handle func(ctx context.Context, m *stream.Delivery) error
	// Barrier, if set, picks the events handled alone (see the package
	// comment).
	Barrier func(m *stream.Delivery) bool
	Logger  *slog.Logger     // nil: discard
	Backlog *metrics.Gauge   // kept at the consumer's pending + unacknowledged; may be nil
	Failed  *metrics.Counter // counts failed attempts; may be nil
	Tuning
}

// Relay runs one durable consumer until Close.
type Relay struct {
	o      Options
	dur    *stream.Durable
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// mu guards the events held by this process (dispatched to a worker,
	// or deferred behind a barrier, and not yet acknowledged), by
	// sequence with their stream time, and the last failure.
	mu struct {
		sync.Mutex
		held    map[uint64]time.Time
		changed chan struct{} // closed when an event is released, if someone waits
		lastErr string
		lastAt  time.Time
	}
}

// Start creates (or finds) the durable consumer and starts delivering.
func Start(ctx context.Context, o Options) (*Relay, error) {
	o.Tuning.Defaults()
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	dur, err := o.Log.Durable(ctx, stream.DurableOptions{Name: o.Name, Filters: o.Filters,
		AckWait: o.AckWait, BackOff: []time.Duration{o.AckWait, 2 * o.AckWait, 4 * o.AckWait},
		MaxAckPending: o.MaxAckPending, Group: "cairn", PinnedTTL: o.PinnedTTL})
	if err != nil {
		return nil, err
	}
	r := &Relay{o: o, dur: dur}
	r.mu.held = map[uint64]time.Time{}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.wg.Add(2)
	go r.run()
	go r.watchBacklog()
	return r, nil
}

// Close stops delivering. Events in flight stay unacknowledged: the next
// start delivers them again.
func (r *Relay) Close() {
	r.cancel()
	r.wg.Wait()
}

// Pending returns how many events wait to be delivered and how many are
// delivered but not yet acknowledged, as the consumer reports them.
func (r *Relay) Pending(ctx context.Context) (pending, unacked uint64, err error) {
	return r.dur.Pending(ctx)
}

// Oldest is the stream time of the oldest event this process holds
// unacknowledged; zero when it holds none. Events are held in stream
// order, so while the process holds the consumer, now minus Oldest is how
// far behind the relay runs.
func (r *Relay) Oldest() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	var oldest time.Time
	for _, t := range r.mu.held {
		if oldest.IsZero() || t.Before(oldest) {
			oldest = t
		}
	}
	return oldest
}

// LastFailure is the last error Handle returned and when; "" if none yet.
func (r *Relay) LastFailure() (string, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.mu.lastErr, r.mu.lastAt
}

func (r *Relay) failed(err error) {
	if r.o.Failed != nil {
		r.o.Failed.Inc()
	}
	r.mu.Lock()
	r.mu.lastErr, r.mu.lastAt = err.Error(), time.Now()
	r.mu.Unlock()
}

// hold records m as held.
func (r *Relay) hold(m *stream.Delivery) {
	r.mu.Lock()
	r.mu.held[m.Seq] = m.Time
	r.mu.Unlock()
}

// release forgets m once it is acknowledged.
func (r *Relay) release(m *stream.Delivery) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.mu.held, m.Seq)
	r.signalLocked()
}

// dropHeld forgets every held event (a session ended: they come back).
func (r *Relay) dropHeld() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.mu.held)
	r.signalLocked()
}

func (r *Relay) signalLocked() {
	if r.mu.changed != nil {
		close(r.mu.changed)
		r.mu.changed = nil
	}
}

// waitBefore returns once no event before seq is held, or ctx ends.
func (r *Relay) waitBefore(ctx context.Context, seq uint64) error {
	for {
		r.mu.Lock()
		earlier := false
		for s := range r.mu.held {
			if s < seq {
				earlier = true
				break
			}
		}
		if !earlier {
			r.mu.Unlock()
			return nil
		}
		if r.mu.changed == nil {
			r.mu.changed = make(chan struct{})
		}
		changed := r.mu.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// watchBacklog keeps the backlog gauge current.
func (r *Relay) watchBacklog() {
	defer r.wg.Done()
	if r.o.Backlog == nil {
		return
	}
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(r.ctx, 5*time.Second)
		if pending, unacked, err := r.dur.Pending(ctx); err == nil {
			r.o.Backlog.Set(float64(pending + unacked))
		}
		cancel()
		select {
		case <-r.ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// errPinMoved ends a session: another process pulled the consumer in
// between, and may have left messages unacknowledged.
var errPinMoved = errors.New("relay: the consumer was pinned to another puller")
