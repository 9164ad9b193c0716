package engine

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
)

func (te *testEngine) onePartUpload(t *testing.T, key string) (id string, parts []CompletePart) {
	t.Helper()
	id = te.create(t, key, "", "")
	r := te.part(t, key, id, 1, []byte("data of "+key), Checksum{})
	return id, []CompletePart{{Number: 1, ETag: r.ETag}}
}

func TestCompleteAndAbortExcludeEachOther(t *testing.T) {
	te := newTestEngine(t, 1)
	id, parts := te.onePartUpload(t, "a")
	if err := te.AbortMultipartUpload(ctx, "bkt", "a", id, "AK"); err != nil {
		t.Fatal(err)
	}
	_, err := te.CompleteMultipartUpload(ctx, CompleteMultipartInput{Bucket: "bkt", Key: "a", UploadID: id, Parts: parts, ObjectSize: -1})
	if !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("complete after abort: %v", err)
	}
	id, parts = te.onePartUpload(t, "c")
	if _, err := te.CompleteMultipartUpload(ctx, CompleteMultipartInput{Bucket: "bkt", Key: "c", UploadID: id, Parts: parts, ObjectSize: -1}); err != nil {
		t.Fatal(err)
	}
	if err := te.AbortMultipartUpload(ctx, "bkt", "c", id, "AK"); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("abort after complete: %v", err)
	}
	if got := te.read(t, "c", 0); string(got) != "data of c" {
		t.Fatalf("object %q", got)
	}
}

// Racing two completions (a client and its retry) against an abort:
// either the abort wins and no completion succeeds, or it fails and the
// completions succeed; a completion answers success exactly when its
// object is there.
func TestRacingCompleteAbortHasOneWinner(t *testing.T) {
	te := newTestEngine(t, 1)
	for i := 0; i < 20; i++ {
		key := fmt.Sprint("race-", i)
		id, parts := te.onePartUpload(t, key)
		in := CompleteMultipartInput{Bucket: "bkt", Key: key, UploadID: id, Parts: parts, ObjectSize: -1}
		var wg sync.WaitGroup
		errs := make([]error, 3)
		wg.Add(3)
		go func() { defer wg.Done(); _, errs[0] = te.CompleteMultipartUpload(ctx, in) }()
		go func() { defer wg.Done(); _, errs[1] = te.CompleteMultipartUpload(ctx, in) }()
		go func() { defer wg.Done(); errs[2] = te.AbortMultipartUpload(ctx, "bkt", key, id, "AK") }()
		wg.Wait()
		for _, err := range errs {
			if err != nil && !errors.Is(err, ErrNoSuchUpload) {
				t.Fatalf("%s: unexpected %v", key, err)
			}
		}
		_, _, err := te.HeadObject(ctx, ReadInput{Bucket: "bkt", Key: key})
		completed := errs[0] == nil || errs[1] == nil
		if completed == (errs[2] == nil) || completed != (err == nil) {
			t.Fatalf("%s: complete %v, complete %v, abort %v; object: %v", key, errs[0], errs[1], errs[2], err)
		}
	}
}

// appendRaw appends an event as another gateway would, unguarded.
func (te *testEngine) appendRaw(t *testing.T, subject, key string, p event.Payload) uint64 {
	t.Helper()
	b, err := te.bucket(ctx, "bkt")
	if err != nil {
		t.Fatal(err)
	}
	ev := &event.Event{Header: te.header(ctx, "AK"), Payload: p}
	ev.Bucket, ev.BucketID, ev.Key = "bkt", b.id, key
	seq, err := te.appendEvent(ctx, subject, ev, nil)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// When a later write to the key hides whether a completion made its
// object, the engine looks for an abort in the log between what it had
// seen of the upload and its completion.
func TestCompletionOutcomeHiddenByALaterWrite(t *testing.T) {
	te := newTestEngine(t, 1)
	b, _ := te.bucket(ctx, "bkt")
	for _, aborted := range []bool{true, false} {
		key := fmt.Sprint("hidden-", aborted)
		id, _ := te.onePartUpload(t, key)
		up, _ := te.uploadIn(b, key, id)
		if aborted {
			te.appendRaw(t, stream.UploadSubject(b.id, id), key, &event.MultipartAborted{UploadID: id})
		}
		seq := te.appendRaw(t, stream.ObjectSubject(b.id, key), key, &event.ObjectPut{UploadID: id, ETag: "x-1"})
		ok, err := te.completed(ctx, b, key, id, up.LastSeq+1, seq)
		if err != nil || ok == aborted {
			t.Fatalf("aborted %v, nothing after: completed says %v, %v", aborted, ok, err)
		}
		if _, err := te.PutObject(ctx, PutObjectInput{Bucket: "bkt", Key: key, Body: strings.NewReader("later"), Size: 5}); err != nil {
			t.Fatal(err)
		}
		ok, err = te.completed(ctx, b, key, id, up.LastSeq+1, seq)
		if err != nil || ok == aborted {
			t.Fatalf("aborted %v, then overwritten: completed says %v, %v", aborted, ok, err)
		}
	}
}

// Of two aborts that pass the same guard, the later one answers
// NoSuchUpload.
func TestSecondAbortSeesTheFirst(t *testing.T) {
	te := newTestEngine(t, 1)
	b, _ := te.bucket(ctx, "bkt")
	id, _ := te.onePartUpload(t, "k")
	up, _ := te.uploadIn(b, "k", id)
	first := te.appendRaw(t, stream.UploadSubject(b.id, id), "k", &event.MultipartAborted{UploadID: id})
	second := te.appendRaw(t, stream.UploadSubject(b.id, id), "k", &event.MultipartAborted{UploadID: id})
	if earlier, err := te.abortedBetween(ctx, b.id, id, up.LastSeq+1, first); err != nil || earlier {
		t.Fatalf("the first abort sees an earlier one: %v %v", earlier, err)
	}
	if earlier, err := te.abortedBetween(ctx, b.id, id, up.LastSeq+1, second); err != nil || !earlier {
		t.Fatalf("the second abort does not see the first: %v %v", earlier, err)
	}
	if err := te.AbortMultipartUpload(ctx, "bkt", "k", id, "AK"); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("abort of an aborted upload: %v", err)
	}
}

// A part that reaches the log after its upload ended is not acknowledged.
func TestPartAfterTheEndIsRefused(t *testing.T) {
	te := newTestEngine(t, 1)
	b, _ := te.bucket(ctx, "bkt")
	id, _ := te.onePartUpload(t, "k")
	if err := te.AbortMultipartUpload(ctx, "bkt", "k", id, "AK"); err != nil {
		t.Fatal(err)
	}
	p := &event.MultipartPart{UploadID: id, Number: 2, Size: 0, ETag: md5hex(nil)}
	if err := te.appendPart(ctx, b, "k", te.header(ctx, "AK"), p); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("part after abort: %v", err)
	}
}
