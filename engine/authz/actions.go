package authz

// Action is how S3 authorizes one operation: the IAM action a policy
// names, what it addresses, and the ACL permission that grants it (none
// for actions only owners and policies grant).
type Action struct {
	Name        string // e.g. "s3:GetObject"
	Level       Level
	ACL         string // READ, WRITE, READ_ACP, WRITE_ACP, or "" (ACLs never grant it)
	OnObjectACL bool   // the object's ACL, else the bucket's, is consulted
	AnyUser     bool   // service actions any signed-in user may take
	RootOnly    bool   // administration
	// OwnerAlways: the bucket owner may take it even when the policy
	// denies it, so an owner can never lock itself out of its policy.
	OwnerAlways bool
}

func bucketAct(name, acl string) Action { return Action{Name: name, Level: BucketLevel, ACL: acl} }
func objectAct(name, acl string, onObject bool) Action {
	return Action{Name: name, Level: ObjectLevel, ACL: acl, OnObjectACL: onObject}
}

// operations maps S3 operation names (as the HTTP router names them) to
// their actions, after the AWS table "mapping of ACL permissions and
// access policy permissions".
var operations = map[string]Action{
	"ListBuckets":  {Name: "s3:ListAllMyBuckets", Level: Service, AnyUser: true},
	"CreateBucket": {Name: "s3:CreateBucket", Level: Service, AnyUser: true},
	"Admin":        {Name: "cairn:Admin", Level: Service, RootOnly: true},

	"HeadBucket":                         bucketAct("s3:ListBucket", Read),
	"ListObjects":                        bucketAct("s3:ListBucket", Read),
	"ListObjectsV2":                      bucketAct("s3:ListBucket", Read),
	"ListObjectVersions":                 bucketAct("s3:ListBucketVersions", Read),
	"ListMultipartUploads":               bucketAct("s3:ListBucketMultipartUploads", Read),
	"DeleteBucket":                       bucketAct("s3:DeleteBucket", ""),
	"GetBucketLocation":                  bucketAct("s3:GetBucketLocation", ""),
	"GetBucketAcl":                       bucketAct("s3:GetBucketAcl", ReadACP),
	"PutBucketAcl":                       bucketAct("s3:PutBucketAcl", WriteACP),
	"GetBucketTagging":                   bucketAct("s3:GetBucketTagging", ""),
	"PutBucketTagging":                   bucketAct("s3:PutBucketTagging", ""),
	"DeleteBucketTagging":                bucketAct("s3:PutBucketTagging", ""),
	"GetBucketPolicy":                    {Name: "s3:GetBucketPolicy", Level: BucketLevel, OwnerAlways: true},
	"PutBucketPolicy":                    {Name: "s3:PutBucketPolicy", Level: BucketLevel, OwnerAlways: true},
	"DeleteBucketPolicy":                 {Name: "s3:DeleteBucketPolicy", Level: BucketLevel, OwnerAlways: true},
	"GetBucketPolicyStatus":              bucketAct("s3:GetBucketPolicyStatus", ""),
	"GetBucketOwnershipControls":         bucketAct("s3:GetBucketOwnershipControls", ""),
	"PutBucketOwnershipControls":         bucketAct("s3:PutBucketOwnershipControls", ""),
	"DeleteBucketOwnershipControls":      bucketAct("s3:PutBucketOwnershipControls", ""),
	"GetPublicAccessBlock":               bucketAct("s3:GetBucketPublicAccessBlock", ""),
	"PutPublicAccessBlock":               bucketAct("s3:PutBucketPublicAccessBlock", ""),
	"DeletePublicAccessBlock":            bucketAct("s3:PutBucketPublicAccessBlock", ""),
	"GetBucketVersioning":                bucketAct("s3:GetBucketVersioning", ""),
	"PutBucketVersioning":                bucketAct("s3:PutBucketVersioning", ""),
	"GetBucketNotificationConfiguration": bucketAct("s3:GetBucketNotification", ""),
	"PutBucketNotificationConfiguration": bucketAct("s3:PutBucketNotification", ""),
	"ListenBucketNotification":           bucketAct("s3:ListenBucketNotification", ""),
	"GetObjectLockConfiguration":         bucketAct("s3:GetBucketObjectLockConfiguration", ""),
	"PutObjectLockConfiguration":         bucketAct("s3:PutBucketObjectLockConfiguration", ""),
	"GetBucketReplication":               bucketAct("s3:GetReplicationConfiguration", ""),
	"PutBucketReplication":               bucketAct("s3:PutReplicationConfiguration", ""),
	"DeleteBucketReplication":            bucketAct("s3:PutReplicationConfiguration", ""),

	"PutObject":               objectAct("s3:PutObject", Write, false),
	"PostObject":              objectAct("s3:PutObject", Write, false),
	"CopyObject":              objectAct("s3:PutObject", Write, false),
	"DeleteObject":            objectAct("s3:DeleteObject", Write, false),
	"DeleteObjects":           bucketAct("s3:DeleteObject", Write),
	"GetObject":               objectAct("s3:GetObject", Read, true),
	"HeadObject":              objectAct("s3:GetObject", Read, true),
	"GetObjectAttributes":     objectAct("s3:GetObjectAttributes", "", true),
	"GetObjectAcl":            objectAct("s3:GetObjectAcl", ReadACP, true),
	"PutObjectAcl":            objectAct("s3:PutObjectAcl", WriteACP, true),
	"GetObjectTagging":        objectAct("s3:GetObjectTagging", "", true),
	"PutObjectTagging":        objectAct("s3:PutObjectTagging", "", true),
	"DeleteObjectTagging":     objectAct("s3:DeleteObjectTagging", "", true),
	"CreateMultipartUpload":   objectAct("s3:PutObject", Write, false),
	"UploadPart":              objectAct("s3:PutObject", Write, false),
	"UploadPartCopy":          objectAct("s3:PutObject", Write, false),
	"CompleteMultipartUpload": objectAct("s3:PutObject", Write, false),
	"AbortMultipartUpload":    objectAct("s3:AbortMultipartUpload", Write, false),
	"ListParts":               objectAct("s3:ListMultipartUploadParts", "", false),
	"GetObjectRetention":      objectAct("s3:GetObjectRetention", "", true),
	"PutObjectRetention":      objectAct("s3:PutObjectRetention", "", true),
	"GetObjectLegalHold":      objectAct("s3:GetObjectLegalHold", "", true),
	"PutObjectLegalHold":      objectAct("s3:PutObjectLegalHold", "", true),

	// The same operations on a version named by versionId.
	"GetObjectVersion":           objectAct("s3:GetObjectVersion", Read, true),
	"HeadObjectVersion":          objectAct("s3:GetObjectVersion", Read, true),
	"DeleteObjectVersion":        objectAct("s3:DeleteObjectVersion", Write, false),
	"GetObjectVersionTagging":    objectAct("s3:GetObjectVersionTagging", "", true),
	"PutObjectVersionTagging":    objectAct("s3:PutObjectVersionTagging", "", true),
	"DeleteObjectVersionTagging": objectAct("s3:DeleteObjectVersionTagging", "", true),
	"GetObjectVersionAcl":        objectAct("s3:GetObjectVersionAcl", ReadACP, true),
	"PutObjectVersionAcl":        objectAct("s3:PutObjectVersionAcl", WriteACP, true),
	"GetObjectVersionAttributes": objectAct("s3:GetObjectVersionAttributes", "", true),
	// Not an operation: what a request needs to shorten or remove
	// GOVERNANCE retention (x-amz-bypass-governance-retention: true).
	"BypassGovernanceRetention": objectAct("s3:BypassGovernanceRetention", "", false),

	// Another site's replica writes (requests with X-Cairn-Replica),
	// authorized as S3 authorizes a replication role at a destination.
	"ReplicateObject":                  objectAct("s3:ReplicateObject", "", false),
	"ReplicateCreateMultipartUpload":   objectAct("s3:ReplicateObject", "", false),
	"ReplicateUploadPart":              objectAct("s3:ReplicateObject", "", false),
	"ReplicateCompleteMultipartUpload": objectAct("s3:ReplicateObject", "", false),
	"ReplicateAbortMultipartUpload":    objectAct("s3:ReplicateObject", "", false),
	"ReplicateObjectAcl":               objectAct("s3:ReplicateObject", "", false),
	"ReplicateObjectRetention":         objectAct("s3:ReplicateObject", "", false),
	"ReplicateObjectLegalHold":         objectAct("s3:ReplicateObject", "", false),
	"ReplicateDelete":                  objectAct("s3:ReplicateDelete", "", false),
	"ReplicateTags":                    objectAct("s3:ReplicateTags", "", false),

	// Requests for things cairn does not serve: signed-in users learn
	// that (NotImplemented), anonymous ones learn nothing.
	"Unsupported": {Name: "s3:Unsupported", Level: Service, AnyUser: true},
}

// ForOperation returns the action of an S3 operation; an unknown one is
// never allowed to anyone but root.
func ForOperation(op string) Action {
	if a, ok := operations[op]; ok {
		return a
	}
	return Action{Name: "cairn:" + op, Level: Service, RootOnly: true}
}

// Known reports whether op is in the operations table.
func Known(op string) bool {
	_, ok := operations[op]
	return ok
}

// ListBucket is the action whose grant turns a missing key's 403 into 404.
var ListBucket = operations["ListObjects"]

// GetObject is the action a copy needs on its source.
var GetObject = operations["GetObject"]
