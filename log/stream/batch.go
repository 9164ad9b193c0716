package stream

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"
)

// maxBatch is JetStream's limit of messages in one atomic batch.
const maxBatch = 1000

// batcher gathers appends that overflow the singles in flight and commits
// them as atomic batches (see the package comment).
type batcher struct {
	l        *Log
	minBatch int
	wake     chan struct{}
	stop     chan struct{}
	done     chan struct{}

	mu struct {
		sync.Mutex
		queue  []*pending
		closed bool
	}
}

type pending struct {
	m    Msg
	seq  uint64
	err  error
	done chan struct{}
}

func newBatcher(l *Log, minBatch int) *batcher {
	b := &batcher{l: l, minBatch: minBatch, wake: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{})}
	go b.loop()
	return b
}

func (b *batcher) append(ctx context.Context, m Msg) (uint64, error) {
	p := &pending{m: m, done: make(chan struct{})}
	b.mu.Lock()
	if b.mu.closed {
		b.mu.Unlock()
		return 0, ErrClosed
	}
	b.mu.queue = append(b.mu.queue, p)
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
	select {
	case <-p.done:
		return p.seq, p.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (b *batcher) close() {
	b.mu.Lock()
	if b.mu.closed {
		b.mu.Unlock()
		return
	}
	b.mu.closed = true
	b.mu.Unlock()
	close(b.stop)
	<-b.done
}

func (b *batcher) take() []*pending {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := min(len(b.mu.queue), maxBatch)
	q := b.mu.queue[:n:n]
	b.mu.queue = b.mu.queue[n:]
	return q
}

func (b *batcher) loop() {
	defer close(b.done)
	for {
		select {
		case <-b.wake:
		case <-b.stop:
			// Commit what was queued before close, then refuse.
			for q := b.take(); len(q) > 0; q = b.take() {
				b.commit(q)
			}
			return
		}
		for q := b.take(); len(q) > 0; q = b.take() {
			b.commit(q)
		}
	}
}

func (b *batcher) commit(q []*pending) {
	ctx := context.Background()
	if len(q) < b.minBatch {
		b.pipelineSingles(q)
		return
	}
	msgs := make([]Msg, len(q))
	for i, p := range q {
		msgs[i] = p.m
	}
	seqs, err := b.l.publishAtomic(ctx, msgs)
	for i, p := range q {
		if err == nil {
			p.seq = seqs[i]
		}
		p.err = err
		close(p.done)
	}
}

// pipelineSingles publishes a short queue as concurrent single publishes:
// below MinBatch they are cheaper than an atomic batch's staging.
func (b *batcher) pipelineSingles(q []*pending) {
	var wg sync.WaitGroup
	for _, p := range q {
		wg.Add(1)
		go func(p *pending) {
			defer wg.Done()
			p.seq, p.err = b.l.publish(context.Background(), p.m)
			close(p.done)
		}(p)
	}
	wg.Wait()
}

// batchReply is JetStream's answer to an atomic batch commit.
type batchReply struct {
	Stream string `json:"stream"`
	Seq    uint64 `json:"seq"`
	Batch  string `json:"batch"`
	Count  int    `json:"count"`
	Error  *struct {
		Code        int    `json:"code"`
		ErrCode     int    `json:"err_code"`
		Description string `json:"description"`
	} `json:"error"`
}

// publishAtomic publishes msgs as one JetStream atomic batch. nats.go has no
// helper for it: the protocol is headers on plain publishes, the last one
// carrying Nats-Batch-Commit and a reply subject.
func (l *Log) publishAtomic(ctx context.Context, msgs []Msg) ([]uint64, error) {
	if len(msgs) == 0 || len(msgs) > maxBatch {
		return nil, fmt.Errorf("stream: atomic batch of %d messages (1..%d)", len(msgs), maxBatch)
	}
	id := nuid.Next()
	var reply *nats.Msg
	for i, m := range msgs {
		nm := natsMsg(m)
		nm.Header.Set("Nats-Batch-Id", id)
		nm.Header.Set("Nats-Batch-Sequence", strconv.Itoa(i+1))
		if i < len(msgs)-1 {
			if err := l.nc.PublishMsg(nm); err != nil {
				return nil, mapErr(err)
			}
			continue
		}
		nm.Header.Set("Nats-Batch-Commit", "1")
		var err error
		if reply, err = l.nc.RequestMsgWithContext(ctx, nm); err != nil {
			return nil, mapErr(err)
		}
	}
	var r batchReply
	if err := json.Unmarshal(reply.Data, &r); err != nil {
		return nil, fmt.Errorf("stream: atomic batch reply %q: %w", reply.Data, err)
	}
	if r.Error != nil {
		err := fmt.Errorf("stream: atomic batch: %s (err_code %d)", r.Error.Description, r.Error.ErrCode)
		if isConflictCode(r.Error.ErrCode) {
			return nil, fmt.Errorf("%w: %v", ErrConflict, err)
		}
		return nil, err
	}
	if r.Count != len(msgs) || r.Seq < uint64(len(msgs)) {
		return nil, fmt.Errorf("stream: atomic batch stored %d of %d messages (seq %d)", r.Count, len(msgs), r.Seq)
	}
	l.stats.batches.Add(1)
	l.stats.batched.Add(uint64(len(msgs)))
	seqs := make([]uint64, len(msgs))
	for i := range msgs {
		seqs[i] = r.Seq - uint64(len(msgs)-1-i)
	}
	return seqs, nil
}
