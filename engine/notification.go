package engine

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"strings"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
)

// Kinds of NotificationRule: the S3 XML element a configuration came in.
const (
	RuleQueue    = event.RuleQueue
	RuleTopic    = event.RuleTopic
	RuleFunction = event.RuleFunction
)

// NotificationRule is one Topic, Queue or CloudFunction configuration of a
// bucket's notification configuration, in domain terms.
type NotificationRule struct {
	ID     string // generated when empty
	Kind   string // RuleQueue, RuleTopic or RuleFunction
	ARN    string // must name a destination declared on the server
	Events []string
	Filter []FilterRule // as sent; GetBucketNotification returns Prefix and Suffix
}

// FilterRule is one S3Key filter rule: Name is "prefix" or "suffix" (any
// case), Value what the key must start or end with.
type FilterRule struct{ Name, Value string }

// Argument is a name and value an S3 error body echoes.
type Argument struct{ Name, Value string }

// NotificationError says why a notification configuration is refused; it
// matches ErrInvalidArgument. Numbered arguments render as ArgumentName1,
// ArgumentValue1, ... (S3 does so for destinations), the others as
// ArgumentName and ArgumentValue.
type NotificationError struct {
	Reason   string
	Args     []Argument
	Numbered bool
}

func (e *NotificationError) Error() string {
	return "engine: invalid notification configuration: " + e.Reason
}

// Is makes errors.Is(err, ErrInvalidArgument) hold.
func (e *NotificationError) Is(target error) bool { return target == ErrInvalidArgument }

// Messages of S3's notification configuration errors.
const (
	msgOverlap      = "Configurations overlap. Configurations on the same bucket cannot share a common event type."
	msgDestinations = "Unable to validate the following destination configurations"
	msgEvent        = "The event is not supported for notifications"
	msgFilterName   = "filter rule name must be either prefix or suffix"
	msgFilterPrefix = "Cannot specify more than one prefix rule in a filter."
	msgFilterSuffix = "Cannot specify more than one suffix rule in a filter."
	msgFilterValue  = "Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation"
	msgNoEvent      = "At least one event must be specified"
	msgDuplicateID  = "Same ID used for multiple configurations. IDs must be unique"
	msgIDTooLong    = "The ID of a configuration cannot be longer than 255 characters"
	maxFilterValue  = 1024
	maxRuleIDLength = 255
	maxNotifyRules  = 100
	msgTooManyRules = "A bucket notification configuration can have at most 100 configurations"
	noSuchQueue     = "The destination queue does not exist"
	noSuchTopic     = "The destination topic does not exist"
	noSuchFunction  = "The destination function does not exist"
)

// NotificationEvents are the event names a configuration may name, as in
// S3. notify.EventName says which cairn emits; the others are accepted so
// that configurations written for S3 work.
var NotificationEvents = []string{
	"s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy",
	"s3:ObjectCreated:CompleteMultipartUpload",
	"s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated",
	"s3:ObjectTagging:*", "s3:ObjectTagging:Put", "s3:ObjectTagging:Delete",
	"s3:ObjectAcl:Put",
	"s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete",
	"s3:LifecycleExpiration:*", "s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated",
	"s3:LifecycleTransition", "s3:IntelligentTiering", "s3:ReducedRedundancyLostObject",
	"s3:Replication:*", "s3:Replication:OperationFailedReplication", "s3:Replication:OperationMissedThreshold",
	"s3:Replication:OperationReplicatedAfterThreshold", "s3:Replication:OperationNotTracked",
}

// ValidNotificationEvent says whether name is an S3 event name.
func ValidNotificationEvent(name string) bool {
	for _, n := range NotificationEvents {
		if n == name {
			return true
		}
	}
	return false
}

// PutBucketNotification replaces a bucket's notification configuration
// (no rules removes it), after S3's checks: known event names, at most one
// prefix and one suffix rule per filter, unique ids, no two configurations
// that could both fire for one event (whatever their destinations), and
// every destination declared on this server.
func (e *Engine) PutBucketNotification(ctx context.Context, bucket, actor string, rules []NotificationRule) error {
	resolved, err := e.checkNotification(rules)
	if err != nil {
		return err
	}
	b, err := e.bucket(ctx, bucket)
	if err != nil {
		return err
	}
	ev := &event.Event{Header: e.header(ctx, actor), Payload: &event.BucketNotification{Rules: resolved}}
	ev.Bucket, ev.BucketID = bucket, b.id
	_, err = e.appendEvent(ctx, stream.BucketConfigSubject(b.id), ev, nil)
	return err
}

// GetBucketNotification returns a bucket's notification configuration;
// empty when it has none.
func (e *Engine) GetBucketNotification(ctx context.Context, bucket string) ([]NotificationRule, error) {
	b, err := e.bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	n, _, err := e.o.Catalog.NotificationAt(b.id, math.MaxUint64)
	if err != nil {
		return nil, err
	}
	out := make([]NotificationRule, 0, len(n.Rules))
	for _, r := range n.Rules {
		nr := NotificationRule{ID: r.ID, Kind: r.Kind, ARN: r.ARN, Events: r.Events}
		if r.Prefix != "" {
			nr.Filter = append(nr.Filter, FilterRule{Name: "Prefix", Value: r.Prefix})
		}
		if r.Suffix != "" {
			nr.Filter = append(nr.Filter, FilterRule{Name: "Suffix", Value: r.Suffix})
		}
		out = append(out, nr)
	}
	return out, nil
}

