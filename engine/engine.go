package engine

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/cairnstore/cairn/engine/blob"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/projections/catalog"
	"github.com/cairnstore/cairn/projections/runner"
)

// Options wires an Engine.
type Options struct {
	Log     *stream.Log
	Catalog *catalog.Catalog
	Runner  *runner.Runner
	Blobs   *blob.Set // this node's disks
	Node    string    // this node's id, recorded in the extents it writes
	// Peers reads bytes that other gateways sharing the log wrote
	// (engine/peer); nil: such bytes are unavailable (ErrBlobUnavailable).
	Peers  PeerReader
	Region string
	// Barrier makes every read first wait for the stream's last sequence:
	// needed when several gateways share one NATS cluster, so that a read
	// sees every write acknowledged by any of them before it began.
	Barrier bool
	// Destinations says whether an ARN names a notification destination
	// declared on this server; nil: none is.
	Destinations func(arn string) bool
	// Sites are the replication sites declared on this server, by id: a
	// replication rule's destination must name one.
	Sites  []string
	Now    func() time.Time
	Logger *slog.Logger
	// Root is the administrator's key; MasterKey (32 bytes) seals the
	// secrets of users' keys in the log and must be the same on every
	// gateway sharing the log.
	Root      RootCredentials
	MasterKey []byte
	// MinPartSize is the smallest size of a multipart upload's parts but
	// the last; DefaultMinPartSize (5 MiB, as S3) when zero. Tests and
	// benchmarks lower it.
	MinPartSize int64
}

// Engine executes S3 operations.
type Engine struct {
	o        Options
	sealer   *sealer
	creds    credCache
	policies policyCache
}

// New returns an engine. The caller owns (opens and closes) every part.
func New(o Options) (*Engine, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s, err := newSealer(o.MasterKey)
	if err != nil {
		return nil, err
	}
	return &Engine{o: o, sealer: s}, nil
}

// Region is the region this engine serves.
func (e *Engine) Region() string { return e.o.Region }

// sync makes the local projection current enough for a read: a no-op for
// a single gateway, whose acknowledged writes are always applied.
func (e *Engine) sync(ctx context.Context) error {
	if err := e.o.Runner.Err(); err != nil {
		return fmt.Errorf("engine: index stopped: %w", err)
	}
	if !e.o.Barrier {
		return nil
	}
	st, err := e.o.Log.State(ctx)
	if err != nil {
		return err
	}
	return e.o.Runner.WaitFor(ctx, st.LastSeq)
}

// appendEvent encodes and appends ev on subject, then waits until the local
// projection has applied it, and returns its sequence.
func (e *Engine) appendEvent(ctx context.Context, subject string, ev *event.Event, expect *stream.Expect) (uint64, error) {
	data, err := event.Encode(ev)
	if err != nil {
		return 0, err
	}
	seq, err := e.o.Log.Append(ctx, stream.Msg{Subject: subject, Data: data, ID: ev.ID, Expect: expect})
	if err == nil {
		if err = e.o.Runner.WaitFor(ctx, seq); err != nil {
			err = fmt.Errorf("engine: event %d stored but not yet applied: %w", seq, err)
		}
	}
	e.o.Blobs.Settle(writtenRecords(ev), err != nil)
	return seq, err
}

// writtenRecords lists the records an event may reference that this
// gateway just wrote, so that they stop being pending (see engine/blob).
func writtenRecords(ev *event.Event) []string {
	recs := []string{ev.ID}
	var extents []event.Extent
	switch p := ev.Payload.(type) {
	case *event.ObjectPut:
		extents = p.Extents
	case *event.MultipartPart:
		extents = p.Extents
	}
	for _, x := range extents {
		if x.Record != ev.ID {
			recs = append(recs, x.Record)
		}
	}
	return recs
}

// RequestInfo describes the request an operation serves; events record it.
type RequestInfo struct {
	ID       string // the S3 request id
	SourceIP string
}

type requestInfoKey struct{}

// WithRequestInfo returns ctx carrying ri for the events it causes.
func WithRequestInfo(ctx context.Context, ri RequestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, ri)
}

// header starts an event's common part.
func (e *Engine) header(ctx context.Context, actor string) event.Header {
	ri, _ := ctx.Value(requestInfoKey{}).(RequestInfo)
	return event.Header{ID: event.NewID(), Time: e.o.Now().UTC(), Actor: actor, RequestID: ri.ID, SourceIP: ri.SourceIP,
		Replica: replicaOf(ctx) != nil}
}
