package event

import "time"

// Versioning and Object Lock events.
//
// # Version ids
//
// Header.VersionID names the version an object event is about. It is
// assigned by the writer (the engine, or one day a replication source)
// and carried in the event, never made up by a reader, so that a replica
// applying the event keeps the source's id:
//
//   - "" or "null": the null version. In a bucket whose versioning was
//     never configured every version is the null version, and events
//     there carry "" (as every event written before versioning existed).
//   - otherwise 32 lower-case hex digits: the version's time in
//     nanoseconds since the Unix epoch (16 digits, big endian), then 64
//     random bits.
//
// Versions of a key are ordered by (time, id): a real version by its id
// (whose first half is its time), the null version by its Header.Time
// followed by zeros. The order does not depend on stream sequences, so
// every site that applies the same versions orders them the same way.
// The newest version is the key's current one.
//
// # Which event does what
//
//   - object.put makes version Header.VersionID, replacing a version with
//     the same id (in a suspended or unversioned bucket: the null version).
//   - object.deleteMarker (DeleteMarkerCreated) makes a delete marker with
//     id Header.VersionID, replacing a version with the same id.
//   - object.deleted permanently removes version Header.VersionID (in an
//     unversioned bucket: the object). The versions left keep their order:
//     removing the current version makes the next newer one current.
//   - object.tagged, object.acl, object.retention and object.legalHold
//     change version Header.VersionID ("" or "null": the null version,
//     which in an unversioned bucket is the current object).
const (
	TypeBucketVersioning = "bucket.versioning"
	TypeBucketObjectLock = "bucket.objectLock"
	TypeObjectMarker     = "object.deleteMarker"
	TypeObjectRetention  = "object.retention"
	TypeObjectLegalHold  = "object.legalHold"
)

// Versioning states of a bucket ("" for a bucket whose versioning was
// never configured).
const (
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
)

// Object Lock retention modes.
const (
	LockGovernance = "GOVERNANCE"
	LockCompliance = "COMPLIANCE"
)

// BucketVersioningSet (v1) sets a bucket's versioning state: Enabled or
// Suspended. A bucket never returns to unversioned.
type BucketVersioningSet struct {
	Status string `json:"status"`
}

// EventType implements Payload.
func (*BucketVersioningSet) EventType() string { return TypeBucketVersioning }

// BucketObjectLockSet (v1) enables Object Lock on a bucket (for good) and
// sets its default retention, applied to new versions that do not name
// their own: DefaultMode with DefaultDays or DefaultYears (one of them);
// no DefaultMode for no default.
type BucketObjectLockSet struct {
	DefaultMode  string `json:"defaultMode,omitempty"`
	DefaultDays  int    `json:"defaultDays,omitempty"`
	DefaultYears int    `json:"defaultYears,omitempty"`
}

// EventType implements Payload.
func (*BucketObjectLockSet) EventType() string { return TypeBucketObjectLock }

// ObjectMarkerCreated (v1) makes a delete marker: version Header.VersionID
// of Header.Key, which hides the versions before it. It references no
// bytes. Owner is the canonical id of who made it (listings show it).
type ObjectMarkerCreated struct {
	Owner string `json:"owner,omitempty"`
}

// EventType implements Payload.
func (*ObjectMarkerCreated) EventType() string { return TypeObjectMarker }

// ObjectRetentionSet (v1) sets (Mode ""; removes) the retention of version
// Header.VersionID of Header.Key. The writer has checked S3's rules
// (compliance mode only ever extends; governance mode shortens only with
// a bypass).
type ObjectRetentionSet struct {
	Mode        string     `json:"mode,omitempty"`
	RetainUntil *time.Time `json:"retainUntil,omitempty"`
}

// EventType implements Payload.
func (*ObjectRetentionSet) EventType() string { return TypeObjectRetention }

// ObjectLegalHoldSet (v1) turns the legal hold of version Header.VersionID
// of Header.Key on or off.
type ObjectLegalHoldSet struct {
	On bool `json:"on"`
}

// EventType implements Payload.
func (*ObjectLegalHoldSet) EventType() string { return TypeObjectLegalHold }

// Lock is the Object Lock state a version is made with: its retention mode
// and date (both or neither) and its legal hold. It is embedded in
// object.put (as resolved, the bucket's default retention included) and
// multipart.created (as asked for). The zero value is no lock.
type Lock struct {
	LockMode    string     `json:"lockMode,omitempty"`
	RetainUntil *time.Time `json:"retainUntil,omitempty"`
	LegalHold   bool       `json:"legalHold,omitempty"`
}
