package engine

import (
	"errors"

	"github.com/cairnstore/cairn/engine/blob"
	"github.com/cairnstore/cairn/engine/checksum"
	"github.com/cairnstore/cairn/engine/names"
)

// Domain errors. httpapi maps each to its S3 code in one table.
var (
	ErrNoSuchBucket              = errors.New("engine: no such bucket")
	ErrBucketAlreadyExists       = errors.New("engine: bucket name taken by another owner")
	ErrBucketAlreadyOwnedByYou   = errors.New("engine: bucket already exists and is yours")
	ErrBucketNotEmpty            = errors.New("engine: bucket not empty")
	ErrInvalidBucketName         = names.ErrInvalidBucketName
	ErrKeyTooLong                = names.ErrKeyTooLong
	ErrInvalidKey                = names.ErrInvalidKey
	ErrIllegalLocationConstraint = errors.New("engine: location constraint differs from this endpoint's region")
	ErrNoSuchKey                 = errors.New("engine: no such key")
	ErrInvalidRange              = errors.New("engine: range not satisfiable")
	ErrEntityTooLarge            = errors.New("engine: object larger than the single PUT limit")
	ErrMetadataTooLarge          = errors.New("engine: user metadata larger than 2 KB")
	ErrIncompleteBody            = errors.New("engine: body shorter than its declared length")
	ErrBadDigest                 = errors.New("engine: Content-MD5 does not match the body")
	ErrChecksumMismatch          = errors.New("engine: checksum does not match the body")
	ErrInvalidChecksum           = errors.New("engine: checksum value is not valid for its algorithm")
	ErrMissingChecksum           = errors.New("engine: declared checksum trailer is missing")
	ErrBlobUnavailable           = errors.New("engine: object bytes are on a node this gateway cannot reach")
	ErrInvalidArgument           = errors.New("engine: invalid argument")
	ErrInvalidTag                = errors.New("engine: invalid tag")
	ErrAccessDenied              = errors.New("engine: access denied")
	ErrACLNotSupported           = errors.New("engine: the bucket does not allow ACLs")
	ErrBucketACLWithOwnership    = errors.New("engine: bucket ACLs with BucketOwnerEnforced ownership")
	ErrInvalidAccessKeyID        = errors.New("engine: unknown or inactive access key")
	ErrUserExists                = errors.New("engine: user exists")
	ErrNoSuchUser                = errors.New("engine: no such user")
	ErrNoSuchKeyID               = errors.New("engine: no such access key")
	ErrCopyToItself              = errors.New("engine: copy of an object onto itself without any change")
	ErrCopySourceTooLarge        = errors.New("engine: copy source larger than 5 GiB")
	ErrBusy                      = errors.New("engine: too many concurrent changes to one name, try again")
	ErrPreconditionFailed        = errors.New("engine: precondition failed")
	ErrConditionalConflict       = errors.New("engine: a concurrent write changed the object while the condition was checked")
	ErrNotModified               = errors.New("engine: not modified")
	ErrInvalidPartNumber         = errors.New("engine: part number not satisfiable")
	ErrRangeWithPartNumber       = errors.New("engine: both a range and a part number")
	// Errors of the disks (engine/blob): no disk can take new data, the
	// disk holding (or receiving) the data is missing or failed, and data
	// that does not verify against its checksums.
	ErrNoSpace         = blob.ErrNoSpace
	ErrDiskUnavailable = blob.ErrDiskUnavailable
	ErrCorruptData     = blob.ErrCorrupt
)

// Versioning and Object Lock errors.
var (
	ErrNoSuchVersion          = errors.New("engine: no such version")
	ErrInvalidVersionID       = errors.New("engine: malformed version id")
	ErrMethodNotAllowed       = errors.New("engine: the only operation on a delete marker is DELETE")
	ErrVersionMarkerNoKey     = errors.New("engine: a version-id marker without a key marker")
	ErrCopyFromDeleteMarker   = errors.New("engine: the copy source names a delete marker")
	ErrSuspendLockedBucket    = errors.New("engine: versioning of a bucket with Object Lock cannot be suspended")
	ErrLockNeedsVersioning    = errors.New("engine: Object Lock needs versioning Enabled")
	ErrNoLockConfiguration    = errors.New("engine: the bucket has no Object Lock configuration")
	ErrBucketNotLocked        = errors.New("engine: Object Lock settings on a bucket without Object Lock")
	ErrNoObjectLock           = errors.New("engine: the version has no retention or legal hold")
	ErrObjectLocked           = errors.New("engine: the version is protected by Object Lock")
	ErrRetainDatePast         = errors.New("engine: the retain-until date is not in the future")
	ErrInvalidRetention       = errors.New("engine: invalid retention")
	ErrLockNeedsContentDigest = errors.New("engine: an upload with Object Lock needs Content-MD5 or a checksum")
)

// ChecksumMismatchError names the algorithm whose value did not match; it
// matches ErrChecksumMismatch.
type ChecksumMismatchError struct {
	Algorithm checksum.Algorithm
}

func (e *ChecksumMismatchError) Error() string {
	return ErrChecksumMismatch.Error() + " (" + string(e.Algorithm) + ")"
}

// Is makes errors.Is(err, ErrChecksumMismatch) hold.
func (e *ChecksumMismatchError) Is(target error) bool { return target == ErrChecksumMismatch }
