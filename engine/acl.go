package engine

import (
	"context"
	"fmt"

	"github.com/cairnstore/cairn/engine/authz"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/projections/catalog"
)

// ACL types, defined once by the event schema.
type (
	ACL   = event.ACL
	Grant = event.Grant
)

// PublicAccessBlock is S3's block public access configuration.
type PublicAccessBlock = event.PublicAccessBlock

// ACLSpec is the access a request asks for on create: a canned ACL
// (x-amz-acl) or explicit grants (x-amz-grant-*), never both.
type ACLSpec struct {
	Canned string
	Grants []Grant
}

// defaultBucketAccess is what S3 gives new buckets since April 2023: ACLs
// disabled and public access blocked.
func defaultBucketAccess() (string, *PublicAccessBlock) {
	return authz.BucketOwnerEnforced, &PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true,
		BlockPublicPolicy: true, RestrictPublicBuckets: true}
}

// resolveACL turns a spec into an ACL owned by owner; bucketOwner is
// needed by the bucket-owner-* canned ACLs.
func resolveACL(spec *ACLSpec, owner, bucketOwner string) (ACL, error) {
	acl := ACL{Owner: owner, Grants: []Grant{{ID: owner, Permission: authz.FullControl}}}
	if spec == nil {
		return acl, nil
	}
	if len(spec.Grants) > 0 {
		return ACL{Owner: owner, Grants: spec.Grants}, nil
	}
	add := func(g ...Grant) { acl.Grants = append(acl.Grants, g...) }
	switch spec.Canned {
	case "", "private":
	case "public-read":
		add(Grant{URI: authz.AllUsers, Permission: authz.Read})
	case "public-read-write":
		add(Grant{URI: authz.AllUsers, Permission: authz.Read}, Grant{URI: authz.AllUsers, Permission: authz.Write})
	case "authenticated-read":
		add(Grant{URI: authz.AuthenticatedUsers, Permission: authz.Read})
	case "bucket-owner-read":
		if bucketOwner != owner {
			add(Grant{ID: bucketOwner, Permission: authz.Read})
		}
	case "bucket-owner-full-control":
		if bucketOwner != owner {
			add(Grant{ID: bucketOwner, Permission: authz.FullControl})
		}
	case "log-delivery-write":
		add(Grant{URI: authz.LogDelivery, Permission: authz.Write}, Grant{URI: authz.LogDelivery, Permission: authz.ReadACP})
	default:
		return ACL{}, fmt.Errorf("%w: unknown canned ACL %q", ErrInvalidArgument, spec.Canned)
	}
	return acl, nil
}

// aclAllowedBy checks a requested ACL against the bucket's settings:
// BucketOwnerEnforced refuses every ACL but private and
// bucket-owner-full-control; BlockPublicAcls refuses public grants.
func aclAllowedBy(spec *ACLSpec, acl ACL, ownership string, pab *PublicAccessBlock) error {
	if spec != nil && ownership == authz.BucketOwnerEnforced {
		if len(spec.Grants) > 0 || (spec.Canned != "" && spec.Canned != "private" && spec.Canned != "bucket-owner-full-control") {
			return ErrACLNotSupported
		}
	}
	if pab != nil && pab.BlockPublicAcls && authz.IsPublicACL(&acl) {
		return ErrAccessDenied
	}
	return nil
}

// objectACL is the ACL a new object in b gets: owned by the bucket owner
// where the bucket says so, by the writer otherwise.
func objectACL(ctx context.Context, b catalog.Bucket, spec *ACLSpec) (*ACL, error) {
	writer := principalOf(ctx).CanonicalID
	owner := writer
	switch {
	case b.Ownership == authz.BucketOwnerEnforced,
		b.Ownership == authz.BucketOwnerPreferred && spec != nil && spec.Canned == "bucket-owner-full-control",
		writer == "":
		owner = b.Owner
	}
	acl, err := resolveACL(spec, owner, b.Owner)
	if err == nil {
		err = aclAllowedBy(spec, acl, b.Ownership, b.PublicAccess)
	}
	return &acl, err
}

// BucketACL returns a bucket's ACL (the owner's full control when none was
// set, or when ACLs are disabled).
func (e *Engine) BucketACL(ctx context.Context, bucket string) (ACL, error) {
	b, err := e.bucketRecord(ctx, bucket)
	if err != nil {
		return ACL{}, err
	}
	if b.ACL == nil || b.Ownership == authz.BucketOwnerEnforced {
		acl, _ := resolveACL(nil, b.Owner, b.Owner)
		return acl, nil
	}
	return *b.ACL, nil
}

// PutBucketACL replaces a bucket's ACL.
func (e *Engine) PutBucketACL(ctx context.Context, bucket, actor string, spec *ACLSpec, full *ACL) error {
	b, err := e.bucketRecord(ctx, bucket)
	if err != nil {
		return err
	}
	acl, err := aclFrom(spec, full, b.Owner, b.Owner)
	if err == nil {
		err = aclAllowedBy(spec, acl, b.Ownership, b.PublicAccess)
	}
	if err == nil && full != nil && b.Ownership == authz.BucketOwnerEnforced {
		err = ErrACLNotSupported
	}
	if err != nil {
		return err
	}
	return e.bucketConfigEvent(ctx, b, actor, &event.BucketACLSet{ACL: acl})
}

