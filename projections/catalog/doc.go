// Package catalog is the bucket and object index: a projection of the event
// log into Pebble.
//
// # Contract (in the spirit of hashicorp/raft's FSM)
//
// Apply folds a run of events into one Pebble batch that also records the
// last applied stream sequence, so a batch lands whole or not at all and
// replaying after a crash is idempotent: events at or below the recorded
// sequence are skipped. Folding is a pure function of (state, event): no
// wall clock, no randomness, no segment reads. Rebuilding from sequence 1
// therefore gives byte-identical contents, which Dump makes checkable.
//
// # Key layout (format 3)
//
//	"\x00applied"                   -> u64 BE: last applied stream sequence
//	"\x00format"                    -> u64 BE: this layout's version (3)
//	"B" name                        -> Bucket JSON (live or tombstone)
//	"O" bucketID[16] key            -> Object JSON: the current object
//	"L" bucketID[16]                -> u64 BE: seq of the bucket's last object event
//	"K" bucketID[16] key            -> u64 BE: seq of the last event on the key's subject
//	"S" node 0x00 disk[2] seg[8]    -> u64 BE live bytes, u64 BE live records
//	"R" recordID[16]                -> disk[2] seg[8] off[8] len[8] refs[8] dead[8] node:
//	                                   a segment record's current place and references
//	"G" node 0x00 disk[2] seg[8] recordID[16]
//	                                -> empty: the records "R" places in that segment
//	"T" node 0x00 disk[2] seg[8]    -> u8: 1 records were relocated out, 2 retired
//	"Iu" name                       -> User JSON
//	"Ik" access key                 -> Key JSON (secret sealed)
//	"U" bucketID[16] esc(key) 0x00 0x01 uploadID[16]
//	                                -> Upload JSON: an in-progress multipart upload
//	"P" bucketID[16] uploadID[16] partNumber[4 BE]
//	                                -> Part JSON: one stored part of an upload
//	"N" bucketID[16] seq[8]         -> Notification JSON: the notification
//	                                   configuration set at stream sequence seq
//	"V" bucketID[16] esc(key) 0x00 0x01 ^order[16]
//	                                -> Object JSON: a version that is not the
//	                                   current object (older ones, markers)
//	"Z" bucketID[16] key            -> order[16] of the key's null version
//	                                   when it is under "V"
//	"X" bucketID[16] seq[8]         -> Replication JSON: the replication
//	                                   configuration set at stream sequence seq
//
// Object keys sort by the raw bytes of the S3 key under a fixed-width bucket
// id, so ListObjects with a prefix is a bounded range scan, start-after and
// continuation tokens are seeks, and a delimiter's common prefix is skipped
// with one seek past it: the cost of a page never depends on keys outside
// it. A bucket tombstone keeps the sequence of the last event on the
// bucket's name subject, which a later CreateBucket of the same name uses as
// its expected sequence.
//
// "K" survives the key's deletion: a conditional write (If-None-Match: *,
// If-Match) is appended with the stream expectation that the key's subject
// still ends at that sequence, so it fails if anyone wrote the key since.
//
// "U" sorts a bucket's uploads by key, then by upload id, which begins
// with the initiation time: ListMultipartUploads with a prefix, key-marker
// and upload-id-marker is a range scan, as listing objects is. esc(key) is
// the key with every 0x00 byte written 0x00 0xff, and 0x00 0x01 ends it,
// so keys holding NUL bytes still sort and split unambiguously. "P" lists
// an upload's parts in part-number order (ListParts, completion). An upload
// and its parts are removed when it is aborted, when an object.put naming
// it completes it, and when its bucket is deleted; an object.put naming an
// upload that is gone changes nothing but "K" and "L".
//
// "N" keeps every notification configuration a bucket incarnation ever had,
// by the sequence of the event that set it, so that the configuration in
// force at any sequence is one reverse seek (NotificationAt): notification
// delivery decides each event under the rules of its own time, however far
// behind it runs. These configurations outlive the bucket's deletion for the same
// reason (a consumer may still be delivering the incarnation's last events);
// they are small and few, and go when the log itself is trimmed.
//
// # Versions
//
// A key's versions are ordered newest first by order: the version's time
// in nanoseconds (big endian) and the random half of its id, or zeros for
// the null version (log/event's versioning.go). The newest version is the
// key's latest. When it is an object it is the current object, under "O"
// as in an unversioned bucket; every other version (older objects, and
// every delete marker, current or not) is under "V", whose order bytes
// are inverted so that a forward scan meets a key's newest version first.
// So "O" holds exactly what ListObjects lists and GET returns, and stays
// a plain key-ordered range; ListObjectVersions merges the "O" and "V"
// ranges, both in key order, and lists a key's "O" entry first: prefix,
// delimiter, key-marker and version-id-marker are seeks, as for objects.
// "Z" finds the null version under "V" without a scan (a suspended
// bucket's PUT replaces it). A bucket whose versioning was never
// configured holds only null versions: "O" alone, exactly the format 1
// layout, and version ids in its events are ignored.
//
// Versions are placed by their order, not by arrival: a version older
// than the latest one (a replica's, or a gateway with a slow clock) goes
// under "V" as non-current, so every site that applies the same versions
// builds the same index. Removing the current version (or the marker in
// front) makes the newest remaining object current again.
//
// "X" keeps every replication configuration the same way
// (ReplicationAt), for the same reason: the replication consumer decides
// each event under the configuration of its time. The one in force is
// also in the bucket's record, because every object put consults it: a
// version the configuration selects starts PENDING for each destination
// (Object.Replication), a replica (an event with Header.Replica) is marked
// as one, and object.replication events (on their own subject) move a
// destination to COMPLETED or FAILED without touching "K" or "L".
//
// "R", "G" and "S" are segment liveness, kept in the same batch as the
// index entries that reference the bytes; compaction reads them. Every
// reference counts (addLiveness): an object's extents and a stored part's,
// one per extent, so the bytes of an aborted upload, of parts left out of
// a completion and of a replaced part stop counting when that happens (a
// completion's object takes over the references of the parts it uses, in
// the same batch). References are counted per record ("R" refs): a record
// shared by copies and by parts made with UploadPartCopy is live while any
// reference remains. "S" sums, per segment, the on-disk size
// (segment.RecordFootprint) of the referenced records placed in it, so a
// segment's garbage is its file size minus its live bytes: dead records,
// aborted writes, and bytes a crash left without an event, which no "R"
// ever names. "R" dead is the time (from the event, in ns) when refs last
// fell to zero; compaction copies records that died less than a grace
// period ago, in case another gateway's copy still references them.
//
// A version stops counting only when it is removed for good: deleted by
// id, replaced as the null version, or dropped with its bucket; becoming
// non-current changes nothing (delete markers reference no bytes).
//
// Records never move in object, version or part entries: extents keep the place
// they were written at, and "R" has the place now. segment.relocated
// moves a record only if "R" still has it at the move's origin (a newer
// relocation wins; a stale or replayed one changes nothing) and moves its
// live bytes with it; the origin segment is then marked in "T", and
// Locate resolves an extent through "R" only when its segment is marked
// there (an in-memory set), so reads of never-compacted segments cost no
// lookup. segment.retired drops the "R" and "G" entries of the segment's
// unreferenced records and marks it retired.
//
// A store written with another format (1: before versions and record
// liveness; 2: a development layout with only one of them) is refused with
// ErrFormat: rebuild it from the log (cairn rebuild; cairn server does so
// by itself at start).
package catalog
