package event

// Access-control event types.
const (
	TypeBucketACL          = "bucket.acl"
	TypeObjectACL          = "object.acl"
	TypeBucketOwnership    = "bucket.ownership"
	TypeBucketPublicAccess = "bucket.publicAccessBlock"
	TypeBucketPolicy       = "bucket.policy"
)

// ACL is an S3 access control list: the resource's owner and its grants.
type ACL struct {
	Owner  string  `json:"owner"` // canonical id
	Grants []Grant `json:"grants,omitempty"`
}

// Grant gives one permission (READ, WRITE, READ_ACP, WRITE_ACP,
// FULL_CONTROL) to a user (ID, a canonical id) or a group (URI).
type Grant struct {
	ID         string `json:"id,omitempty"`
	URI        string `json:"uri,omitempty"`
	Permission string `json:"perm"`
}

// PublicAccessBlock is S3's block public access configuration.
type PublicAccessBlock struct {
	BlockPublicAcls       bool `json:"blockPublicAcls"`
	IgnorePublicAcls      bool `json:"ignorePublicAcls"`
	BlockPublicPolicy     bool `json:"blockPublicPolicy"`
	RestrictPublicBuckets bool `json:"restrictPublicBuckets"`
}

// BucketACLSet (v1) replaces a bucket's ACL.
type BucketACLSet struct {
	ACL ACL `json:"acl"`
}

// EventType implements Payload.
func (*BucketACLSet) EventType() string { return TypeBucketACL }

// ObjectACLSet (v1) replaces the ACL of version Header.VersionID of
// Header.Key ("" or "null": the null version, which in an unversioned
// bucket is the current object).
type ObjectACLSet struct {
	ACL ACL `json:"acl"`
}

// EventType implements Payload.
func (*ObjectACLSet) EventType() string { return TypeObjectACL }

// BucketOwnershipSet (v1) sets object ownership: BucketOwnerEnforced (ACLs
// disabled), BucketOwnerPreferred or ObjectWriter; "" removes the setting
// (ObjectWriter, S3's behaviour without one).
type BucketOwnershipSet struct {
	Ownership string `json:"ownership,omitempty"`
}

// EventType implements Payload.
func (*BucketOwnershipSet) EventType() string { return TypeBucketOwnership }

// BucketPublicAccessSet (v1) sets (nil: removes) a bucket's public access
// block.
type BucketPublicAccessSet struct {
	Config *PublicAccessBlock `json:"config,omitempty"`
}

// EventType implements Payload.
func (*BucketPublicAccessSet) EventType() string { return TypeBucketPublicAccess }

// BucketPolicySet (v1) sets a bucket's policy document ("" deletes it).
// The document is stored as the client sent it, after validation.
type BucketPolicySet struct {
	Policy string `json:"policy,omitempty"`
}

// EventType implements Payload.
func (*BucketPolicySet) EventType() string { return TypeBucketPolicy }
