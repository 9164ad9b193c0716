package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/cairnstore/cairn/log/metrics"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/notify/relay"
	"github.com/cairnstore/cairn/notify/target"
	"github.com/cairnstore/cairn/projections/catalog"
)

// Index is what notify reads of the catalog projection.
type Index interface {
	// NotificationAt is the configuration in force at a sequence.
	NotificationAt(bucketID string, seq uint64) (catalog.Notification, bool, error)
	Bucket(name string) (catalog.Bucket, bool, error)
	// ReplicationAt and Version describe a replication outcome's rule and
	// version.
	ReplicationAt(bucketID string, seq uint64) (catalog.Replication, bool, error)
	Version(bucketID, key, vid string) (catalog.Object, bool, error)
}

// Applied lets notify wait until the catalog has applied a sequence
// (runner.Runner).
type Applied interface {
	WaitFor(ctx context.Context, seq uint64) error
}

// Tuning holds the delivery knobs; zero values take the defaults (see
// package relay).
type Tuning = relay.Tuning

// Options configures Start.
type Options struct {
	Log     *stream.Log
	Index   Index
	Applied Applied
	Targets []target.Target
	Region  string
	Metrics *metrics.Registry // nil: a private one
	Logger  *slog.Logger
	Tuning
}

// Service runs one delivery consumer per destination and serves live
// subscriptions.
type Service struct {
	o          Options
	ctx        context.Context
	cancel     context.CancelFunc
	wg         sync.WaitGroup
	deliverers map[string]*deliverer // by destination id
	m          serviceMetrics
	// listens is the context of live subscriptions, cancelled by
	// CloseListens or Close.
	listens      context.Context
	closeListens context.CancelFunc
}

type serviceMetrics struct {
	backlog    *metrics.GaugeVec
	deliveries *metrics.CounterVec
	failures   *metrics.CounterVec
	latency    *metrics.HistogramVec
}

// latencyBuckets reach past the retry cap: a delivery delayed by an outage
// is measured, not clipped.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600}

// Start creates (or finds) each destination's durable consumer and starts
// delivering. Consumers of destinations no longer declared are left alone:
// declared again, they resume where they stopped.
func Start(ctx context.Context, o Options) (*Service, error) {
	o.Tuning.Defaults()
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Metrics == nil {
		o.Metrics = metrics.New()
	}
	s := &Service{o: o, deliverers: map[string]*deliverer{}}
	s.m = serviceMetrics{
		backlog: o.Metrics.Gauge("cairn_notify_backlog_events",
			"Events the destination's consumer has not delivered yet, or delivered but not acknowledged.", "target"),
		deliveries: o.Metrics.Counter("cairn_notify_deliveries_total", "Notifications a destination accepted.", "target"),
		failures:   o.Metrics.Counter("cairn_notify_failures_total", "Delivery attempts that failed and will be retried.", "target"),
		latency: o.Metrics.Histogram("cairn_notify_delivery_seconds",
			"From the event's time to the destination's acceptance of its notification.", latencyBuckets, "target"),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.listens, s.closeListens = context.WithCancel(s.ctx)
	for _, t := range o.Targets {
		if _, dup := s.deliverers[t.ID()]; dup {
			s.Close()
			return nil, fmt.Errorf("notify: destination id %q declared twice", t.ID())
		}
		d := newDeliverer(s, t)
		var err error
		d.relay, err = relay.Start(ctx, relay.Options{Log: o.Log, Name: consumerName(t), Filters: []string{"s3.ev.>", "s3.rs.>", "s3.bc.>"},
			Handle: d.deliver, Logger: o.Logger.With("target", t.ID()), Backlog: s.m.backlog.With(t.ID()),
			Failed: s.m.failures.With(t.ID()), Tuning: o.Tuning})
		if err != nil {
			s.Close()
			return nil, err
		}
		s.deliverers[t.ID()] = d
	}
	return s, nil
}

// consumerName is the durable consumer of a destination: notify_<id>_<kind>.
func consumerName(t target.Target) string {
	arn := t.ARN()
	return "notify_" + t.ID() + "_" + arn[strings.LastIndex(arn, ":")+1:]
}

// Close stops delivering and ends live subscriptions. Events in flight stay
// unacknowledged: the next start delivers them again.
func (s *Service) Close() {
	for _, d := range s.deliverers {
		d.relay.Close()
	}
	s.cancel()
	s.wg.Wait()
}

// CloseListens ends every live subscription (at HTTP shutdown, so that
// streaming responses do not hold it up); delivery goes on until Close.
func (s *Service) CloseListens() { s.closeListens() }

// HasARN says whether arn names a declared destination.
func (s *Service) HasARN(arn string) bool {
	for _, d := range s.deliverers {
		if d.t.ARN() == arn {
			return true
		}
	}
	return false
}

// ErrUnknownTarget: no destination has that id.
var ErrUnknownTarget = errors.New("notify: unknown destination")

// Backlog is how many events a destination has yet to deliver (pending
// and in flight), as its consumer reports it.
func (s *Service) Backlog(ctx context.Context, id string) (uint64, error) {
	d, ok := s.deliverers[id]
	if !ok {
		return 0, ErrUnknownTarget
	}
	pending, unacked, err := d.relay.Pending(ctx)
	return pending + unacked, err
}
