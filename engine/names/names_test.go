package names

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckBucket(t *testing.T) {
	good := []string{"abc", "my-bucket", "my.bucket.2026", "a1b", strings.Repeat("a", 63), "0abc", "docexamplebucket1"}
	bad := []string{"", "ab", strings.Repeat("a", 64), "MyBucket", "my_bucket", "-abc", "abc-", ".abc", "abc.",
		"a..b", "192.168.5.4", "xn--abc", "sthree-abc", "amzn-s3-demo-x", "abc-s3alias", "abc--ol-s3", "abc.mrap",
		"abc--x-s3", "abc--table-s3", "ab c", "abc/", "ab\u00e9c"}
	for _, n := range good {
		if err := CheckBucket(n); err != nil {
			t.Errorf("CheckBucket(%q) = %v, want ok", n, err)
		}
	}
	for _, n := range bad {
		if err := CheckBucket(n); !errors.Is(err, ErrInvalidBucketName) {
			t.Errorf("CheckBucket(%q) = %v, want ErrInvalidBucketName", n, err)
		}
	}
}

func TestCheckKey(t *testing.T) {
	cases := map[string]error{
		"a":                            nil,
		"dir/sub/file name+ü%.txt":     nil,
		strings.Repeat("k", 1024):      nil,
		strings.Repeat("é", 512):       nil, // 1024 bytes
		strings.Repeat("k", 1025):      ErrKeyTooLong,
		strings.Repeat("é", 512) + "x": ErrKeyTooLong,
		"":                             ErrInvalidKey,
		"bad\xffutf8":                  ErrInvalidKey,
	}
	for k, want := range cases {
		if err := CheckKey(k); !errors.Is(err, want) {
			t.Errorf("CheckKey(%.20q…) = %v, want %v", k, err, want)
		}
	}
}
