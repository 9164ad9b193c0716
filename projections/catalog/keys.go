package catalog

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

const format = 3

var (
	keyApplied = []byte("\x00applied")
	keyFormat  = []byte("\x00format")
)

const (
	prefixBucket   = 'B'
	prefixObject   = 'O'
	prefixLastObj  = 'L'
	prefixLiveness = 'S'
	prefixKeySeq   = 'K'
	prefixUpload   = 'U'
	prefixPart     = 'P'
	prefixVersion  = 'V'
	prefixNull     = 'Z'
	prefixNotify   = 'N'
	prefixReplConf = 'X'

	prefixRecord     = 'R'
	prefixSegRecords = 'G'
	prefixSegState   = 'T'
)

// rawID decodes a 32-hex bucket id into its fixed-width key form.
func rawID(bucketID string) ([]byte, error) {
	b, err := hex.DecodeString(bucketID)
	if err != nil || len(b) != 16 {
		return nil, fmt.Errorf("catalog: bad bucket id %q", bucketID)
	}
	return b, nil
}

func bucketKey(name string) []byte {
	return append([]byte{prefixBucket}, name...)
}

func objectPrefix(rid []byte) []byte {
	k := make([]byte, 0, 17)
	return append(append(k, prefixObject), rid...)
}

func objectKey(rid []byte, key string) []byte {
	k := make([]byte, 0, 17+len(key))
	return append(append(append(k, prefixObject), rid...), key...)
}

func keySeqKey(rid []byte, key string) []byte {
	k := make([]byte, 0, 17+len(key))
	return append(append(append(k, prefixKeySeq), rid...), key...)
}

// configKey is where the configuration of one kind (prefixNotify,
// prefixReplConf) a bucket incarnation got at stream sequence seq is kept.
func configKey(kind byte, rid []byte, seq uint64) []byte {
	k := make([]byte, 0, 25)
	return binary.BigEndian.AppendUint64(append(append(k, kind), rid...), seq)
}

func lastObjKey(rid []byte) []byte {
	return append([]byte{prefixLastObj}, rid...)
}

// prefixEnd returns the smallest key greater than every key with prefix p,
// or nil when there is none (p is all 0xff).
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

func u64(b []byte) uint64 {
	if len(b) < 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func be64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
