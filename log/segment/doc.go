// Package segment stores object bytes in append-only segment files.
//
// A Store owns one directory (one disk). Object bytes are written as
// self-describing records into the active segment; the caller gets back a
// Locator (disk, segment, offset, length, record id) that it records in an
// event elsewhere. Segments are rolled at Options.SegmentSize, sealed once
// their last in-flight writer has finished, and never modified afterwards.
// Compaction (engine/blob) copies live records out through the ordinary
// Create/Write/Commit path, keeping their record ids (block checksums are
// seeded by record id and block index, not by place, so a copied record
// verifies wherever it lands), and Retires whole segments.
//
// # Files
//
// A segment is named by its number (1, 2, ... never reused) in 16 hex
// digits. The suffix tells its state; the rename is the commit point of a
// seal:
//
//	0000000000000007.open   active, or was active when the process died
//	0000000000000007.seg    sealed: ends with a valid seal record
//	LOCK                    advisory lock held while a Store is open
//
// # File header (64 bytes, offset 0)
//
//	 0        8       10      12          16               24
//	+--------+-------+-------+-----------+----------------+----------------+
//	|"CAIRNSEG"| ver | disk  | reserved  | segment number | created (ns)   |
//	+--------+-------+-------+-----------+----------------+----------------+
//	 32                                                    56              64
//	+------------------------------------------------------+---------------+
//	| reserved (zero)                                      | xxh3(0..56)   |
//	+------------------------------------------------------+---------------+
//
// All integers are little endian. ver is a FormatVersion. The first record
// starts at offset 64 (DataStart).
//
// # Record header (64 bytes, 8-byte aligned offset R)
//
//	 0      4    5     6     8          12         16
//	+------+----+-----+-----+----------+----------+--------------------------+
//	|"crec"|kind|flags| rsv | blocksize| reserved | record id (16 bytes)     |
//	+------+----+-----+-----+----------+----------+--------------------------+
//	 32               40               48               56               64
//	+----------------+----------------+----------------+----------------+
//	| payload length | created (ns)   | xxh3(0..48)    | mark           |
//	+----------------+----------------+----------------+----------------+
//
// The header checksum is xxh3-64 of bytes [0,48) seeded with a value derived
// from the segment number and R, so a header copied to another place does
// not verify. The mark is deliberately outside the checksum: it is 0 for a
// live record and abandonMark(id) (a hash of the id, never 0) once the
// writer aborted. Because R is 8-aligned, the mark is an aligned 8-byte
// word that Abort rewrites in place without ever tearing the checksummed
// part. Any other mark value is corruption.
//
// Kinds (append-only enum, never renumber): 1 data, 2 pad, 3 seal.
//
// # Data record layout
//
// The payload is cut into blocks of blocksize bytes (the last one shorter);
// each block is immediately followed by its checksum so that one pread
// fetches a block with its checksum:
//
//	R        R+64                  +bs      +8                   end
//	+--------+---------------------+--------+--------  ...  ----+---------+
//	| header | block 0 payload (bs)| sum 0  | block 1 ... | sum n-1 | pad |
//	+--------+---------------------+--------+--------  ...  ----+---------+
//
//	sum i = xxh3-64(block i, seed = xxh3(id) ^ (i+1)*0x9E3779B97F4A7C15)
//	size  = roundup8(64 + length + 8*ceil(length/bs))
//
// Seeding with the record id and the block index makes a block that lands
// in the wrong record or the wrong place fail verification. A zero-length
// record has no blocks. The block size is stored per record, so
// Options.BlockSize may change between runs. Block sizes are multiples of 8
// in [MinBlockSize, MaxBlockSize], so blocks and headers stay 8-aligned.
//
// # Pad and seal records
//
// A pad record (kind 2) covers length bytes of garbage after its header; it
// is written by recovery over a torn tail when the file system cannot
// truncate. The seal record (kind 3) is the last 64 bytes of every sealed
// segment:
//
//	id[0:8]  = number of data records, abandoned ones included (uint64)
//	id[8:16] = 0
//	length   = R, the seal's own offset (= end of the last record)
//	created  = time of sealing; blocksize = 0; mark = 0
//
// Every record of a segment was committed before its seal, so the seal's
// time (SegmentInfo.SealedAt) bounds how recent its records are;
// compaction leaves recently sealed segments alone for a grace period.
//
// # Write path and fsync protocol
//
//  0. Open: MkdirAll, then fsync the parent directory so that the segment
//     directory's own entry is durable.
//  1. New segment: create NNN.open, write the file header, fsync the file,
//     fsync the directory. Only then does it become the active segment, so
//     no record in it is acknowledged before the file is durable.
//  2. Create: under Store.mu reserve [R, R+size) at the tail of the active
//     segment of the record's lane and write the record header there (the only I/O under the
//     store lock). Headers are therefore written in offset order and a scan
//     can always walk from header to header. A record that does not fit
//     rolls the segment first (a record larger than SegmentSize gets a
//     segment of its own).
//  3. Write/ReadFrom: payload blocks and their checksums are written with
//     WriteAt outside any lock, concurrently with other writers. Buffers
//     come from per-Store sync.Pools.
//  4. Commit: after the last block is written the writer takes a ticket and
//     joins the segment's group commit: whoever finds the syncer idle runs
//     fdatasync at once for every ticket issued so far; writers arriving
//     meanwhile wait and ride on the next round. Commit returns the Locator
//     only after an fdatasync that started after its last write succeeded.
//     A failed fdatasync poisons the segment: every waiting and later
//     Commit on it fails, and new records go to a new segment (the page
//     cache state after a failed fsync is unknown). A poisoned segment is
//     never sealed by this process; the next Open recovers it. With
//     Options.NoSync every fsync/fdatasync in this list is skipped (the data
//     survives kill -9 through the page cache, not power loss).
//  5. Seal: when the segment has been rolled and its last writer finished,
//     a background goroutine writes the seal record at the tail,
//     fdatasyncs, renames NNN.open to NNN.seg and fsyncs the directory.
//  6. Abort rewrites the mark word with abandonMark(id); the record remains
//     walkable (its size is in its header) and is garbage.
//
// There are two lanes (CreateIn), each with its own active segment and
// group commit: foreground writes, and background copies (compaction), so
// that a copy's fdatasync never delays a client's write, and moved (cold)
// records are kept apart from new ones. A background writer also starts
// writeback (sync_file_range) after each batch it writes, so that dirty
// copy data never piles up for the next fdatasync or journal commit.
//
// Since fdatasync flushes everything written to the file before it, an
// acknowledged record implies that every header before it is durable, so
// the header chain is intact at least up to the last acknowledged record.
//
// # Recovery (Open)
//
//   - *.seg: the last 64 bytes must be a valid seal whose length equals the
//     file size minus 64. Otherwise the segment is marked corrupt
//     (SegmentInfo.Err wraps ErrCorrupt), logged, and left untouched;
//     reads still verify record by record. Nothing is skipped silently.
//   - *.open: the header chain is walked from DataStart. It ends at EOF, at
//     the first invalid header, at a record reaching past EOF or at a seal
//     record. Everything from that point on is a torn tail: nothing in it
//     was acknowledged. It is truncated (or covered with a pad record when
//     the file system cannot truncate), a seal is written, the file synced,
//     renamed to .seg and the directory synced. Records with a valid header
//     but bad blocks inside the chain are crashed writes: garbage that is
//     kept (nothing references them).
//   - NNN.open and NNN.seg both present (a rename whose directory sync was
//     lost, on a file system that does not order them): if NNN.seg has a
//     valid seal the stale .open name is removed (the seal was durable
//     before the rename); otherwise Open fails.
//   - *.open shorter than a file header or whose header is all zero: its
//     creation was torn and nothing in it was acknowledged; it is removed.
//     An .open file with any other invalid file header is marked corrupt.
//
// # Readers
//
// Segments are reference counted: the Store holds one reference while the
// segment is live, each Writer, range reader and Walk holds one. File
// descriptors are opened lazily and kept until the last reference goes, so
// a GET costs pread calls only. A range read issues one pread for the
// header (merged with the first block when the range starts in block 0)
// and one pread per batch of consecutive blocks, and verifies the header
// (id, length) and the checksum of every block it touches. Retire removes a
// sealed segment from the Store; its file is deleted when the last reader
// lets go.
//
// # Lock order
//
//	Store.rollMu -> Store.mu -> {segment.fileMu, syncer.mu}
//
// fileMu and syncer.mu are leaves: nothing else is acquired while holding
// them, and Store.mu is never taken while holding one.
package segment
