package catalog

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cockroachdb/pebble/v2"
)

// User is one user (not root, which is configured).
type User struct {
	Name        string    `json:"name"`
	CanonicalID string    `json:"canonicalId"`
	Disabled    bool      `json:"disabled,omitempty"`
	Created     time.Time `json:"created"`
}

// Key is one access key; the secret stays sealed.
type Key struct {
	AccessKey    string    `json:"accessKey"`
	User         string    `json:"user"`
	SecretSealed string    `json:"secretSealed"`
	Active       bool      `json:"active"`
	Created      time.Time `json:"created"`
}

// iam mirrors the users and keys in memory: keys are looked up on every
// authenticated request.
type iam struct {
	users map[string]User
	keys  map[string]Key
}

func userKey(name string) []byte   { return append([]byte("Iu"), name...) }
func iamSeqKey(subj string) []byte { return append([]byte("Is"), subj...) }

// IAMSeq is the sequence of the last event on a user or key subject (0 if
// none): a new claim on the name expects it.
func (c *Catalog) IAMSeq(subject string) uint64 {
	v, closer, err := c.db.Get(iamSeqKey(subject))
	if err != nil {
		return 0
	}
	defer closer.Close()
	return u64(v)
}
func keyKey(ak string) []byte { return append([]byte("Ik"), ak...) }

func (c *Catalog) loadIAM() error {
	c.mu.iam = iam{users: map[string]User{}, keys: map[string]Key{}}
	if err := loadPrefix(c.db, []byte("Iu"), func(v []byte) error {
		var u User
		err := json.Unmarshal(v, &u)
		c.mu.iam.users[u.Name] = u
		return err
	}); err != nil {
		return err
	}
	return loadPrefix(c.db, []byte("Ik"), func(v []byte) error {
		var k Key
		err := json.Unmarshal(v, &k)
		c.mu.iam.keys[k.AccessKey] = k
		return err
	})
}

func loadPrefix(r pebble.Reader, pfx []byte, fn func(v []byte) error) error {
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: pfx, UpperBound: prefixEnd(pfx)})
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		if err := fn(it.Value()); err != nil {
			return fmt.Errorf("catalog: corrupt value under %q: %w", it.Key(), err)
		}
	}
	return it.Error()
}

// User returns a user by name.
func (c *Catalog) User(name string) (User, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	u, ok := c.mu.iam.users[name]
	return u, ok
}

// Users returns every user in name order.
func (c *Catalog) Users() []User {
	c.mu.RLock()
	out := slices.Collect(maps.Values(c.mu.iam.users))
	c.mu.RUnlock()
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Key returns an access key.
func (c *Catalog) Key(accessKey string) (Key, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	k, ok := c.mu.iam.keys[accessKey]
	return k, ok
}

// KeysOf returns a user's access keys in creation order.
func (c *Catalog) KeysOf(user string) []Key {
	c.mu.RLock()
	var out []Key
	for _, k := range c.mu.iam.keys {
		if k.User == user {
			out = append(out, k)
		}
	}
	c.mu.RUnlock()
	slices.SortFunc(out, func(a, b Key) int { return a.Created.Compare(b.Created) })
	return out
}

// iamChanges are one Apply's changes to users and keys; nil values are
// deletions. They reach the mirror after the batch commits.
type iamChanges struct {
	users map[string]*User
	keys  map[string]*Key
}

func (b *tx) user(name string) (User, bool) {
	if u, ok := b.iam.users[name]; ok {
		if u == nil {
			return User{}, false
		}
		return *u, true
	}
	return b.c.User(name)
}

func (b *tx) key(ak string) (Key, bool) {
	if k, ok := b.iam.keys[ak]; ok {
		if k == nil {
			return Key{}, false
		}
		return *k, true
	}
	return b.c.Key(ak)
}

func (b *tx) setUser(u *User) error {
	b.iam.users[u.Name] = u
	return setJSON(b.Batch, userKey(u.Name), u)
}

func (b *tx) setKey(k *Key) error {
	b.iam.keys[k.AccessKey] = k
	return setJSON(b.Batch, keyKey(k.AccessKey), k)
}

func (b *tx) deleteKey(ak string) error {
	b.iam.keys[ak] = nil
	return b.Delete(keyKey(ak), nil)
}

func applyIAM(b *tx, ev *event.Event, subject string) error {
	if err := b.Set(iamSeqKey(subject), be64(ev.Seq), nil); err != nil {
		return err
	}
	switch p := ev.Payload.(type) {
	case *event.UserCreated:
		if _, exists := b.user(p.Name); exists {
			return nil // the stream's name claim should have refused it
		}
		return b.setUser(&User{Name: p.Name, CanonicalID: p.CanonicalID, Created: ev.Time})
	case *event.UserUpdated:
		if u, ok := b.user(p.Name); ok {
			u.Disabled = p.Disabled
			return b.setUser(&u)
		}
	case *event.UserDeleted:
		return deleteUser(b, p.Name)
	case *event.KeyCreated:
		_, taken := b.key(p.AccessKey)
		if _, ok := b.user(p.User); !ok || taken {
			return nil
		}
		return b.setKey(&Key{AccessKey: p.AccessKey, User: p.User, SecretSealed: p.SecretSealed, Active: true, Created: ev.Time})
	case *event.KeyUpdated:
		if k, ok := b.key(p.AccessKey); ok {
			k.Active = p.Active
			return b.setKey(&k)
		}
	case *event.KeyDeleted:
		if _, ok := b.key(p.AccessKey); ok {
			return b.deleteKey(p.AccessKey)
		}
	}
	return nil
}

// deleteUser removes a user and every key it holds.
func deleteUser(b *tx, name string) error {
	if _, ok := b.user(name); !ok {
		return nil
	}
	var doomed []string
	if err := loadPrefix(b, []byte("Ik"), func(v []byte) error {
		var k Key
		err := json.Unmarshal(v, &k)
		if k.User == name {
			doomed = append(doomed, k.AccessKey)
		}
		return err
	}); err != nil {
		return err
	}
	for _, ak := range doomed {
		if err := b.deleteKey(ak); err != nil {
			return err
		}
	}
	b.iam.users[name] = nil
	return b.Delete(userKey(name), nil)
}

// commitIAM publishes an Apply's user and key changes to the mirror.
// Caller holds c.mu.
func (c *Catalog) commitIAMLocked(ch iamChanges) {
	for name, u := range ch.users {
		if u == nil {
			delete(c.mu.iam.users, name)
		} else {
			c.mu.iam.users[name] = *u
		}
	}
	for ak, k := range ch.keys {
		if k == nil {
			delete(c.mu.iam.keys, ak)
		} else {
			c.mu.iam.keys[ak] = *k
		}
	}
}
