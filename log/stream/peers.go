package stream

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
)

// Gateways sharing one log find each other through it: each answers core
// NATS requests on PeerSubject(its node) with the base URL of its internal
// endpoint. The answer is not stored anywhere (it is outside the stream's
// "s3.>"), so a gateway that is down or moved is never found at a stale
// address: a lookup either reaches the running gateway or fails.

// ErrNoPeer means no gateway answered for the node.
var ErrNoPeer = errors.New("stream: no gateway answers for the node")

// PeerSubject is where the gateway of one node answers lookups.
func PeerSubject(node string) string { return "cairn.peer." + Hash(node) }

// Announce answers lookups of node with url until stop is called.
func (l *Log) Announce(node, url string) (stop func() error, err error) {
	sub, err := l.nc.Subscribe(PeerSubject(node), func(m *nats.Msg) {
		if m.Reply != "" {
			_ = m.Respond([]byte(url)) // the asker times out and retries
		}
	})
	if err != nil {
		return nil, fmt.Errorf("stream: announce node: %w", err)
	}
	return sub.Unsubscribe, nil
}

// Lookup asks the gateway of node for the URL it announced.
func (l *Log) Lookup(ctx context.Context, node string) (string, error) {
	m, err := l.nc.RequestWithContext(ctx, PeerSubject(node), nil)
	switch {
	case errors.Is(err, nats.ErrNoResponders), errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout):
		return "", fmt.Errorf("%w: node %s: %v", ErrNoPeer, node, err)
	case err != nil:
		return "", fmt.Errorf("stream: look up node %s: %w", node, err)
	}
	return string(m.Data), nil
}
