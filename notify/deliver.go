package notify

import (
	"context"
	"fmt"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/metrics"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/notify/relay"
	"github.com/cairnstore/cairn/notify/target"
)

// deliverer delivers the event log to one destination through its relay.
type deliverer struct {
	s     *Service
	t     target.Target
	relay *relay.Relay

	deliveries *metrics.Counter
	latency    *metrics.Histogram
}

func newDeliverer(s *Service, t target.Target) *deliverer {
	id := t.ID()
	return &deliverer{s: s, t: t, deliveries: s.m.deliveries.With(id), latency: s.m.latency.With(id)}
}

// deliver sends the notifications one event causes at this destination:
// one per rule of the configuration in force at the event's sequence that
// names the destination and matches the event. nil means done (including
// "nothing to send"); an error means try again later.
func (d *deliverer) deliver(ctx context.Context, m *stream.Delivery) error {
	ev, err := event.Decode(m.Data)
	if err != nil {
		return fmt.Errorf("event at seq %d: %w", m.Seq, err)
	}
	ev.Seq = m.Seq
	name := EventName(ev)
	if name == "" {
		return nil
	}
	if err := d.s.o.Applied.WaitFor(ctx, m.Seq); err != nil {
		return fmt.Errorf("waiting for the index to apply seq %d: %w", m.Seq, err)
	}
	n, found, err := d.s.o.Index.NotificationAt(ev.BucketID, m.Seq)
	if err != nil || !found {
		return err
	}
	arn := d.t.ARN()
	for _, r := range n.Rules {
		if r.ARN != arn || !ruleFilter(r).Match(name, ev.Key) {
			continue
		}
		body, err := Encode(NewRecord(ev, name, r.ID, n.Owner, d.s.o.Region))
		if err != nil {
			return err
		}
		if err := d.t.Send(ctx, target.Message{Body: body, ID: MessageID(m.Seq, r.ID)}); err != nil {
			return err
		}
		d.deliveries.Inc()
		d.latency.Since(ev.Time)
	}
	return nil
}
