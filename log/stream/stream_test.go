package stream_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/log/stream/streamtest"
)

func readN(t *testing.T, l *stream.Log, from uint64, n int) []stream.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sub, err := l.Subscribe(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Stop()
	var out []stream.Message
	for len(out) < n {
		select {
		case m, ok := <-sub.C():
			if !ok {
				t.Fatalf("subscription ended after %d of %d: %v", len(out), n, sub.Err())
			}
			out = append(out, m)
		case <-ctx.Done():
			t.Fatalf("read %d of %d messages before timeout", len(out), n)
		}
	}
	return out
}

func TestAppendAndReadBackInOrder(t *testing.T) {
	l := streamtest.Open(t, stream.Options{})
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		seq, err := l.Append(ctx, stream.Msg{Subject: stream.ObjectSubject("b1", fmt.Sprint("k", i)), Data: []byte(fmt.Sprint(i))})
		if err != nil || seq != uint64(i+1) {
			t.Fatalf("append %d: seq %d err %v", i, seq, err)
		}
	}
	got := readN(t, l, 3, 3)
	for i, m := range got {
		if m.Seq != uint64(3+i) || string(m.Data) != fmt.Sprint(2+i) {
			t.Fatalf("message %d = seq %d %q", i, m.Seq, m.Data)
		}
	}
	st, err := l.State(ctx)
	if err != nil || st.LastSeq != 5 || st.FirstSeq != 1 {
		t.Fatalf("state %+v err %v", st, err)
	}
}

func TestExpectPerSubjectAndWildcard(t *testing.T) {
	l := streamtest.Open(t, stream.Options{})
	ctx := context.Background()
	subj := stream.ObjectSubject("b1", "key")
	first, err := l.Append(ctx, stream.Msg{Subject: subj, Expect: &stream.Expect{Seq: 0}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(ctx, stream.Msg{Subject: subj, Expect: &stream.Expect{Seq: 0}}); !errors.Is(err, stream.ErrConflict) {
		t.Fatalf("second create-if-absent: %v, want ErrConflict", err)
	}
	if _, err := l.Append(ctx, stream.Msg{Subject: subj, Expect: &stream.Expect{Seq: first}}); err != nil {
		t.Fatalf("compare-and-swap at the right seq: %v", err)
	}
	// A guard on a wildcard: any object event of the bucket breaks it.
	bk := stream.BucketNameSubject("bucket")
	filter := stream.BucketObjectsFilter("b1")
	st, _ := l.State(ctx)
	if _, err := l.Append(ctx, stream.Msg{Subject: stream.ObjectSubject("b1", "other")}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(ctx, stream.Msg{Subject: bk, Expect: &stream.Expect{Seq: st.LastSeq, Subject: filter}}); !errors.Is(err, stream.ErrConflict) {
		t.Fatalf("stale wildcard guard: %v, want ErrConflict", err)
	}
	if _, err := l.Append(ctx, stream.Msg{Subject: bk, Expect: &stream.Expect{Seq: st.LastSeq + 1, Subject: filter}}); err != nil {
		t.Fatalf("fresh wildcard guard: %v", err)
	}
}

func TestCreateIfAbsentRaceHasOneWinner(t *testing.T) {
	l := streamtest.Open(t, stream.Options{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, conflicts := 0, 0
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := l.Append(context.Background(), stream.Msg{Subject: stream.BucketNameSubject("contested"), Expect: &stream.Expect{}})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, stream.ErrConflict):
				conflicts++
			default:
				t.Errorf("unexpected error %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || conflicts != 15 {
		t.Fatalf("wins %d conflicts %d, want 1 and 15", wins, conflicts)
	}
}

func TestDuplicateMsgIDStoredOnce(t *testing.T) {
	l := streamtest.Open(t, stream.Options{})
	ctx := context.Background()
	a, err := l.Append(ctx, stream.Msg{Subject: "s3.sys.test", ID: "same"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Append(ctx, stream.Msg{Subject: "s3.sys.test", ID: "same"})
	if err != nil || a != b {
		t.Fatalf("retry got seq %d (first %d), err %v", b, a, err)
	}
	if st, _ := l.State(ctx); st.Msgs != 1 {
		t.Fatalf("stream holds %d messages, want 1", st.Msgs)
	}
}

func TestAtomicAppendAllOrNothing(t *testing.T) {
	l := streamtest.Open(t, stream.Options{})
	ctx := context.Background()
	msgs := []stream.Msg{
		{Subject: stream.ObjectSubject("b", "1")},
		{Subject: stream.ObjectSubject("b", "2"), Expect: &stream.Expect{Seq: 42}}, // fails
		{Subject: stream.ObjectSubject("b", "3")},
	}
	if _, err := l.AppendAtomic(ctx, msgs); !errors.Is(err, stream.ErrConflict) {
		t.Fatalf("batch with a failing expectation: %v, want ErrConflict", err)
	}
	if st, _ := l.State(ctx); st.Msgs != 0 {
		t.Fatalf("failed batch left %d messages", st.Msgs)
	}
	msgs[1].Expect.Seq = 0
	seqs, err := l.AppendAtomic(ctx, msgs)
	if err != nil || len(seqs) != 3 || seqs[0] != 1 || seqs[2] != 3 {
		t.Fatalf("seqs %v err %v", seqs, err)
	}
}

// With one single allowed in flight, concurrent appends overflow into the
// batcher; every one of them is stored exactly once with its own sequence.
func TestOverflowIsGroupCommittedInAtomicBatches(t *testing.T) {
	l := streamtest.Open(t, stream.Options{Batch: true, MaxInflight: 1, MinBatch: 2})
	const n = 400
	var wg sync.WaitGroup
	seqs := make([]uint64, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			seq, err := l.Append(context.Background(), stream.Msg{Subject: stream.ObjectSubject("b", fmt.Sprint(i)), Data: []byte(fmt.Sprint(i))})
			if err != nil {
				t.Errorf("append %d: %v", i, err)
			}
			seqs[i] = seq
		}(i)
	}
	wg.Wait()
	sort.Slice(seqs, func(a, b int) bool { return seqs[a] < seqs[b] })
	for i, s := range seqs {
		if s != uint64(i+1) {
			t.Fatalf("sequences are not 1..%d: %v", n, seqs[:i+1])
		}
	}
	st := l.Stats()
	if st.Batches == 0 || st.Batched+st.Singles != n {
		t.Fatalf("stats %+v: want some atomic batches and %d events in all", st, n)
	}
	got := readN(t, l, 1, n)
	seen := map[string]bool{}
	for _, m := range got {
		seen[string(m.Data)] = true
	}
	if len(seen) != n {
		t.Fatalf("read back %d distinct events, want %d", len(seen), n)
	}
}

func TestAppendAfterCloseFails(t *testing.T) {
	l, err := stream.Open(context.Background(), stream.Options{Embedded: stream.EmbeddedOptions{Dir: t.TempDir()}, Batch: true})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if _, err := l.Append(context.Background(), stream.Msg{Subject: "s3.sys.x"}); err == nil {
		t.Fatal("append after close succeeded")
	}
}
