package replicate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/metrics"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/notify/relay"
	"github.com/cairnstore/cairn/projections/catalog"
)

// replicator replicates the event log to one site through its relay.
type replicator struct {
	s     *Service
	site  *site
	relay *relay.Relay
	log   *slog.Logger

	objects, bytes *metrics.Counter
	latency        *metrics.Histogram
	lag            *metrics.Gauge
}

// handle replicates what one event changed, under the configuration in
// force at the event's sequence. nil means done (including "nothing to
// replicate here"); an error means try again later.
func (r *replicator) handle(ctx context.Context, m *stream.Delivery) error {
	ev, err := event.Decode(m.Data)
	if err != nil {
		return fmt.Errorf("event at seq %d: %w", m.Seq, err)
	}
	ev.Seq = m.Seq
	if ev.Replica {
		return nil // another site's change: never sent on
	}
	switch p := ev.Payload.(type) {
	case *event.ObjectPut:
		return r.put(ctx, ev, p)
	case *event.ObjectMarkerCreated:
		return r.marker(ctx, ev)
	case *event.ObjectTagged:
		return r.update(ctx, ev, func(dst, vid string) error { return r.site.tags(ctx, dst, ev.Key, vid, p.Tags) })
	case *event.ObjectACLSet:
		return r.update(ctx, ev, func(dst, vid string) error { return r.site.acl(ctx, dst, ev.Key, vid, p.ACL) })
	case *event.ObjectRetentionSet:
		return r.update(ctx, ev, func(dst, vid string) error {
			return r.site.retention(ctx, dst, ev.Key, vid, p.Mode, p.RetainUntil)
		})
	case *event.ObjectLegalHoldSet:
		return r.update(ctx, ev, func(dst, vid string) error { return r.site.legalHold(ctx, dst, ev.Key, vid, p.On) })
	case *event.BucketReplication:
		return r.existing(ctx, ev, p)
	}
	return nil // version deletes (object.deleted) are not replicated, as in S3
}

// config is the bucket's configuration in force at ev, once the index has
// applied ev; found is false when there is none.
func (r *replicator) config(ctx context.Context, ev *event.Event) (catalog.Replication, bool, error) {
	if err := r.s.o.Applied.WaitFor(ctx, ev.Seq); err != nil {
		return catalog.Replication{}, false, fmt.Errorf("waiting for the index to apply seq %d: %w", ev.Seq, err)
	}
	return r.s.o.Index.ReplicationAt(ev.BucketID, ev.Seq)
}

// mine keeps the rules that replicate to this site.
func (r *replicator) mine(rules []event.ReplicationRule) []event.ReplicationRule {
	var out []event.ReplicationRule
	for _, rl := range rules {
		if rl.Site == r.site.spec.ID {
			out = append(out, rl)
		}
	}
	return out
}

// put replicates the version ev made to each of this site's destinations
// that selected it, unless it is gone since (a later event replicates
// what replaced it) or a destination already has it.
func (r *replicator) put(ctx context.Context, ev *event.Event, p *event.ObjectPut) error {
	cfg, found, err := r.config(ctx, ev)
	if err != nil || !found {
		return err
	}
	rules := r.mine(cfg.Match(ev.Key, p.Tags))
	if len(rules) == 0 {
		return nil
	}
	o, found, err := r.s.o.Index.Version(ev.BucketID, ev.Key, ev.VersionID)
	if err != nil || !found || o.Seq != ev.Seq || o.Marker {
		return err
	}
	return r.replicate(ctx, ev.Bucket, ev.BucketID, o, rules)
}

// wireID is the id a version is replicated with: its own, or "null".
func wireID(vid string) string {
	if catalog.IsNull(vid) {
		return catalog.NullVersion
	}
	return vid
}

