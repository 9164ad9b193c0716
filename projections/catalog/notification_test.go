package catalog

import (
	"math"
	"reflect"
	"testing"

	"github.com/cairnstore/cairn/log/event"
)

// Every configuration version is kept by sequence: the one in force at a
// sequence is the last set at or before it, whatever came later, and the
// versions outlive the bucket (a lagging consumer still needs them).
func TestNotificationVersionsBySequence(t *testing.T) {
	c := open(t)
	var f feed
	rule := func(id string) []event.NotificationRule {
		return []event.NotificationRule{{ID: id, Kind: event.RuleQueue, ARN: "arn:cairn:sqs::h:webhook", Events: []string{"s3:ObjectCreated:*"}}}
	}
	f.add("b", bid, "", &event.BucketCreated{Region: "r", Owner: "AK"})     // 1
	f.add("b", bid, "k", put(1, 1))                                         // 2
	f.add("b", bid, "", &event.BucketNotification{Rules: rule("first")})    // 3
	f.add("b", bid, "k", put(1, 1))                                         // 4
	f.add("b", bid, "", &event.BucketNotification{Rules: rule("second")})   // 5
	f.add("b", bid, "", &event.BucketNotification{})                        // 6: removed
	f.add("b", bid, "k", &event.ObjectDeleted{})                            // 7
	f.add("b", bid, "", &event.BucketDeleted{})                             // 8
	f.add("b", bid, "", &event.BucketNotification{Rules: rule("too late")}) // 9: ignored
	if err := c.Apply(f.events, false); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		seq   uint64
		found bool
		id    string
	}{{1, false, ""}, {2, false, ""}, {3, true, "first"}, {4, true, "first"}, {5, true, "second"},
		{6, true, ""}, {7, true, ""}, {9, true, ""}, {math.MaxUint64, true, ""}}
	for _, tc := range cases {
		n, found, err := c.NotificationAt(bid, tc.seq)
		if err != nil || found != tc.found {
			t.Fatalf("seq %d: found %v err %v, want found %v", tc.seq, found, err, tc.found)
		}
		id := ""
		if len(n.Rules) > 0 {
			id = n.Rules[0].ID
		}
		if id != tc.id || (found && n.Owner != "AK") {
			t.Errorf("seq %d: %+v, want rule %q owned by AK", tc.seq, n, tc.id)
		}
	}
	n, _, _ := c.NotificationAt(bid, 4)
	if n.Seq != 3 || !reflect.DeepEqual(n.Rules, rule("first")) {
		t.Fatalf("version at 4: %+v", n)
	}
	if _, found, _ := c.NotificationAt("ffeeddccbbaa99887766554433221100", math.MaxUint64); found {
		t.Fatal("another bucket sees this bucket's configuration")
	}
}
