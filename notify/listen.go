package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
)

// ErrNoSuchBucket: a live subscription names a bucket that does not exist.
var ErrNoSuchBucket = errors.New("notify: no such bucket")

// ListenConfigurationID is the configurationId of records sent to live
// subscriptions (they are not the product of a configuration).
const ListenConfigurationID = "cairn-listen"

// ListenOptions selects a live subscription's events.
type ListenOptions struct {
	Bucket string
	Filter Filter
	// FromSeq starts at a stream sequence (a record's cairn.seq + 1 resumes
	// after it), else Since at the first event stored at or after a time,
	// else at the next event committed.
	FromSeq uint64
	Since   time.Time
}

// Listen is a live subscription to a bucket's events: an ordered reader of
// the log from the chosen point, filtered, that keeps no state in the
// server. Each value on C is one Document (JSON).
type Listen struct {
	ch     chan []byte
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	err    error
}

// Listen starts a live subscription. It ends when ctx ends, on Close, or
// when the service stops listening.
func (s *Service) Listen(ctx context.Context, o ListenOptions) (*Listen, error) {
	b, found, err := s.o.Index.Bucket(o.Bucket)
	if err != nil {
		return nil, err
	}
	if !found || b.Deleted {
		return nil, ErrNoSuchBucket
	}
	ctx, cancel := context.WithCancel(ctx)
	stopWithService := context.AfterFunc(s.listens, cancel)
	sub, err := s.o.Log.SubscribeWith(ctx, stream.SubscribeOptions{From: o.FromSeq, Since: o.Since,
		Filters: []string{stream.BucketObjectsFilter(b.ID)}})
	if err != nil {
		stopWithService()
		cancel()
		return nil, err
	}
	l := &Listen{ch: make(chan []byte, 64), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		defer stopWithService()
		defer sub.Stop()
		defer close(l.ch)
		l.setErr(l.pump(ctx, sub, o.Filter, b.Owner, s.o.Region))
	}()
	return l, nil
}

func (l *Listen) pump(ctx context.Context, sub *stream.Subscription, f Filter, owner, region string) error {
	for {
		select {
		case m, ok := <-sub.C():
			if !ok {
				return sub.Err()
			}
			ev, err := event.Decode(m.Data)
			if err != nil {
				return fmt.Errorf("notify: listen: event at seq %d: %w", m.Seq, err)
			}
			ev.Seq = m.Seq
			name := EventName(ev)
			if name == "" || !f.Match(name, ev.Key) {
				continue
			}
			doc, err := Encode(NewRecord(ev, name, ListenConfigurationID, owner, region))
			if err != nil {
				return err
			}
			select {
			case l.ch <- doc:
			case <-ctx.Done():
				return nil
			}
		case <-ctx.Done():
			return nil
		}
	}
}

func (l *Listen) setErr(err error) {
	l.mu.Lock()
	l.err = err
	l.mu.Unlock()
}

// C delivers documents; it is closed when the subscription ends.
func (l *Listen) C() <-chan []byte { return l.ch }

// Err is why the subscription ended (nil when it was asked to).
func (l *Listen) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// Close ends the subscription and waits for it.
func (l *Listen) Close() {
	l.cancel()
	for range l.ch {
	}
	<-l.done
}