// aclFrom is the ACL a Put*Acl asks for: headers (spec) or a full
// AccessControlPolicy document (full), which must keep the owner.
func aclFrom(spec *ACLSpec, full *ACL, owner, bucketOwner string) (ACL, error) {
	if full == nil {
		return resolveACL(spec, owner, bucketOwner)
	}
	if spec != nil {
		return ACL{}, fmt.Errorf("%w: an ACL body with ACL headers", ErrInvalidArgument)
	}
	if full.Owner != "" && full.Owner != owner {
		return ACL{}, ErrAccessDenied // S3 refuses to change an owner through an ACL
	}
	return ACL{Owner: owner, Grants: full.Grants}, nil
}

// ObjectACL returns the ACL of a version of key ("": the current object)
// and the version's id.
func (e *Engine) ObjectACL(ctx context.Context, bucket, key, vid string) (ACL, string, error) {
	b, o, err := e.objectRecord(ctx, bucket, key, vid)
	if err != nil {
		return ACL{}, "", err
	}
	if o.acl == nil || b.Ownership == authz.BucketOwnerEnforced {
		acl, _ := resolveACL(nil, b.Owner, b.Owner)
		return acl, o.VersionID, nil
	}
	return *o.acl, o.VersionID, nil
}

// PutObjectACL replaces the ACL of a version of key ("": the current
// object) and returns the version's id.
func (e *Engine) PutObjectACL(ctx context.Context, bucket, key, vid, actor string, spec *ACLSpec, full *ACL) (string, error) {
	b, o, err := e.objectRecord(ctx, bucket, key, vid)
	if err != nil {
		return "", err
	}
	owner := b.Owner
	if o.acl != nil {
		owner = o.acl.Owner
	}
	acl, err := aclFrom(spec, full, owner, b.Owner)
	if err == nil {
		err = aclAllowedBy(spec, acl, b.Ownership, b.PublicAccess)
	}
	if err == nil && full != nil && b.Ownership == authz.BucketOwnerEnforced {
		err = ErrACLNotSupported
	}
	if r := replicaOf(ctx); r != nil && full != nil {
		acl, err = *full, nil // the source's ACL, owner included, as it is there
	}
	if err != nil {
		return "", err
	}
	return o.VersionID, e.appendVersionEvent(ctx, bucketOf(b), key, o.VersionID, actor, &event.ObjectACLSet{ACL: acl})
}

// bucketRecord is a live bucket's full record.
func (e *Engine) bucketRecord(ctx context.Context, bucket string) (catalog.Bucket, error) {
	if err := e.sync(ctx); err != nil {
		return catalog.Bucket{}, err
	}
	b, found, err := e.o.Catalog.Bucket(bucket)
	if err == nil && (!found || b.Deleted) {
		err = ErrNoSuchBucket
	}
	return b, err
}

// objectRecord returns a version of key ("": the current object), as
// objectAt does, with the bucket's full record.
func (e *Engine) objectRecord(ctx context.Context, bucket, key, vid string) (catalog.Bucket, ObjectInfo, error) {
	_, o, err := e.objectAt(ctx, bucket, key, vid)
	if err != nil {
		return catalog.Bucket{}, o, err
	}
	b, err := e.bucketRecord(ctx, bucket)
	return b, o, err
}

// bucketConfigEvent appends a configuration event for bucket b.
func (e *Engine) bucketConfigEvent(ctx context.Context, b catalog.Bucket, actor string, p event.Payload) error {
	ev := &event.Event{Header: e.header(ctx, actor), Payload: p}
	ev.Bucket, ev.BucketID = b.Name, b.ID
	_, err := e.appendEvent(ctx, stream.BucketConfigSubject(b.ID), ev, nil)
	return err
}

// OwnershipControls returns a bucket's object ownership setting ("" when
// none is set).
func (e *Engine) OwnershipControls(ctx context.Context, bucket string) (string, error) {
	b, err := e.bucketRecord(ctx, bucket)
	return b.Ownership, err
}

// PutOwnershipControls sets (or, with "", removes) object ownership.
// Turning ACLs off keeps only the owner's access, as in S3; S3 refuses
// BucketOwnerEnforced while the bucket ACL grants anything to others.
func (e *Engine) PutOwnershipControls(ctx context.Context, bucket, actor, ownership string) error {
	switch ownership {
	case "", authz.BucketOwnerEnforced, authz.BucketOwnerPreferred, authz.ObjectWriter:
	default:
		return fmt.Errorf("%w: unknown ObjectOwnership %q", ErrInvalidArgument, ownership)
	}
	b, err := e.bucketRecord(ctx, bucket)
	if err != nil {
		return err
	}
	if ownership == authz.BucketOwnerEnforced && b.ACL != nil && len(b.ACL.Grants) > 1 {
		return ErrACLNotSupported
	}
	return e.bucketConfigEvent(ctx, b, actor, &event.BucketOwnershipSet{Ownership: ownership})
}

// PublicAccessBlock returns a bucket's configuration (nil: none).
func (e *Engine) PublicAccessBlock(ctx context.Context, bucket string) (*PublicAccessBlock, error) {
	b, err := e.bucketRecord(ctx, bucket)
	return b.PublicAccess, err
}

// PutPublicAccessBlock sets (nil: removes) a bucket's configuration.
func (e *Engine) PutPublicAccessBlock(ctx context.Context, bucket, actor string, c *PublicAccessBlock) error {
	b, err := e.bucketRecord(ctx, bucket)
	if err != nil {
		return err
	}
	return e.bucketConfigEvent(ctx, b, actor, &event.BucketPublicAccessSet{Config: c})
}
