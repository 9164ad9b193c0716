// Package authz decides whether a principal may perform an S3 action on a
// resource. It is pure: the engine gathers the bucket's owner, ACL, object
// ownership setting, public access block and policy, and asks Decide.
//
// The decision, in order:
//
//  1. root (the configured administrator) may do anything;
//  2. an explicit Deny in the bucket policy denies (but never the owner's
//     access to the policy itself);
//  3. the bucket owner may do anything in its bucket;
//  4. an Allow in the bucket policy allows (for anonymous principals only
//     if RestrictPublicBuckets does not cut public policies off);
//  5. an ACL grant allows, unless the bucket enforces owner-only access
//     (BucketOwnerEnforced disables ACLs) or the grant is public and
//     IgnorePublicAcls is set;
//  6. anything else is denied: everything is private by default.
//
// Where S3 differs for objects owned by another account (ObjectWriter),
// cairn gives the bucket owner full control of every object in its
// bucket: simpler, and never less safe for the owner.
package authz

import (
	"github.com/cairnstore/cairn/log/event"
)

// ACL permissions.
const (
	Read        = "READ"
	Write       = "WRITE"
	ReadACP     = "READ_ACP"
	WriteACP    = "WRITE_ACP"
	FullControl = "FULL_CONTROL"
)

// Predefined groups.
const (
	AllUsers           = "http://acs.amazonaws.com/groups/global/AllUsers"
	AuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	LogDelivery        = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

// Object ownership settings.
const (
	BucketOwnerEnforced  = "BucketOwnerEnforced"
	BucketOwnerPreferred = "BucketOwnerPreferred"
	ObjectWriter         = "ObjectWriter"
)

// Level is what an action addresses.
type Level int

// Levels.
const (
	Service Level = iota
	BucketLevel
	ObjectLevel
)

// Subject is who asks.
type Subject struct {
	Anonymous   bool
	Root        bool
	User        string
	CanonicalID string
}

// Decision is a policy's verdict.
type Decision int

// Decisions.
const (
	NotApplicable Decision = iota
	Allow
	Deny
)

// Policy is a parsed bucket policy.
type Policy interface {
	Evaluate(action, resource string, s Subject, ctx map[string][]string) Decision
	IsPublic() bool
}

// Bucket is the access-control state of a bucket.
type Bucket struct {
	Name         string
	Owner        string // canonical id
	ACL          *event.ACL
	Ownership    string
	PublicAccess *event.PublicAccessBlock
	Policy       Policy // nil: none
}

// Input is one question.
type Input struct {
	Action    Action
	Subject   Subject
	Bucket    *Bucket    // nil for service-level actions
	Key       string     // for object actions
	ObjectACL *event.ACL // the object's ACL, when Action.OnObjectACL
	Context   map[string][]string
}

// Resource is the ARN the policy sees.
func (in Input) Resource() string {
	if in.Bucket == nil {
		return "*"
	}
	if in.Action.Level == ObjectLevel {
		return "arn:aws:s3:::" + in.Bucket.Name + "/" + in.Key
	}
	return "arn:aws:s3:::" + in.Bucket.Name
}

// Decide answers whether in is allowed.
func Decide(in Input) bool {
	s := in.Subject
	switch {
	case s.Root:
		return true
	case in.Action.RootOnly:
		return false
	case in.Bucket == nil || in.Action.Level == Service:
		return !s.Anonymous && in.Action.AnyUser
	}
	b := in.Bucket
	pab := b.PublicAccess
	if pab == nil {
		pab = &event.PublicAccessBlock{}
	}
	isOwner := !s.Anonymous && s.CanonicalID == b.Owner
	if isOwner && in.Action.OwnerAlways {
		return true
	}
	d := NotApplicable
	if b.Policy != nil {
		d = b.Policy.Evaluate(in.Action.Name, in.Resource(), s, in.Context)
		if d == Deny {
			return false
		}
		if d == Allow && s.Anonymous && pab.RestrictPublicBuckets && b.Policy.IsPublic() {
			d = NotApplicable
		}
	}
	switch {
	case isOwner:
		return true
	case d == Allow:
		return true
	case b.Ownership == BucketOwnerEnforced || in.Action.ACL == "":
		return false
	}
	acl := b.ACL
	if in.Action.OnObjectACL {
		acl = in.ObjectACL
	}
	return aclAllows(acl, s, in.Action.ACL, pab.IgnorePublicAcls)
}

// aclAllows reports whether acl grants perm to s.
func aclAllows(acl *event.ACL, s Subject, perm string, ignorePublic bool) bool {
	if acl == nil {
		return false
	}
	for _, g := range acl.Grants {
		if (g.Permission == perm || g.Permission == FullControl) && grantee(g, s, ignorePublic) {
			return true
		}
	}
	return false
}

func grantee(g event.Grant, s Subject, ignorePublic bool) bool {
	switch g.URI {
	case "":
		return !s.Anonymous && g.ID == s.CanonicalID
	case AllUsers:
		return !ignorePublic
	case AuthenticatedUsers:
		return !ignorePublic && !s.Anonymous
	}
	return false
}

// IsPublicACL reports whether acl grants anything to AllUsers or
// AuthenticatedUsers (what BlockPublicAcls refuses).
func IsPublicACL(acl *event.ACL) bool {
	if acl == nil {
		return false
	}
	for _, g := range acl.Grants {
		if g.URI == AllUsers || g.URI == AuthenticatedUsers {
			return true
		}
	}
	return false
}
