package notify

import (
	"container/heap"
	"context"
	"math/rand/v2"
	"time"

	"github.com/cairnstore/cairn/log/stream"
)

// worker delivers the events of the keys hashed to it, one at a time. Each
// key has its own queue in stream order: an event is attempted only when
// every earlier event of its key was delivered, so per-key order holds. A
// key whose head event fails waits out an exponential backoff on its own;
// the worker goes on with its other keys meanwhile.
type worker struct {
	d     *deliverer
	inbox chan *stream.Delivery
	keys  map[string]*keyQueue // by subject: bucket incarnation and key
	ready []string             // keys whose head event may be attempted now
	later retryHeap            // keys backing off, by due time
}

// keyQueue holds a key's undelivered events, in stream order.
type keyQueue struct {
	subject  string
	msgs     []*stream.Delivery
	attempts int       // failed attempts of the head event
	due      time.Time // when backing off: the next attempt
}

func newWorker(d *deliverer) *worker {
	return &worker{d: d, inbox: make(chan *stream.Delivery, 64), keys: map[string]*keyQueue{}}
}

func (w *worker) run(ctx context.Context) {
	// NB: held events are reported in progress well within AckWait so
	// that the server never redelivers one behind a newer event.
	beat := time.NewTicker(w.d.s.o.AckWait / 3)
	defer beat.Stop()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for ctx.Err() == nil {
		w.wake(time.Now())
		if len(w.ready) > 0 {
			w.take()
			w.attempt(ctx)
			select {
			case <-beat.C:
				w.heartbeat()
			default:
			}
			continue
		}
		var due <-chan time.Time
		if len(w.later) > 0 {
			timer.Reset(time.Until(w.later[0].due))
			due = timer.C
		}
		select {
		case m := <-w.inbox:
			w.add(m)
		case <-due:
		case <-beat.C:
			w.heartbeat()
		case <-ctx.Done():
		}
	}
}

// take queues every event already waiting in the inbox, so that they are
// ordered behind what is held.
func (w *worker) take() {
	for {
		select {
		case m := <-w.inbox:
			w.add(m)
		default:
			return
		}
	}
}

// add queues m behind the earlier events of its key. A redelivery of an
// event already held replaces it (its ack goes to the newest delivery).
func (w *worker) add(m *stream.Delivery) {
	q, ok := w.keys[m.Subject]
	if !ok {
		w.keys[m.Subject] = &keyQueue{subject: m.Subject, msgs: []*stream.Delivery{m}}
		w.ready = append(w.ready, m.Subject)
		return
	}
	i := len(q.msgs)
	for i > 0 && q.msgs[i-1].Seq >= m.Seq {
		i--
	}
	if i < len(q.msgs) && q.msgs[i].Seq == m.Seq {
		q.msgs[i] = m
		return
	}
	q.msgs = append(q.msgs, nil)
	copy(q.msgs[i+1:], q.msgs[i:])
	q.msgs[i] = m
}

// attempt delivers the head event of the first ready key.
func (w *worker) attempt(ctx context.Context) {
	subject := w.ready[0]
	w.ready = w.ready[1:]
	q := w.keys[subject]
	m := q.msgs[0]
	err := w.d.deliver(ctx, m)
	if ctx.Err() != nil {
		return // stopping: the event stays unacknowledged
	}
	if err != nil {
		q.attempts++
		w.d.failures.Inc()
		if q.attempts == 1 || q.attempts&(q.attempts-1) == 0 { // 1, 2, 4, 8...: do not flood the log
			w.d.s.o.Logger.Warn("notification not delivered; retrying", "target", w.d.t.ID(), "seq", m.Seq,
				"attempts", q.attempts, "err", err)
		}
		q.due = time.Now().Add(w.backoff(q.attempts))
		heap.Push(&w.later, q)
		return
	}
	if err := m.Ack(); err != nil {
		// The event may come again (at-least-once); nothing is lost.
		w.d.s.o.Logger.Debug("ack failed", "target", w.d.t.ID(), "seq", m.Seq, "err", err)
	}
	q.msgs, q.attempts = q.msgs[1:], 0
	if len(q.msgs) == 0 {
		delete(w.keys, subject)
		return
	}
	w.ready = append(w.ready, subject)
}

// backoff is the delay before attempt n+1: RetryMin doubling per failure
// up to RetryMax, with ±20% jitter so that keys do not retry in lockstep.
func (w *worker) backoff(failures int) time.Duration {
	t := w.d.s.o.Tuning
	d := t.RetryMin
	for i := 1; i < failures && d < t.RetryMax; i++ {
		d *= 2
	}
	d = min(d, t.RetryMax)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// wake moves keys whose backoff is over to the ready list.
func (w *worker) wake(now time.Time) {
	for len(w.later) > 0 && !w.later[0].due.After(now) {
		q := heap.Pop(&w.later).(*keyQueue)
		w.ready = append(w.ready, q.subject)
	}
}

// heartbeat tells the server every held event is still being worked on.
func (w *worker) heartbeat() {
	for _, q := range w.keys {
		for _, m := range q.msgs {
			_ = m.InProgress()
		}
	}
}

// retryHeap orders backing-off keys by due time.
type retryHeap []*keyQueue

func (h retryHeap) Len() int           { return len(h) }
func (h retryHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h retryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *retryHeap) Push(x any)        { *h = append(*h, x.(*keyQueue)) }
func (h *retryHeap) Pop() any {
	old := *h
	q := old[len(old)-1]
	*h = old[:len(old)-1]
	return q
}
