package replicate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/cairnstore/cairn/log/metrics"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/notify/relay"
	"github.com/cairnstore/cairn/projections/catalog"
)

// Index is what replication reads of the catalog projection.
type Index interface {
	ReplicationAt(bucketID string, seq uint64) (catalog.Replication, bool, error)
	Version(bucketID, key, vid string) (catalog.Object, bool, error)
	ListVersions(bucketID string, q catalog.VersionQuery) (catalog.VersionPage, error)
}

// Applied lets replication wait until the catalog has applied a sequence
// (runner.Runner).
type Applied interface {
	WaitFor(ctx context.Context, seq uint64) error
}

// Store is what replication needs of the engine (cmd adapts it).
type Store interface {
	// Open reads n bytes from off of the version of key made by the
	// event at seq; ErrGone when that version no longer exists.
	Open(ctx context.Context, bucket, key, versionID string, seq uint64, off, n int64) (io.ReadCloser, error)
	// Record appends a replication outcome and waits until the index
	// has applied it.
	Record(ctx context.Context, o Outcome) error
}

// ErrGone: the version to replicate was replaced or removed since.
var ErrGone = errors.New("replicate: the version no longer exists")

// Outcome is how replicating one version to one destination went.
type Outcome struct {
	Bucket, BucketID, Key, VersionID string
	Seq                              uint64 // the event that made the version
	Dest                             string // "<site>:<bucket>"
	Status                           string // COMPLETED or FAILED
	RemoteVersionID                  string
	Reason                           string
}

// Options configures Start.
type Options struct {
	Log        *stream.Log
	Index      Index
	Applied    Applied
	Store      Store
	Targets    []TargetSpec
	HTTPClient *http.Client      // nil: one per site
	Metrics    *metrics.Registry // nil: a private one
	Logger     *slog.Logger
	relay.Tuning
}

// Service runs one replication consumer per declared site.
type Service struct {
	o      Options
	reps   []*replicator
	m      serviceMetrics
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type serviceMetrics struct {
	backlog, lag           *metrics.GaugeVec
	objects, bytes, failed *metrics.CounterVec
	latency                *metrics.HistogramVec
}

// latencyBuckets reach past the retry cap: replication delayed by an
// outage is measured, not clipped.
var latencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 21600}

// Start creates (or finds) each site's durable consumer and starts
// replicating. Consumers of sites no longer declared are left alone:
// declared again, they resume where they stopped.
func Start(ctx context.Context, o Options) (*Service, error) {
	if o.Workers <= 0 {
		// A replica is a round trip to another site plus two durable
		// events: more in flight than a notification's webhook POST.
		o.Workers = 32
	}
	o.Tuning.Defaults()
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Metrics == nil {
		o.Metrics = metrics.New()
	}
	if err := (Declarations{Targets: o.Targets}).Check(); err != nil {
		return nil, err
	}
	s := &Service{o: o, m: newMetrics(o.Metrics)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	for _, t := range o.Targets {
		r := &replicator{s: s, site: newSite(t, o.HTTPClient), log: o.Logger.With("site", t.ID),
			objects: s.m.objects.With(t.ID), bytes: s.m.bytes.With(t.ID), latency: s.m.latency.With(t.ID), lag: s.m.lag.With(t.ID)}
		var err error
		r.relay, err = relay.Start(ctx, relay.Options{Log: o.Log, Name: ConsumerName(t.ID),
			Filters: []string{"s3.ev.>", "s3.bc.>"}, Handle: r.handle, Barrier: r.barrier, Logger: r.log,
			Backlog: s.m.backlog.With(t.ID), Failed: s.m.failed.With(t.ID), Tuning: o.Tuning})
		if err != nil {
			s.Close()
			return nil, err
		}
		s.reps = append(s.reps, r)
	}
	s.wg.Add(1)
	go s.watchLag()
	return s, nil
}

func newMetrics(reg *metrics.Registry) serviceMetrics {
	return serviceMetrics{
		backlog: reg.Gauge("cairn_replication_backlog_events",
			"Events the site's consumer has not handled yet, or handled but not acknowledged.", "site"),
		lag: reg.Gauge("cairn_replication_lag_seconds",
			"How far behind replication to the site runs: the age of the oldest event not yet replicated.", "site"),
		objects: reg.Counter("cairn_replication_objects_total", "Object versions and delete markers the site accepted.", "site"),
		bytes:   reg.Counter("cairn_replication_bytes_total", "Object bytes the site accepted.", "site"),
		failed:  reg.Counter("cairn_replication_failures_total", "Replication attempts that failed and will be retried.", "site"),
		latency: reg.Histogram("cairn_replication_seconds",
			"From the event's time to the site's acceptance of its replica.", latencyBuckets, "site"),
	}
}

// ConsumerName is the durable consumer replicating to a site.
func ConsumerName(site string) string { return "replicate_" + site }

// Close stops replicating. Events in flight stay unacknowledged: the next
// start replicates them again (idempotently).
func (s *Service) Close() {
	for _, r := range s.reps {
		r.relay.Close()
	}
	s.cancel()
	s.wg.Wait()
}

// watchLag keeps the lag gauges current.
func (s *Service) watchLag() {
	defer s.wg.Done()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		for _, r := range s.reps {
			r.lag.Set(lagOf(r.relay.Oldest()).Seconds())
		}
		select {
		case <-s.ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func lagOf(oldest time.Time) time.Duration {
	if oldest.IsZero() {
		return 0
	}
	return max(time.Since(oldest), 0)
}

// SiteStatus is how replication to one site stands (the admin API's
// document, and cairn admin replication status).
type SiteStatus struct {
	Site          string    `json:"site"`
	Endpoint      string    `json:"endpoint"`
	Generic       bool      `json:"generic,omitempty"`
	Consumer      string    `json:"consumer"`
	PendingEvents uint64    `json:"pendingEvents"` // in the log, not yet handed to this process
	UnackedEvents uint64    `json:"unackedEvents"` // handed out, not yet replicated
	LagSeconds    float64   `json:"lagSeconds"`    // age of the oldest event held unreplicated
	Replicated    uint64    `json:"replicated"`    // versions and markers accepted since start
	Bytes         uint64    `json:"bytes"`
	Failures      uint64    `json:"failures"` // failed attempts since start
	LastError     string    `json:"lastError,omitempty"`
	LastErrorAt   time.Time `json:"lastErrorAt,omitzero"`
}

// Status is the admin API's replication document.
type Status struct {
	Sites []SiteStatus `json:"sites"`
}

// Status reports every site's state.
func (s *Service) Status(ctx context.Context) (any, error) {
	out := Status{Sites: []SiteStatus{}}
	for _, r := range s.reps {
		pending, unacked, err := r.relay.Pending(ctx)
		if err != nil {
			return nil, fmt.Errorf("replicate: site %s: %w", r.site.spec.ID, err)
		}
		st := SiteStatus{Site: r.site.spec.ID, Endpoint: r.site.spec.URL, Generic: r.site.spec.Generic,
			Consumer: ConsumerName(r.site.spec.ID), PendingEvents: pending, UnackedEvents: unacked,
			LagSeconds: lagOf(r.relay.Oldest()).Seconds(), Replicated: r.objects.Value(), Bytes: r.bytes.Value(),
			Failures: s.m.failed.With(r.site.spec.ID).Value()}
		st.LastError, st.LastErrorAt = r.relay.LastFailure()
		out.Sites = append(out.Sites, st)
	}
	return out, nil
}
