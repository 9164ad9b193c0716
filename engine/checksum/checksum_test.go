package checksum

import "testing"

// Known digests of "hello world" as S3 reports them.
func TestKnownDigests(t *testing.T) {
	want := map[Algorithm]string{
		CRC32:     "DUoRhQ==",
		CRC32C:    "yZRlqg==",
		CRC64NVME: "jSnVw/bqjr4=",
		SHA1:      "Kq5sNclPz7QV2+lfQIuc6R7oRu0=",
		SHA256:    "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=",
	}
	for a, w := range want {
		h := a.New()
		h.Write([]byte("hello world"))
		if got := Encode(h.Sum(nil)); got != w {
			t.Errorf("%s = %s, want %s", a, got, w)
		}
		if !a.Valid(w) || a.Valid("AAAA") || a.Valid("not base64!") {
			t.Errorf("%s: Valid misjudges", a)
		}
	}
}

func TestParse(t *testing.T) {
	for _, s := range []string{"crc32", "CRC32C", "Crc64Nvme", "sha1", "SHA256"} {
		if _, ok := Parse(s); !ok {
			t.Errorf("Parse(%q) failed", s)
		}
	}
	if _, ok := Parse("md5"); ok {
		t.Error("Parse(md5) succeeded")
	}
	if CRC32.HeaderName() != "x-amz-checksum-crc32" {
		t.Error(CRC32.HeaderName())
	}
}
