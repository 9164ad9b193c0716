package stream

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrStopped is returned by Pull.Next once the pull was stopped.
var ErrStopped = errors.New("stream: pull stopped")

// DurableOptions configures a durable pull consumer: a reader whose
// position (the ack floor and the acknowledged messages above it) the
// server keeps, so that a restarted reader resumes where it stopped.
type DurableOptions struct {
	Name    string   // consumer name: letters, digits, '-' and '_'
	Filters []string // subjects it reads
	// AckWait is how long the server waits for an ack (or an InProgress)
	// before it redelivers a message; BackOff, when set, replaces it with
	// growing delays per redelivery. Both are a safety net: readers that
	// hold messages on purpose send InProgress.
	AckWait       time.Duration
	BackOff       []time.Duration
	MaxAckPending int // delivered but unacknowledged messages at most
	// Group pins the consumer to one puller at a time (JetStream's pinned
	// client priority policy): with several processes pulling, only one
	// gets messages until it stops pulling for PinnedTTL.
	Group     string
	PinnedTTL time.Duration
}

// Durable is a durable pull consumer with explicit acks. On creation it
// starts at the stream's next message; nothing is ever redelivered past
// MaxDeliver (unlimited).
type Durable struct {
	l     *Log
	cons  jetstream.Consumer
	name  string
	group string
}

// Durable creates (or updates) and returns a durable consumer.
func (l *Log) Durable(ctx context.Context, o DurableOptions) (*Durable, error) {
	cfg := jetstream.ConsumerConfig{
		Durable:        o.Name,
		Description:    "cairn: " + strings.Join(o.Filters, " "),
		DeliverPolicy:  jetstream.DeliverNewPolicy,
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        o.AckWait,
		BackOff:        o.BackOff,
		MaxDeliver:     -1,
		MaxAckPending:  o.MaxAckPending,
		FilterSubjects: o.Filters,
	}
	if o.Group != "" {
		cfg.PriorityPolicy = jetstream.PriorityPolicyPinned
		cfg.PriorityGroups = []string{o.Group}
		cfg.PinnedTTL = o.PinnedTTL
	}
	cons, err := l.js.CreateOrUpdateConsumer(ctx, l.name, cfg)
	if err != nil {
		return nil, fmt.Errorf("stream: consumer %s: %w", o.Name, err)
	}
	return &Durable{l: l, cons: cons, name: o.Name, group: o.Group}, nil
}

// Reset makes the consumer deliver again from its ack floor + 1, in stream
// order, forgetting what it delivered above the floor (acknowledged or
// not). A reader calls it before it starts pulling, so that messages a
// previous reader held unacknowledged come back at once and in order,
// instead of after AckWait and behind newer ones. Messages acknowledged
// above the floor are delivered again: readers are at-least-once.
func (d *Durable) Reset(ctx context.Context) (floor uint64, err error) {
	// NB: the flush makes sure the server has processed the UNSUB of a
	// stopped pull before the reset re-delivers anything.
	if err := d.l.flush(ctx); err != nil {
		return 0, fmt.Errorf("stream: reset consumer %s: flush: %w", d.name, err)
	}
	r, err := d.l.js.ResetConsumer(ctx, d.l.name, d.name)
	if err != nil {
		return 0, fmt.Errorf("stream: reset consumer %s: %w", d.name, err)
	}
	return r.ResetSeq - 1, nil
}

// Pending returns how many messages wait to be delivered and how many are
// delivered but not yet acknowledged.
func (d *Durable) Pending(ctx context.Context) (pending, unacked uint64, err error) {
	info, err := d.cons.Info(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("stream: consumer %s info: %w", d.name, err)
	}
	return info.NumPending, uint64(info.NumAckPending), nil
}

// Pull starts fetching messages; max bounds how many are buffered ahead.
func (d *Durable) Pull(max int) (*Pull, error) {
	opts := []jetstream.PullMessagesOpt{jetstream.PullMaxMessages(max)}
	if d.group != "" {
		opts = append(opts, jetstream.PullPriorityGroup(d.group))
	}
	mc, err := d.cons.Messages(opts...)
	if err != nil {
		return nil, fmt.Errorf("stream: pull %s: %w", d.name, err)
	}
	return &Pull{mc: mc}, nil
}

