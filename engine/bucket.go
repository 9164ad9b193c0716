package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/cairnstore/cairn/engine/authz"
	"github.com/cairnstore/cairn/engine/names"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/projections/catalog"
)

// Bucket describes a live bucket.
type Bucket struct {
	Name       string
	Region     string
	Owner      string
	Created    time.Time
	Tags       map[string]string
	Versioning string // "", Enabled or Suspended
	id         string
	lock       *event.BucketObjectLockSet // nil: no Object Lock
}

func bucketOf(b catalog.Bucket) Bucket {
	return Bucket{Name: b.Name, Region: b.Region, Owner: b.Owner, Created: b.Created, Tags: b.Tags, id: b.ID,
		Versioning: b.Versioning, lock: b.Lock}
}

// maxConflictRetries bounds re-evaluations after a lost optimistic race.
const maxConflictRetries = 8

// CreateBucketInput asks for a new bucket, owned by the request's principal.
type CreateBucketInput struct {
	Name      string
	Location  string // LocationConstraint; empty means this endpoint's region
	ACL       *ACLSpec
	Ownership string // x-amz-object-ownership; "" for S3's default, BucketOwnerEnforced
	// ObjectLock (x-amz-bucket-object-lock-enabled) creates the bucket with
	// Object Lock, and so with versioning Enabled.
	ObjectLock bool
}

// CreateBucket claims a bucket name. Re-creating a bucket one already owns
// succeeds in us-east-1 (S3's legacy behaviour there) and is
// ErrBucketAlreadyOwnedByYou in every other region, as in S3.
func (e *Engine) CreateBucket(ctx context.Context, in CreateBucketInput) error {
	if err := names.CheckBucket(in.Name); err != nil {
		return err
	}
	if in.Location != "" && in.Location != e.o.Region {
		return ErrIllegalLocationConstraint
	}
	p, err := e.newBucket(ctx, in)
	if err != nil {
		return err
	}
	for range maxConflictRetries {
		if err := e.sync(ctx); err != nil {
			return err
		}
		cur, found, err := e.o.Catalog.Bucket(in.Name)
		if err != nil {
			return err
		}
		if found && !cur.Deleted {
			return e.alreadyExists(cur, p.Owner)
		}
		var expect uint64
		if found {
			expect = cur.NameSeq // the tombstone's: nobody claimed it since
		}
		ev := &event.Event{Header: e.header(ctx, principalOf(ctx).AccessKey), Payload: p}
		ev.Bucket, ev.BucketID = in.Name, newBucketID()
		_, err = e.appendEvent(ctx, stream.BucketNameSubject(in.Name), ev, &stream.Expect{Seq: expect})
		if errors.Is(err, stream.ErrConflict) {
			if err := e.waitLatest(ctx); err != nil {
				return err
			}
			continue // someone else changed the name: look again
		}
		return err
	}
	return ErrBusy
}

// newBucket is the creation event of a bucket: owned by the principal,
// with S3's defaults for ownership and public access unless asked.
func (e *Engine) newBucket(ctx context.Context, in CreateBucketInput) (*event.BucketCreated, error) {
	owner := principalOf(ctx).CanonicalID
	if owner == "" {
		return nil, ErrAccessDenied
	}
	ownership, pab := defaultBucketAccess()
	if in.Ownership != "" {
		ownership = in.Ownership
	}
	if ownership == authz.BucketOwnerEnforced && in.ACL != nil && in.ACL.Canned != "private" &&
		(in.ACL.Canned != "" || len(in.ACL.Grants) > 0) {
		return nil, ErrBucketACLWithOwnership
	}
	acl, err := resolveACL(in.ACL, owner, owner)
	if err == nil {
		err = aclAllowedBy(nil, acl, ownership, pab)
	}
	if err != nil {
		return nil, err
	}
	return &event.BucketCreated{Region: e.o.Region, Owner: owner, ACL: &acl, Ownership: ownership, PublicAccess: pab,
		ObjectLock: in.ObjectLock}, nil
}

func (e *Engine) alreadyExists(cur catalog.Bucket, owner string) error {
	if cur.Owner != owner {
		return ErrBucketAlreadyExists
	}
	if e.o.Region == "us-east-1" {
		return nil
	}
	return ErrBucketAlreadyOwnedByYou
}

// waitLatest waits until the projection has applied everything in the
// stream now: after a lost race, the winner's event must be visible.
func (e *Engine) waitLatest(ctx context.Context) error {
	st, err := e.o.Log.State(ctx)
	if err != nil {
		return err
	}
	return e.o.Runner.WaitFor(ctx, st.LastSeq)
}

func newBucketID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// DeleteBucket deletes an empty bucket. The event is guarded by the
// sequence of the bucket's last object event, so an object written by any
// gateway after the emptiness check makes it fail and re-check.
func (e *Engine) DeleteBucket(ctx context.Context, name, actor string) error {
	for range maxConflictRetries {
		b, err := e.bucket(ctx, name)
		if err != nil {
			return err
		}
		empty, last, err := e.o.Catalog.BucketEmpty(b.id)
		if err != nil {
			return err
		}
		if !empty {
			return ErrBucketNotEmpty
		}
		ev := &event.Event{Header: e.header(ctx, actor), Payload: &event.BucketDeleted{}}
		ev.Bucket, ev.BucketID = name, b.id
		guard := &stream.Expect{Seq: last, Subject: stream.BucketObjectsFilter(b.id)}
		_, err = e.appendEvent(ctx, stream.BucketNameSubject(name), ev, guard)
		if errors.Is(err, stream.ErrConflict) {
			if err := e.waitLatest(ctx); err != nil {
				return err
			}
			continue
		}
		return err
	}
	return ErrBusy
}

// bucket returns a live bucket by name after the read barrier.
func (e *Engine) bucket(ctx context.Context, name string) (Bucket, error) {
	if err := e.sync(ctx); err != nil {
		return Bucket{}, err
	}
	b, found, err := e.o.Catalog.Bucket(name)
	if err != nil {
		return Bucket{}, err
	}
	if !found || b.Deleted {
		return Bucket{}, ErrNoSuchBucket
	}
	return bucketOf(b), nil
}

// HeadBucket returns a live bucket.
func (e *Engine) HeadBucket(ctx context.Context, name string) (Bucket, error) {
	return e.bucket(ctx, name)
}

// ListBucketsInput selects a page of buckets.
type ListBucketsInput struct {
	Prefix string
	After  string // list names strictly after this one
	Region string // only buckets of this region
	Max    int    // 0: all
}

// ListBuckets returns the principal's live buckets (root: all) in name
// order, and whether more follow.
func (e *Engine) ListBuckets(ctx context.Context, in ListBucketsInput) ([]Bucket, bool, error) {
	if err := e.sync(ctx); err != nil {
		return nil, false, err
	}
	bs, err := e.o.Catalog.Buckets()
	if err != nil {
		return nil, false, err
	}
	var out []Bucket
	p := principalOf(ctx)
	for _, b := range bs {
		if !strings.HasPrefix(b.Name, in.Prefix) || b.Name <= in.After || (in.Region != "" && b.Region != in.Region) {
			continue
		}
		if !p.Root() && b.Owner != p.CanonicalID {
			continue
		}
		if in.Max > 0 && len(out) == in.Max {
			return out, true, nil
		}
		out = append(out, bucketOf(b))
	}
	return out, false, nil
}
