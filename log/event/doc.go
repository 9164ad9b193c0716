// Package event defines cairn's event schema: the only source of truth.
//
// Every mutation of the store (bucket created or deleted, object put or
// deleted, and later ACLs, policies, versions, multipart parts, compaction
// relocations) is one event appended to a JetStream stream. Projections fold
// events into indexes; notification and replication consumers read them too.
// Object bytes never travel in events: an event records where they are
// (Extent).
//
// # Wire form
//
// An event is one JSON object (the envelope) whose "data" member holds the
// type-specific payload:
//
//	{
//	  "type":     "object.put",          stable type name, never reused
//	  "v":        1,                     payload schema version of this type
//	  "id":       "<32 hex>",            unique event id; also Nats-Msg-Id and
//	                                     the segment record id of its bytes
//	  "time":     "2026-11-21T19:00:00.123456789Z",
//	  "actor":    "<access key>",        who asked for it (optional)
//	  "bucket":   "<bucket name>",       (optional)
//	  "bucketId": "<32 hex>",            bucket incarnation (optional)
//	  "key":      "<object key>",        (optional)
//	  "versionId":"<version id>",        (optional)
//	  "requestId":"<S3 request id>",     (optional)
//	  "sourceIp": "<client address>",    (optional)
//	  "replica":  true,                  (optional) a change replicated from
//	                                     another site (see replication.go)
//	  "data":     { ...payload... }
//	}
//
// The stream sequence is not part of the body: JetStream assigns it, and
// Event.Seq carries it once read back.
//
// # Versioning rules
//
//  1. A (type, version) pair is immutable once merged. Never change the
//     meaning of a field; add fields (omitempty) or make a new version.
//  2. When a change matters to a reader, add version N+1: freeze the old
//     struct (e.g. ObjectPutV1) and register an upcaster from vN to vN+1.
//     Decoding always returns the newest in-memory type. The log is never
//     rewritten.
//  3. A reader that meets a type or version it does not know stops with
//     ErrUnknownType or ErrUnknownVersion; it never skips or guesses.
//  4. Version lists never shrink and numbers are never reused.
//  5. testdata/golden/<type>/v<N>.json exists for every registered pair; the
//     golden test decodes each one, and re-encodes the current version byte
//     for byte.
//
// Events record facts, not requests: resolved ids, extents, sizes, ETags and
// checksums are in the event, so that folding an event never needs the wall
// clock, randomness or the object bytes.
package event
