package engine

import (
	"context"

	"github.com/cairnstore/cairn/engine/authz"
	"github.com/cairnstore/cairn/projections/catalog"
)

type principalKey struct{}

// WithPrincipal returns ctx carrying the request's principal; operations
// that touch a second resource (a copy's source, each key of a
// DeleteObjects) authorize it with this principal.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

func principalOf(ctx context.Context) Principal {
	if p, ok := ctx.Value(principalKey{}).(Principal); ok {
		return p
	}
	return Anonymous
}

// AuthzRequest asks whether the request's principal may perform an S3
// operation on a bucket and key.
type AuthzRequest struct {
	Op          string // S3 operation name, e.g. "GetObject"
	Bucket, Key string
	VersionID   string // the version an object operation names ("": the current object)
	Principal   Principal
	Context     map[string][]string // policy condition keys (lower case)
}

// Authorize is the one place access is decided (see package authz). A
// request on a bucket that does not exist is let through so that the
// operation answers NoSuchBucket, as S3 does.
func (e *Engine) Authorize(ctx context.Context, r AuthzRequest) error {
	act := authz.ForOperation(r.Op)
	in := authz.Input{Action: act, Subject: subject(r.Principal), Key: r.Key, Context: r.Context}
	if act.Level == authz.Service || r.Principal.Root() {
		return allowed(authz.Decide(in))
	}
	if err := e.sync(ctx); err != nil {
		return err
	}
	b, found, err := e.o.Catalog.Bucket(r.Bucket)
	if err != nil || !found || b.Deleted {
		return err
	}
	in.Bucket = e.access(b)
	ok := authz.Decide(in)
	if act.Level != authz.ObjectLevel || (ok && in.Subject.CanonicalID == b.Owner) {
		return allowed(ok) // the owner can list: no need to look at the object
	}
	if !ok && (!act.OnObjectACL || b.Ownership == authz.BucketOwnerEnforced) {
		return ErrAccessDenied // the object's ACL could not change the answer
	}
	o, exists, err := e.o.Catalog.Object(b.ID, r.Key)
	if r.VersionID != "" && catalog.ValidVersionID(r.VersionID) {
		o, exists, err = e.o.Catalog.Version(b.ID, r.Key, r.VersionID)
	}
	if err != nil {
		return err
	}
	if !ok {
		in.ObjectACL = o.ACL
		if !authz.Decide(in) {
			return ErrAccessDenied
		}
	}
	if !exists && act.OnObjectACL {
		// S3 answers 404 for a missing key only to those who may list
		// the bucket; to anyone else, 403.
		in.Action = authz.ListBucket
		return allowed(authz.Decide(in))
	}
	return nil
}

// authorize re-checks one operation for the principal in ctx.
func (e *Engine) authorize(ctx context.Context, op, bucket, key string) error {
	return e.Authorize(ctx, AuthzRequest{Op: op, Bucket: bucket, Key: key, Principal: principalOf(ctx)})
}

func allowed(ok bool) error {
	if ok {
		return nil
	}
	return ErrAccessDenied
}

func subject(p Principal) authz.Subject {
	return authz.Subject{Anonymous: p.Anonymous, Root: p.Root(), User: p.User, CanonicalID: p.CanonicalID}
}

// access is a bucket's access-control state as authz needs it. A bucket
// whose creation predates access control is owned by root.
func (e *Engine) access(b catalog.Bucket) *authz.Bucket {
	ab := &authz.Bucket{Name: b.Name, Owner: b.Owner, ACL: b.ACL, Ownership: b.Ownership, PublicAccess: b.PublicAccess}
	if b.Policy != "" {
		ab.Policy = e.policy(b)
	}
	return ab
}
