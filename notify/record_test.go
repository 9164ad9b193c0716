package notify

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cairnstore/cairn/log/event"
)

var update = flag.Bool("update", false, "rewrite testdata/*.json")

func sampleEvent(p event.Payload) *event.Event {
	return &event.Event{Seq: 163, Header: event.Header{ID: "0123456789abcdef0123456789abcdef",
		Time: time.Date(2026, 11, 21, 19, 0, 0, 123456789, time.UTC), Actor: "AKIDEXAMPLE", Bucket: "photos",
		BucketID: "fedcba9876543210fedcba9876543210", Key: "2026/beach 01+€.jpg", RequestID: "4442587FB7D0A2F9",
		SourceIP: "192.0.2.7"}, Payload: p}
}

// The record format is a wire format: pinned byte for byte.
func TestRecordsMatchGoldenJSON(t *testing.T) {
	cases := map[string]*event.Event{
		"record_put":       sampleEvent(&event.ObjectPut{Size: 5, ETag: "5d41402abc4b2a76b9719d911017c592"}),
		"record_empty_put": sampleEvent(&event.ObjectPut{Size: 0, ETag: "d41d8cd98f00b204e9800998ecf8427e"}),
		"record_delete":    sampleEvent(&event.ObjectDeleted{}),
		"record_tagging":   sampleEvent(&event.ObjectTagged{Tags: map[string]string{"k": "v"}}),
	}
	for name, ev := range cases {
		got, err := Encode(NewRecord(ev, EventName(ev), "thumbs", "AKIDOWNER", "eu-west-1"))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		path := filepath.Join("testdata", name+".json")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (go test -update once)", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}

func TestEventNames(t *testing.T) {
	cases := []struct {
		p    event.Payload
		want string
	}{
		{&event.ObjectPut{}, "ObjectCreated:Put"},
		{&event.ObjectPut{CopySource: "b/k"}, "ObjectCreated:Copy"},
		{&event.ObjectPut{UploadID: "u"}, "ObjectCreated:CompleteMultipartUpload"},
		{&event.ObjectPut{Post: true}, "ObjectCreated:Post"},
		{&event.ObjectACLSet{}, "ObjectAcl:Put"},
		{&event.ObjectDeleted{}, "ObjectRemoved:Delete"},
		{&event.ObjectMarkerCreated{}, "ObjectRemoved:DeleteMarkerCreated"},
		{&event.ObjectRetentionSet{}, ""},
		{&event.BucketVersioningSet{}, ""},
		{&event.ObjectTagged{Tags: map[string]string{"a": "b"}}, "ObjectTagging:Put"},
		{&event.ObjectTagged{}, "ObjectTagging:Delete"},
		{&event.BucketCreated{}, ""},
		{&event.BucketNotification{}, ""},
		{&event.ObjectReplicated{Status: event.ReplicationFailed, Reason: "AccessDenied"}, "Replication:OperationFailedReplication"},
		{&event.ObjectReplicated{Status: event.ReplicationCompleted}, ""},
	}
	for _, c := range cases {
		if got := EventName(&event.Event{Payload: c.p}); got != c.want {
			t.Errorf("%T: %q, want %q", c.p, got, c.want)
		}
	}
}

func TestFilterMatch(t *testing.T) {
	cases := []struct {
		f         Filter
		name, key string
		want      bool
	}{
		{Filter{}, "ObjectRemoved:Delete", "any", true},
		{Filter{Events: []string{"s3:ObjectCreated:*"}}, "ObjectCreated:Copy", "k", true},
		{Filter{Events: []string{"s3:ObjectCreated:*"}}, "ObjectRemoved:Delete", "k", false},
		{Filter{Events: []string{"s3:ObjectCreated:Put"}}, "ObjectCreated:Copy", "k", false},
		{Filter{Events: []string{"s3:ObjectCreated:Put", "s3:ObjectTagging:*"}}, "ObjectTagging:Delete", "k", true},
		{Filter{Events: []string{"s3:Object*"}}, "ObjectCreated:Put", "k", false}, // wildcards only after the family
		{Filter{Prefix: "img/", Suffix: ".jpg"}, "ObjectCreated:Put", "img/a.jpg", true},
		{Filter{Prefix: "img/", Suffix: ".jpg"}, "ObjectCreated:Put", "img/a.png", false},
		{Filter{Prefix: "img/", Suffix: ".jpg"}, "ObjectCreated:Put", "doc/a.jpg", false},
		{Filter{Prefix: "a", Suffix: "a"}, "ObjectCreated:Put", "a", true},
	}
	for _, c := range cases {
		if got := c.f.Match(c.name, c.key); got != c.want {
			t.Errorf("%+v.Match(%s, %s) = %v", c.f, c.name, c.key, got)
		}
	}
}

func TestEncodeKeyAsS3(t *testing.T) {
	for in, want := range map[string]string{
		"a b/c+d.jpg": "a+b/c%2Bd.jpg",
		"ü/€":         "%C3%BC/%E2%82%AC",
		"x=1&y?":      "x%3D1%26y%3F",
		"dir/":        "dir/",
	} {
		if got := EncodeKey(in); got != want {
			t.Errorf("EncodeKey(%q) = %q, want %q", in, got, want)
		}
	}
	if Sequencer(163) != "00000000000000A3" || Sequencer(1) >= Sequencer(2) {
		t.Fatal("sequencers must be fixed-width upper-case hex")
	}
}
