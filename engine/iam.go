package engine

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
)

// RootUser is the name of the configured administrator.
const RootUser = "root"

// RootCanonicalID is root's S3 owner id.
var RootCanonicalID = canonicalID("cairn-root")

func canonicalID(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(sum[:])
}

// Principal is who a request is made by.
type Principal struct {
	Anonymous   bool
	User        string // RootUser for root
	AccessKey   string
	CanonicalID string
}

// Root reports whether p is the administrator.
func (p Principal) Root() bool { return !p.Anonymous && p.User == RootUser }

// Anonymous is the principal of unsigned requests.
var Anonymous = Principal{Anonymous: true}

// Credential is what signature verification needs of an access key.
type Credential struct {
	AccessKey, SecretKey string
	Principal            Principal
}

// RootCredentials configure the administrator's key.
type RootCredentials struct{ AccessKey, SecretKey string }

// credCache keeps unsealed secrets; entries are checked against the
// index's current sealed value, so a replaced key is never served stale.
type credCache struct {
	mu sync.Mutex
	m  map[string][2]string // access key -> (sealed, secret)
}

// LookupKey returns the credential of an access key: root's, or an active
// key of an enabled user. Anything else is ErrInvalidAccessKeyID.
func (e *Engine) LookupKey(_ context.Context, accessKey string) (Credential, error) {
	if subtle.ConstantTimeCompare([]byte(accessKey), []byte(e.o.Root.AccessKey)) == 1 {
		return Credential{AccessKey: accessKey, SecretKey: e.o.Root.SecretKey,
			Principal: Principal{User: RootUser, AccessKey: accessKey, CanonicalID: RootCanonicalID}}, nil
	}
	k, ok := e.o.Catalog.Key(accessKey)
	if !ok || !k.Active {
		return Credential{}, ErrInvalidAccessKeyID
	}
	u, ok := e.o.Catalog.User(k.User)
	if !ok || u.Disabled {
		return Credential{}, ErrInvalidAccessKeyID
	}
	secret, err := e.unseal(k.AccessKey, k.SecretSealed)
	if err != nil {
		return Credential{}, err
	}
	return Credential{AccessKey: accessKey, SecretKey: secret,
		Principal: Principal{User: u.Name, AccessKey: accessKey, CanonicalID: u.CanonicalID}}, nil
}

func (e *Engine) unseal(ak, sealed string) (string, error) {
	e.creds.mu.Lock()
	defer e.creds.mu.Unlock()
	if c, ok := e.creds.m[ak]; ok && c[0] == sealed {
		return c[1], nil
	}
	secret, err := e.sealer.open(ak, sealed)
	if err != nil {
		return "", fmt.Errorf("%w (is CAIRN_MASTER_KEY the same on every gateway?)", err)
	}
	if e.creds.m == nil {
		e.creds.m = map[string][2]string{}
	}
	e.creds.m[ak] = [2]string{sealed, secret}
	return secret, nil
}

// userNames are IAM's rules for user names.
var userNames = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// UserInfo describes a user and its keys (never their secrets).
type UserInfo struct {
	Name        string
	CanonicalID string
	Disabled    bool
	Created     time.Time
	Keys        []KeyInfo
}

// KeyInfo describes an access key.
type KeyInfo struct {
	AccessKey string
	Active    bool
	Created   time.Time
}

// CreateUser claims a user name.
func (e *Engine) CreateUser(ctx context.Context, actor, name string) (UserInfo, error) {
	if !userNames.MatchString(name) || name == RootUser {
		return UserInfo{}, fmt.Errorf("%w: user names are 1-64 characters of letters, digits and +=,.@_-, and not %q", ErrInvalidArgument, RootUser)
	}
	if err := e.sync(ctx); err != nil {
		return UserInfo{}, err
	}
	if _, exists := e.o.Catalog.User(name); exists {
		return UserInfo{}, ErrUserExists
	}
	var id [32]byte
	_, _ = rand.Read(id[:])
	p := &event.UserCreated{Name: name, CanonicalID: hex.EncodeToString(id[:])}
	subj := stream.UserSubject(name)
	ev := &event.Event{Header: e.header(ctx, actor), Payload: p}
	if _, err := e.appendEvent(ctx, subj, ev, &stream.Expect{Seq: e.o.Catalog.IAMSeq(subj)}); err != nil {
		if errors.Is(err, stream.ErrConflict) {
			return UserInfo{}, ErrUserExists
		}
		return UserInfo{}, err
	}
	return e.userInfo(name)
}

