package segment

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/zeebo/xxh3"
)

// FormatVersion is the on-disk format version stored in every file header.
// It is an append-only enum: values are never renumbered or reused.
type FormatVersion uint16

const (
	// FormatV1 is the initial format described in the package comment.
	FormatV1 FormatVersion = 1

	// currentFormat is what new segments are written with.
	currentFormat = FormatV1
)

// recordKind is an append-only enum: values are never renumbered or reused.
type recordKind uint8

const (
	kindData recordKind = 1
	kindPad  recordKind = 2
	kindSeal recordKind = 3
)

const (
	// DataStart is the offset of the first record in a segment file.
	DataStart = 64

	fileHeaderSize = DataStart
	headerSize     = 64
	sumSize        = 8
	markOffset     = 56

	// MinBlockSize and MaxBlockSize bound Options.BlockSize and the block
	// size accepted in record headers.
	MinBlockSize = 16
	MaxBlockSize = 16 << 20

	// MaxRecordLength bounds the payload of one record.
	MaxRecordLength = 1 << 50

	defaultBlockSize   = 64 << 10
	defaultSegmentSize = 1 << 30

	fileMagic   = "CAIRNSEG"
	recordMagic = "crec"

	golden          = 0x9E3779B97F4A7C15
	fileHeaderSeed  = 0x636169726e736567 // "cairnseg"
	recordHeadSeed  = 0x6361697272656364 // "cairrecd"
	abandonMarkSeed = 0x6361697261626e64 // "cairabnd"
	offsetMix       = 0xC2B2AE3D27D4EB4F
)

// RecordID identifies a record. It is chosen by the caller and must be
// unique per record.
type RecordID [16]byte

// String returns the id as 32 lower-case hex digits.
func (id RecordID) String() string { return hex.EncodeToString(id[:]) }

// MarshalText encodes the id as 32 lower-case hex digits.
func (id RecordID) MarshalText() ([]byte, error) {
	b := make([]byte, 32)
	hex.Encode(b, id[:])
	return b, nil
}

// UnmarshalText decodes 32 hex digits.
func (id *RecordID) UnmarshalText(b []byte) error {
	if len(b) != 32 {
		return fmt.Errorf("segment: record id must be 32 hex digits, got %d bytes", len(b))
	}
	var v RecordID
	if _, err := hex.Decode(v[:], b); err != nil {
		return fmt.Errorf("segment: bad record id: %w", err)
	}
	*id = v
	return nil
}

// Locator says where the bytes of one record are.
type Locator struct {
	Disk    uint16   `json:"disk"`
	Segment uint64   `json:"seg"`
	Offset  int64    `json:"off"` // offset of the record header in the segment file
	Length  int64    `json:"len"` // payload length in bytes
	ID      RecordID `json:"id"`
}

// String formats the locator for logs.
func (l Locator) String() string {
	return fmt.Sprintf("disk %d seg %d off %d len %d id %s", l.Disk, l.Segment, l.Offset, l.Length, l.ID)
}

// numBlocks is the number of blocks of a payload of length bytes.
func numBlocks(length int64, bs int) int64 {
	return (length + int64(bs) - 1) / int64(bs)
}

// recordSize is the on-disk size of a data record, padding included.
func recordSize(length int64, bs int) int64 {
	n := headerSize + length + sumSize*numBlocks(length, bs)
	return (n + 7) &^ 7
}

// RecordFootprint is the on-disk size of a data record of length payload
// bytes written with the default block size (64 KiB): header, payload,
// block checksums and padding. Liveness accounting uses it, so that a
// segment whose records are all live has almost no garbage.
func RecordFootprint(length int64) int64 { return recordSize(length, defaultBlockSize) }

// blockOffset is the offset of block i relative to the record header.
func blockOffset(i int64, bs int) int64 {
	return headerSize + i*int64(bs+sumSize)
}

// blockLen is the payload length of block i.
func blockLen(i int64, length int64, bs int) int {
	return int(min(int64(bs), length-i*int64(bs)))
}

// idSeed is the per-record part of the block seeds.
func idSeed(id RecordID) uint64 { return xxh3.Hash(id[:]) }

// blockSum is the checksum of block i of a record whose idSeed is seed.
func blockSum(seed uint64, i int64, p []byte) uint64 {
	return xxh3.HashSeed(p, seed^(uint64(i+1)*golden))
}

// abandonMark is the mark word of an abandoned record; it is never 0.
func abandonMark(id RecordID) uint64 {
	return xxh3.HashSeed(id[:], abandonMarkSeed) | 1
}

func headerSeed(seg uint64, off int64) uint64 {
	return recordHeadSeed ^ (seg * golden) ^ (uint64(off) * offsetMix)
}

// recHeader is a decoded record header.
type recHeader struct {
	kind      recordKind
	blockSize int
	id        RecordID
	length    int64
	created   int64
	mark      uint64
}

