package target

import (
	"context"
	"fmt"
)

// Publisher publishes on a plain NATS subject and returns once the NATS
// server has the message (stream.Log.Publish).
type Publisher interface {
	Publish(ctx context.Context, subject string, hdr map[string]string, data []byte) error
}

// NATS publishes each notification on a subject of the NATS server cairn
// uses for its log (embedded or external), with core NATS: Send returns
// once the server has the message, not once a subscriber got it.
//
// NB: not a JetStream publish, on purpose: the subject belongs to the
// user, who may or may not capture it in a stream of their own; a
// JetStream publish to an uncaptured subject fails forever. Subscribers
// that must not miss anything while disconnected capture the subject in a
// stream; the Nats-Msg-Id header (the notification's stable id) lets that
// stream's duplicate window drop cairn's at-least-once redeliveries.
type NATS struct {
	id, subject string
	pub         Publisher
}

// NewNATS returns the destination; check is the publisher's subject check
// (stream.CheckPublishSubject).
func NewNATS(id, subject string, pub Publisher, check func(string) error) (*NATS, error) {
	if err := CheckID(id); err != nil {
		return nil, err
	}
	if err := check(subject); err != nil {
		return nil, fmt.Errorf("notify: nats destination %s: %w", id, err)
	}
	return &NATS{id: id, subject: subject, pub: pub}, nil
}

// ID implements Target.
func (n *NATS) ID() string { return n.id }

// ARN implements Target.
func (n *NATS) ARN() string { return ARN(n.id, KindNATS) }

// String describes the destination.
func (n *NATS) String() string { return "nats " + n.id + " " + n.subject }

// Send implements Target.
func (n *NATS) Send(ctx context.Context, m Message) error {
	return n.pub.Publish(ctx, n.subject, map[string]string{"Nats-Msg-Id": m.ID, "Content-Type": "application/json"}, m.Body)
}
