package engine

import (
	"errors"
	"strings"
	"testing"

	"github.com/cairnstore/cairn/log/event"
)

func TestNotificationValidation(t *testing.T) {
	e, err := New(Options{MasterKey: make([]byte, 32), Destinations: func(arn string) bool { return strings.HasPrefix(arn, "arn:cairn:sqs::known") }})
	if err != nil {
		t.Fatal(err)
	}
	q := func(arn string, events []string, filter ...FilterRule) NotificationRule {
		return NotificationRule{Kind: event.RuleQueue, ARN: arn, Events: events, Filter: filter}
	}
	created, removed := []string{"s3:ObjectCreated:*"}, []string{"s3:ObjectRemoved:*"}
	pfx := func(v string) FilterRule { return FilterRule{"prefix", v} }
	sfx := func(v string) FilterRule { return FilterRule{"Suffix", v} }
	const a, b = "arn:cairn:sqs::known-a:webhook", "arn:cairn:sqs::known-b:nats"
	cases := []struct {
		name  string
		rules []NotificationRule
		want  string // reason, "" for accepted
	}{
		{"empty removes", nil, ""},
		{"one rule", []NotificationRule{q(a, created)}, ""},
		{"disjoint prefixes", []NotificationRule{q(a, created, pfx("images/")), q(b, created, pfx("docs/"))}, ""},
		{"disjoint suffixes", []NotificationRule{q(a, created, sfx(".jpg")), q(a, created, sfx(".png"))}, ""},
		{"different event types", []NotificationRule{q(a, created), q(b, removed)}, ""},
		{"specific types apart", []NotificationRule{q(a, []string{"s3:ObjectCreated:Put"}), q(b, []string{"s3:ObjectCreated:Copy"})}, ""},
		{"same types, other destination", []NotificationRule{q(a, created), q(b, created)}, msgOverlap},
		{"wildcard covers name", []NotificationRule{q(a, created), q(b, []string{"s3:ObjectCreated:Put"})}, msgOverlap},
		{"nested prefixes", []NotificationRule{q(a, created, pfx("images/")), q(b, created, pfx("images/2026/"))}, msgOverlap},
		{"prefix and suffix meet", []NotificationRule{q(a, created, pfx("a/")), q(b, created, sfx(".jpg"))}, msgOverlap},
		{"nested suffixes", []NotificationRule{q(a, created, sfx(".jpg")), q(b, created, sfx("x.jpg"))}, msgOverlap},
		{"unknown arn", []NotificationRule{q("arn:cairn:sqs::nope:webhook", created)}, msgDestinations},
		{"unknown event", []NotificationRule{q(a, []string{"s3:ObjectCreated:Teleport"})}, msgEvent},
		{"no event", []NotificationRule{q(a, nil)}, msgNoEvent},
		{"bad filter name", []NotificationRule{q(a, created, FilterRule{"infix", "x"})}, msgFilterName},
		{"two prefixes", []NotificationRule{q(a, created, pfx("a"), pfx("b"))}, msgFilterPrefix},
		{"two suffixes", []NotificationRule{q(a, created, sfx("a"), sfx("b"))}, msgFilterSuffix},
		{"long filter value", []NotificationRule{q(a, created, pfx(strings.Repeat("p", 1025)))}, msgFilterValue},
		{"duplicate ids", []NotificationRule{{ID: "x", ARN: a, Events: created}, {ID: "x", ARN: b, Events: removed}}, msgDuplicateID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := e.checkNotification(c.rules)
			if c.want == "" {
				if err != nil || len(got) != len(c.rules) {
					t.Fatalf("refused: %v", err)
				}
				for _, r := range got {
					if r.ID == "" {
						t.Fatal("no id generated")
					}
				}
				return
			}
			var ne *NotificationError
			if !errors.As(err, &ne) || ne.Reason != c.want || !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

func TestUnknownDestinationsAreListedNumbered(t *testing.T) {
	e, err := New(Options{MasterKey: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.checkNotification([]NotificationRule{
		{Kind: event.RuleQueue, ARN: "arn:cairn:sqs::x:webhook", Events: []string{"s3:ObjectCreated:*"}},
		{Kind: event.RuleTopic, ARN: "arn:cairn:sqs::y:nats", Events: []string{"s3:ObjectRemoved:*"}},
	})
	var ne *NotificationError
	if !errors.As(err, &ne) || !ne.Numbered || len(ne.Args) != 2 || ne.Args[1] != (Argument{"arn:cairn:sqs::y:nats", noSuchTopic}) {
		t.Fatalf("%#v", err)
	}
}
