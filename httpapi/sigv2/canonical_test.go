package sigv2

import (
	"net/http/httptest"
	"testing"
)

func TestBucketOnlyPathIsCanonicalizedWithASlash(t *testing.T) {
	r := httptest.NewRequest("GET", "/dbg?prefix=v2%2F&encoding-type=url", nil)
	if got := canonicalResource(r, "", nil, false); got != "/dbg/" {
		t.Fatalf("path-style bucket resource %q, want /dbg/ (botocore signs it so)", got)
	}
	if got := canonicalResource(r, "", nil, true); got != "/dbg" {
		t.Fatalf("literal %q", got)
	}
	r = httptest.NewRequest("GET", "/dbg/key", nil)
	if got := canonicalResource(r, "", nil, false); got != "/dbg/key" {
		t.Fatalf("object resource %q", got)
	}
}
