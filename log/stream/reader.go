package stream

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Message is one stored event as read back.
type Message struct {
	Seq     uint64
	Subject string
	Data    []byte
}

// Subscription delivers stored events in stream order from a start
// sequence, then follows new ones. It keeps no state in the server (an
// ordered consumer): the reader's position lives with the reader.
type Subscription struct {
	ch   chan Message
	errc chan error
	mc   jetstream.MessagesContext
	done chan struct{}
}

// Subscribe starts reading at sequence from (>= 1).
func (l *Log) Subscribe(ctx context.Context, from uint64) (*Subscription, error) {
	return l.SubscribeWith(ctx, SubscribeOptions{From: max(from, 1)})
}

// SubscribeOptions says where a subscription starts and what it reads.
type SubscribeOptions struct {
	From    uint64    // first sequence; when 0, Since or else the next new event
	Since   time.Time // the first event stored at or after this time
	Filters []string  // subjects to read; all when empty
}

// SubscribeWith starts an ordered, stateless reader as o says.
func (l *Log) SubscribeWith(ctx context.Context, o SubscribeOptions) (*Subscription, error) {
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: o.Filters, DeliverPolicy: jetstream.DeliverNewPolicy}
	switch {
	case o.From > 0:
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, o.From
	case !o.Since.IsZero():
		since := o.Since
		cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &since
	}
	cons, err := l.js.OrderedConsumer(ctx, l.name, cfg)
	if err != nil {
		return nil, fmt.Errorf("stream: consumer: %w", err)
	}
	mc, err := cons.Messages(jetstream.PullMaxMessages(2048))
	if err != nil {
		return nil, fmt.Errorf("stream: consume: %w", err)
	}
	s := &Subscription{ch: make(chan Message, 4096), errc: make(chan error, 1), mc: mc, done: make(chan struct{})}
	go s.pump()
	return s, nil
}

func (s *Subscription) pump() {
	defer close(s.done)
	for {
		m, err := s.mc.Next()
		if err != nil {
			if !errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				s.errc <- fmt.Errorf("stream: read: %w", err)
			}
			close(s.ch)
			return
		}
		md, err := m.Metadata()
		if err != nil {
			s.errc <- fmt.Errorf("stream: metadata: %w", err)
			close(s.ch)
			return
		}
		s.ch <- Message{Seq: md.Sequence.Stream, Subject: m.Subject(), Data: m.Data()}
	}
}

// C delivers messages; it is closed when the subscription stops, after which
// Err tells why (nil after Stop).
func (s *Subscription) C() <-chan Message { return s.ch }

// Err returns the error that ended the subscription, if any.
func (s *Subscription) Err() error {
	select {
	case err := <-s.errc:
		return err
	default:
		return nil
	}
}

// Stop ends the subscription and waits for its goroutine.
func (s *Subscription) Stop() {
	s.mc.Stop()
	// Drain so the pump is never blocked on a full channel.
	for range s.ch {
	}
	<-s.done
}
