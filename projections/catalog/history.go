package catalog

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// history reads the versions of one key of a bucket incarnation: the
// current object under "O" (absent when the newest version is a delete
// marker or there is none), the other versions under "V" newest first,
// and "Z" pointing at the null version when it is under "V".
type history struct {
	r   pebble.Reader
	rid []byte
	key string
}

// current is the key's current object.
func (h history) current() (Object, bool, error) {
	var o Object
	found, err := getJSON(h.r, objectKey(h.rid, h.key), &o)
	o.Key = h.key
	return o, found, err
}

// top is the newest version stored under "V".
func (h history) top() (order, Object, bool, error) {
	var o Object
	pfx := keyVersionsPrefix(h.rid, h.key)
	it, err := h.r.NewIter(&pebble.IterOptions{LowerBound: pfx, UpperBound: prefixEnd(pfx)})
	if err != nil {
		return order{}, o, false, err
	}
	defer it.Close()
	if !it.First() {
		return order{}, o, false, it.Error()
	}
	_, ord := splitVersionKey(it.Key())
	if err := json.Unmarshal(it.Value(), &o); err != nil {
		return ord, o, false, fmt.Errorf("catalog: corrupt version %x: %w", it.Key(), err)
	}
	o.Key = h.key
	return ord, o, true, nil
}

// latest is the newest version: the current object, else the newest
// stored version (a delete marker).
func (h history) latest() (Object, bool, error) {
	o, found, err := h.current()
	if err != nil || found {
		return o, found, err
	}
	_, o, found, err = h.top()
	return o, found, err
}

// stored finds version vid under "V".
func (h history) stored(vid string) (order, Object, bool, error) {
	var o Object
	ord, ok := parseVersionID(vid)
	if IsNull(vid) {
		v, closer, err := h.r.Get(nullKey(h.rid, h.key))
		if err != nil {
			return ord, o, false, ignoreNotFound(err)
		}
		copy(ord[:], v)
		closer.Close()
	} else if !ok {
		return ord, o, false, nil
	}
	found, err := getJSON(h.r, versionKey(h.rid, h.key, ord), &o)
	if err != nil || !found || !sameVersion(o.VersionID, vid) {
		return ord, o, false, err
	}
	o.Key = h.key
	return ord, o, true, nil
}

// find returns version vid, wherever it is; cur says it is the current
// object.
func (h history) find(vid string) (o Object, cur, found bool, err error) {
	o, found, err = h.current()
	if err != nil || found && sameVersion(o.VersionID, vid) {
		return o, found, found, err
	}
	_, o, found, err = h.stored(vid)
	return o, false, found, err
}

func ignoreNotFound(err error) error {
	if errors.Is(err, pebble.ErrNotFound) {
		return nil
	}
	return err
}
