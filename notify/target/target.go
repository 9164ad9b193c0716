// Package target holds the destinations notifications are delivered to: an
// HTTP webhook and a NATS subject. A destination is declared on the server
// and referenced from a bucket's notification configuration by its ARN.
package target

import (
	"context"
	"fmt"
	"regexp"
)

// Kinds of destination, the last field of their ARN.
const (
	KindWebhook = "webhook"
	KindNATS    = "nats"
)

// Message is one notification to deliver.
type Message struct {
	// Body is the document: S3's {"Records":[...]} JSON.
	Body []byte
	// ID names the notification: the same event for the same
	// configuration always has the same ID, so a receiver (or a JetStream
	// stream's duplicate window) can drop a redelivery.
	ID string
}

// Target is one destination. Send returns nil only once the destination
// has accepted the message; any error means "try again later".
type Target interface {
	ID() string
	ARN() string
	Send(ctx context.Context, m Message) error
}

// ARN is the ARN of the destination declared with id and kind, as a bucket
// notification configuration names it: arn:cairn:sqs::<id>:<kind>.
func ARN(id, kind string) string { return "arn:cairn:sqs::" + id + ":" + kind }

var idChars = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// CheckID says whether id can name a destination: 1 to 64 letters, digits,
// '-' and '_' (it becomes part of an ARN and of a JetStream consumer name).
func CheckID(id string) error {
	if !idChars.MatchString(id) {
		return fmt.Errorf("notify: destination id %q: use 1-64 letters, digits, '-' or '_'", id)
	}
	return nil
}
