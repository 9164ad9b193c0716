package catalog

import (
	"math"
	"reflect"
	"testing"

	"github.com/cairnstore/cairn/log/event"
)

func rule(id, site, prefix string, prio int, tags map[string]string) event.ReplicationRule {
	return event.ReplicationRule{ID: id, Enabled: true, Priority: prio, Prefix: prefix, Tags: tags, Site: site, Bucket: "dst"}
}

func tagged(p *event.ObjectPut, tags map[string]string) *event.ObjectPut {
	p.Tags = tags
	return p
}

// A version starts PENDING for each destination the configuration in
// force selects it for, a replica is marked as one, and outcomes move a
// destination on without touching the key's sequence guard; a status for
// a version that was replaced meanwhile changes nothing.
func TestReplicationStateFollowsConfigurationAndOutcomes(t *testing.T) {
	c := open(t)
	var f feed
	cfg := &event.BucketReplication{Rules: []event.ReplicationRule{
		rule("a", "paris", "docs/", 1, nil), rule("b", "oslo", "", 2, map[string]string{"copy": "yes"})}}
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})                                                    // 1
	f.add("b", bid, "docs/before", put(1, 1))                                                                              // 2: no configuration yet
	f.add("b", bid, "", cfg)                                                                                               // 3
	f.add("b", bid, "docs/x", tagged(put(1, 1), map[string]string{"copy": "yes"}))                                         // 4: both sites
	f.add("b", bid, "other", put(1, 1))                                                                                    // 5: neither
	f.add("b", bid, "docs/y", put(1, 1)).Replica = true                                                                    // 6: a replica
	f.add("b", bid, "docs/x", &event.ObjectReplicated{Dest: "paris:dst", Status: "COMPLETED", Seq: 4})                     // 7
	f.add("b", bid, "docs/x", &event.ObjectReplicated{Dest: "oslo:dst", Status: "FAILED", Seq: 4, Reason: "AccessDenied"}) // 8
	f.add("b", bid, "docs/x", &event.ObjectReplicated{Dest: "paris:dst", Status: "FAILED", Seq: 4})                        // 9: too late
	f.add("b", bid, "docs/z", put(1, 1))                                                                                   // 10
	f.add("b", bid, "docs/z", put(2, 1))                                                                                   // 11: replaces 10
	f.add("b", bid, "docs/z", &event.ObjectReplicated{Dest: "paris:dst", Status: "COMPLETED", Seq: 10})                    // 12: stale
	if err := c.Apply(f.events, false); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"docs/before": "", "docs/x": "FAILED", "other": "", "docs/y": "REPLICA", "docs/z": "PENDING"}
	for key, st := range want {
		o, found, err := c.Object(bid, key)
		if err != nil || !found {
			t.Fatalf("%s: found %v err %v", key, found, err)
		}
		if got := o.ReplicationStatus(); got != st {
			t.Errorf("%s: status %q, want %q (%+v)", key, got, st, o.Replication)
		}
	}
	o, _, _ := c.Object(bid, "docs/x")
	if o.Replication["paris:dst"].Status != "COMPLETED" || o.Replication["oslo:dst"].Reason != "AccessDenied" {
		t.Fatalf("docs/x destinations: %+v", o.Replication)
	}
	if seq, _ := c.KeySeq(bid, "docs/x"); seq != 4 {
		t.Fatalf("outcomes moved the key's guard to %d", seq)
	}
	r, found, err := c.ReplicationAt(bid, 3)
	if err != nil || !found || r.Seq != 3 || !reflect.DeepEqual(r.Rules, cfg.Rules) {
		t.Fatalf("configuration at 3: %+v %v %v", r, found, err)
	}
	if _, found, _ := c.ReplicationAt(bid, 2); found {
		t.Fatal("a configuration before it was set")
	}
	if b, _, _ := c.Bucket("b"); b.Replication == nil || b.Replication.Seq != 3 {
		t.Fatalf("bucket record: %+v", b.Replication)
	}
}

// Removing the configuration ends it from its sequence on, and the
// versions before stay readable for late consumers.
func TestReplicationRemovedKeepsHistory(t *testing.T) {
	c := open(t)
	var f feed
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})
	f.add("b", bid, "", &event.BucketReplication{Rules: []event.ReplicationRule{rule("a", "paris", "", 0, nil)}})
	f.add("b", bid, "", &event.BucketReplication{})
	f.add("b", bid, "k", put(1, 1))
	if err := c.Apply(f.events, false); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := c.ReplicationAt(bid, math.MaxUint64); found {
		t.Fatal("a removed configuration is still in force")
	}
	if _, found, _ := c.ReplicationAt(bid, 2); !found {
		t.Fatal("the configuration of seq 2 is gone")
	}
	if o, _, _ := c.Object(bid, "k"); o.ReplicationStatus() != "" {
		t.Fatalf("a put after removal is %q", o.ReplicationStatus())
	}
	if b, _, _ := c.Bucket("b"); b.Replication != nil {
		t.Fatal("the bucket record keeps a removed configuration")
	}
}

// Per destination the highest priority matching rule wins; a marker
// follows the winning rule's DeleteMarkerReplication, and tag rules never
// match a marker.
func TestReplicationMatch(t *testing.T) {
	hot := map[string]string{"tier": "hot"}
	low, high := rule("low", "paris", "", 1, nil), rule("high", "paris", "a/", 5, hot)
	low.DeleteMarkers = true
	off := rule("off", "oslo", "", 9, nil)
	off.Enabled = false
	r := Replication{BucketReplication: event.BucketReplication{Rules: []event.ReplicationRule{low, high, off}}}
	ids := func(rules []event.ReplicationRule) (out []string) {
		for _, rl := range rules {
			out = append(out, rl.ID)
		}
		return out
	}
	cases := []struct {
		key  string
		tags map[string]string
		want []string
	}{{"a/x", hot, []string{"high"}}, {"a/x", nil, []string{"low"}}, {"b", hot, []string{"low"}}}
	for _, tc := range cases {
		if got := ids(r.Match(tc.key, tc.tags)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Match(%q, %v) = %v, want %v", tc.key, tc.tags, got, tc.want)
		}
	}
	if got := ids(r.MatchMarker("a/x")); !reflect.DeepEqual(got, []string{"low"}) {
		t.Errorf("MatchMarker = %v", got)
	}
}