// replicate writes version o to each destination of rules that does not
// have it yet, and records each outcome.
func (r *replicator) replicate(ctx context.Context, bucket, bucketID string, o catalog.Object, rules []event.ReplicationRule) error {
	v := Version{Object: o, VersionID: wireID(o.VersionID)}
	v.Open = func(ctx context.Context, off, n int64) (io.ReadCloser, error) {
		return r.s.o.Store.Open(ctx, bucket, o.Key, v.VersionID, o.Seq, off, n)
	}
	for _, rl := range rules {
		if o.Replication[rl.Dest()].Status == event.ReplicationCompleted {
			continue // an earlier delivery got there (at-least-once)
		}
		out := Outcome{Bucket: bucket, BucketID: bucketID, Key: o.Key, VersionID: o.VersionID, Seq: o.Seq, Dest: rl.Dest()}
		remote, err := r.site.put(ctx, rl.Bucket, rl.StorageClass, v)
		if errors.Is(err, ErrGone) {
			return nil
		}
		if err != nil {
			return r.failed(ctx, o, out, err)
		}
		out.Status = event.ReplicationCompleted
		if r.site.spec.Generic {
			out.RemoteVersionID = remote
		}
		if err := r.s.o.Store.Record(ctx, out); err != nil {
			return err
		}
		r.accepted(o.Size, o.Modified)
	}
	return nil
}

// accepted counts a version or marker the destination took, made at t.
func (r *replicator) accepted(size int64, t time.Time) {
	r.objects.Inc()
	r.bytes.Add(uint64(size))
	r.latency.Since(t)
}

// failed records a destination's refusal as FAILED (once per reason) and
// returns err, so that the version is retried.
func (r *replicator) failed(ctx context.Context, o catalog.Object, out Outcome, err error) error {
	code, ok := refused(err)
	if !ok {
		return err
	}
	if cur := o.Replication[out.Dest]; cur.Status == event.ReplicationFailed && cur.Reason == code {
		return err
	}
	out.Status, out.Reason = event.ReplicationFailed, code
	if rerr := r.s.o.Store.Record(ctx, out); rerr != nil {
		return errors.Join(err, rerr)
	}
	return err
}

// marker replicates the delete marker ev made, if it is still there, to
// each of this site's destinations whose rule replicates markers.
func (r *replicator) marker(ctx context.Context, ev *event.Event) error {
	cfg, found, err := r.config(ctx, ev)
	if err != nil || !found {
		return err
	}
	rules := r.mine(cfg.MatchMarker(ev.Key))
	if len(rules) == 0 {
		return nil
	}
	o, found, err := r.s.o.Index.Version(ev.BucketID, ev.Key, ev.VersionID)
	if err != nil || !found || !o.Marker || o.Seq != ev.Seq {
		return err
	}
	return r.markerTo(ctx, o, rules)
}

// markerTo writes marker o to the destinations of rules.
func (r *replicator) markerTo(ctx context.Context, o catalog.Object, rules []event.ReplicationRule) error {
	for _, rl := range rules {
		if err := r.site.marker(ctx, rl.Bucket, o.Key, wireID(o.VersionID), o.Modified, o.ACL); err != nil {
			return err
		}
		r.accepted(0, o.Modified)
	}
	return nil
}

// update replicates a change to an existing version (tags, ACL,
// retention, legal hold) to each of this site's destinations the version
// was replicated to, with the version id the destination knows it by. A
// replica (a version another site sent here) goes to the destinations the
// rules select for it: a client's change to a replica is a change like
// any other. A destination that does not have the version has nothing to
// change.
func (r *replicator) update(ctx context.Context, ev *event.Event, send func(dst, vid string) error) error {
	cfg, found, err := r.config(ctx, ev)
	if err != nil || !found {
		return err
	}
	o, found, err := r.s.o.Index.Version(ev.BucketID, ev.Key, ev.VersionID)
	if err != nil || !found || o.Marker {
		return err
	}
	selected := r.mine(cfg.Match(o.Key, o.Tags))
	for _, rl := range r.mine(cfg.Rules) {
		st, ok := o.Replication[rl.Dest()]
		if !rl.Enabled || !ok && !(o.Replica && hasRule(selected, rl.ID)) {
			continue // the version was never selected for there
		}
		vid := wireID(o.VersionID)
		if r.site.spec.Generic {
			vid = st.RemoteVersionID
		}
		if err := send(rl.Bucket, vid); err != nil && !missing(err) {
			return err
		}
	}
	return nil
}

func hasRule(rules []event.ReplicationRule, id string) bool {
	for _, rl := range rules {
		if rl.ID == id {
			return true
		}
	}
	return false
}
