package event

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden file of each type's current version")

var t0 = time.Date(2026, 11, 21, 19, 0, 0, 123456789, time.UTC)

// samples holds one event per type at its current version. Each must have a
// golden file; older versions' golden files must decode to the same value.
func samples() map[string]*Event {
	hdr := Header{ID: "0123456789abcdef0123456789abcdef", Time: t0, Actor: "AKIDEXAMPLE",
		Bucket: "photos.2026", BucketID: "fedcba9876543210fedcba9876543210"}
	obj := hdr
	obj.Key = "holiday/beach 01.jpg"
	admin := Header{ID: hdr.ID, Time: t0, Actor: "AKIDEXAMPLE"}
	sys := Header{ID: hdr.ID, Time: t0}
	const mpID = "188a1b2c3d4e5f600123456789abcdef"
	ver := obj
	ver.VersionID = "188a1b2c3d4e5f60fedcba9876543210"
	until := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	return map[string]*Event{
		TypeBucketCreated: {Header: hdr, Payload: &BucketCreated{Region: "us-east-1", Owner: "AKIDEXAMPLE"}},
		TypeBucketDeleted: {Header: hdr, Payload: &BucketDeleted{}},
		TypeObjectPut: {Header: obj, Payload: &ObjectPut{
			Size: 5, ETag: "5d41402abc4b2a76b9719d911017c592",
			Extents:        []Extent{{Node: "n1", Disk: 0, Segment: 7, Offset: 4096, Length: 5, Record: hdr.ID}},
			ContentHeaders: ContentHeaders{ContentType: "image/jpeg", CacheControl: "max-age=60"},
			UserMeta:       map[string]string{"camera": "x100", "lens": "23mm"},
			Checksums:      map[string]string{"CRC32": "NhCmhg=="}, ChecksumType: "FULL_OBJECT",
		}},
		TypeObjectDeleted: {Header: obj, Payload: &ObjectDeleted{}},
		TypeObjectTagged:  {Header: obj, Payload: &ObjectTagged{Tags: map[string]string{"project": "cairn", "tier": "hot"}}},
		TypeBucketTagged:  {Header: hdr, Payload: &BucketTagged{Tags: map[string]string{"cost-center": "42"}}},
		TypeBucketACL: {Header: hdr, Payload: &BucketACLSet{ACL: ACL{Owner: strings.Repeat("0f", 32),
			Grants: []Grant{{URI: "http://acs.amazonaws.com/groups/global/AllUsers", Permission: "READ"}}}}},
		TypeObjectACL:          {Header: obj, Payload: &ObjectACLSet{ACL: ACL{Owner: strings.Repeat("0f", 32), Grants: []Grant{{ID: strings.Repeat("ab", 32), Permission: "FULL_CONTROL"}}}}},
		TypeBucketOwnership:    {Header: hdr, Payload: &BucketOwnershipSet{Ownership: "BucketOwnerEnforced"}},
		TypeBucketPublicAccess: {Header: hdr, Payload: &BucketPublicAccessSet{Config: &PublicAccessBlock{BlockPublicAcls: true, RestrictPublicBuckets: true}}},
		TypeBucketPolicy:       {Header: hdr, Payload: &BucketPolicySet{Policy: `{"Version":"2012-10-17","Statement":[]}`}},
		TypeUserCreated:        {Header: admin, Payload: &UserCreated{Name: "alice", CanonicalID: strings.Repeat("ab", 32)}},
		TypeUserUpdated:        {Header: admin, Payload: &UserUpdated{Name: "alice", Disabled: true}},
		TypeUserDeleted:        {Header: admin, Payload: &UserDeleted{Name: "alice"}},
		TypeKeyCreated:         {Header: admin, Payload: &KeyCreated{User: "alice", AccessKey: "CAIRNALICEKEY0000001", SecretSealed: "c2VhbGVkLXNlY3JldA=="}},
		TypeKeyUpdated:         {Header: admin, Payload: &KeyUpdated{AccessKey: "CAIRNALICEKEY0000001", Active: false}},
		TypeKeyDeleted:         {Header: admin, Payload: &KeyDeleted{AccessKey: "CAIRNALICEKEY0000001"}},
		TypeMultipartCreated: {Header: obj, Payload: &MultipartCreated{UploadID: mpID,
			ContentHeaders: ContentHeaders{ContentType: "image/jpeg"}, UserMeta: map[string]string{"camera": "x100"},
			StorageClass: "STANDARD_IA", Tags: map[string]string{"trip": "2026"},
			ChecksumAlgorithm: "CRC32", ChecksumType: "COMPOSITE"}},
		TypeMultipartPart: {Header: obj, Payload: &MultipartPart{UploadID: mpID, Number: 2, Size: 5 << 20,
			ETag: "5d41402abc4b2a76b9719d911017c592", Checksum: "NhCmhg==",
			Extents: []Extent{{Node: "n1", Segment: 7, Offset: 8192, Length: 12 << 20, Record: hdr.ID, Skip: 1 << 20, Take: 5 << 20}}}},
		TypeMultipartAborted: {Header: obj, Payload: &MultipartAborted{UploadID: mpID}},
		TypeBucketVersioning: {Header: hdr, Payload: &BucketVersioningSet{Status: VersioningEnabled}},
		TypeBucketObjectLock: {Header: hdr, Payload: &BucketObjectLockSet{DefaultMode: LockGovernance, DefaultDays: 30}},
		TypeObjectMarker:     {Header: ver, Payload: &ObjectMarkerCreated{Owner: strings.Repeat("0f", 32)}},
		TypeObjectRetention:  {Header: ver, Payload: &ObjectRetentionSet{Mode: LockCompliance, RetainUntil: &until}},
		TypeObjectLegalHold:  {Header: ver, Payload: &ObjectLegalHoldSet{On: true}},
		TypeBucketNotification: {Header: hdr, Payload: &BucketNotification{Rules: []NotificationRule{
			{ID: "thumbs", Kind: RuleQueue, ARN: "arn:cairn:sqs::hook1:webhook", Events: []string{"s3:ObjectCreated:*"}, Prefix: "holiday/", Suffix: ".jpg"},
			{ID: "audit", Kind: RuleTopic, ARN: "arn:cairn:sqs::bus:nats", Events: []string{"s3:ObjectRemoved:*", "s3:ObjectTagging:Put"}},
		}}},
		TypeBucketReplication: {Header: hdr, Payload: &BucketReplication{Role: "arn:aws:iam::000000000000:role/replication",
			Rules: []ReplicationRule{
				{ID: "to-paris", Priority: 2, Enabled: true, Prefix: "holiday/", Tags: map[string]string{"tier": "hot"},
					Site: "paris", Bucket: "photos-copy", ARN: "arn:cairn:s3::paris:photos-copy", StorageClass: "STANDARD_IA"},
				{ID: "legacy", Enabled: true, Prefix: "docs/", V1: true, DeleteMarkers: true, ExistingObjects: true,
					Site: "oslo", Bucket: "photos", ARN: "arn:aws:s3:::photos"},
			}}},
		TypeObjectReplication: {Header: versioned(obj), Payload: &ObjectReplicated{Dest: "paris:photos-copy", Status: ReplicationFailed,
			Seq: 163, Reason: "AccessDenied"}},
		TypeSegmentRelocated: {Header: sys, Payload: &SegmentRelocated{Node: "n1", Moves: []Move{
			{Record: hdr.ID, Length: 5, From: Place{Disk: 1, Segment: 7, Offset: 4096}, To: Place{Disk: 2, Segment: 12, Offset: 64}}}}},
		TypeSegmentRetired: {Header: sys, Payload: &SegmentRetired{Node: "n1", Disk: 1, Segment: 7}},
	}
}

