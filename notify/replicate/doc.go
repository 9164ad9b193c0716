// Package replicate is cross-site replication: a consumer of the event log
// that applies a bucket's changes to another site through that site's S3
// API (aws-sdk-go-v2), so any S3-compatible destination works, and a cairn
// destination keeps the source's version ids.
//
// # Sites
//
// Sites are declared on the server (Declarations: --replication-target
// ID=URL with the keys in CAIRN_REPLICATION_<ID>_ACCESS_KEY and
// _SECRET_KEY, or --replication-config FILE); a bucket's replication
// rules (S3's ReplicationConfiguration, kept by the engine) name a site
// in their destination ARN, arn:cairn:s3::<site>:<bucket>. Keys are never
// logged.
//
// # Delivery
//
// Each site has one relay (package notify/relay): a durable JetStream
// consumer, replicate_<site>, reading object events (s3.ev.>) and bucket
// configuration events (s3.bc.>). Its ack floor is where replication
// stands; the log is the backlog, so an outage of the site, or of either
// process, only delays convergence. Events are replicated per key in
// stream order, at least once, failed ones retried with exponential
// backoff while their key waits and the others go on. Each event is
// decided under the bucket's configuration in force at its own sequence
// (catalog.ReplicationAt), however late it is handled.
//
// # What is replicated
//
//   - object.put (PUT, POST, copy, multipart completion): the version,
//     unless replaced or removed since (what replaced it comes later in
//     the log), to each destination whose winning rule (highest Priority
//     among the enabled rules whose prefix and tags match) names this
//     site. Bytes are read from the local segments and streamed; a
//     version made by a multipart upload is written as a multipart upload
//     with the same parts, so its ETag and checksums are the same. Each
//     body is checked at the destination by Content-MD5 (every part's,
//     or the object's) and the source's checksums when it has them.
//   - object.tagged, object.acl: the change, for versions that were
//     selected for that destination (ACLs only to cairn sites: canonical
//     ids mean nothing elsewhere).
//   - bucket.replication with ExistingObjectReplication: the versions
//     that existed before, as a barrier (relay): handled after every
//     earlier event was replicated and before any later one.
//
// Events marked Header.Replica (written by another site's replication)
// are never sent on: two sites replicating one bucket to each other do
// not loop, and each client change is replicated once, from the site it
// was made at. Changes clients make to replicas (tags, ACLs) are changes
// like any other and are replicated (S3's ReplicaModifications, always
// on).
//
// # Replica writes
//
// A replica is written with the ordinary S3 operations plus the headers
// X-Cairn-Replica: true, X-Cairn-Replica-Version-Id (the source version's
// id), X-Cairn-Replica-Time (its time) and X-Cairn-Replica-Acl (base64
// JSON of its ACL). A cairn destination honours them only for principals
// allowed s3:ReplicateObject, s3:ReplicateDelete or s3:ReplicateTags on
// the destination bucket, and only in SigV4 header-signed requests where
// they are signed (see httpapi's replica.go); the replica then has the
// source's version id, time and ACL and shows x-amz-replication-status
// REPLICA. A site declared generic (not cairn) gets none of these headers:
// it makes its own version ids, which the source records
// (object.replication's remoteVersionId) to address later tag changes.
//
// # Outcomes
//
// A version the configuration selects is PENDING for each destination
// from its creation (the catalog derives it). After a destination accepts
// it, an object.replication event records COMPLETED; when the destination
// refuses it (a 4xx answer other than a timeout or throttling), FAILED
// with the error code, once per code, and it is still retried. An outage
// (no answer, 5xx) leaves it PENDING. A redelivered event finds
// COMPLETED and sends nothing again.
//
// # Trimming
//
// The stream is never trimmed today. When it is, these consumers' ack
// floors (including those of sites no longer declared: declared again,
// they resume) must bound the trim, and so must the configuration
// versions the catalog keeps.
package replicate
