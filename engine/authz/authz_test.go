package authz

import (
	"testing"

	"github.com/cairnstore/cairn/log/event"
)

type fixedPolicy struct {
	d      Decision
	public bool
}

func (p fixedPolicy) Evaluate(string, string, Subject, map[string][]string) Decision { return p.d }
func (p fixedPolicy) IsPublic() bool                                                 { return p.public }

func TestDecideOrder(t *testing.T) {
	owner := Subject{User: "alice", CanonicalID: "A"}
	other := Subject{User: "bob", CanonicalID: "B"}
	anon := Subject{Anonymous: true}
	root := Subject{User: "root", Root: true, CanonicalID: "R"}
	get, put, list := ForOperation("GetObject"), ForOperation("PutObject"), ForOperation("ListObjectsV2")
	publicRead := &event.ACL{Owner: "A", Grants: []event.Grant{{URI: AllUsers, Permission: Read}}}
	bobWrite := &event.ACL{Owner: "A", Grants: []event.Grant{{ID: "B", Permission: Write}}}
	bucket := func(ownership string, pab *event.PublicAccessBlock, p Policy, acl *event.ACL) *Bucket {
		return &Bucket{Name: "b", Owner: "A", Ownership: ownership, PublicAccess: pab, Policy: p, ACL: acl}
	}
	cases := []struct {
		name string
		in   Input
		want bool
	}{
		{"root may do anything", Input{Action: get, Subject: root, Bucket: bucket(BucketOwnerEnforced, nil, fixedPolicy{d: Deny}, nil)}, true},
		{"owner", Input{Action: get, Subject: owner, Bucket: bucket(BucketOwnerEnforced, nil, nil, nil)}, true},
		{"policy deny beats ownership", Input{Action: get, Subject: owner, Bucket: bucket("", nil, fixedPolicy{d: Deny}, nil)}, false},
		{"private by default", Input{Action: get, Subject: other, Bucket: bucket("", nil, nil, nil)}, false},
		{"policy allow", Input{Action: get, Subject: other, Bucket: bucket(BucketOwnerEnforced, nil, fixedPolicy{d: Allow}, nil)}, true},
		{"public policy for anonymous", Input{Action: get, Subject: anon, Bucket: bucket("", nil, fixedPolicy{d: Allow, public: true}, nil)}, true},
		{"RestrictPublicBuckets cuts public policy off", Input{Action: get, Subject: anon,
			Bucket: bucket("", &event.PublicAccessBlock{RestrictPublicBuckets: true}, fixedPolicy{d: Allow, public: true}, nil)}, false},
		{"object ACL public read", Input{Action: get, Subject: anon, Bucket: bucket(ObjectWriter, nil, nil, nil), ObjectACL: publicRead}, true},
		{"IgnorePublicAcls", Input{Action: get, Subject: anon, Bucket: bucket(ObjectWriter, &event.PublicAccessBlock{IgnorePublicAcls: true}, nil, nil), ObjectACL: publicRead}, false},
		{"ACLs disabled", Input{Action: get, Subject: anon, Bucket: bucket(BucketOwnerEnforced, nil, nil, nil), ObjectACL: publicRead}, false},
		{"bucket ACL write grant", Input{Action: put, Subject: other, Bucket: bucket(ObjectWriter, nil, nil, bobWrite)}, true},
		{"write grant does not let list", Input{Action: list, Subject: other, Bucket: bucket(ObjectWriter, nil, nil, bobWrite)}, false},
		{"authenticated-users grant excludes anonymous", Input{Action: list, Subject: anon, Bucket: bucket(ObjectWriter, nil, nil,
			&event.ACL{Grants: []event.Grant{{URI: AuthenticatedUsers, Permission: Read}}})}, false},
		{"authenticated-users grant", Input{Action: list, Subject: other, Bucket: bucket(ObjectWriter, nil, nil,
			&event.ACL{Grants: []event.Grant{{URI: AuthenticatedUsers, Permission: FullControl}}})}, true},
		{"anonymous may not create buckets", Input{Action: ForOperation("CreateBucket"), Subject: anon}, false},
		{"users may create buckets", Input{Action: ForOperation("CreateBucket"), Subject: other}, true},
		{"administration is root's", Input{Action: ForOperation("Admin"), Subject: owner}, false},
		{"unknown operations are root's", Input{Action: ForOperation("Teleport"), Subject: owner}, false},
		{"an owner can always manage its policy", Input{Action: ForOperation("DeleteBucketPolicy"), Subject: owner, Bucket: bucket("", nil, fixedPolicy{d: Deny}, nil)}, true},
		{"policy-only actions ignore ACLs", Input{Action: ForOperation("PutBucketPolicy"), Subject: other, Bucket: bucket(ObjectWriter, nil, nil,
			&event.ACL{Grants: []event.Grant{{ID: "B", Permission: FullControl}}})}, false},
	}
	for _, c := range cases {
		if got := Decide(c.in); got != c.want {
			t.Errorf("%s: Decide = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestResourceARN(t *testing.T) {
	in := Input{Action: ForOperation("GetObject"), Bucket: &Bucket{Name: "b"}, Key: "dir/k"}
	if in.Resource() != "arn:aws:s3:::b/dir/k" {
		t.Fatal(in.Resource())
	}
	in.Action = ForOperation("ListObjectsV2")
	if in.Resource() != "arn:aws:s3:::b" {
		t.Fatal(in.Resource())
	}
}
