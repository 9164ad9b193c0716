package replicate

import (
	"context"
	"slices"
	"strings"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/projections/catalog"
)

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
// version or delete marker older than the configuration, not a replica,
// selected by one of its rules and not yet at that destination. A key's
// versions go oldest first, so that a destination that orders versions by
// arrival (one that is not cairn) ends with the same current version.
func (r *replicator) existing(ctx context.Context, ev *event.Event, p *event.BucketReplication) error {
	ex := r.existingRules(p)
	if len(ex) == 0 {
		return nil
	}
	if err := r.s.o.Applied.WaitFor(ctx, ev.Seq); err != nil {
		return err
	}
	cfg := catalog.Replication{Seq: ev.Seq, BucketReplication: event.BucketReplication{Rules: ex}}
	var key []catalog.Object // one key's versions, newest first
	flush := func() error {
		for _, o := range slices.Backward(key) {
			if err := r.existingVersion(ctx, ev, cfg, o); err != nil {
				return err
			}
		}
		key = key[:0]
		return nil
	}
	q := catalog.VersionQuery{Max: 1000}
	for {
		page, err := r.s.o.Index.ListVersions(ev.BucketID, q)
		if err != nil {
			return err
		}
		for _, v := range page.Versions {
			if len(key) > 0 && key[0].Key != v.Key {
				if err := flush(); err != nil {
					return err
				}
			}
			key = append(key, v.Object)
		}
		if !page.Truncated {
			return flush()
		}
		q.KeyMarker, q.VersionIDMarker = page.NextKey, page.NextVersionID
	}
}

// existingVersion replicates one existing version or marker.
func (r *replicator) existingVersion(ctx context.Context, ev *event.Event, cfg catalog.Replication, o catalog.Object) error {
	if o.Seq > ev.Seq || o.Replica {
		return nil
	}
	if o.Marker {
		return r.markerTo(ctx, o, cfg.MatchMarker(o.Key))
	}
	return r.replicate(ctx, ev.Bucket, ev.BucketID, o, cfg.Match(o.Key, o.Tags))
}
