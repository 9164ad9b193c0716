// Package names holds S3's rules for bucket names and object keys.
package names

import (
	"errors"
	"net/netip"
	"strings"
	"unicode/utf8"
)

// Errors.
var (
	ErrInvalidBucketName = errors.New("names: invalid bucket name")
	ErrKeyTooLong        = errors.New("names: key longer than 1024 bytes")
	ErrInvalidKey        = errors.New("names: invalid key")
)

// MaxKeyLen is S3's limit on the UTF-8 length of a key.
const MaxKeyLen = 1024

var (
	reservedPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// CheckBucket applies the rules of S3 general purpose bucket names: 3 to 63
// characters of lower-case letters, digits, '.' and '-', starting and ending
// with a letter or digit, no "..", not an IP address, none of the reserved
// prefixes and suffixes.
func CheckBucket(name string) error {
	if len(name) < 3 || len(name) > 63 {
		return ErrInvalidBucketName
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && c != '.' && c != '-' {
			return ErrInvalidBucketName
		}
		if (i == 0 || i == len(name)-1) && !alnum {
			return ErrInvalidBucketName
		}
	}
	if strings.Contains(name, "..") {
		return ErrInvalidBucketName
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return ErrInvalidBucketName
	}
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(name, p) {
			return ErrInvalidBucketName
		}
	}
	for _, s := range reservedSuffixes {
		if strings.HasSuffix(name, s) {
			return ErrInvalidBucketName
		}
	}
	return nil
}

// CheckKey accepts any non-empty valid UTF-8 key of at most 1024 bytes.
func CheckKey(key string) error {
	switch {
	case key == "":
		return ErrInvalidKey
	case len(key) > MaxKeyLen:
		return ErrKeyTooLong
	case !utf8.ValidString(key):
		return ErrInvalidKey
	}
	return nil
}
