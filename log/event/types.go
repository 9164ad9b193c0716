package event

// Stable type names. Never rename or reuse one.
const (
	TypeBucketCreated = "bucket.created"
	TypeBucketDeleted = "bucket.deleted"
	TypeObjectPut     = "object.put"
	TypeObjectDeleted = "object.deleted"
)

// BucketCreated (v1) claims a bucket name. Header.Bucket is the name and
// Header.BucketID the new incarnation's id; a bucket deleted and created
// again under the same name gets a new id, so events of the old incarnation
// never leak into the new one.
type BucketCreated struct {
	Region string `json:"region"`
	Owner  string `json:"owner"` // the owner's canonical id
	// The bucket's initial access control. An event without them (written
	// before they existed) stands for S3's legacy defaults: ACLs enabled
	// (ObjectWriter), no public access block.
	ACL          *ACL               `json:"acl,omitempty"`
	Ownership    string             `json:"ownership,omitempty"`
	PublicAccess *PublicAccessBlock `json:"publicAccess,omitempty"`
	// ObjectLock creates the bucket with Object Lock enabled, and so with
	// versioning Enabled (x-amz-bucket-object-lock-enabled).
	ObjectLock bool `json:"objectLock,omitempty"`
}

// EventType implements Payload.
func (*BucketCreated) EventType() string { return TypeBucketCreated }

// BucketDeleted (v1) releases a bucket name. Header.BucketID names the
// incarnation that is deleted.
type BucketDeleted struct{}

// EventType implements Payload.
func (*BucketDeleted) EventType() string { return TypeBucketDeleted }

// Extent is where a run of an object's bytes lives: a record in a segment
// file on one disk of one node, or a slice of one (a copied range shares
// the source's record instead of copying its bytes).
type Extent struct {
	Node    string `json:"node"`
	Disk    uint16 `json:"disk"`
	Segment uint64 `json:"seg"`
	Offset  int64  `json:"off"`            // offset of the record header in the segment
	Length  int64  `json:"len"`            // the record's payload bytes
	Record  string `json:"rec"`            // segment record id (32 hex)
	Skip    int64  `json:"skip,omitempty"` // payload bytes of the record before the extent
	Take    int64  `json:"take,omitempty"` // bytes the extent uses; 0: to the record's end
}

// Bytes is how many bytes of the object the extent holds.
func (x Extent) Bytes() int64 {
	if x.Take > 0 {
		return x.Take
	}
	return x.Length - x.Skip
}

// PartInfo describes one part of an object made by a multipart upload.
// The object's bytes are its parts' bytes in order, so part n spans the
// sizes of parts before it.
type PartInfo struct {
	Number   int    `json:"n"`
	Size     int64  `json:"size"`
	ETag     string `json:"etag"`         // the part's MD5, without quotes
	Checksum string `json:"ck,omitempty"` // the part's checksum (base64), if the upload has an algorithm
}

// ContentHeaders are the standard HTTP headers stored with an object and
// returned on GET and HEAD.
type ContentHeaders struct {
	ContentType        string `json:"contentType,omitempty"`
	ContentEncoding    string `json:"contentEncoding,omitempty"`
	ContentDisposition string `json:"contentDisposition,omitempty"`
	ContentLanguage    string `json:"contentLanguage,omitempty"`
	CacheControl       string `json:"cacheControl,omitempty"`
	Expires            string `json:"expires,omitempty"` // as sent
}

// ObjectPut (v1) makes a new object: version Header.VersionID of
// Header.Key (see versioning.go; in an unversioned bucket, the current
// object). The object's bytes are the concatenation of Extents.
type ObjectPut struct {
	Size    int64    `json:"size"`
	ETag    string   `json:"etag"` // without quotes
	Extents []Extent `json:"extents"`
	ContentHeaders
	UserMeta     map[string]string `json:"meta,omitempty"` // lower-case names without x-amz-meta-
	Checksums    map[string]string `json:"checksums,omitempty"`
	ChecksumType string            `json:"checksumType,omitempty"` // FULL_OBJECT or COMPOSITE
	StorageClass string            `json:"storageClass,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
	// UploadID is set when the object completes a multipart upload: this
	// event ends that upload. Parts then lists its parts in order.
	UploadID string     `json:"uploadId,omitempty"`
	Parts    []PartInfo `json:"parts,omitempty"`
	// ACL is the object's ACL (owner and grants); nil in events written
	// before ACLs existed, meaning owned by the bucket owner, no grants.
	ACL *ACL `json:"acl,omitempty"`
	// CopySource ("bucket/key") is set when the object is a server-side
	// copy; its extents are then shared with the source.
	CopySource string `json:"copySource,omitempty"`
	// CopySourceVersion is the version of CopySource copied, when the
	// source bucket has versioning configured ("null" for its null
	// version).
	CopySourceVersion string `json:"copySourceVersion,omitempty"`
	// Lock is the version's Object Lock state (buckets with Object Lock
	// only): as asked for, or the bucket's default retention.
	Lock
	// Post is set when a browser POST upload made the object (S3 names its
	// notification ObjectCreated:Post).
	Post bool `json:"post,omitempty"`
	// Inline is reserved for small objects stored in the event itself. It
	// is never written by this version of cairn.
	Inline []byte `json:"inline,omitempty"`
}

// EventType implements Payload.
func (*ObjectPut) EventType() string { return TypeObjectPut }

// ObjectDeleted (v1) permanently removes version Header.VersionID of
// Header.Key ("" or "null": the null version, which in an unversioned
// bucket is the current object; see versioning.go).
type ObjectDeleted struct{}

// EventType implements Payload.
func (*ObjectDeleted) EventType() string { return TypeObjectDeleted }