// Pull is one run of fetching from a durable consumer. One goroutine calls
// Next; Stop may be called from any.
type Pull struct {
	mc jetstream.MessagesContext
}

// Delivery is one message as delivered by a durable consumer.
type Delivery struct {
	Message
	Delivered uint64 // how many times it was delivered, this time included
	PinID     string // the pinned puller's id, when the consumer has a group
	msg       jetstream.Msg
}

// Next blocks until the next message; ErrStopped after Stop.
func (p *Pull) Next() (*Delivery, error) {
	m, err := p.mc.Next()
	if err != nil {
		if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
			return nil, ErrStopped
		}
		return nil, fmt.Errorf("stream: pull: %w", err)
	}
	md, err := m.Metadata()
	if err != nil {
		return nil, fmt.Errorf("stream: metadata: %w", err)
	}
	return &Delivery{Message: Message{Seq: md.Sequence.Stream, Subject: m.Subject(), Data: m.Data()},
		Delivered: md.NumDelivered, PinID: m.Headers().Get("Nats-Pin-Id"), msg: m}, nil
}

// Stop ends the pull. It does not wait: Next goes on returning what was
// already buffered, then ErrStopped once the pull's subscription is gone
// from the server (its waiting pull requests, which the server checks for
// interest, can then never receive anything again). Call Next until it
// says ErrStopped before a Reset. Messages not acknowledged are
// redelivered later, or at once after a Reset.
func (p *Pull) Stop() { p.mc.Drain() }

// Ack acknowledges the message: the consumer will not deliver it again.
func (d *Delivery) Ack() error { return d.msg.Ack() }

// InProgress tells the server the message is still being worked on, which
// restarts its AckWait.
func (d *Delivery) InProgress() error { return d.msg.InProgress() }

// Publish sends data on a plain NATS subject with core NATS (no storage,
// no acknowledgement from a consumer), and returns once the server has it
// (a flush round trip on the log's connection). Subjects of the event
// stream are refused: nothing but the engine appends events. hdr may be nil.
func (l *Log) Publish(ctx context.Context, subject string, hdr map[string]string, data []byte) error {
	if err := CheckPublishSubject(subject); err != nil {
		return err
	}
	m := nats.NewMsg(subject)
	m.Data = data
	for k, v := range hdr {
		m.Header.Set(k, v)
	}
	if err := l.nc.PublishMsg(m); err != nil {
		return fmt.Errorf("stream: publish %s: %w", subject, err)
	}
	if err := l.flush(ctx); err != nil {
		return fmt.Errorf("stream: publish %s: flush: %w", subject, err)
	}
	return nil
}

// CheckPublishSubject says whether Publish accepts subject: a literal NATS
// subject (no wildcards, no empty tokens) outside the event stream's "s3.>"
// and outside the server's own "$..." subjects (the JetStream API among them).
func CheckPublishSubject(subject string) error {
	if subject == "" || strings.ContainsAny(subject, " \t\r\n*>") {
		return fmt.Errorf("stream: %q is not a literal NATS subject", subject)
	}
	for _, tok := range strings.Split(subject, ".") {
		if tok == "" {
			return fmt.Errorf("stream: %q has an empty token", subject)
		}
	}
	if subject == "s3" || strings.HasPrefix(subject, "s3.") {
		return fmt.Errorf("stream: %q belongs to the event log (s3.>)", subject)
	}
	if strings.HasPrefix(subject, "$") || strings.HasPrefix(subject, "_INBOX.") {
		return fmt.Errorf("stream: %q is a NATS system subject", subject)
	}
	return nil
}

// flush waits until the server has processed everything sent on the
// connection so far (10s at most when ctx has no deadline).
func (l *Log) flush(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	return l.nc.FlushWithContext(ctx)
}
