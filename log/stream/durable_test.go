package stream_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/log/stream/streamtest"
)

func next(t *testing.T, p *stream.Pull) *stream.Delivery {
	t.Helper()
	d, err := p.Next()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A durable consumer starts at the next new message, filters, and after a
// Reset delivers again from its ack floor in stream order, at once.
func TestDurableResetRedeliversFromAckFloorInOrder(t *testing.T) {
	l := streamtest.Open(t, stream.Options{})
	ctx := context.Background()
	if _, err := l.Append(ctx, stream.Msg{Subject: stream.ObjectSubject("b", "before")}); err != nil {
		t.Fatal(err)
	}
	d, err := l.Durable(ctx, stream.DurableOptions{Name: "t", Filters: []string{"s3.ev.>"}, AckWait: time.Minute,
		MaxAckPending: 100, Group: "g", PinnedTTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6; i++ {
		subj := stream.ObjectSubject("b", fmt.Sprint(i))
		if i == 3 {
			subj = stream.BucketConfigSubject("b") // filtered out
		}
		if _, err := l.Append(ctx, stream.Msg{Subject: subj, Data: []byte(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
	waitCounts(t, d, 5, 0)
	p, err := d.Pull(10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := 0; i < 5; i++ {
		m := next(t, p)
		got = append(got, string(m.Data))
		if m.PinID == "" || m.Delivered != 1 {
			t.Fatalf("delivery %+v: want a pin id and a first delivery", m)
		}
		if string(m.Data) == "0" || string(m.Data) == "2" { // acks above the floor are forgotten by a reset
			if err := m.Ack(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if fmt.Sprint(got) != "[0 1 2 4 5]" {
		t.Fatalf("delivered %v", got)
	}
	p.Stop()
	if _, err := p.Next(); !errors.Is(err, stream.ErrStopped) {
		t.Fatalf("Next after Stop and nothing buffered: %v", err)
	}
	waitCounts(t, d, 0, 3) // acks are asynchronous: wait until the server has both
	floor, err := d.Reset(ctx)
	if err != nil || floor != 2 { // seq 2 ("0") acked; seq 3 ("1") not
		t.Fatalf("reset: floor %d err %v", floor, err)
	}
	p, err = d.Pull(10)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	got = got[:0]
	for i := 0; i < 4; i++ {
		m := next(t, p)
		got = append(got, string(m.Data))
		if err := m.Ack(); err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(got) != "[1 2 4 5]" {
		t.Fatalf("after reset delivered %v", got)
	}
	waitCounts(t, d, 0, 0)
}

func TestPublishStaysOutOfTheLog(t *testing.T) {
	l := streamtest.Open(t, stream.Options{})
	ctx := context.Background()
	for _, bad := range []string{"s3.ev.x", "s3", "a.*", "a.>", "", "a..b", "$JS.API.STREAM.DELETE.CAIRN", "with space"} {
		if err := l.Publish(ctx, bad, nil, []byte("x")); err == nil {
			t.Errorf("published on %q", bad)
		}
	}
	if err := l.Publish(ctx, "cairn.events", map[string]string{"Nats-Msg-Id": "x"}, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if st, _ := l.State(ctx); st.Msgs != 0 {
		t.Fatalf("a core publish reached the event log: %+v", st)
	}
}

func TestSubscribeWithFilterAndStartTime(t *testing.T) {
	l := streamtest.Open(t, stream.Options{})
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := l.Append(ctx, stream.Msg{Subject: stream.ObjectSubject("a", fmt.Sprint(i)), Data: []byte("old")}); err != nil {
			t.Fatal(err)
		}
	}
	mid := time.Now()
	for _, b := range []string{"a", "b", "a"} {
		if _, err := l.Append(ctx, stream.Msg{Subject: stream.ObjectSubject(b, "k"), Data: []byte("new " + b)}); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := l.SubscribeWith(ctx, stream.SubscribeOptions{Since: mid, Filters: []string{stream.BucketObjectsFilter("a")}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Stop()
	for _, want := range []uint64{4, 6} {
		select {
		case m := <-sub.C():
			if m.Seq != want || string(m.Data) != "new a" {
				t.Fatalf("got seq %d %q, want seq %d", m.Seq, m.Data, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("timeout")
		}
	}
}

// waitCounts waits until the consumer counts pending messages waiting
// and unacked delivered but not acknowledged: the server updates them
// after it acknowledges the appends, and acks are asynchronous.
func waitCounts(t *testing.T, d *stream.Durable, pending, unacked uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p, u, err := d.Pending(context.Background())
		if err == nil && p == pending && u == unacked {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pending %d unacked %d err %v, want %d and %d", p, u, err, pending, unacked)
		}
		<-time.After(5 * time.Millisecond)
	}
}
