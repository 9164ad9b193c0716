package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/cairnstore/cairn/engine/names"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
)

// MaxDeleteObjects is S3's limit of keys in one DeleteObjects request.
const MaxDeleteObjects = 1000

// DeleteSpec is one key (or version) of a DeleteObjects request.
type DeleteSpec struct {
	Key       string
	VersionID string          // "": the key; otherwise that version, for good
	Cond      WriteConditions // If-Match (the request's per-object ETag)
}

// DeleteObjectsInput deletes several keys of one bucket.
type DeleteObjectsInput struct {
	Bucket  string
	Actor   string
	Objects []DeleteSpec
	Bypass  bool // x-amz-bypass-governance-retention: true
}

// DeleteOutcome is the result for one entry; Err is nil when it is
// deleted (or was already absent). Marker says that the version removed
// was a delete marker, or that a delete marker was made; MarkerVersionID
// is that marker's id.
type DeleteOutcome struct {
	Key             string
	VersionID       string
	Marker          bool
	MarkerVersionID string
	Err             error
}

// DeleteObjects deletes up to 1000 keys or versions, as DeleteObject
// would one by one. The entries go to the log in rounds, each one atomic
// batch (one commit for all of it): the n-th entry naming a key goes in
// round n, so a round names a key once and is checked against what the
// round before left. Version deletions are guarded by their key's
// sequence (a retention or legal hold set meanwhile fails the round,
// whose entries are then deleted one by one, each checked again);
// entries with an ETag condition go through the guarded single path.
// Errors are per entry; the call fails as a whole only when the bucket is
// missing.
func (e *Engine) DeleteObjects(ctx context.Context, in DeleteObjectsInput) ([]DeleteOutcome, error) {
	if len(in.Objects) > MaxDeleteObjects {
		return nil, fmt.Errorf("%w: more than %d keys", ErrInvalidArgument, MaxDeleteObjects)
	}
	b, err := e.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	out := make([]DeleteOutcome, len(in.Objects))
	for _, round := range deleteRounds(in.Objects) {
		e.deleteRound(ctx, b, in, round, out)
	}
	return out, nil
}

// deleteRounds groups entry indexes: round n holds the n-th entry of each
// key, in request order.
func deleteRounds(specs []DeleteSpec) [][]int {
	var rounds [][]int
	seen := map[string]int{}
	for i, s := range specs {
		n := seen[s.Key]
		seen[s.Key] = n + 1
		if n == len(rounds) {
			rounds = append(rounds, nil)
		}
		rounds[n] = append(rounds[n], i)
	}
	return rounds
}

// deleteRound deletes the entries idx as one batch.
func (e *Engine) deleteRound(ctx context.Context, b Bucket, in DeleteObjectsInput, idx []int, out []DeleteOutcome) {
	var batch []stream.Msg
	var batchIdx []int
	for _, i := range idx {
		spec := in.Objects[i]
		out[i] = DeleteOutcome{Key: spec.Key, VersionID: spec.VersionID}
		if err := e.checkDeleteSpec(ctx, in.Bucket, spec); err != nil {
			out[i].Err = err
			continue
		}
		if spec.Cond.set() {
			e.deleteOne(ctx, in, i, out)
			continue
		}
		msg, err := e.deleteMsg(ctx, b, spec, in, &out[i])
		if err != nil || msg == nil {
			out[i].Err = err // absent keys and versions count as deleted, as in S3
			continue
		}
		batch, batchIdx = append(batch, *msg), append(batchIdx, i)
	}
	err := e.appendBatch(ctx, batch)
	for _, i := range batchIdx {
		if errors.Is(err, stream.ErrConflict) {
			e.deleteOne(ctx, in, i, out) // a version changed since it was checked
		} else if err != nil {
			out[i].Err = err
		}
	}
}

// checkDeleteSpec checks an entry's key, version id and authorization.
func (e *Engine) checkDeleteSpec(ctx context.Context, bucket string, spec DeleteSpec) error {
	if err := names.CheckKey(spec.Key); err != nil {
		return err
	}
	if err := checkVersionID(spec.VersionID); err != nil {
		return err
	}
	op := "DeleteObject"
	if spec.VersionID != "" {
		op = "DeleteObjectVersion"
	}
	return e.authorize(ctx, op, bucket, spec.Key)
}

// deleteOne deletes entry i through the single, guarded path.
func (e *Engine) deleteOne(ctx context.Context, in DeleteObjectsInput, i int, out []DeleteOutcome) {
	spec := in.Objects[i]
	res, err := e.DeleteObject(ctx, DeleteInput{Bucket: in.Bucket, Key: spec.Key, VersionID: spec.VersionID,
		Actor: in.Actor, Cond: spec.Cond, Bypass: in.Bypass})
	out[i] = outcome(spec, res, err)
}

func outcome(spec DeleteSpec, res DeleteResult, err error) DeleteOutcome {
	o := DeleteOutcome{Key: spec.Key, VersionID: spec.VersionID, Marker: res.Marker, Err: err}
	if res.Marker {
		o.MarkerVersionID = res.VersionID
	}
	return o
}

// deleteMsg is the event that deletes spec, or nil when there is nothing
// to delete; it fills the entry's outcome.
func (e *Engine) deleteMsg(ctx context.Context, b Bucket, spec DeleteSpec, in DeleteObjectsInput, out *DeleteOutcome) (*stream.Msg, error) {
	var ev *event.Event
	var expect *stream.Expect
	switch {
	case spec.VersionID != "":
		seq, err := e.o.Catalog.KeySeq(b.id, spec.Key) // NB: read before the version it guards
		if err != nil {
			return nil, err
		}
		o, found, err := e.o.Catalog.Version(b.id, spec.Key, spec.VersionID)
		if err != nil || !found {
			return nil, err
		}
		if ev, err = e.removeEvent(ctx, b, o, spec.VersionID, in.Actor, in.Bypass); err != nil {
			return nil, err
		}
		expect = &stream.Expect{Seq: seq}
		*out = outcome(spec, DeleteResult{VersionID: spec.VersionID, Marker: o.Marker}, nil)
	case b.Versioning != "":
		var err error
		if ev, err = e.markerEvent(ctx, b, spec.Key, in.Actor); err != nil {
			return nil, err
		}
		*out = outcome(spec, DeleteResult{VersionID: ev.VersionID, Marker: true}, nil)
	default:
		if _, found, err := e.current(b, spec.Key); err != nil || !found {
			return nil, err
		}
		ev = &event.Event{Header: e.header(ctx, in.Actor), Payload: &event.ObjectDeleted{}}
		ev.Bucket, ev.BucketID, ev.Key = in.Bucket, b.id, spec.Key
	}
	data, err := event.Encode(ev)
	if err != nil {
		return nil, err
	}
	return &stream.Msg{Subject: stream.ObjectSubject(b.id, spec.Key), Data: data, ID: ev.ID, Expect: expect}, nil
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
