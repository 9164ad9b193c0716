package event

// Tagging event types.
const (
	TypeObjectTagged = "object.tagged"
	TypeBucketTagged = "bucket.tagged"
)

// ObjectTagged (v1) replaces the tag set of version Header.VersionID of
// Header.Key ("" or "null": the null version, which in an unversioned
// bucket is the current object); an empty set removes its tags.
type ObjectTagged struct {
	Tags map[string]string `json:"tags,omitempty"`
}

// EventType implements Payload.
func (*ObjectTagged) EventType() string { return TypeObjectTagged }

// BucketTagged (v1) replaces a bucket's tag set; an empty set removes it.
type BucketTagged struct {
	Tags map[string]string `json:"tags,omitempty"`
}

// EventType implements Payload.
func (*BucketTagged) EventType() string { return TypeBucketTagged }
