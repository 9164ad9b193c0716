// Package blob holds one node's object bytes: its data disks (one
// log/segment Store each), where new records go, what happens when a disk
// fails or fills, and the background work on segments: compaction, which
// reclaims the space of dead records, and scrub, which verifies every
// record at rest.
//
// # Disks and their identity
//
// A disk is a directory holding segment files (ideally the mount point of
// one raw disk). Extents name a disk by its number (event.Extent.Disk), so
// a number must always mean the same directory whatever the order of the
// --disk flags. Each disk directory therefore holds an identity file
// written once, when the disk is first used:
//
//	<disk>/CAIRN-DISK   {"format":1,"node":"<node id>","disk":<number>}
//
// and the data directory remembers the next number to hand out, so a
// number is never reused, even after a disk is removed:
//
//	<data>/disks.json   {"next":<number>}
//
// <data>/segments is disk 0 (it is what cairn used before --disk
// existed). Without --disk it is the only disk. With --disk it is still
// read (and compacted: its live records move to the other disks), but new
// records go only to the --disk disks. A directory passed with --disk whose
// identity file names another node is refused, as is one that holds
// segment files but no identity file, and two directories with the same
// number. A number handed out earlier whose directory is not passed is
// reported missing: reads of its records fail with ErrDiskUnavailable.
//
// # States and placement
//
//	online   takes new records, read
//	full     a write failed with ENOSPC, or free space fell below the
//	         reserve: read, but no new records until it has room again
//	         (checked every HealthInterval; after an ENOSPC not before
//	         FullCooldown)
//	failed   an I/O error (other than ENOSPC) on a write, sync or read, or
//	         the store could not be opened: no new records until restart;
//	         reads are still tried and fail cleanly
//	missing  a number handed out earlier whose directory is not present
//
// Each new record goes to an online disk with room for it (free space
// minus the reserve), chosen at random with probability proportional to
// its free space, so disks fill evenly and writes spread over all of them.
// Compaction's copies may use the reserve (and disks full only for lack
// of it): moving live records out of mostly-dead segments is how a full
// store gets its space back.
// Free space is read from the file system every HealthInterval and
// decremented by what is written in between. A Create that fails on one
// disk (before any payload byte is taken from the caller) is retried on
// another; a write that fails midway fails the caller's request, which
// nothing acknowledged.
//
// Every state change is logged with the disk's number and directory and
// shows in cairn_disk_online{disk}.
//
// # Errors
//
//   - ErrNoSpace: no online disk can take the record (all full, failed or
//     missing). httpapi answers 503 ServiceUnavailable: the client may
//     retry later, when compaction or deletes have made room.
//   - ErrDiskUnavailable: the record's disk is missing or failed with an
//     I/O error. 503 ServiceUnavailable.
//   - ErrCorrupt (segment.ErrCorrupt): the bytes on disk do not verify.
//     500 InternalError before the first byte of a response; afterwards
//     the connection is cut. Never wrong bytes.
//
// # Pending records
//
// A record is pending from Create until the event that references it is
// applied (Settle), or until the write is aborted. Compaction never
// touches a segment that holds a pending record: its records may be about
// to become referenced. A record whose event append failed stays pending
// for FailedHold (the append may still have landed); one never settled
// expires PendingTTL after its commit.
//
// # Compaction
//
// A node compacts only its own disks (event.Extent.Node names the owner),
// so several gateways sharing one NATS cluster never touch each other's
// segments. Liveness is a projection (projections/catalog: "R", "G",
// "S"): per record its reference count and current place, per segment
// the bytes its referenced records occupy. A sealed segment's garbage is
// its file size minus those live bytes: dead records, aborted writes, and
// bytes a crash left without an event. Every CompactOptions.Interval a
// pass takes, most garbage first, each sealed segment whose garbage ratio
// reaches Threshold, skipping segments sealed less than Grace ago, those
// holding pending records, and those of failed disks:
//
//  1. Copy: the records the index places in the segment that are
//     referenced, or dead for less than Grace (another gateway's
//     CopyObject may have read one just before its last reference went),
//     are copied to disks chosen by placement, keeping their record ids,
//     into each disk's background lane (segment.LaneBackground: their own
//     active segment, so client writes never wait on their fdatasyncs),
//     through a token bucket of Rate bytes/s (a byte read and a byte
//     written count for two); their commits make them durable. A record
//     that does not verify is left in place and logged; the segment is
//     then not retired.
//  2. Relocate: one segment.relocated event per batch (at most 1000
//     records or 64 MiB) lists the moves; compaction waits until the
//     local index has applied it. The index moves a record only if it is
//     still where the move says (a newer relocation wins; a write that
//     replaced or deleted the object meanwhile leaves a dead record
//     moved, which is harmless).
//  3. Retire: taking the copy lock (so that no CopyObject or
//     UploadPartCopy is between reading its source and applying its
//     event), compaction checks that nothing left in the segment must be
//     kept, appends segment.retired and waits until it is applied.
//  4. Delete: segment.Store.Retire removes the segment; its file is
//     deleted when the last reader holding it closes, so GETs in flight
//     finish.
//
// Readers find a relocated record through catalog.Locate and look again
// if a segment disappears under them (it is retired only after the
// relocation is applied). A crash after 1 leaves copies no event
// references: garbage of their segments, reclaimed when those are
// compacted. A crash after 2 leaves a segment without live records: the
// next pass retires it. A crash after 3 leaves a retired segment's file:
// the next pass deletes it. Nothing acknowledged is lost at any point.
//
// # Scrub
//
// The scrub reads every record of every sealed segment (and the referenced
// records of unsealed ones) at ScrubOptions.Rate bytes/s, checking record
// headers and every block's xxh3, at most once per Interval. A corrupt
// record that the index references is logged at error level and counted
// (cairn_scrub_corrupt_records_total); one nobody references is garbage
// and only logged. A segment whose header chain is broken is reported, and
// the records the index places in it are checked one by one. cairn verify
// does the same offline, and GETs verify what they serve as they stream.
package blob