// versioned is h naming a version.
func versioned(h Header) Header {
	h.VersionID = "188a1b2c3d4e5f60a1b2c3d4e5f60718"
	return h
}

func goldenPath(typ string, v int) string {
	return filepath.Join("testdata", "golden", typ, fmt.Sprintf("v%d.json", v))
}

func TestGoldenCurrentVersionsEncodeByteForByte(t *testing.T) {
	s := samples()
	for typ, v := range Types() {
		ev, ok := s[typ]
		if !ok {
			t.Fatalf("type %s has no sample: add one to samples()", typ)
		}
		got, err := Encode(ev)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		path := goldenPath(typ, v)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run go test -update once for a new version)", typ, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s v%d encodes differently from its golden file:\n got %s\nwant %s", typ, v, got, want)
		}
	}
}

func TestGoldenEveryVersionDecodesToCurrentValue(t *testing.T) {
	s := samples()
	for typ, cur := range Types() {
		for v := 1; v <= cur; v++ {
			b, err := os.ReadFile(goldenPath(typ, v))
			if err != nil {
				t.Fatalf("%s v%d: golden file missing: %v", typ, v, err)
			}
			ev, err := Decode(b)
			if err != nil {
				t.Fatalf("%s v%d: %v", typ, v, err)
			}
			if !reflect.DeepEqual(ev, s[typ]) {
				t.Errorf("%s v%d decodes to %+v, want %+v", typ, v, ev, s[typ])
			}
		}
	}
}

