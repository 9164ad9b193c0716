package stream

import (
	"encoding/hex"

	"github.com/zeebo/xxh3"
)

// Hash returns the 32-hex-digit xxh3-128 token used in subjects for a key or
// a bucket name.
func Hash(s string) string {
	h := xxh3.HashString128(s).Bytes()
	return hex.EncodeToString(h[:])
}

// ObjectSubject is the subject of every event about one key of one bucket
// incarnation.
func ObjectSubject(bucketID, key string) string {
	return "s3.ev." + bucketID + "." + Hash(key)
}

// BucketObjectsFilter matches every object event of one bucket incarnation.
func BucketObjectsFilter(bucketID string) string {
	return "s3.ev." + bucketID + ".>"
}

// BucketNameSubject carries the lifecycle events (created, deleted) that
// claim and release one bucket name.
func BucketNameSubject(name string) string {
	return "s3.bk." + Hash(name)
}

// BucketConfigSubject carries a bucket incarnation's configuration events
// (tags, and later policy, versioning, notification...).
func BucketConfigSubject(bucketID string) string {
	return "s3.bc." + bucketID
}

// UserSubject carries the events of one user (the claim on its name).
func UserSubject(name string) string { return "s3.iam.u." + Hash(name) }

// KeySubject carries the events of one access key (the claim on it).
func KeySubject(accessKey string) string { return "s3.iam.k." + Hash(accessKey) }

// UploadSubject carries the events that build one multipart upload of a
// bucket incarnation (created, parts, abort). uploadID must be a valid
// subject token (cairn's ids are hex).
func UploadSubject(bucketID, uploadID string) string {
	return "s3.mp." + bucketID + "." + uploadID
}

// ReplicationStatusSubject carries the replication outcomes of one key's
// versions (object.replication). They are kept off the key's own subject
// so that they never disturb its conditional-write guard, nor the
// bucket's deletion guard on s3.ev.<bucketID>.>.
func ReplicationStatusSubject(bucketID, key string) string {
	return "s3.rs." + bucketID + "." + Hash(key)
}

// SegmentsSubject carries one node's segment events (relocations and
// retirements by its compactor).
func SegmentsSubject(node string) string { return "s3.sys.seg." + Hash(node) }
