// Package notify delivers bucket notifications: S3 event records sent to
// destinations declared on the server (package target: webhooks and NATS
// subjects), and live subscriptions to a bucket's events
// (ListenBucketNotification). Both are consumers of the event log; nothing
// is produced on the request path.
//
// # Delivery
//
// Each destination has one relay (package relay): a durable JetStream pull
// consumer, named notify_<id>_<kind>, reading every object subject
// (s3.ev.>), replication outcomes (s3.rs.>, for failed replication) and
// bucket configurations (s3.bc.>, for s3:TestEvent), whose ack floor is
// where delivery stands. Events are handed to
// single-threaded workers by key, acknowledged only after the destination
// accepted them (a webhook's 2xx, the NATS server's flush), and a failed
// one is retried with exponential backoff while its key waits and the
// others go on. Per-key order therefore holds: an event is never
// delivered before every earlier event of its key was delivered at least
// once. Delivery is at-least-once: a receiver keeps, per key, the record
// with the greatest sequencer, and can drop exact repeats by (cairn.seq,
// configurationId). The backlog of a destination that is down is the log
// itself; restarts, kills and several gateways declaring one destination
// are the relay's business (see its package comment).
//
// # Which events, under which configuration
//
// An event is delivered under the bucket's notification configuration in
// force at the event's own stream sequence: the catalog keeps every
// configuration version by sequence (catalog.NotificationAt) and the worker
// waits until the catalog has applied the event before looking. Delivering
// again after a restart, however late, decides exactly as the first time.
// EventName maps event types to S3 event names; Filter matches names
// (with wildcards) and key prefix and suffix.
//
// # Trimming
//
// The stream is never trimmed today. When it is, the ack floors of these
// consumers (including those of destinations no longer declared, which
// stay durable so that a destination declared again resumes) must bound
// the trim, or undelivered events would be lost; so must the notification
// configuration versions in the catalog.
//
// # Metrics
//
// Per destination: cairn_notify_backlog_events (NumPending + NumAckPending
// of its consumer), cairn_notify_deliveries_total,
// cairn_notify_failures_total, and cairn_notify_delivery_seconds (event
// time to the destination's acceptance).
package notify
