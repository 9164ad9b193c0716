package engine

import (
	"context"
	"time"

	"github.com/cairnstore/cairn/log/event"
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

// asReplica gives a new version made by ev (and its ACL) the source's id,
// time and ACL when ctx is a replica write.
func asReplica(ctx context.Context, ev *event.Event, acl **ACL) {
	r := replicaOf(ctx)
	if r == nil {
		return
	}
	if r.VersionID != "" {
		ev.VersionID = r.VersionID
	}
	if !r.Modified.IsZero() {
		ev.Time = r.Modified.UTC()
	}
	if r.ACL != nil && acl != nil {
		*acl = r.ACL
	}
}
