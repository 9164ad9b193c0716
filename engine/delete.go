package engine

import (
	"context"
	"fmt"

	"github.com/cairnstore/cairn/engine/names"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
)

// MaxDeleteObjects is S3's limit of keys in one DeleteObjects request.
const MaxDeleteObjects = 1000

// DeleteSpec is one key of a DeleteObjects request.
type DeleteSpec struct {
	Key  string
	Cond WriteConditions // If-Match (the request's per-object ETag)
}

// DeleteObjectsInput deletes several keys of one bucket.
type DeleteObjectsInput struct {
	Bucket  string
	Actor   string
	Objects []DeleteSpec
}

// DeleteOutcome is the result for one key; Err is nil when it is deleted
// (or was already absent).
type DeleteOutcome struct {
	Key string
	Err error
}

// DeleteObjects deletes up to 1000 keys. Unconditional deletes of existing
// keys go to the log as one atomic batch (one commit for all of them);
// keys with an ETag condition are deleted one by one through the guarded
// path. Errors are per key; the call fails as a whole only when the bucket
// is missing or the log refuses the batch.
func (e *Engine) DeleteObjects(ctx context.Context, in DeleteObjectsInput) ([]DeleteOutcome, error) {
	if len(in.Objects) > MaxDeleteObjects {
		return nil, fmt.Errorf("%w: more than %d keys", ErrInvalidArgument, MaxDeleteObjects)
	}
	b, err := e.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	out := make([]DeleteOutcome, len(in.Objects))
	var batch []stream.Msg
	var batchIdx []int
	seen := map[string]bool{}
	for i, spec := range in.Objects {
		out[i].Key = spec.Key
		if err := names.CheckKey(spec.Key); err != nil {
			out[i].Err = err
			continue
		}
		if err := e.authorize(ctx, "DeleteObject", in.Bucket, spec.Key); err != nil {
			out[i].Err = err
			continue
		}
		if spec.Cond.set() {
			out[i].Err = e.DeleteObject(ctx, DeleteInput{Bucket: in.Bucket, Key: spec.Key, Actor: in.Actor, Cond: spec.Cond})
			continue
		}
		_, found, err := e.current(b, spec.Key)
		if err != nil || !found || seen[spec.Key] {
			out[i].Err = err // absent keys count as deleted, as in S3
			continue
		}
		seen[spec.Key] = true
		msg, err := e.deleteMsg(ctx, b, in.Bucket, spec.Key, in.Actor)
		if err != nil {
			out[i].Err = err
			continue
		}
		batch, batchIdx = append(batch, msg), append(batchIdx, i)
	}
	if err := e.appendBatch(ctx, batch); err != nil {
		for _, i := range batchIdx {
			out[i].Err = err
		}
	}
	return out, nil
}

func (e *Engine) deleteMsg(ctx context.Context, b Bucket, bucket, key, actor string) (stream.Msg, error) {
	ev := &event.Event{Header: e.header(ctx, actor), Payload: &event.ObjectDeleted{}}
	ev.Bucket, ev.BucketID, ev.Key = bucket, b.id, key
	data, err := event.Encode(ev)
	if err != nil {
		return stream.Msg{}, err
	}
	return stream.Msg{Subject: stream.ObjectSubject(b.id, key), Data: data, ID: ev.ID}, nil
}

// appendBatch appends msgs as one atomic batch and waits until the last is
// applied.
func (e *Engine) appendBatch(ctx context.Context, msgs []stream.Msg) error {
	if len(msgs) == 0 {
		return nil
	}
	seqs, err := e.o.Log.AppendAtomic(ctx, msgs)
	if err != nil {
		return err
	}
	last := seqs[len(seqs)-1]
	if err := e.o.Runner.WaitFor(ctx, last); err != nil {
		return fmt.Errorf("engine: batch up to %d stored but not yet applied: %w", last, err)
	}
	return nil
}
