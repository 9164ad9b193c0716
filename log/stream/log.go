package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Errors.
var (
	// ErrConflict: an expected last subject sequence did not hold.
	ErrConflict = errors.New("stream: expected last sequence does not match")
	ErrClosed   = errors.New("stream: closed")
)

// DefaultStream is the stream's name unless Options.Stream says otherwise.
const DefaultStream = "CAIRN"

// Options configures Open.
type Options struct {
	// URL of an external NATS server or cluster. Empty: start an embedded
	// server with Embedded.
	URL         string
	NATSOptions []nats.Option // extra client options for URL (credentials, TLS)
	Embedded    EmbeddedOptions
	Stream      string // DefaultStream when empty
	Replicas    int    // stream replicas; 1 when zero
	// Batch enables group commit of unconditional appends into atomic
	// batches when more than MaxInflight are in flight.
	Batch       bool
	MaxInflight int // singles in flight before queueing; 64 when zero
	MinBatch    int // smallest queue published as an atomic batch; 64 when zero
	Logger      *slog.Logger
}

// Log is cairn's handle on the event stream.
type Log struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	stream  jetstream.Stream
	name    string
	ns      *server.Server // nil with an external server
	closed  chan struct{}  // closed once the connection is closed
	log     *slog.Logger
	singles chan struct{} // semaphore of single publishes in flight
	batch   *batcher      // nil when batching is off
	stats   stats
}

type stats struct {
	singles, batches, batched atomic.Uint64
}

// Stats counts appends by how they were committed.
type Stats struct {
	Singles uint64 // events published on their own
	Batches uint64 // atomic batches committed
	Batched uint64 // events committed inside atomic batches
}

// Stats returns the append counters since Open.
func (l *Log) Stats() Stats {
	return Stats{Singles: l.stats.singles.Load(), Batches: l.stats.batches.Load(), Batched: l.stats.batched.Load()}
}

// Msg is one event to append.
type Msg struct {
	Subject string
	Data    []byte
	ID      string  // Nats-Msg-Id: a retry within the duplicate window is stored once
	Expect  *Expect // optimistic concurrency guard, nil for none
}

// Expect guards an append: the last sequence stored on Subject (or on the
// published subject when Subject is empty; it may be a wildcard) must be Seq,
// 0 meaning none.
type Expect struct {
	Seq     uint64
	Subject string
}

