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
package blob
