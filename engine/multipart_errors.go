package engine

import (
	"errors"

	"github.com/cairnstore/cairn/engine/checksum"
)

// Domain errors of multipart uploads. httpapi maps each to its S3 code.
var (
	ErrNoSuchUpload         = errors.New("engine: no such upload (never created, aborted or completed)")
	ErrInvalidPart          = errors.New("engine: a listed part was not uploaded or its entity tag or checksum differs")
	ErrInvalidPartOrder     = errors.New("engine: parts not listed in ascending order")
	ErrEntityTooSmall       = errors.New("engine: a part other than the last is smaller than the minimum part size")
	ErrPartNumberRange      = errors.New("engine: part number outside 1..10000")
	ErrNoParts              = errors.New("engine: a completion must list at least one part")
	ErrInvalidChecksumType  = errors.New("engine: checksum type and algorithm do not go together")
	ErrChecksumTypeMismatch = errors.New("engine: checksum algorithm differs from the upload's")
	ErrMissingPartChecksum  = errors.New("engine: the completion lacks a part's checksum")
	ErrObjectSizeMismatch   = errors.New("engine: x-amz-mp-object-size differs from the parts' total")
	ErrInvalidCopyRange     = errors.New("engine: copy source range outside the source object")
	ErrTooManyExtents       = errors.New("engine: the object would reference too many byte ranges")
)

// ChecksumTypeError says which checksum type cannot go with which
// algorithm (Algorithm empty: a type without an algorithm), or, with
// Upload set, that a completion named another type than its upload's. It
// matches ErrInvalidChecksumType.
type ChecksumTypeError struct {
	Type      string
	Algorithm checksum.Algorithm
	Upload    string
}

func (e *ChecksumTypeError) Error() string {
	return ErrInvalidChecksumType.Error() + " (" + e.Type + ", " + string(e.Algorithm) + ")"
}

// Is makes errors.Is(err, ErrInvalidChecksumType) hold.
func (e *ChecksumTypeError) Is(target error) bool { return target == ErrInvalidChecksumType }

// ChecksumTypeMismatchError names the upload's algorithm and the one a
// request used (empty: none). It matches ErrChecksumTypeMismatch.
type ChecksumTypeMismatchError struct {
	Expected, Actual checksum.Algorithm
}

func (e *ChecksumTypeMismatchError) Error() string {
	return ErrChecksumTypeMismatch.Error() + " (" + string(e.Expected) + " vs " + string(e.Actual) + ")"
}

// Is makes errors.Is(err, ErrChecksumTypeMismatch) hold.
func (e *ChecksumTypeMismatchError) Is(target error) bool { return target == ErrChecksumTypeMismatch }

// MissingPartChecksumError names the algorithm and the first part whose
// checksum a completion lacks. It matches ErrMissingPartChecksum.
type MissingPartChecksumError struct {
	Algorithm checksum.Algorithm
	Part      int
}

func (e *MissingPartChecksumError) Error() string { return ErrMissingPartChecksum.Error() }

// Is makes errors.Is(err, ErrMissingPartChecksum) hold.
func (e *MissingPartChecksumError) Is(target error) bool { return target == ErrMissingPartChecksum }

// CopyRangeError carries the source object's size. It matches
// ErrInvalidCopyRange.
type CopyRangeError struct{ Size int64 }

func (e *CopyRangeError) Error() string { return ErrInvalidCopyRange.Error() }

// Is makes errors.Is(err, ErrInvalidCopyRange) hold.
func (e *CopyRangeError) Is(target error) bool { return target == ErrInvalidCopyRange }