// Open connects to (or starts) NATS and makes sure the stream exists.
func Open(ctx context.Context, o Options) (*Log, error) {
	l := &Log{name: o.Stream, log: o.Logger, closed: make(chan struct{})}
	if l.name == "" {
		l.name = DefaultStream
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	if err := l.connect(o); err != nil {
		return nil, err
	}
	if err := l.ensureStream(ctx, o.Replicas); err != nil {
		l.Close()
		return nil, err
	}
	maxInflight := o.MaxInflight
	if maxInflight <= 0 {
		maxInflight = 64
	}
	l.singles = make(chan struct{}, maxInflight)
	if o.Batch {
		minBatch := o.MinBatch
		if minBatch <= 0 {
			minBatch = 64
		}
		l.batch = newBatcher(l, minBatch)
	}
	return l, nil
}

func (l *Log) connect(o Options) error {
	var err error
	opts := []nats.Option{nats.Name("cairn"), nats.MaxReconnects(-1),
		nats.ClosedHandler(func(*nats.Conn) { close(l.closed) })}
	if o.URL == "" {
		if l.ns, err = StartEmbedded(o.Embedded); err != nil {
			return err
		}
		l.nc, err = nats.Connect("", append(opts, nats.InProcessServer(l.ns))...)
	} else {
		l.nc, err = nats.Connect(o.URL, append(opts, o.NATSOptions...)...)
	}
	if err != nil {
		l.Close()
		return fmt.Errorf("stream: connect: %w", err)
	}
	if l.js, err = jetstream.New(l.nc, jetstream.WithPublishAsyncMaxPending(4096)); err != nil {
		l.Close()
		return fmt.Errorf("stream: jetstream: %w", err)
	}
	return nil
}

func (l *Log) ensureStream(ctx context.Context, replicas int) error {
	if replicas <= 0 {
		replicas = 1
	}
	cfg := jetstream.StreamConfig{
		Name:               l.name,
		Description:        "cairn event log: the single source of truth",
		Subjects:           []string{"s3.>"},
		Storage:            jetstream.FileStorage,
		Replicas:           replicas,
		Retention:          jetstream.LimitsPolicy,
		Discard:            jetstream.DiscardNew,
		Duplicates:         2 * time.Minute,
		DenyDelete:         true,
		AllowDirect:        true,
		AllowAtomicPublish: true,
		MaxMsgs:            -1,
		MaxBytes:           -1,
		MaxAge:             0,
	}
	s, err := l.js.CreateOrUpdateStream(ctx, cfg)
	if err != nil {
		return fmt.Errorf("stream: create stream %s: %w", l.name, err)
	}
	l.stream = s
	return nil
}

// Close stops batching, drains the connection and stops an embedded server.
func (l *Log) Close() {
	if l.batch != nil {
		l.batch.close()
	}
	if l.nc != nil {
		if err := l.nc.Drain(); err != nil {
			l.nc.Close()
		}
		select {
		case <-l.closed:
		case <-time.After(30 * time.Second):
			l.log.Warn("nats connection did not drain within 30s; closing")
			l.nc.Close()
		}
	}
	if l.ns != nil {
		l.ns.Shutdown()
		l.ns.WaitForShutdown()
	}
}

// Append stores one event and returns its stream sequence. An error other
// than ErrConflict leaves the outcome unknown (the event may be stored).
func (l *Log) Append(ctx context.Context, m Msg) (uint64, error) {
	if m.Expect != nil || l.batch == nil {
		return l.publish(ctx, m)
	}
	select {
	case l.singles <- struct{}{}:
		defer func() { <-l.singles }()
		return l.publish(ctx, m)
	default:
		return l.batch.append(ctx, m)
	}
}

// AppendAtomic stores msgs all or none, in order, as one atomic batch
// (at most 1000). Per-message expectations are honoured.
func (l *Log) AppendAtomic(ctx context.Context, msgs []Msg) ([]uint64, error) {
	return l.publishAtomic(ctx, msgs)
}

func natsMsg(m Msg) *nats.Msg {
	nm := nats.NewMsg(m.Subject)
	nm.Data = m.Data
	if m.ID != "" {
		nm.Header.Set(jetstream.MsgIDHeader, m.ID)
	}
	if m.Expect != nil {
		nm.Header.Set(jetstream.ExpectedLastSubjSeqHeader, fmt.Sprint(m.Expect.Seq))
		if m.Expect.Subject != "" {
			nm.Header.Set("Nats-Expected-Last-Subject-Sequence-Subject", m.Expect.Subject)
		}
	}
	return nm
}

func (l *Log) publish(ctx context.Context, m Msg) (uint64, error) {
	ack, err := l.js.PublishMsg(ctx, natsMsg(m))
	if err != nil {
		return 0, mapErr(err)
	}
	l.stats.singles.Add(1)
	return ack.Sequence, nil
}

func mapErr(err error) error {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && isConflictCode(int(apiErr.ErrorCode)) {
		return fmt.Errorf("%w: %v", ErrConflict, err)
	}
	if errors.Is(err, nats.ErrConnectionClosed) || errors.Is(err, nats.ErrConnectionDraining) {
		return fmt.Errorf("%w: %v", ErrClosed, err)
	}
	return fmt.Errorf("stream: append: %w", err)
}

func isConflictCode(code int) bool {
	return code == int(jetstream.JSErrCodeStreamWrongLastSequence) ||
		code == int(jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}

// State is a snapshot of the stream's extent.
type State struct {
	FirstSeq, LastSeq, Msgs, Bytes uint64
}

// State returns the stream's first and last sequence. LastSeq taken before
// a read and waited for on the local projection is the read barrier that
// makes reads see every write acknowledged anywhere before them.
func (l *Log) State(ctx context.Context) (State, error) {
	info, err := l.stream.Info(ctx)
	if err != nil {
		return State{}, fmt.Errorf("stream: info: %w", err)
	}
	s := info.State
	return State{FirstSeq: s.FirstSeq, LastSeq: s.LastSeq, Msgs: s.Msgs, Bytes: s.Bytes}, nil
}
