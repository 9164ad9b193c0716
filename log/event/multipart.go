package event

// Multipart upload events. An upload lives on its own subject (see
// log/stream: s3.mp.<bucketID>.<uploadID>) while it is built: created, then
// any number of parts, and at most one abort. It ends either with that
// abort or with the object.put on the key's subject that completes it
// (ObjectPut.UploadID names the upload; ObjectPut.Parts lists the parts
// used). Header.Bucket, Header.BucketID and Header.Key are set on every
// multipart event, so the projection finds the upload by (bucket, key,
// upload id) alone.
//
// Parts carry extents, never bytes: a part stored by UploadPart is one
// segment record; a part made by UploadPartCopy shares slices (Extent.Skip,
// Extent.Take) of the source object's records. Completion concatenates the
// chosen parts' extents, so no byte is copied at any step.
const (
	TypeMultipartCreated = "multipart.created"
	TypeMultipartPart    = "multipart.part"
	TypeMultipartAborted = "multipart.aborted"
)

// MultipartCreated (v1) starts a multipart upload of Header.Key. It holds
// everything the completed object takes from CreateMultipartUpload.
type MultipartCreated struct {
	// UploadID is 32 lower-case hex digits: the initiation time in
	// nanoseconds since the Unix epoch (16 digits, big endian) followed by
	// 64 random bits, so that ids sort by initiation time.
	UploadID string `json:"uploadId"`
	ContentHeaders
	UserMeta     map[string]string `json:"meta,omitempty"` // lower-case names without x-amz-meta-
	StorageClass string            `json:"storageClass,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
	// ChecksumAlgorithm is the additional checksum every part carries
	// (CRC32, CRC32C, CRC64NVME, SHA1, SHA256), empty for none.
	// ChecksumType says how the object's checksum is made from the
	// parts': COMPOSITE (a checksum of the part checksums, "-N") or
	// FULL_OBJECT (the CRC of the whole object, combined from the parts'
	// CRCs). It is empty exactly when ChecksumAlgorithm is.
	ChecksumAlgorithm string `json:"checksumAlgorithm,omitempty"`
	ChecksumType      string `json:"checksumType,omitempty"`
	// ACL is the ACL the completed object gets (resolved when the upload
	// starts, as S3 takes the ACL headers of CreateMultipartUpload).
	ACL *ACL `json:"acl,omitempty"`
	// Lock is the Object Lock state asked for with the upload; without a
	// mode, the completion takes the bucket's default retention.
	Lock
}

// EventType implements Payload.
func (*MultipartCreated) EventType() string { return TypeMultipartCreated }

// MultipartPart (v1) stores part Number (1..10000) of an upload. A later
// part with the same number replaces it.
type MultipartPart struct {
	UploadID string   `json:"uploadId"`
	Number   int      `json:"n"`
	Size     int64    `json:"size"`
	ETag     string   `json:"etag"` // the part's MD5 in hex, without quotes
	Extents  []Extent `json:"extents"`
	// Checksum is the part's checksum (base64) in the upload's algorithm,
	// empty when the upload has none.
	Checksum string `json:"ck,omitempty"`
}

// EventType implements Payload.
func (*MultipartPart) EventType() string { return TypeMultipartPart }

// MultipartAborted (v1) ends an upload without an object: its parts become
// garbage.
type MultipartAborted struct {
	UploadID string `json:"uploadId"`
}

// EventType implements Payload.
func (*MultipartAborted) EventType() string { return TypeMultipartAborted }
