package replicate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

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
	case *event.ObjectTagged:
		return r.update(ctx, ev, func(dst, vid string) error { return r.site.tags(ctx, dst, ev.Key, vid, p.Tags) })
	case *event.ObjectACLSet:
		return r.update(ctx, ev, func(dst, vid string) error { return r.site.acl(ctx, dst, ev.Key, vid, p.ACL) })
	case *event.BucketReplication:
		return r.existing(ctx, ev, p)
	}
	return nil
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
	v, found, err := r.version(ev.BucketID, ev.Key, ev.VersionID, ev.Seq)
	if err != nil || !found {
		return err
	}
	return r.replicate(ctx, ev.Bucket, ev.BucketID, v, rules)
}

// version is the version of key made by the event at seq, if it still
// exists, with a reader of its bytes.
func (r *replicator) version(bucketID, key, vid string, seq uint64) (Version, bool, error) {
	o, found, err := r.s.o.Index.Object(bucketID, key)
	if err != nil || !found || o.Seq != seq {
		return Version{}, false, err
	}
	return r.versionOf(o, vid), true, nil
}

func (r *replicator) versionOf(o catalog.Object, vid string) Version {
	return Version{Object: o, VersionID: vid}
}

// replicate writes v to each destination of rules that does not have it
// yet, and records each outcome.
func (r *replicator) replicate(ctx context.Context, bucket, bucketID string, v Version, rules []event.ReplicationRule) error {
	v.Open = func(ctx context.Context, off, n int64) (io.ReadCloser, error) {
		return r.s.o.Store.Open(ctx, bucket, v.Key, v.VersionID, v.Seq, off, n)
	}
	for _, rl := range rules {
		if v.Replication[rl.Dest()].Status == event.ReplicationCompleted {
			continue // an earlier delivery got there (at-least-once)
		}
		out := Outcome{Bucket: bucket, BucketID: bucketID, Key: v.Key, VersionID: v.VersionID, Seq: v.Seq, Dest: rl.Dest()}
		remote, err := r.site.put(ctx, rl.Bucket, rl.StorageClass, v)
		if errors.Is(err, ErrGone) {
			return nil
		}
		if err != nil {
			return r.failed(ctx, v, out, err)
		}
		out.Status = event.ReplicationCompleted
		if r.site.spec.Generic {
			out.RemoteVersionID = remote
		}
		if err := r.s.o.Store.Record(ctx, out); err != nil {
			return err
		}
		r.objects.Inc()
		r.bytes.Add(uint64(v.Size))
		r.latency.Since(v.Modified)
	}
	return nil
}

// failed records a destination's refusal as FAILED (once per reason) and
// returns err, so that the version is retried.
func (r *replicator) failed(ctx context.Context, v Version, out Outcome, err error) error {
	code, ok := refused(err)
	if !ok {
		return err
	}
	if cur := v.Replication[out.Dest]; cur.Status == event.ReplicationFailed && cur.Reason == code {
		return err
	}
	out.Status, out.Reason = event.ReplicationFailed, code
	if rerr := r.s.o.Store.Record(ctx, out); rerr != nil {
		return errors.Join(err, rerr)
	}
	return err
}

// update replicates a change to an existing version (tags, ACL) to each
// of this site's destinations the version was replicated to, with the
// version id the destination knows it by. A replica (a version another
// site sent here) goes to the destinations the rules select for it: a
// client's change to a replica is a change like any other. A destination
// that does not have the version has nothing to change.
func (r *replicator) update(ctx context.Context, ev *event.Event, send func(dst, vid string) error) error {
	cfg, found, err := r.config(ctx, ev)
	if err != nil || !found {
		return err
	}
	o, found, err := r.s.o.Index.Object(ev.BucketID, ev.Key)
	if err != nil || !found {
		return err
	}
	for _, rl := range r.mine(cfg.Rules) {
		st, ok := o.Replication[rl.Dest()]
		if !rl.Enabled || !ok && !(o.Replica && r.selects(cfg, o, rl)) {
			continue // the version was never selected for there
		}
		vid := ev.VersionID
		if r.site.spec.Generic {
			vid = st.RemoteVersionID
		}
		if err := send(rl.Bucket, vid); err != nil && !missing(err) {
			return err
		}
	}
	return nil
}

// selects says whether rl is the rule that replicates version o.
func (r *replicator) selects(cfg catalog.Replication, o catalog.Object, rl event.ReplicationRule) bool {
	for _, m := range cfg.Match(o.Key, o.Tags) {
		if m.ID == rl.ID {
			return true
		}
	}
	return false
}

// barrier says whether m must be handled alone: a configuration that
// replicates existing objects to this site must see every earlier event
// replicated, and run before any later one.
func (r *replicator) barrier(m *stream.Delivery) bool {
	if !strings.HasPrefix(m.Subject, "s3.bc.") {
		return false
	}
	ev, err := event.Decode(m.Data)
	if err != nil {
		return false
	}
	p, ok := ev.Payload.(*event.BucketReplication)
	return ok && len(r.existingRules(p)) > 0
}

func (r *replicator) existingRules(p *event.BucketReplication) []event.ReplicationRule {
	var out []event.ReplicationRule
	for _, rl := range r.mine(p.Rules) {
		if rl.Enabled && rl.ExistingObjects {
			out = append(out, rl)
		}
	}
	return out
}

// existing replicates the versions made before a configuration that asks
// for it (ExistingObjectReplication), as the index has them now: each
// version older than the configuration, not a replica, selected by one of
// its rules and not yet at that destination.
func (r *replicator) existing(ctx context.Context, ev *event.Event, p *event.BucketReplication) error {
	ex := r.existingRules(p)
	if len(ex) == 0 {
		return nil
	}
	if err := r.s.o.Applied.WaitFor(ctx, ev.Seq); err != nil {
		return err
	}
	cfg := catalog.Replication{Seq: ev.Seq, BucketReplication: event.BucketReplication{Rules: ex}}
	q := catalog.ListQuery{Max: 1000}
	for {
		page, err := r.s.o.Index.List(ev.BucketID, q)
		if err != nil {
			return err
		}
		for _, o := range page.Objects {
			if o.Seq > ev.Seq || o.Replica {
				continue
			}
			if err := r.replicate(ctx, ev.Bucket, ev.BucketID, r.versionOf(o, ""), cfg.Match(o.Key, o.Tags)); err != nil {
				return err
			}
		}
		if !page.Truncated {
			return nil
		}
		q.After = page.Next
	}
}