func TestGoldenFilesAllBelongToRegisteredVersions(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*", "v*.json"))
	if err != nil {
		t.Fatal(err)
	}
	types := Types()
	var stray []string
	for _, f := range files {
		typ := filepath.Base(filepath.Dir(f))
		var v int
		if _, err := fmt.Sscanf(filepath.Base(f), "v%d.json", &v); err != nil || v < 1 || v > types[typ] {
			stray = append(stray, f)
		}
	}
	sort.Strings(stray)
	if len(stray) > 0 {
		t.Fatalf("golden files for unregistered types or versions: %v", stray)
	}
	if len(files) == 0 {
		t.Fatal("no golden files found")
	}
}

func TestDecodeRefusesUnknownTypesAndVersions(t *testing.T) {
	cases := map[string]struct {
		in   string
		want error
	}{
		"unknown type":     {`{"type":"object.teleported","v":1,"id":"x","time":"2026-01-01T00:00:00Z","data":{}}`, ErrUnknownType},
		"newer version":    {`{"type":"object.put","v":99,"id":"x","time":"2026-01-01T00:00:00Z","data":{}}`, ErrUnknownVersion},
		"version zero":     {`{"type":"object.put","v":0,"id":"x","time":"2026-01-01T00:00:00Z","data":{}}`, ErrMalformed},
		"no data":          {`{"type":"object.put","v":1,"id":"x","time":"2026-01-01T00:00:00Z"}`, ErrMalformed},
		"not json":         {`{"type":`, ErrMalformed},
		"payload mismatch": {`{"type":"object.put","v":1,"id":"x","time":"2026-01-01T00:00:00Z","data":{"size":"big"}}`, ErrMalformed},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Decode([]byte(c.in))
			if !errorsIs(err, c.want) {
				t.Fatalf("Decode = %v, want %v", err, c.want)
			}
		})
	}
}

func TestNewIDIsUniqueHex(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := NewID()
		if len(id) != 32 || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
}

// Optional header fields added after v1 goldens were written: they round
// trip, and events without them (every golden above) still decode.
func TestOptionalHeaderFieldsRoundTrip(t *testing.T) {
	ev := samples()[TypeObjectPut]
	ev.RequestID, ev.SourceIP = "4442587FB7D0A2F9", "192.0.2.7"
	if b := roundTrip(t, ev); !bytes.Contains(b, []byte(`"requestId":"4442587FB7D0A2F9","sourceIp":"192.0.2.7"`)) {
		t.Fatalf("encoding %s", b)
	}
}

// roundTrip encodes ev, checks it decodes to ev again, and returns the
// encoding.
func roundTrip(t *testing.T, ev *Event) []byte {
	t.Helper()
	b, err := Encode(ev)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b)
	if err != nil || !reflect.DeepEqual(got, ev) {
		t.Fatalf("decoded %+v (%v), want %+v", got, err, ev)
	}
	return b
}

// Optional fields versioning and Object Lock added to v1 types: they round
// trip, and leave the v1 goldens (written without them) as they were.
func TestVersioningFieldsOfV1TypesRoundTrip(t *testing.T) {
	until := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	put := samples()[TypeObjectPut]
	put.VersionID = "188a1b2c3d4e5f60fedcba9876543210"
	p := put.Payload.(*ObjectPut)
	p.CopySource, p.CopySourceVersion = "src/k", "null"
	p.Lock = Lock{LockMode: LockGovernance, RetainUntil: &until, LegalHold: true}
	created := samples()[TypeBucketCreated]
	created.Payload.(*BucketCreated).ObjectLock = true
	mp := samples()[TypeMultipartCreated]
	mp.Payload.(*MultipartCreated).Lock = Lock{LegalHold: true}
	roundTrip(t, created)
	roundTrip(t, mp)
	b := roundTrip(t, put)
	for _, want := range []string{`"versionId":"188a1b2c3d4e5f60fedcba9876543210"`, `"copySourceVersion":"null"`,
		`"lockMode":"GOVERNANCE","retainUntil":"2027-01-01T00:00:00Z","legalHold":true`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Fatalf("encoding lacks %s: %s", want, b)
		}
	}
}

// An event replicated from another site says so in its envelope, and
// events that are not say nothing (older goldens stay byte for byte).
func TestReplicaMarkRoundTrips(t *testing.T) {
	ev := samples()[TypeObjectPut]
	ev.Header.Replica = true
	b, err := Encode(ev)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"replica":true`)) {
		t.Fatalf("no replica mark in %s", b)
	}
	back, err := Decode(b)
	if err != nil || !back.Replica {
		t.Fatalf("decoded %+v, %v", back, err)
	}
}
