package engine

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cairnstore/cairn/log/event"
)

func TestReplicationValidation(t *testing.T) {
	one, err := New(Options{MasterKey: make([]byte, 32), Sites: []string{"paris"}})
	if err != nil {
		t.Fatal(err)
	}
	two, _ := New(Options{MasterKey: make([]byte, 32), Sites: []string{"paris", "oslo"}})
	prio := func(p int) *int { return &p }
	str := func(s string) *string { return &s }
	v2 := func(id string, p int, arn string, f *ReplicationFilter) ReplicationRule {
		return ReplicationRule{ID: id, Priority: prio(p), Status: "Enabled", Filter: f, DeleteMarkerReplication: "Disabled",
			DestinationBucket: arn}
	}
	pfx := &ReplicationFilter{Prefix: "a/", Elements: 1}
	tag := &ReplicationFilter{Tags: []Tag{{"k", "v"}}, Elements: 1}
	const paris, aws = "arn:cairn:s3::paris:dst", "arn:aws:s3:::dst"
	withDM := v2("dm", 1, paris, tag)
	withDM.DeleteMarkerReplication = "Enabled"
	noDM := v2("nodm", 1, paris, pfx)
	noDM.DeleteMarkerReplication = ""
	legacy := ReplicationRule{ID: "v1", Status: "Enabled", Prefix: str("docs/"), DestinationBucket: aws}
	legacyDM := legacy
	legacyDM.DeleteMarkerReplication = "Enabled"
	kms := v2("kms", 1, paris, pfx)
	kms.Unsupported = "EncryptionConfiguration"
	cases := []struct {
		name  string
		e     *Engine
		rules []ReplicationRule
		want  error // nil: accepted
	}{
		{"one v2 rule", one, []ReplicationRule{v2("a", 1, paris, pfx)}, nil},
		{"aws arn, one site", one, []ReplicationRule{v2("a", 1, aws, pfx)}, nil},
		{"aws arn, two sites", two, []ReplicationRule{v2("a", 1, aws, pfx)}, ErrInvalidArgument},
		{"unknown site", one, []ReplicationRule{v2("a", 1, "arn:cairn:s3::rome:dst", pfx)}, ErrInvalidArgument},
		{"not an arn", one, []ReplicationRule{v2("a", 1, "dst", pfx)}, ErrInvalidArgument},
		{"bad bucket", one, []ReplicationRule{v2("a", 1, "arn:cairn:s3::paris:Bad_Bucket", pfx)}, ErrInvalidArgument},
		{"no rules", one, nil, ErrMalformedConfig},
		{"same id", one, []ReplicationRule{v2("a", 1, paris, pfx), v2("a", 2, paris, tag)}, ErrInvalidArgument},
		{"same priority", one, []ReplicationRule{v2("a", 1, paris, pfx), v2("b", 1, paris, tag)}, ErrInvalidRequest},
		{"tag filter with markers", one, []ReplicationRule{withDM}, ErrInvalidRequest},
		{"filter without DeleteMarkerReplication", one, []ReplicationRule{noDM}, ErrInvalidRequest},
		{"first schema", one, []ReplicationRule{legacy}, nil},
		{"first schema with DeleteMarkerReplication", one, []ReplicationRule{legacyDM}, ErrInvalidRequest},
		{"two filter elements", one, []ReplicationRule{v2("a", 1, paris, &ReplicationFilter{Prefix: "a", Elements: 2})}, ErrMalformedConfig},
		{"bad status", one, []ReplicationRule{{ID: "a", Status: "On", Prefix: str(""), DestinationBucket: paris}}, ErrMalformedConfig},
		{"unsupported element", one, []ReplicationRule{kms}, ErrNotImplemented},
		{"bad tag", one, []ReplicationRule{v2("a", 1, paris, &ReplicationFilter{Tags: []Tag{{"aws:x", "v"}}, Elements: 1})}, ErrInvalidTag},
	}
	for _, tc := range cases {
		_, err := tc.e.checkReplication(ReplicationConfig{Rules: tc.rules})
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	got, err := one.checkReplication(ReplicationConfig{Rules: []ReplicationRule{v2("a", 3, aws, pfx)}})
	if err != nil || got[0].Site != "paris" || got[0].Bucket != "dst" || got[0].ARN != aws || got[0].Priority != 3 {
		t.Fatalf("resolved %+v, %v", got, err)
	}
}

// A configuration reads back in canonical form, and removing it makes Get
// answer ErrNoSuchReplication.
func TestReplicationConfigRoundTrip(t *testing.T) {
	te := newTestEngine(t, 0)
	te.o.Sites = []string{"paris"}
	if _, err := te.GetBucketReplication(ctx, "bkt"); !errors.Is(err, ErrNoSuchReplication) {
		t.Fatalf("get before put: %v", err)
	}
	p := 2
	in := ReplicationConfig{Role: "arn:aws:iam::1:role/r", Rules: []ReplicationRule{{ID: "r", Priority: &p, Status: "Enabled",
		Filter:                  &ReplicationFilter{Prefix: "a/", Tags: []Tag{{"k", "v"}}, And: true, Elements: 1},
		DeleteMarkerReplication: "Disabled", ExistingObjectReplication: "Enabled", DestinationBucket: "arn:cairn:s3::paris:dst"}}}
	if err := te.PutBucketReplication(ctx, "bkt", "AK", in); !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("a configuration on an unversioned bucket: %v", err)
	}
	if err := te.PutBucketVersioning(ctx, "bkt", "AK", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	if err := te.PutBucketReplication(ctx, "bkt", "AK", in); err != nil {
		t.Fatal(err)
	}
	out, err := te.GetBucketReplication(ctx, "bkt")
	in.Rules[0].Filter.Elements = 0
	if err != nil || !reflect.DeepEqual(out, in) {
		t.Fatalf("got %+v %+v, %v\nwant %+v %+v", out, out.Rules[0].Filter, err, in, in.Rules[0].Filter)
	}
	if err := te.DeleteBucketReplication(ctx, "bkt", "AK"); err != nil {
		t.Fatal(err)
	}
	if _, err := te.GetBucketReplication(ctx, "bkt"); !errors.Is(err, ErrNoSuchReplication) {
		t.Fatalf("get after delete: %v", err)
	}
}

// A replica write keeps the source's time and ACL, is marked as a replica
// in its event and its version, and a recorded outcome shows on the
// source's version.
func TestReplicaWriteAndOutcome(t *testing.T) {
	te := newTestEngine(t, 0)
	src := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	acl := &ACL{Owner: strings.Repeat("ab", 32), Grants: []Grant{{URI: "http://acs.amazonaws.com/groups/global/AllUsers", Permission: "READ"}}}
	rctx := WithReplica(ctx, ReplicaSpec{Modified: src, ACL: acl})
	if _, err := te.PutObject(rctx, PutObjectInput{Bucket: "bkt", Key: "k", Actor: "AK", Size: 2, Body: strings.NewReader("hi")}); err != nil {
		t.Fatal(err)
	}
	o, found, err := te.cat.Object(te.mustBucket(t).id, "k")
	if err != nil || !found || !o.Replica || !o.Modified.Equal(src) || !reflect.DeepEqual(o.ACL, acl) {
		t.Fatalf("replica %+v, %v %v", o, found, err)
	}
	info, _, err := te.HeadObject(ctx, ReadInput{Bucket: "bkt", Key: "k"})
	if err != nil || info.ReplicationStatus != event.ReplicationReplica {
		t.Fatalf("head: %q %v", info.ReplicationStatus, err)
	}
	b := te.mustBucket(t)
	if err := te.RecordReplication(ctx, ReplicationOutcome{Bucket: "bkt", BucketID: b.id, Key: "k", Seq: o.Seq,
		Dest: "paris:dst", Status: event.ReplicationCompleted}); err != nil {
		t.Fatal(err)
	}
	o, _, _ = te.cat.Object(b.id, "k")
	if o.Replication["paris:dst"].Status != event.ReplicationCompleted {
		t.Fatalf("outcome not recorded: %+v", o.Replication)
	}
}

func (te *testEngine) mustBucket(t *testing.T) Bucket {
	t.Helper()
	b, err := te.bucket(ctx, "bkt")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A replica keeps the source's version id, which orders it among the
// key's versions by the source's time; the same replica sent again is
// already there and appends nothing. Without versioning Enabled, a
// replica cannot keep its id, and a replicated DELETE never removes.
func TestReplicaKeepsItsVersionID(t *testing.T) {
	te := newTestEngine(t, 0)
	vid := "0000000000000001" + "00000000000000aa" // a version made at 1 ns after the epoch
	rctx := WithReplica(ctx, ReplicaSpec{VersionID: vid, Modified: time.Unix(0, 1)})
	put := func() error {
		_, err := te.PutObject(rctx, PutObjectInput{Bucket: "bkt", Key: "k", Actor: "AK", Size: 1, Body: strings.NewReader("x")})
		return err
	}
	if err := put(); !errors.Is(err, ErrReplicaNeedsVersioning) {
		t.Fatalf("into an unversioned bucket: %v", err)
	}
	if _, err := te.DeleteObject(rctx, DeleteInput{Bucket: "bkt", Key: "k"}); !errors.Is(err, ErrReplicaNeedsVersioning) {
		t.Fatalf("a replicated DELETE into an unversioned bucket: %v", err)
	}
	if err := te.PutBucketVersioning(ctx, "bkt", "AK", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	newer, err := te.PutObject(ctx, PutObjectInput{Bucket: "bkt", Key: "k", Actor: "AK", Size: 1, Body: strings.NewReader("y")})
	if err != nil || put() != nil {
		t.Fatalf("puts: %v", err)
	}
	b := te.mustBucket(t)
	seq, _ := te.cat.KeySeq(b.id, "k")
	if err := put(); err != nil {
		t.Fatal(err)
	}
	if again, _ := te.cat.KeySeq(b.id, "k"); again != seq {
		t.Fatal("the same replica sent again appended an event")
	}
	cur, _, err := te.HeadObject(ctx, ReadInput{Bucket: "bkt", Key: "k"})
	if err != nil || cur.VersionID != newer.VersionID {
		t.Fatalf("current %q, want the newer local version %q: %v", cur.VersionID, newer.VersionID, err)
	}
	old, _, err := te.HeadObject(ctx, ReadInput{Bucket: "bkt", Key: "k", VersionID: vid})
	if err != nil || old.ReplicationStatus != event.ReplicationReplica || !old.Modified.Equal(time.Unix(0, 1)) {
		t.Fatalf("replica version: %+v %v", old, err)
	}
}