func (e *Engine) userInfo(name string) (UserInfo, error) {
	u, ok := e.o.Catalog.User(name)
	if !ok {
		return UserInfo{}, ErrNoSuchUser
	}
	ui := UserInfo{Name: u.Name, CanonicalID: u.CanonicalID, Disabled: u.Disabled, Created: u.Created}
	for _, k := range e.o.Catalog.KeysOf(name) {
		ui.Keys = append(ui.Keys, KeyInfo{AccessKey: k.AccessKey, Active: k.Active, Created: k.Created})
	}
	return ui, nil
}

// ListUsers returns every user with its keys.
func (e *Engine) ListUsers(ctx context.Context) ([]UserInfo, error) {
	if err := e.sync(ctx); err != nil {
		return nil, err
	}
	var out []UserInfo
	for _, u := range e.o.Catalog.Users() {
		ui, err := e.userInfo(u.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, ui)
	}
	return out, nil
}

// SetUserDisabled disables (or enables) a user.
func (e *Engine) SetUserDisabled(ctx context.Context, actor, name string, disabled bool) error {
	return e.userEvent(ctx, actor, name, &event.UserUpdated{Name: name, Disabled: disabled})
}

// DeleteUser deletes a user and its keys.
func (e *Engine) DeleteUser(ctx context.Context, actor, name string) error {
	return e.userEvent(ctx, actor, name, &event.UserDeleted{Name: name})
}

func (e *Engine) userEvent(ctx context.Context, actor, name string, p event.Payload) error {
	if err := e.sync(ctx); err != nil {
		return err
	}
	if _, ok := e.o.Catalog.User(name); !ok {
		return ErrNoSuchUser
	}
	ev := &event.Event{Header: e.header(ctx, actor), Payload: p}
	_, err := e.appendEvent(ctx, stream.UserSubject(name), ev, nil)
	return err
}

// CreateKey issues an access key to a user and returns its secret, which
// exists in clear only in this answer.
func (e *Engine) CreateKey(ctx context.Context, actor, user string) (Credential, error) {
	if err := e.sync(ctx); err != nil {
		return Credential{}, err
	}
	u, ok := e.o.Catalog.User(user)
	if !ok {
		return Credential{}, ErrNoSuchUser
	}
	ak, secret := NewKeyPair()
	p := &event.KeyCreated{User: user, AccessKey: ak, SecretSealed: e.sealer.seal(ak, secret)}
	ev := &event.Event{Header: e.header(ctx, actor), Payload: p}
	if _, err := e.appendEvent(ctx, stream.KeySubject(ak), ev, &stream.Expect{Seq: 0}); err != nil {
		return Credential{}, err
	}
	return Credential{AccessKey: ak, SecretKey: secret, Principal: Principal{User: user, AccessKey: ak, CanonicalID: u.CanonicalID}}, nil
}

// SetKeyActive activates or deactivates an access key.
func (e *Engine) SetKeyActive(ctx context.Context, actor, accessKey string, active bool) error {
	return e.keyEvent(ctx, actor, accessKey, &event.KeyUpdated{AccessKey: accessKey, Active: active})
}

// DeleteKey revokes an access key.
func (e *Engine) DeleteKey(ctx context.Context, actor, accessKey string) error {
	return e.keyEvent(ctx, actor, accessKey, &event.KeyDeleted{AccessKey: accessKey})
}

func (e *Engine) keyEvent(ctx context.Context, actor, ak string, p event.Payload) error {
	if err := e.sync(ctx); err != nil {
		return err
	}
	if _, ok := e.o.Catalog.Key(ak); !ok {
		return ErrNoSuchKeyID
	}
	ev := &event.Event{Header: e.header(ctx, actor), Payload: p}
	_, err := e.appendEvent(ctx, stream.KeySubject(ak), ev, nil)
	return err
}

// NewKeyPair draws a new access key id (CAIRN and 15 upper-case letters
// or digits, as AWS ids look) and a 40-character secret holding 240 bits
// from crypto/rand.
func NewKeyPair() (accessKey, secret string) {
	return "CAIRN" + randomChars(15, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
		randomChars(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}

// randomChars draws n characters uniformly from alphabet (len <= 256).
func randomChars(n int, alphabet string) string {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet)
	var b [1]byte
	for len(out) < n {
		_, _ = rand.Read(b[:])
		if int(b[0]) < limit {
			out = append(out, alphabet[int(b[0])%len(alphabet)])
		}
	}
	return string(out)
}