// encode writes h into b[:headerSize] for a header at off in segment seg.
func (h *recHeader) encode(b []byte, seg uint64, off int64) {
	b = b[:headerSize]
	clear(b)
	copy(b[0:4], recordMagic)
	b[4] = byte(h.kind)
	binary.LittleEndian.PutUint32(b[8:], uint32(h.blockSize))
	copy(b[16:32], h.id[:])
	binary.LittleEndian.PutUint64(b[32:], uint64(h.length))
	binary.LittleEndian.PutUint64(b[40:], uint64(h.created))
	binary.LittleEndian.PutUint64(b[48:], xxh3.HashSeed(b[:48], headerSeed(seg, off)))
	binary.LittleEndian.PutUint64(b[markOffset:], h.mark)
}

// decodeHeader parses and validates the header in b[:headerSize] read from
// off in segment seg. The error wraps ErrCorrupt.
func decodeHeader(b []byte, seg uint64, off int64) (recHeader, error) {
	var h recHeader
	b = b[:headerSize]
	if string(b[0:4]) != recordMagic {
		return h, corruptf(seg, off, "bad record magic")
	}
	if binary.LittleEndian.Uint64(b[48:]) != xxh3.HashSeed(b[:48], headerSeed(seg, off)) {
		return h, corruptf(seg, off, "record header checksum mismatch")
	}
	h.kind = recordKind(b[4])
	h.blockSize = int(binary.LittleEndian.Uint32(b[8:]))
	copy(h.id[:], b[16:32])
	h.length = int64(binary.LittleEndian.Uint64(b[32:]))
	h.created = int64(binary.LittleEndian.Uint64(b[40:]))
	h.mark = binary.LittleEndian.Uint64(b[markOffset:])
	if b[5] != 0 || b[6] != 0 || b[7] != 0 || binary.LittleEndian.Uint32(b[12:]) != 0 {
		return h, corruptf(seg, off, "reserved header bytes set")
	}
	switch h.kind {
	case kindData:
		if h.blockSize < MinBlockSize || h.blockSize > MaxBlockSize {
			return h, corruptf(seg, off, "bad block size %d", h.blockSize)
		}
		if h.length < 0 || h.length > MaxRecordLength {
			return h, corruptf(seg, off, "bad record length %d", h.length)
		}
		if h.mark != 0 && h.mark != abandonMark(h.id) {
			return h, corruptf(seg, off, "bad record mark %#x", h.mark)
		}
	case kindPad:
		if h.length < 0 || h.length > MaxRecordLength || h.length%8 != 0 || h.mark != 0 {
			return h, corruptf(seg, off, "bad pad record")
		}
	case kindSeal:
		if h.length != off || h.mark != 0 {
			return h, corruptf(seg, off, "bad seal record")
		}
	default:
		return h, corruptf(seg, off, "unknown record kind %d", h.kind)
	}
	return h, nil
}

// size is the on-disk size of the record h heads.
func (h *recHeader) size() int64 {
	switch h.kind {
	case kindData:
		return recordSize(h.length, h.blockSize)
	case kindPad:
		return headerSize + h.length
	default:
		return headerSize
	}
}

func (h *recHeader) abandoned() bool { return h.kind == kindData && h.mark != 0 }

// sealRecords is the data record count stored in a seal.
func (h *recHeader) sealRecords() int64 { return int64(binary.LittleEndian.Uint64(h.id[0:8])) }

func sealHeader(records int64, off int64, now time.Time) recHeader {
	h := recHeader{kind: kindSeal, length: off, created: now.UnixNano()}
	binary.LittleEndian.PutUint64(h.id[0:8], uint64(records))
	return h
}

// fileHeader is a decoded segment file header.
type fileHeader struct {
	version FormatVersion
	disk    uint16
	seg     uint64
	created int64
}

func (h *fileHeader) encode(b []byte) {
	b = b[:fileHeaderSize]
	clear(b)
	copy(b[0:8], fileMagic)
	binary.LittleEndian.PutUint16(b[8:], uint16(h.version))
	binary.LittleEndian.PutUint16(b[10:], h.disk)
	binary.LittleEndian.PutUint64(b[16:], h.seg)
	binary.LittleEndian.PutUint64(b[24:], uint64(h.created))
	binary.LittleEndian.PutUint64(b[56:], xxh3.HashSeed(b[:56], fileHeaderSeed))
}

func decodeFileHeader(b []byte, seg uint64) (fileHeader, error) {
	var h fileHeader
	b = b[:fileHeaderSize]
	if string(b[0:8]) != fileMagic {
		return h, corruptf(seg, 0, "bad file magic")
	}
	if binary.LittleEndian.Uint64(b[56:]) != xxh3.HashSeed(b[:56], fileHeaderSeed) {
		return h, corruptf(seg, 0, "file header checksum mismatch")
	}
	h.version = FormatVersion(binary.LittleEndian.Uint16(b[8:]))
	h.disk = binary.LittleEndian.Uint16(b[10:])
	h.seg = binary.LittleEndian.Uint64(b[16:])
	h.created = int64(binary.LittleEndian.Uint64(b[24:]))
	if h.version != FormatV1 {
		return h, fmt.Errorf("segment: segment %d: unsupported format version %d", seg, h.version)
	}
	if h.seg != seg {
		return h, corruptf(seg, 0, "file header names segment %d", h.seg)
	}
	return h, nil
}
