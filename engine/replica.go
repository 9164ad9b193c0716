package engine

import (
	"context"
	"errors"
	"time"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/projections/catalog"
)

// ReplicaSpec is what a replica write keeps of the source's version. Only
// the HTTP API's replica routes set it, after authorizing the request for
// s3:ReplicateObject, s3:ReplicateDelete or s3:ReplicateTags: ordinary
// clients can never forge a version id or a replica mark.
type ReplicaSpec struct {
	// VersionID is the source version's id ("" when the source has none);
	// Modified its time (zero: now).
	VersionID string
	Modified  time.Time
	// ACL is the source version's ACL, kept verbatim (nil: the ACL an
	// ordinary write would get).
	ACL *ACL
}

type replicaKey struct{}

// WithReplica returns ctx for a replica write: every event the operation
// appends is marked Header.Replica (replication never sends it on), and a
// new version takes the source's id, time and ACL.
func WithReplica(ctx context.Context, r ReplicaSpec) context.Context {
	return context.WithValue(ctx, replicaKey{}, &r)
}

func replicaOf(ctx context.Context) *ReplicaSpec {
	r, _ := ctx.Value(replicaKey{}).(*ReplicaSpec)
	return r
}

// ErrReplicaNeedsVersioning: a replica that keeps its source's version
// id goes only to a bucket with versioning Enabled.
var ErrReplicaNeedsVersioning = errors.New("engine: replicas keeping their version id need versioning Enabled on the destination bucket")

// asReplica gives a new version made by ev (and its ACL) the source's id,
// time and ACL when ctx is a replica write.
func asReplica(ctx context.Context, b Bucket, ev *event.Event, acl **ACL) error {
	r := replicaOf(ctx)
	if r == nil {
		return nil
	}
	if r.VersionID != "" {
		if err := checkReplicaVersion(b, r.VersionID); err != nil {
			return err
		}
		ev.VersionID = r.VersionID
	}
	if !r.Modified.IsZero() {
		ev.Time = r.Modified.UTC()
	}
	if r.ACL != nil && acl != nil {
		*acl = r.ACL
	}
	return nil
}

// asReplicaMarker gives a delete marker the source marker's id, time and
// owner (which the replica write sends as its ACL's owner).
func asReplicaMarker(ctx context.Context, b Bucket, ev *event.Event) error {
	var acl *ACL
	if err := asReplica(ctx, b, ev, &acl); err != nil {
		return err
	}
	if p, ok := ev.Payload.(*event.ObjectMarkerCreated); ok && acl != nil {
		p.Owner = acl.Owner
	}
	return nil
}

func checkReplicaVersion(b Bucket, vid string) error {
	if b.Versioning != VersioningEnabled {
		return ErrReplicaNeedsVersioning
	}
	if !catalog.ValidVersionID(vid) {
		return ErrInvalidVersionID
	}
	return nil
}

// replicaHere finds the version a replica write would make if the bucket
// already has it (a redelivery): versions are immutable, so the same id is
// the same version, and the write is done without storing anything.
func (e *Engine) replicaHere(ctx context.Context, b Bucket, key string) (catalog.Object, bool, error) {
	r := replicaOf(ctx)
	if r == nil || r.VersionID == "" {
		return catalog.Object{}, false, nil
	}
	if err := checkReplicaVersion(b, r.VersionID); err != nil {
		return catalog.Object{}, false, err
	}
	return e.o.Catalog.Version(b.id, key, r.VersionID)
}
