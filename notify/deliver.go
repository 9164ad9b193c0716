package notify

import (
	"context"
	"encoding/json"
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
	if p, ok := ev.Payload.(*event.BucketNotification); ok {
		return d.test(ctx, ev, p)
	}
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
		rec := NewRecord(ev, name, r.ID, n.Owner, d.s.o.Region)
		if err := d.s.addReplication(&rec, ev); err != nil {
			return err
		}
		body, err := Encode(rec)
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

// test sends S3's s3:TestEvent when a configuration that names this
// destination is set, as S3 does, so that a receiver sees it is wired.
func (d *deliverer) test(ctx context.Context, ev *event.Event, p *event.BucketNotification) error {
	arn := d.t.ARN()
	for _, r := range p.Rules {
		if r.ARN != arn {
			continue
		}
		body, err := json.Marshal(TestEvent{Service: "Amazon S3", Event: "s3:TestEvent", Time: ev.Time.UTC().Format(recordTime),
			Bucket: ev.Bucket, RequestID: ev.RequestID, HostID: ev.ID})
		if err != nil {
			return err
		}
		return d.t.Send(ctx, target.Message{Body: body, ID: MessageID(ev.Seq, "s3:TestEvent")})
	}
	return nil
}

// addReplication adds to the record of a replication outcome what S3's
// has: the version's size and ETag, and replicationEventData.
func (s *Service) addReplication(rec *Record, ev *event.Event) error {
	p, ok := ev.Payload.(*event.ObjectReplicated)
	if !ok {
		return nil
	}
	o, found, err := s.o.Index.Version(ev.BucketID, ev.Key, ev.VersionID)
	if err != nil {
		return err
	}
	if found && !o.Marker {
		size := o.Size
		rec.S3.Object.Size, rec.S3.Object.ETag = &size, o.ETag
	}
	data := &ReplicationData{S3Operation: "OBJECT_PUT", RequestTime: ev.Time.UTC().Format(recordTime), FailureReason: p.Reason}
	if found && o.Marker {
		data.S3Operation = "OBJECT_DELETE"
	}
	cfg, found, err := s.o.Index.ReplicationAt(ev.BucketID, p.Seq)
	if err != nil {
		return err
	}
	for _, r := range cfg.Rules {
		if found && r.Dest() == p.Dest {
			data.RuleID, data.DestinationBucket = r.ID, r.ARN
			break
		}
	}
	rec.ReplicationEventData = data
	return nil
}
