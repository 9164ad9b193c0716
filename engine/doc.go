// Package engine is the command and query side of cairn: the S3 operations
// httpapi calls, in domain terms (no HTTP, no XML).
//
// A mutation validates against the projection, streams object bytes into a
// segment (computing MD5, the requested checksum and the segment's own
// block checksums in one pass), makes them durable, appends the event that
// points at them, and answers only after the local projection has applied
// that event's sequence: read-after-write is strong, as in S3. A crash
// between the bytes and the event leaves unreferenced bytes (garbage for
// compaction), never an event pointing at missing bytes.
//
// Preconditions that must hold across gateways sharing one NATS cluster
// (bucket name uniqueness, bucket emptiness on delete) are enforced with the
// stream's expected last sequences, not with local locks.
//
// Errors are domain sentinels (errors.go); httpapi maps them to S3 codes.
package engine
