package event

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Errors returned by Decode.
var (
	ErrUnknownType    = errors.New("event: unknown type")
	ErrUnknownVersion = errors.New("event: unknown version")
	ErrMalformed      = errors.New("event: malformed")
)

// Payload is the type-specific part of an event. Each payload type has a
// stable type name; the registry knows its current version.
type Payload interface {
	EventType() string
}

// Header is the part of an event that is common to every type.
type Header struct {
	ID        string    `json:"id"`
	Time      time.Time `json:"time"`
	Actor     string    `json:"actor,omitempty"`
	Bucket    string    `json:"bucket,omitempty"`
	BucketID  string    `json:"bucketId,omitempty"`
	Key       string    `json:"key,omitempty"`
	VersionID string    `json:"versionId,omitempty"`
	RequestID string    `json:"requestId,omitempty"` // the S3 request that caused the event
	SourceIP  string    `json:"sourceIp,omitempty"`  // the client's address
	// Replica is set on an event that applies a change replicated from
	// another site; replication never sends it on (see replication.go).
	Replica bool `json:"replica,omitempty"`
}

// Event is a decoded event. Seq is the stream sequence (0 until appended).
type Event struct {
	Seq uint64
	Header
	Payload Payload
}

// envelope is the wire form.
type envelope struct {
	Type string `json:"type"`
	V    int    `json:"v"`
	Header
	Data json.RawMessage `json:"data"`
}

// NewID returns a fresh random event id (128 bits, 32 lower-case hex).
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("event: crypto/rand failed: %v", err)) // cannot happen on Linux
	}
	return hex.EncodeToString(b[:])
}

// Encode returns the wire form of ev with its payload at the current version.
func Encode(ev *Event) ([]byte, error) {
	typ := ev.Payload.EventType()
	cur, ok := registry[typ]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownType, typ)
	}
	data, err := json.Marshal(ev.Payload)
	if err != nil {
		return nil, fmt.Errorf("event: encode %s: %w", typ, err)
	}
	env := envelope{Type: typ, V: cur.current(), Header: ev.Header, Data: data}
	return json.Marshal(&env)
}

// Decode parses the wire form, upcasting the payload to its newest version.
// The returned event has Seq 0; the caller sets it from the stream.
func Decode(b []byte) (*Event, error) {
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if env.Type == "" || env.V <= 0 || len(env.Data) == 0 || env.ID == "" || env.Time.IsZero() {
		return nil, fmt.Errorf("%w: missing type, version, id, time or data", ErrMalformed)
	}
	ti, ok := registry[env.Type]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownType, env.Type)
	}
	p, err := ti.decode(env.V, env.Data)
	if err != nil {
		return nil, err
	}
	return &Event{Header: env.Header, Payload: p}, nil
}