// checkNotification validates rules and resolves them into the event's
// form.
func (e *Engine) checkNotification(rules []NotificationRule) ([]event.NotificationRule, error) {
	if len(rules) > maxNotifyRules {
		return nil, &NotificationError{Reason: msgTooManyRules}
	}
	out := make([]event.NotificationRule, 0, len(rules))
	ids := map[string]bool{}
	for _, r := range rules {
		er, err := resolveRule(r)
		if err != nil {
			return nil, err
		}
		if ids[er.ID] {
			return nil, &NotificationError{Reason: msgDuplicateID, Args: []Argument{{"ID", er.ID}}}
		}
		ids[er.ID] = true
		out = append(out, er)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if ev, ok := rulesOverlap(out[i], out[j]); ok {
				return nil, &NotificationError{Reason: msgOverlap, Args: []Argument{{"Event", ev}}}
			}
		}
	}
	var unknown []Argument
	for _, r := range out {
		if e.o.Destinations == nil || !e.o.Destinations(r.ARN) {
			unknown = append(unknown, Argument{r.ARN, missingDestination(r.Kind)})
		}
	}
	if len(unknown) > 0 {
		return nil, &NotificationError{Reason: msgDestinations, Args: unknown, Numbered: true}
	}
	return out, nil
}

func missingDestination(kind string) string {
	switch kind {
	case event.RuleTopic:
		return noSuchTopic
	case event.RuleFunction:
		return noSuchFunction
	}
	return noSuchQueue
}

// resolveRule checks one rule's own parts and gives it an id if it has
// none.
func resolveRule(r NotificationRule) (event.NotificationRule, error) {
	er := event.NotificationRule{ID: r.ID, Kind: r.Kind, ARN: r.ARN}
	if len(er.ID) > maxRuleIDLength {
		return er, &NotificationError{Reason: msgIDTooLong, Args: []Argument{{"ID", er.ID}}}
	}
	if er.ID == "" {
		er.ID = newRuleID()
	}
	if len(r.Events) == 0 {
		return er, &NotificationError{Reason: msgNoEvent}
	}
	seen := map[string]bool{}
	for _, ev := range r.Events {
		if !ValidNotificationEvent(ev) {
			return er, &NotificationError{Reason: msgEvent, Args: []Argument{{"Event", ev}}}
		}
		if !seen[ev] {
			seen[ev] = true
			er.Events = append(er.Events, ev)
		}
	}
	var havePrefix, haveSuffix bool
	for _, f := range r.Filter {
		if len(f.Value) > maxFilterValue {
			return er, &NotificationError{Reason: msgFilterValue, Args: []Argument{{"FilterRule", f.Name}}}
		}
		switch strings.ToLower(f.Name) {
		case "prefix":
			if havePrefix {
				return er, &NotificationError{Reason: msgFilterPrefix, Args: []Argument{{"FilterRule", f.Name}}}
			}
			havePrefix, er.Prefix = true, f.Value
		case "suffix":
			if haveSuffix {
				return er, &NotificationError{Reason: msgFilterSuffix, Args: []Argument{{"FilterRule", f.Name}}}
			}
			haveSuffix, er.Suffix = true, f.Value
		default:
			return er, &NotificationError{Reason: msgFilterName, Args: []Argument{{"FilterRule", f.Name}}}
		}
	}
	return er, nil
}

// rulesOverlap reports whether some event could fire both rules: they
// share an event type (a wildcard covers its whole family) and some key
// can match both filters (one prefix extends the other, and one suffix
// extends the other). It returns one shared event name.
func rulesOverlap(a, b event.NotificationRule) (string, bool) {
	if !strings.HasPrefix(a.Prefix, b.Prefix) && !strings.HasPrefix(b.Prefix, a.Prefix) {
		return "", false
	}
	if !strings.HasSuffix(a.Suffix, b.Suffix) && !strings.HasSuffix(b.Suffix, a.Suffix) {
		return "", false
	}
	for _, x := range a.Events {
		for _, y := range b.Events {
			if eventsOverlap(x, y) {
				return x, true
			}
		}
	}
	return "", false
}

// eventsOverlap says whether two event names (wildcards included) share
// an event type.
func eventsOverlap(x, y string) bool {
	covers := func(w, n string) bool {
		return strings.HasSuffix(w, ":*") && strings.HasPrefix(n, strings.TrimSuffix(w, "*"))
	}
	return x == y || covers(x, y) || covers(y, x)
}

// newRuleID makes an id for a configuration sent without one, in the style
// of S3's (base64 of a random UUID-like string).
func newRuleID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	uuid := fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:])
	return base64.StdEncoding.EncodeToString([]byte(uuid))
}
