package event

import (
	"encoding/json"
	"fmt"
)

// version describes one frozen version of a payload type: how to decode it,
// and how to bring the decoded value up to the next version (nil for the
// newest version).
type version struct {
	decode func(data []byte) (any, error)
	upcast func(any) any
}

// typeInfo lists the versions of one type; versions[i] is version i+1.
type typeInfo struct {
	versions []version
}

func (t typeInfo) current() int { return len(t.versions) }

func (t typeInfo) decode(v int, data []byte) (Payload, error) {
	if v < 1 || v > len(t.versions) {
		return nil, fmt.Errorf("%w: v%d (this binary knows v1..v%d)", ErrUnknownVersion, v, len(t.versions))
	}
	val, err := t.versions[v-1].decode(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	for i := v - 1; i < len(t.versions)-1; i++ {
		val = t.versions[i].upcast(val)
	}
	p, ok := val.(Payload)
	if !ok {
		return nil, fmt.Errorf("%w: v%d decodes to %T", ErrMalformed, v, val)
	}
	return p, nil
}

// jsonVersion returns the decoder of a version whose Go type is T.
func jsonVersion[T any](upcast func(any) any) version {
	return version{
		decode: func(data []byte) (any, error) {
			v := new(T)
			if err := json.Unmarshal(data, v); err != nil {
				return nil, err
			}
			return v, nil
		},
		upcast: upcast,
	}
}

// registry maps type name to its versions. It is a constant table: append a
// version to a type's list, never remove or reorder one.
var registry = map[string]typeInfo{
	TypeBucketCreated:      {versions: []version{jsonVersion[BucketCreated](nil)}},
	TypeBucketDeleted:      {versions: []version{jsonVersion[BucketDeleted](nil)}},
	TypeObjectPut:          {versions: []version{jsonVersion[ObjectPut](nil)}},
	TypeObjectDeleted:      {versions: []version{jsonVersion[ObjectDeleted](nil)}},
	TypeObjectTagged:       {versions: []version{jsonVersion[ObjectTagged](nil)}},
	TypeBucketTagged:       {versions: []version{jsonVersion[BucketTagged](nil)}},
	TypeBucketACL:          {versions: []version{jsonVersion[BucketACLSet](nil)}},
	TypeObjectACL:          {versions: []version{jsonVersion[ObjectACLSet](nil)}},
	TypeBucketOwnership:    {versions: []version{jsonVersion[BucketOwnershipSet](nil)}},
	TypeBucketPublicAccess: {versions: []version{jsonVersion[BucketPublicAccessSet](nil)}},
	TypeBucketPolicy:       {versions: []version{jsonVersion[BucketPolicySet](nil)}},
	TypeUserCreated:        {versions: []version{jsonVersion[UserCreated](nil)}},
	TypeUserUpdated:        {versions: []version{jsonVersion[UserUpdated](nil)}},
	TypeUserDeleted:        {versions: []version{jsonVersion[UserDeleted](nil)}},
	TypeKeyCreated:         {versions: []version{jsonVersion[KeyCreated](nil)}},
	TypeKeyUpdated:         {versions: []version{jsonVersion[KeyUpdated](nil)}},
	TypeKeyDeleted:         {versions: []version{jsonVersion[KeyDeleted](nil)}},
	TypeMultipartCreated:   {versions: []version{jsonVersion[MultipartCreated](nil)}},
	TypeMultipartPart:      {versions: []version{jsonVersion[MultipartPart](nil)}},
	TypeMultipartAborted:   {versions: []version{jsonVersion[MultipartAborted](nil)}},
	TypeBucketVersioning:   {versions: []version{jsonVersion[BucketVersioningSet](nil)}},
	TypeBucketObjectLock:   {versions: []version{jsonVersion[BucketObjectLockSet](nil)}},
	TypeObjectMarker:       {versions: []version{jsonVersion[ObjectMarkerCreated](nil)}},
	TypeObjectRetention:    {versions: []version{jsonVersion[ObjectRetentionSet](nil)}},
	TypeObjectLegalHold:    {versions: []version{jsonVersion[ObjectLegalHoldSet](nil)}},
	TypeBucketNotification: {versions: []version{jsonVersion[BucketNotification](nil)}},
	TypeBucketReplication:  {versions: []version{jsonVersion[BucketReplication](nil)}},
	TypeObjectReplication:  {versions: []version{jsonVersion[ObjectReplicated](nil)}},
	TypeSegmentRelocated:   {versions: []version{jsonVersion[SegmentRelocated](nil)}},
	TypeSegmentRetired:     {versions: []version{jsonVersion[SegmentRetired](nil)}},
}

// Types returns every registered type name with its current version.
func Types() map[string]int {
	out := make(map[string]int, len(registry))
	for name, ti := range registry {
		out[name] = ti.current()
	}
	return out
}
