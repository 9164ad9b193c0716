package runner_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/log/stream/streamtest"
	"github.com/cairnstore/cairn/projections/catalog"
	"github.com/cairnstore/cairn/projections/runner"
	"github.com/cockroachdb/pebble/v2/vfs"
)

const bid = "00112233445566778899aabbccddeeff"

func appendEvent(t *testing.T, l *stream.Log, key string, p event.Payload) uint64 {
	t.Helper()
	ev := &event.Event{Header: event.Header{ID: event.NewID(), Time: time.Now().UTC(), Bucket: "b", BucketID: bid, Key: key}, Payload: p}
	data, err := event.Encode(ev)
	if err != nil {
		t.Fatal(err)
	}
	seq, err := l.Append(context.Background(), stream.Msg{Subject: stream.ObjectSubject(bid, key), Data: data, ID: ev.ID})
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func openCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Open(catalog.Options{Dir: "idx", FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestWaitForSeesEachWriteAndRebuildMatches(t *testing.T) {
	l := streamtest.Open(t, stream.Options{})
	live := openCatalog(t)
	ctx := context.Background()
	r, err := runner.Start(ctx, runner.Options{Log: l, Target: live})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	appendEvent(t, l, "", &event.BucketCreated{Region: "us-east-1"})
	for i := 0; i < 300; i++ {
		key := fmt.Sprint("k", i%40)
		seq := appendEvent(t, l, key, &event.ObjectPut{Size: int64(i), ETag: "x",
			Extents: []event.Extent{{Node: "n", Segment: uint64(i % 3), Length: int64(i), Record: "r"}}})
		if err := r.WaitFor(ctx, seq); err != nil {
			t.Fatal(err)
		}
		o, found, err := live.Object(bid, key)
		if err != nil || !found || o.Size != int64(i) {
			t.Fatalf("read after write of %s: %+v %v %v", key, o, found, err)
		}
	}
	last := appendEvent(t, l, "k1", &event.ObjectDeleted{})
	if err := r.WaitFor(ctx, last); err != nil {
		t.Fatal(err)
	}

	fresh := openCatalog(t)
	var reports int
	p, err := runner.Rebuild(ctx, l, fresh, time.Millisecond, func(runner.Progress) { reports++ })
	if err != nil {
		t.Fatal(err)
	}
	if p.Applied != last || p.Total != last {
		t.Fatalf("rebuild applied %d of %d, want %d", p.Applied, p.Total, last)
	}
	var a, b bytes.Buffer
	if err := live.Dump(&a); err != nil {
		t.Fatal(err)
	}
	if err := fresh.Dump(&b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() || a.Len() == 0 {
		t.Fatalf("rebuilt index differs from the live one:\nlive:\n%s\nrebuilt:\n%s", a.String(), b.String())
	}
}

func TestRestartResumesFromAppliedSeq(t *testing.T) {
	l := streamtest.Open(t, stream.Options{})
	c := openCatalog(t)
	ctx := context.Background()
	appendEvent(t, l, "", &event.BucketCreated{})
	s1 := appendEvent(t, l, "a", &event.ObjectPut{ETag: "1"})
	r, err := runner.Start(ctx, runner.Options{Log: l, Target: c})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WaitFor(ctx, s1); err != nil {
		t.Fatal(err)
	}
	r.Stop()
	s2 := appendEvent(t, l, "b", &event.ObjectPut{ETag: "2"})
	r, err = runner.Start(ctx, runner.Options{Log: l, Target: c})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	if err := r.WaitFor(ctx, s2); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := c.Object(bid, "b"); !found {
		t.Fatal("event appended while stopped was not applied after restart")
	}
}

func TestUndecodableEventStopsTheRunnerLoudly(t *testing.T) {
	l := streamtest.Open(t, stream.Options{})
	c := openCatalog(t)
	ctx := context.Background()
	r, err := runner.Start(ctx, runner.Options{Log: l, Target: c})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	bad, err := l.Append(ctx, stream.Msg{Subject: "s3.sys.x", Data: []byte(`{"type":"object.put","v":99,"id":"x","time":"2026-01-01T00:00:00Z","data":{}}`)})
	if err != nil {
		t.Fatal(err)
	}
	err = r.WaitFor(ctx, bad)
	if !errors.Is(err, event.ErrUnknownVersion) {
		t.Fatalf("WaitFor past an event of an unknown version: %v", err)
	}
	if r.Err() == nil || r.Applied() != 0 {
		t.Fatalf("runner err %v applied %d", r.Err(), r.Applied())
	}
}

func TestWaitForHonoursContext(t *testing.T) {
	l := streamtest.Open(t, stream.Options{})
	r, err := runner.Start(context.Background(), runner.Options{Log: l, Target: openCatalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := r.WaitFor(ctx, 1000); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitFor of a sequence that never comes: %v", err)
	}
}
