package catalog

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cairnstore/cairn/log/event"
)

// Replication is a bucket incarnation's replication configuration as set
// by the event at Seq.
type Replication struct {
	Seq uint64 `json:"seq"`
	event.BucketReplication
}

// ReplicationState is how replicating one version to one destination
// stands: PENDING until the replication consumer reports COMPLETED or
// FAILED. RemoteVersionID is the id the destination gave the replica when
// it is not the source's (a destination that is not cairn).
type ReplicationState struct {
	Status          string `json:"status"`
	RemoteVersionID string `json:"remoteVersionId,omitempty"`
	Reason          string `json:"reason,omitempty"`
}

// Match returns, for a version of key with tags, the rule that replicates
// it to each destination: among the enabled rules whose filter matches,
// the one with the highest priority (the first on a tie), in destination
// order.
func (r Replication) Match(key string, tags map[string]string) []event.ReplicationRule {
	best := map[string]event.ReplicationRule{}
	for _, rl := range r.Rules {
		if !rl.Enabled || !strings.HasPrefix(key, rl.Prefix) || !hasTags(tags, rl.Tags) {
			continue
		}
		if cur, ok := best[rl.Dest()]; !ok || rl.Priority > cur.Priority {
			best[rl.Dest()] = rl
		}
	}
	out := make([]event.ReplicationRule, 0, len(best))
	for _, d := range slices.Sorted(maps.Keys(best)) {
		out = append(out, best[d])
	}
	return out
}

// MatchMarker returns the rules that replicate a delete marker of key: the
// winning rule per destination (a marker has no tags, so no tag rule
// matches it) when it replicates delete markers.
func (r Replication) MatchMarker(key string) []event.ReplicationRule {
	var out []event.ReplicationRule
	for _, rl := range r.Match(key, nil) {
		if rl.DeleteMarkers || rl.V1 {
			out = append(out, rl)
		}
	}
	return out
}

func hasTags(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// ReplicationStatus is what S3's x-amz-replication-status shows for the
// version: REPLICA for a replica, otherwise FAILED if a destination
// refused it, PENDING if one has not got it yet, COMPLETED when all have;
// "" when it is not replicated anywhere.
func (o *Object) ReplicationStatus() string {
	if o.Replica {
		return event.ReplicationReplica
	}
	if len(o.Replication) == 0 {
		return ""
	}
	status := event.ReplicationCompleted
	for _, st := range o.Replication {
		switch st.Status {
		case event.ReplicationFailed:
			return event.ReplicationFailed
		case event.ReplicationPending:
			status = event.ReplicationPending
		}
	}
	return status
}

// ReplicationAt returns the replication configuration in force for a
// bucket incarnation at stream sequence seq: the last one set at or before
// it; found is false when there was none (or it was removed). The caller
// makes sure the index has applied seq before asking.
func (c *Catalog) ReplicationAt(bucketID string, seq uint64) (r Replication, found bool, err error) {
	found, err = c.configAt(prefixReplConf, bucketID, seq, &r)
	if err != nil {
		return r, false, fmt.Errorf("catalog: replication configuration: %w", err)
	}
	return r, found && len(r.Rules) > 0, nil
}

// applyBucketReplication records a new replication configuration version
// of a live bucket incarnation, and keeps the current one in the bucket's
// record (every object put in the bucket consults it).
func applyBucketReplication(b *tx, ev *event.Event, p *event.BucketReplication) error {
	rid, live, err := liveBucket(b, ev)
	if err != nil || !live {
		return err
	}
	r := Replication{Seq: ev.Seq, BucketReplication: *p}
	if err := setJSON(b.Batch, configKey(prefixReplConf, rid, ev.Seq), &r); err != nil {
		return err
	}
	cur, _ := b.bucket(ev.Bucket)
	cur.Replication = nil
	if len(p.Rules) > 0 {
		cur.Replication = &r
	}
	return b.setBucket(ev.Bucket, cur)
}

// replicationOf is the replication state a new version starts with: a
// replica is marked so; any other version is PENDING for every
// destination the bucket's configuration in force selects it for.
func replicationOf(b *tx, ev *event.Event, tags map[string]string) (replica bool, st map[string]ReplicationState) {
	if ev.Replica {
		return true, nil
	}
	bk, _ := b.bucket(ev.Bucket)
	if bk.Replication == nil {
		return false, nil
	}
	for _, rl := range bk.Replication.Match(ev.Key, tags) {
		if st == nil {
			st = map[string]ReplicationState{}
		}
		st[rl.Dest()] = ReplicationState{Status: event.ReplicationPending}
	}
	return false, st
}

// applyObjectReplicated records how replicating a version went, if that
// version (made by the event at p.Seq) still exists. A COMPLETED
// destination stays so: a late FAILED from an earlier attempt changes
// nothing. It never touches the key's sequence guards.
func applyObjectReplicated(b *tx, ev *event.Event, p *event.ObjectReplicated) error {
	_, _, err := rewriteVersion(b, ev, func(o *Object) {
		cur, ok := o.Replication[p.Dest]
		if o.Seq != p.Seq || ok && cur.Status == event.ReplicationCompleted && p.Status != event.ReplicationCompleted {
			return
		}
		if o.Replication == nil {
			o.Replication = map[string]ReplicationState{}
		}
		o.Replication[p.Dest] = ReplicationState{Status: p.Status, RemoteVersionID: p.RemoteVersionID, Reason: p.Reason}
	})
	return err
}
