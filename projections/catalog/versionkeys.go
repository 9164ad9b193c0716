package catalog

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// NullVersion is the id S3 shows for the null version.
const NullVersion = "null"

// IsNull reports whether vid names the null version ("" in events of
// unversioned buckets, "null" elsewhere).
func IsNull(vid string) bool { return vid == "" || vid == NullVersion }

// sameVersion reports whether two version ids name the same version.
func sameVersion(a, b string) bool { return a == b || IsNull(a) && IsNull(b) }

// order is where a version sorts among the versions of its key: its time
// in nanoseconds since the epoch (big endian), then the 64 random bits of
// its id (zeros for the null version). Greater is newer.
type order [16]byte

// parseVersionID returns the order a real version id encodes: 32
// lower-case hex digits (see log/event's versioning.go). ok is false for
// anything else, "null" included.
func parseVersionID(vid string) (o order, ok bool) {
	if len(vid) != 32 {
		return o, false
	}
	for i := 0; i < len(vid); i++ {
		if c := vid[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return o, false
		}
	}
	_, err := hex.Decode(o[:], []byte(vid))
	return o, err == nil
}

// ValidVersionID reports whether vid could name a version: "null" or one
// of cairn's ids.
func ValidVersionID(vid string) bool {
	_, ok := parseVersionID(vid)
	return ok || vid == NullVersion
}

// orderOf is o's place among the versions of its key.
func orderOf(o *Object) (order, error) {
	if IsNull(o.VersionID) {
		var ord order
		binary.BigEndian.PutUint64(ord[:8], uint64(o.Modified.UnixNano()))
		return ord, nil
	}
	ord, ok := parseVersionID(o.VersionID)
	if !ok {
		return ord, fmt.Errorf("catalog: bad version id %q", o.VersionID)
	}
	return ord, nil
}

func (a order) newer(b order) bool { return string(a[:]) > string(b[:]) }

// versionsPrefix is the start of every stored (non-current) version of
// the keys beginning with prefix.
func versionsPrefix(rid []byte, prefix string) []byte {
	k := make([]byte, 0, 17+len(prefix)+2+16)
	return escapeKey(append(append(k, prefixVersion), rid...), prefix)
}

// keyVersionsPrefix is the start of the stored versions of exactly key.
func keyVersionsPrefix(rid []byte, key string) []byte {
	return append(versionsPrefix(rid, key), 0x00, 0x01)
}

// versionKey stores version ord of key; the order is inverted so that a
// forward scan meets the newest version first.
func versionKey(rid []byte, key string, ord order) []byte {
	k := keyVersionsPrefix(rid, key)
	for _, c := range ord {
		k = append(k, ^c)
	}
	return k
}

// splitVersionKey returns the S3 key and order of a version record key.
func splitVersionKey(k []byte) (key string, ord order) {
	body := k[1+16 : len(k)-16]
	for i, c := range k[len(k)-16:] {
		ord[i] = ^c
	}
	return unescapeKey(body[:len(body)-2]), ord
}

// nullKey points at the null version of key when it is stored in "V"
// (holds its order).
func nullKey(rid []byte, key string) []byte {
	k := make([]byte, 0, 17+len(key))
	return append(append(append(k, prefixNull), rid...), key...)
}
