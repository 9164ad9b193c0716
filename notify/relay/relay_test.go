package relay

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/log/stream/streamtest"
)

func TestBackoffDoublesToTheCapWithJitter(t *testing.T) {
	r := &Relay{o: Options{Tuning: Tuning{RetryMin: 100 * time.Millisecond, RetryMax: time.Second}}}
	for n, base := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond,
		5: time.Second, 30: time.Second} {
		for i := 0; i < 50; i++ {
			if d := r.backoff(n); d < base*8/10 || d > base*12/10 {
				t.Fatalf("backoff after %d failures = %s, want %s ±20%%", n, d, base)
			}
		}
	}
}

// start runs a relay over every object subject with fast retries.
func start(t *testing.T, l *stream.Log, handle func(context.Context, *stream.Delivery) error, barrier func(*stream.Delivery) bool) *Relay {
	t.Helper()
	r, err := Start(context.Background(), Options{Log: l, Name: "t", Filters: []string{"s3.ev.>", "s3.bc.>"}, Handle: handle,
		Barrier: barrier, Tuning: Tuning{Workers: 3, RetryMin: time.Millisecond, RetryMax: 5 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// journal records handled events in order.
type journal struct {
	mu   sync.Mutex
	seqs []uint64
	done chan struct{}
	want int
}

func (j *journal) add(seq uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seqs = append(j.seqs, seq)
	if len(j.seqs) == j.want {
		close(j.done)
	}
}

func (j *journal) wait(t *testing.T) []uint64 {
	t.Helper()
	select {
	case <-j.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("handled %d of %d events", len(j.seqs), j.want)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]uint64(nil), j.seqs...)
}

func appendN(t *testing.T, l *stream.Log, subjects ...string) []uint64 {
	t.Helper()
	var seqs []uint64
	for i, s := range subjects {
		seq, err := l.Append(context.Background(), stream.Msg{Subject: s, Data: []byte(fmt.Sprint(i))})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, seq)
	}
	return seqs
}

// Every event is handled, failures are retried, and events of one subject
// are handled in stream order even when earlier ones fail for a while.
func TestRelayRetriesAndKeepsSubjectOrder(t *testing.T) {
	l := streamtest.Open(t, stream.Options{})
	var subjects []string
	for i := 0; i < 60; i++ {
		subjects = append(subjects, stream.ObjectSubject("b", fmt.Sprint("k", i%4)))
	}
	j := &journal{done: make(chan struct{}), want: len(subjects)}
	var mu sync.Mutex
	fails := map[uint64]int{}
	last := map[string]uint64{}
	var disorder []string
	start(t, l, func(_ context.Context, m *stream.Delivery) error {
		mu.Lock()
		defer mu.Unlock()
		if m.Seq%7 == 0 && fails[m.Seq] < 2 { // some events fail twice first
			fails[m.Seq]++
			return errors.New("refused")
		}
		if m.Seq <= last[m.Subject] {
			disorder = append(disorder, fmt.Sprintf("%d after %d", m.Seq, last[m.Subject]))
		}
		last[m.Subject] = m.Seq
		j.add(m.Seq)
		return nil
	}, nil)
	appendN(t, l, subjects...)
	got := j.wait(t)
	mu.Lock()
	defer mu.Unlock()
	if len(disorder) > 0 || len(got) != len(subjects) {
		t.Fatalf("handled %d of %d; out of order: %v", len(got), len(subjects), disorder)
	}
}

// A barrier event is handled after every earlier event and before any
// later one, even while an earlier event is still being worked on.
func TestRelayBarrierSeparatesBeforeFromAfter(t *testing.T) {
	l := streamtest.Open(t, stream.Options{})
	subjects := []string{}
	for i := 0; i < 10; i++ {
		subjects = append(subjects, stream.ObjectSubject("b", fmt.Sprint("k", i)))
	}
	subjects = append(subjects, stream.BucketConfigSubject("b"))
	for i := 0; i < 10; i++ {
		subjects = append(subjects, stream.ObjectSubject("b", fmt.Sprint("k", i)))
	}
	j := &journal{done: make(chan struct{}), want: len(subjects)}
	gate, nine := make(chan struct{}), make(chan struct{})
	const slow, barrierSeq = 2, 11 // the stream is new: sequences start at 1
	start(t, l, func(ctx context.Context, m *stream.Delivery) error {
		switch m.Seq {
		case slow:
			select { // held until the test has seen later events handled
			case <-gate:
			case <-ctx.Done():
				return ctx.Err()
			}
		case slow + 8:
			close(nine)
		}
		j.add(m.Seq)
		return nil
	}, func(m *stream.Delivery) bool { return m.Subject == stream.BucketConfigSubject("b") })
	seqs := appendN(t, l, subjects...)
	if seqs[0] != 1 || seqs[10] != barrierSeq {
		t.Fatalf("unexpected sequences %v", seqs)
	}
	<-nine // an event dispatched after the slow one was handled meanwhile
	close(gate)
	got := j.wait(t)
	pos := slices.Index(got, barrierSeq)
	for i, s := range got {
		if (i < pos) != (s < barrierSeq) {
			t.Fatalf("barrier %d not between earlier and later events: %v", barrierSeq, got)
		}
	}
}
