package blob

import (
	"context"
	"errors"
	"syscall"

	"github.com/cairnstore/cairn/log/segment"
)

var (
	// ErrNoSpace: no online disk can take a new record.
	ErrNoSpace = errors.New("blob: no disk has room for the data")
	// ErrDiskUnavailable: the disk holding a record is missing or failed.
	ErrDiskUnavailable = errors.New("blob: the disk holding the data is unavailable")
	// ErrCorrupt: bytes on disk do not verify (segment.ErrCorrupt).
	ErrCorrupt = segment.ErrCorrupt
)

// faultKind says what an error from a segment store tells about its disk.
type faultKind int

const (
	faultNone faultKind = iota // the caller's doing (context, range, ...) or not about the disk
	faultFull                  // ENOSPC
	faultIO                    // any other I/O error: the disk failed
)

// classify tells whether err is the disk's fault, and which.
func classify(err error) faultKind {
	switch {
	case err == nil:
		return faultNone
	case errors.Is(err, syscall.ENOSPC):
		return faultFull
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, segment.ErrCorrupt), errors.Is(err, segment.ErrClosed), errors.Is(err, segment.ErrNotFound),
		errors.Is(err, segment.ErrRange), errors.Is(err, segment.ErrOverflow), errors.Is(err, segment.ErrShortWrite),
		errors.Is(err, segment.ErrWriterDone), errors.Is(err, segment.ErrWrongDisk):
		return faultNone
	}
	return faultIO
}
