package event

// Cross-site replication events.
//
// A bucket's replication configuration (S3's ReplicationConfiguration) is
// a bucket.replication event on the bucket's configuration subject; the
// configuration in force for an object event is the last one appended
// before it, so a replication consumer decides every event under the
// rules of its own place in the log, however late it runs.
//
// How replicating one version to one destination went is an
// object.replication event, appended by the replication consumer on the
// key's replication-status subject (s3.rs.<bucketID>.<keyhash>), never on
// the key's own subject: a status must not disturb the key's
// conditional-write guard or its bucket's deletion guard. A version
// selected by the configuration in force when it was made is PENDING for
// each destination until such an event says otherwise.
//
// An event whose Header.Replica is set was written by another site's
// replication (the replica write path of the S3 API): it applies a change
// replicated from elsewhere. Replication never sends such an event on, so
// two sites replicating one bucket to each other do not loop.
const (
	TypeBucketReplication = "bucket.replication"
	TypeObjectReplication = "object.replication"
)

// Replication statuses, as S3's x-amz-replication-status shows them.
const (
	ReplicationPending   = "PENDING"
	ReplicationCompleted = "COMPLETED"
	ReplicationFailed    = "FAILED"
	ReplicationReplica   = "REPLICA"
)

// BucketReplication (v1) replaces a bucket incarnation's replication
// configuration; no rules removes it.
type BucketReplication struct {
	Role  string            `json:"role,omitempty"` // as sent; cairn does not use it
	Rules []ReplicationRule `json:"rules,omitempty"`
}

// EventType implements Payload.
func (*BucketReplication) EventType() string { return TypeBucketReplication }

// ReplicationRule is one validated Rule of a ReplicationConfiguration.
type ReplicationRule struct {
	ID       string `json:"id"` // resolved (generated when the request had none)
	Priority int    `json:"priority,omitempty"`
	Enabled  bool   `json:"enabled"`
	// The filter: keys starting with Prefix whose tags include every one
	// of Tags. V1 is set for a rule written in S3's first schema (a
	// Prefix outside any Filter), which replicates delete markers.
	Prefix string            `json:"prefix,omitempty"`
	Tags   map[string]string `json:"tags,omitempty"`
	V1     bool              `json:"v1,omitempty"`
	// DeleteMarkers: replicate delete markers (DeleteMarkerReplication);
	// ExistingObjects: replicate the versions made before the rule was
	// set (ExistingObjectReplication).
	DeleteMarkers   bool `json:"deleteMarkers,omitempty"`
	ExistingObjects bool `json:"existingObjects,omitempty"`
	// The destination: a site declared on the server when the rule was
	// set (resolved then from ARN, and recorded so that the rule keeps
	// its meaning whatever is declared later), and a bucket there.
	Site         string `json:"site"`
	Bucket       string `json:"bucket"`
	ARN          string `json:"arn"` // Destination/Bucket as the request wrote it
	StorageClass string `json:"storageClass,omitempty"`
}

// Dest names the rule's destination: "<site>:<bucket>".
func (r ReplicationRule) Dest() string { return r.Site + ":" + r.Bucket }

// ObjectReplicated (v1) records the outcome of replicating version
// Header.VersionID of Header.Key, made by the event at stream sequence
// Seq, to destination Dest ("<site>:<bucket>"): COMPLETED, or FAILED (the
// destination refused it; it is still retried). RemoteVersionID is the
// version id the destination gave the replica, when it differs.
type ObjectReplicated struct {
	Dest            string `json:"dest"`
	Status          string `json:"status"`
	Seq             uint64 `json:"seq"`
	RemoteVersionID string `json:"remoteVersionId,omitempty"`
	Reason          string `json:"reason,omitempty"` // why it FAILED: the destination's error code
}

// EventType implements Payload.
func (*ObjectReplicated) EventType() string { return TypeObjectReplication }
