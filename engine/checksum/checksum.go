// Package checksum names the additional checksum algorithms of S3
// (x-amz-checksum-*) and computes them.
package checksum

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strings"
)

// Algorithm is an S3 checksum algorithm name as S3 spells it.
type Algorithm string

// The algorithms S3 supports.
const (
	CRC32     Algorithm = "CRC32"
	CRC32C    Algorithm = "CRC32C"
	CRC64NVME Algorithm = "CRC64NVME"
	SHA1      Algorithm = "SHA1"
	SHA256    Algorithm = "SHA256"
)

// All lists the algorithms in a fixed order.
var All = []Algorithm{CRC32, CRC32C, CRC64NVME, SHA1, SHA256}

// crc64NVME is the reflected NVMe polynomial as hash/crc64 wants it.
const crc64NVME = 0x9a6c9329ac4bc9b5

// tables are read-only after package initialisation.
var (
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
	nvme       = crc64.MakeTable(crc64NVME)
)

// Parse returns the algorithm named s (any case), and false if there is none.
func Parse(s string) (Algorithm, bool) {
	a := Algorithm(strings.ToUpper(s))
	for _, k := range All {
		if a == k {
			return a, true
		}
	}
	return "", false
}

// New returns a hash computing a.
func (a Algorithm) New() hash.Hash {
	switch a {
	case CRC32:
		return crc32.NewIEEE()
	case CRC32C:
		return crc32.New(castagnoli)
	case CRC64NVME:
		return crc64.New(nvme)
	case SHA1:
		return sha1.New()
	case SHA256:
		return sha256.New()
	}
	panic("checksum: unknown algorithm " + string(a))
}

// Size is the length in bytes of a's digest.
func (a Algorithm) Size() int { return a.New().Size() }

// HeaderName is the HTTP header carrying a's value, e.g. x-amz-checksum-crc32.
func (a Algorithm) HeaderName() string { return "x-amz-checksum-" + strings.ToLower(string(a)) }

// Encode renders a digest as S3 does: standard base64.
func Encode(sum []byte) string { return base64.StdEncoding.EncodeToString(sum) }

// Valid reports whether v is a well-formed base64 digest of a.
func (a Algorithm) Valid(v string) bool {
	b, err := base64.StdEncoding.DecodeString(v)
	return err == nil && len(b) == a.Size()
}
