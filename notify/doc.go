// Package notify delivers bucket notifications: S3 event records sent to
// destinations declared on the server (package target: webhooks and NATS
// subjects), and live subscriptions to a bucket's events
// (ListenBucketNotification). Both are consumers of the event log; nothing
// is produced on the request path.
//
// # Delivery
//
// Each destination has one durable JetStream pull consumer, named
// notify_<id>_<kind>, reading every object subject (s3.ev.>), with explicit
// acks, MaxAckPending (Tuning), unlimited MaxDeliver and, as a safety net
// only, AckWait with a growing BackOff. The consumer's ack floor is where
// delivery stands: the backlog of a slow or absent destination is the log
// itself, so nothing is dropped however long it is down, and nothing
// buffered in memory is ever the only copy.
//
// Events are dispatched by subject (bucket incarnation and key hash) to
// Tuning.Workers single-threaded workers. A worker keeps one queue per key
// in stream order and acks an event only after the destination accepted it
// (a webhook's 2xx, the NATS server's flush). A failed event is retried
// with exponential backoff (Tuning.RetryMin doubling to RetryMax, with
// jitter); its key waits, the worker's other keys go on. Per-key order
// therefore holds: an event is never delivered before every earlier event
// of its key was delivered at least once. Delivery is at-least-once: a
// receiver keeps, per key, the record with the greatest sequencer, and can
// drop exact repeats by (cairn.seq, configurationId).
//
// Held events are reported in progress every AckWait/3, so the server does
// not redeliver them behind newer ones. Each delivery session starts by
// resetting the consumer to its ack floor (JetStream's consumer reset):
// events a previous process held unacknowledged when it was killed come
// back at once and in order, ahead of anything newer. Several gateways may
// declare the same destination: the consumer is pinned to one puller at a
// time (pinned-client priority group), the others stand by, and a new
// holder resets once it sees it holds the pin.
//
// A key whose events a destination refuses forever keeps being retried
// (at the RetryMax pace) and, once it holds MaxAckPending events, stalls
// that destination: cairn never skips an event. The failures metric and
// the log show it.
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
