package event

// Identity event types: users and their access keys.
const (
	TypeUserCreated = "user.created"
	TypeUserUpdated = "user.updated"
	TypeUserDeleted = "user.deleted"
	TypeKeyCreated  = "key.created"
	TypeKeyUpdated  = "key.updated"
	TypeKeyDeleted  = "key.deleted"
)

// UserCreated (v1) claims a user name (on its user subject). The root user
// is configured, never created by an event.
type UserCreated struct {
	Name        string `json:"name"`
	CanonicalID string `json:"canonicalId"` // 64 hex, S3's owner id for this user
}

// EventType implements Payload.
func (*UserCreated) EventType() string { return TypeUserCreated }

// UserUpdated (v1) enables or disables a user: a disabled user's keys
// authenticate nothing.
type UserUpdated struct {
	Name     string `json:"name"`
	Disabled bool   `json:"disabled"`
}

// EventType implements Payload.
func (*UserUpdated) EventType() string { return TypeUserUpdated }

// UserDeleted (v1) removes a user and, with it, every key of the user.
type UserDeleted struct {
	Name string `json:"name"`
}

// EventType implements Payload.
func (*UserDeleted) EventType() string { return TypeUserDeleted }

// KeyCreated (v1) issues an access key to a user (on the key's subject).
// The secret never appears in clear: SecretSealed is the secret encrypted
// with the deployment's master key (AES-256-GCM, nonce first, the access
// key as additional data), base64.
type KeyCreated struct {
	User         string `json:"user"`
	AccessKey    string `json:"accessKey"`
	SecretSealed string `json:"secretSealed"`
}

// EventType implements Payload.
func (*KeyCreated) EventType() string { return TypeKeyCreated }

// KeyUpdated (v1) activates or deactivates an access key.
type KeyUpdated struct {
	AccessKey string `json:"accessKey"`
	Active    bool   `json:"active"`
}

// EventType implements Payload.
func (*KeyUpdated) EventType() string { return TypeKeyUpdated }

// KeyDeleted (v1) revokes an access key for good.
type KeyDeleted struct {
	AccessKey string `json:"accessKey"`
}

// EventType implements Payload.
func (*KeyDeleted) EventType() string { return TypeKeyDeleted }
