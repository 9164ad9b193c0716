// Package relay carries the event log out of the process: it is the
// delivery core that bucket notifications (package notify) and cross-site
// replication (package notify/replicate) share. A relay reads one durable
// JetStream pull consumer and hands each event to a Handle function, which
// does the side effect (a webhook POST, a PUT to another site) and returns
// nil once it is done, or an error to try again later.
//
// # Delivery
//
// Each relay has one durable consumer (Options.Name) with explicit acks,
// MaxAckPending (Tuning), unlimited MaxDeliver and, as a safety net only,
// AckWait with a growing BackOff. The consumer's ack floor is where
// delivery stands: the backlog of a slow or absent receiver is the log
// itself, so nothing is dropped however long it is down, and nothing
// buffered in memory is ever the only copy.
//
// Events are dispatched by subject (for object events: bucket incarnation
// and key hash) to Tuning.Workers single-threaded workers. A worker keeps
// one queue per subject in stream order and acks an event only after Handle
// returned nil for it. A failed event is retried with exponential backoff
// (Tuning.RetryMin doubling to RetryMax, with jitter); its subject waits,
// the worker's other subjects go on. Per-subject order therefore holds: an
// event is never handled before every earlier event of its subject was
// handled at least once. Delivery is at-least-once: Handle must be
// idempotent, or its receiver must drop repeats.
//
// Held events are reported in progress every AckWait/3, so the server does
// not redeliver them behind newer ones. Each session starts by resetting
// the consumer to its ack floor (JetStream's consumer reset): events a
// previous process held unacknowledged when it was killed come back at
// once and in order, ahead of anything newer. Several gateways may run the
// same relay: the consumer is pinned to one puller at a time
// (pinned-client priority group), the others stand by, and a new holder
// resets once it sees it holds the pin.
//
// # Barriers
//
// An event for which Options.Barrier says true is handled alone: once every
// earlier event was acknowledged, and before any later one is dispatched
// (later ones are read meanwhile and kept in progress, not handled).
// Replication uses it for a configuration change that must see every
// earlier event delivered (replicating the objects that existed before).
//
// A subject whose events Handle refuses forever keeps being retried (at the
// RetryMax pace) and, once the relay holds MaxAckPending events, stalls
// it: a relay never skips an event. The Failures counter and the log show
// it.
//
// # Lock order
//
// Relay.mu guards the held-event index only; it is never held while
// calling out (Handle, the server).
package relay
