package sigv2

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cairnstore/cairn/httpapi/sigv4"
)

// verifyErrors are the only errors Verify may return for bad input.
var verifyErrors = []error{sigv4.ErrMissingAuth, sigv4.ErrInvalidAccessKeyID, sigv4.ErrSignatureDoesNotMatch,
	sigv4.ErrRequestTimeTooSkewed, sigv4.ErrMissingDateHeader, sigv4.ErrExpiredPresignedRequest,
	sigv4.ErrMultipleAuth, sigv4.ErrUnsupportedAuth, ErrMalformedAuthorization, ErrInvalidQueryAuth}

func typedError(err error) bool {
	for _, e := range verifyErrors {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// FuzzParseV2 feeds arbitrary Authorization headers and raw queries to the
// parsers and the verifier: they never panic, every error is typed, nothing
// random verifies, and a parsed header renders back to itself.
func FuzzParseV2(f *testing.F) {
	for _, s := range [][2]string{
		{"AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU=", ""},
		{"AWS " + testAK + ":c2ln", "acl&versionId=1"},
		{"", "AWSAccessKeyId=" + testAK + "&Expires=99999999999&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D"},
		{"", "AWSAccessKeyId=" + testAK + "&Signature=a+b&Expires=1&response-content-type=a%2"},
		{"AWS a:b:c", "uploads&partNumber=1&uploadId=%zz"},
		{"AWS :", "X-Amz-Algorithm=x&AWSAccessKeyId=a&Signature=b"},
		{"AWS4-HMAC-SHA256 Credential=a", "&&=&acl=&=x"},
	} {
		f.Add(s[0], s[1])
	}
	v := newTestVerifier(testTime)
	f.Fuzz(func(t *testing.T, header, rawQuery string) {
		if ak, sig, err := ParseAuthorization(header); err == nil {
			ak2, sig2, err := ParseAuthorization(scheme + ak + ":" + sig)
			if err != nil || ak2 != ak || sig2 != sig || ak == "" || sig == "" || strings.Contains(sig, ":") {
				t.Fatalf("%q -> %q %q -> %q %q %v", header, ak, sig, ak2, sig2, err)
			}
		} else if !errors.Is(err, ErrMalformedAuthorization) && !errors.Is(err, sigv4.ErrUnsupportedAuth) {
			t.Fatalf("untyped parse error %v", err)
		}
		r := &http.Request{Method: "GET", URL: &url.URL{Path: "/b/k", RawQuery: rawQuery}, Header: http.Header{},
			RequestURI: "/b/k?" + rawQuery}
		if header != "" {
			r.Header.Set("Authorization", header)
			r.Header.Set("Date", testTime.Format(http.TimeFormat))
		}
		_ = IsV2(r)
		vr, err := v.Verify(r, "bkt")
		if err == nil || vr != nil {
			t.Fatalf("random input verified: %+v", vr)
		}
		if !typedError(err) {
			t.Fatalf("untyped error %v", err)
		}
		params := splitQuery(rawQuery)
		res := canonicalResource(r, "bkt", params, false)
		if !strings.HasPrefix(res, "/bkt/b/k") {
			t.Fatalf("resource %q", res)
		}
		checkSubresources(t, r, params, res)
	})
}

// checkSubresources asserts the properties of the sub-resource part:
// present iff a known name is, blind to other parameters, and independent
// of the order of parameters with distinct names.
func checkSubresources(t *testing.T, r *http.Request, params []rawParam, res string) {
	known := map[string]int{}
	for _, p := range params {
		if subresources[p.name] {
			known[p.name]++
		}
	}
	if strings.Contains(res, "?") != (len(known) > 0) {
		t.Fatalf("resource %q for %+v", res, params)
	}
	noise := append(params[:len(params):len(params)], rawParam{"x-id", "1", true}, rawParam{"Acl", "", false})
	if got := canonicalResource(r, "bkt", noise, false); got != res {
		t.Fatalf("other parameters changed the resource: %q vs %q", got, res)
	}
	for _, n := range known {
		if n > 1 {
			return // repeated names keep wire order, so order matters
		}
	}
	rev := slices.Clone(params)
	slices.Reverse(rev)
	if got := canonicalResource(r, "bkt", rev, false); got != res {
		t.Fatalf("order changed the resource: %q vs %q", got, res)
	}
}
