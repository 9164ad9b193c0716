package segment

import (
	"errors"
	"fmt"
)

var (
	// ErrCorrupt is wrapped by every error caused by bytes on disk that do
	// not verify: bad magic, checksum, length, id or structure.
	ErrCorrupt = errors.New("segment: corrupt")
	// ErrClosed is returned by operations on a closed Store.
	ErrClosed = errors.New("segment: store closed")
	// ErrShortWrite is returned by Commit when fewer than length bytes were
	// written.
	ErrShortWrite = errors.New("segment: short write")
	// ErrOverflow is returned by Write and ReadFrom when more than length
	// bytes are offered.
	ErrOverflow = errors.New("segment: write exceeds record length")
	// ErrNotFound is returned for a segment this Store does not have.
	ErrNotFound = errors.New("segment: not found")
	// ErrWriterDone is returned when a Writer is used after Commit or Abort.
	ErrWriterDone = errors.New("segment: writer already committed or aborted")
	// ErrRange is returned for a range outside the record or a bad argument.
	ErrRange = errors.New("segment: invalid range")
	// ErrWrongDisk is returned for a Locator of another disk.
	ErrWrongDisk = errors.New("segment: locator is for another disk")
	// ErrSegmentFailed is wrapped when a segment's fdatasync failed earlier:
	// nothing more can be acknowledged in it.
	ErrSegmentFailed = errors.New("segment: segment failed")
)

// corruptf returns an error wrapping ErrCorrupt that names the place.
func corruptf(seg uint64, off int64, format string, args ...any) error {
	return fmt.Errorf("%w: segment %d offset %d: %s", ErrCorrupt, seg, off, fmt.Sprintf(format, args...))
}
