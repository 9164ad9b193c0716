package event

// TypeBucketNotification is the type of a bucket's notification
// configuration change.
const TypeBucketNotification = "bucket.notification"

// BucketNotification (v1) replaces a bucket incarnation's notification
// configuration (S3's NotificationConfiguration); no rules removes it. It is
// appended on the bucket's configuration subject. The configuration in
// force for an object event is the last one appended before it: notify
// delivers each event under the rules in force at its stream sequence, so
// a redelivery after a restart decides exactly as the first delivery did.
type BucketNotification struct {
	Rules []NotificationRule `json:"rules,omitempty"`
}

// EventType implements Payload.
func (*BucketNotification) EventType() string { return TypeBucketNotification }

// NotificationRule is one Topic, Queue or CloudFunction configuration of a
// NotificationConfiguration, validated: its Id is resolved (generated when
// the request had none), its events are S3 event names ("s3:ObjectCreated:*",
// "s3:ObjectRemoved:Delete", ...), and its filter is at most one prefix and
// one suffix.
type NotificationRule struct {
	ID     string   `json:"id"`
	Kind   string   `json:"kind"` // "queue", "topic" or "function": the XML element it came in
	ARN    string   `json:"arn"`  // a destination declared on the server, e.g. arn:cairn:sqs::hook1:webhook
	Events []string `json:"events"`
	Prefix string   `json:"prefix,omitempty"`
	Suffix string   `json:"suffix,omitempty"`
}

// Kinds of NotificationRule.
const (
	RuleQueue    = "queue"
	RuleTopic    = "topic"
	RuleFunction = "function"
)
