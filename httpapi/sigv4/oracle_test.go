package sigv4

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// oracleCase is a request the real SDK signer signs and our verifier must accept.
type oracleCase struct {
	name, method, path, query string
	body                      []byte
	header                    http.Header
	hash                      string // payload hash given to the signer; "" = sha256(body)
}

func oracleCases() []oracleCase {
	put := []byte("hello, world\n")
	return []oracleCase{
		{name: "get", method: "GET", path: "/bucket/key"},
		{name: "space", method: "GET", path: "/bucket/a b  c"},
		{name: "unicode", method: "GET", path: "/bucket/ü/日本語/ñ"},
		{name: "plus", method: "GET", path: "/bucket/a+b+"},
		{name: "percent", method: "GET", path: "/bucket/100%/x%2F%zz"},
		{name: "tilde", method: "GET", path: "/bucket/~user/.x_y-z"},
		{name: "double slash", method: "GET", path: "/bucket//a//b"},
		{name: "dot segments", method: "GET", path: "/bucket/./a/../b"},
		{name: "trailing slash", method: "GET", path: "/bucket/dir/"},
		{name: "root", method: "GET", path: "/"},
		{name: "sub-delims", method: "GET", path: "/bucket/!$&'()*,;=:@[]"},
		{name: "list v2", method: "GET", path: "/bucket", query: "list-type=2&prefix=a%20b%2Fc&delimiter=%2F&max-keys=10&start-after=x%3By"},
		{name: "query no value", method: "POST", path: "/bucket/key", query: "uploads"},
		{name: "query mixed", method: "GET", path: "/bucket/key", query: "versionId=3%2B4&acl&tagging="},
		{name: "query repeated", method: "GET", path: "/bucket/key", query: "a=2&a=1&a=10&b=%7E"},
		{name: "put sha256", method: "PUT", path: "/bucket/obj", body: put},
		{name: "put unsigned", method: "PUT", path: "/bucket/obj", body: put, hash: UnsignedPayload},
		{name: "put empty", method: "PUT", path: "/bucket/empty", body: []byte{}},
		{name: "head", method: "HEAD", path: "/bucket/key"},
		{name: "delete", method: "DELETE", path: "/bucket/key", query: "versionId=1"},
		{name: "headers", method: "PUT", path: "/bucket/meta", body: put, header: http.Header{
			"X-Amz-Meta-Multi":    {"one", "two  words", " three "},
			"X-Amz-Meta-Spaces":   {"  a   b \t c  "},
			"Content-Type":        {"text/plain; charset=utf-8"},
			"Cache-Control":       {"no-cache"},
			"Content-Md5":         {"CY9rzUYh03PK3k6DJie09g=="},
			"X-Amz-Storage-Class": {"STANDARD"},
			"Range":               {"bytes=0-9"},
		}},
	}
}

func (c oracleCase) request(t testing.TB) *http.Request {
	t.Helper()
	req := clientRequest(t, c.method, c.path, c.query, c.body)
	for k, vs := range c.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	return req
}

func (c oracleCase) payloadHash() string {
	if c.hash != "" {
		return c.hash
	}
	return tSHA(c.body)
}

// signedWire returns the wire bytes of c signed by the SDK at testTime.
func (c oracleCase) signedWire(t testing.TB) []byte {
	t.Helper()
	req := c.request(t)
	sdkSign(t, req, c.payloadHash(), testTime)
	return wire(t, req)
}

func TestOracleHeaderAuth(t *testing.T) {
	v := newTestVerifier(testTime.Add(3 * time.Minute))
	for _, c := range oracleCases() {
		t.Run(c.name, func(t *testing.T) {
			r := serverRequest(t, c.signedWire(t))
			vr := mustVerify(t, v, r)
			want := PayloadSHA256
			if c.hash == UnsignedPayload {
				want = PayloadUnsigned
			}
			if vr.AccessKey != testAK || vr.Mode != want || vr.Presigned {
				t.Fatalf("got %+v", vr)
			}
			b, err := vr.Body(r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(b)
			if err != nil || !bytes.Equal(got, c.body) {
				t.Fatalf("body %q, %v", got, err)
			}
		})
	}
}

func TestOraclePresigned(t *testing.T) {
	v := newTestVerifier(testTime.Add(10 * time.Minute))
	for _, c := range oracleCases() {
		t.Run(c.name, func(t *testing.T) {
			req := sdkPresign(t, c.request(t), 3600, testTime)
			r := serverRequest(t, wire(t, req))
			vr := mustVerify(t, v, r)
			if !vr.Presigned || vr.Mode != PayloadUnsigned || vr.AccessKey != testAK {
				t.Fatalf("got %+v", vr)
			}
			// Any change of the signature is rejected.
			raw := wire(t, sdkPresign(t, c.request(t), 3600, testTime))
			i := bytes.Index(raw, []byte("X-Amz-Signature=")) + len("X-Amz-Signature=")
			raw[i] = flipHex(raw[i])
			_, err := v.Verify(serverRequest(t, raw))
			wantErr(t, err, ErrSignatureDoesNotMatch)
		})
	}
}

// TestOracleHTTPServer is the most faithful path: a real net/http server.
func TestOracleHTTPServer(t *testing.T) {
	results := make(chan error, 1)
	v := newTestVerifier(time.Now())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vr, err := v.Verify(r)
		if err == nil {
			var b *Body
			if b, err = vr.Body(r); err == nil {
				_, err = io.Copy(io.Discard, b)
			}
		}
		results <- err
	}))
	defer srv.Close()
	for _, c := range oracleCases() {
		for _, presign := range []bool{false, true} {
			req := c.request(t)
			req.URL.Host = strings.TrimPrefix(srv.URL, "http://")
			req.Host = req.URL.Host
			if presign {
				req = sdkPresign(t, req, 900, time.Now())
			} else {
				sdkSign(t, req, c.payloadHash(), time.Now())
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			resp.Body.Close()
			if err := <-results; err != nil {
				t.Errorf("%s (presign=%v): %v", c.name, presign, err)
			}
		}
	}
}

// replace1 replaces the first old with new in raw, failing if absent.
func replace1(t testing.TB, raw []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(raw, []byte(old)) {
		t.Fatalf("%q not found in\n%s", old, raw)
	}
	return bytes.Replace(raw, []byte(old), []byte(new), 1)
}

// headerLine returns the full "Name: value\r\n" line of a header in raw.
func headerLine(t testing.TB, raw []byte, name string) string {
	t.Helper()
	for _, l := range strings.Split(string(raw), "\r\n") {
		if k, _, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, name) {
			return l + "\r\n"
		}
	}
	t.Fatalf("no %s header in\n%s", name, raw)
	return ""
}

func TestOracleMutations(t *testing.T) {
	base := oracleCase{name: "base", method: "PUT", path: "/bucket/dir/obj", query: "tagging=&x=1", body: []byte("data"),
		header: http.Header{"X-Amz-Meta-A": {"v1"}, "Content-Type": {"text/plain"}}}
	raw := base.signedWire(t)
	v := newTestVerifier(testTime)
	mustVerify(t, v, serverRequest(t, raw))
	auth := headerLine(t, raw, "Authorization")
	date := headerLine(t, raw, "X-Amz-Date")
	sigAt := strings.Index(auth, "Signature=") + len("Signature=")
	cases := []struct {
		name string
		mut  func([]byte) []byte
		want error
	}{
		{"method", func(b []byte) []byte { return replace1(t, b, "PUT ", "POST ") }, ErrSignatureDoesNotMatch},
		{"path", func(b []byte) []byte { return replace1(t, b, "/dir/obj", "/dir/obk") }, ErrSignatureDoesNotMatch},
		{"path case", func(b []byte) []byte { return replace1(t, b, "/dir/obj", "/Dir/obj") }, ErrSignatureDoesNotMatch},
		{"query value", func(b []byte) []byte { return replace1(t, b, "x=1", "x=2") }, ErrSignatureDoesNotMatch},
		{"query added", func(b []byte) []byte { return replace1(t, b, "x=1", "x=1&y") }, ErrSignatureDoesNotMatch},
		{"query removed", func(b []byte) []byte { return replace1(t, b, "tagging=&", "") }, ErrSignatureDoesNotMatch},
		{"signed header value", func(b []byte) []byte { return replace1(t, b, "X-Amz-Meta-A: v1", "X-Amz-Meta-A: v2") }, ErrSignatureDoesNotMatch},
		{"signed header repeated", func(b []byte) []byte {
			return replace1(t, b, "X-Amz-Meta-A: v1\r\n", "X-Amz-Meta-A: v1\r\nX-Amz-Meta-A: v1\r\n")
		}, ErrSignatureDoesNotMatch},
		{"content-type", func(b []byte) []byte { return replace1(t, b, "text/plain", "text/html") }, ErrSignatureDoesNotMatch},
		{"content-type removed", func(b []byte) []byte { return replace1(t, b, "Content-Type: text/plain\r\n", "") }, ErrSignatureDoesNotMatch},
		{"host", func(b []byte) []byte { return replace1(t, b, "Host: "+testHost, "Host: evil.test:9000") }, ErrSignatureDoesNotMatch},
		{"date +1s", func(b []byte) []byte { return replace1(t, b, date, "X-Amz-Date: 20240229T123457Z\r\n") }, ErrSignatureDoesNotMatch},
		{"date next day", func(b []byte) []byte { return replace1(t, b, date, "X-Amz-Date: 20240301T123456Z\r\n") }, ErrAuthorizationHeaderMalformed},
		{"date garbage", func(b []byte) []byte { return replace1(t, b, date, "X-Amz-Date: yesterday\r\n") }, ErrMissingDateHeader},
		{"date removed", func(b []byte) []byte { return replace1(t, b, date, "") }, ErrMissingDateHeader},
		{"signature", func(b []byte) []byte {
			return replace1(t, b, auth, auth[:sigAt]+string(flipHex(auth[sigAt]))+auth[sigAt+1:])
		}, ErrSignatureDoesNotMatch},
		{"unsigned amz header", func(b []byte) []byte { return replace1(t, b, date, date+"X-Amz-Meta-B: x\r\n") }, ErrHeadersNotSigned},
		{"unsigned amz header lower-case", func(b []byte) []byte { return replace1(t, b, date, date+"x-amz-acl: public-read\r\n") }, ErrHeadersNotSigned},
		{"unsigned cairn header", func(b []byte) []byte { return replace1(t, b, date, date+"X-Cairn-Replica: true\r\n") }, ErrHeadersNotSigned},
		{"content sha removed", func(b []byte) []byte {
			return replace1(t, b, headerLine(t, b, "X-Amz-Content-Sha256"), "")
		}, ErrMissingContentSHA256},
		{"content sha invalid", func(b []byte) []byte {
			return replace1(t, b, headerLine(t, b, "X-Amz-Content-Sha256"), "X-Amz-Content-Sha256: STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD\r\n")
		}, ErrInvalidContentSHA256},
		{"region", func(b []byte) []byte { return replace1(t, b, "/us-east-1/", "/us-west-2/") }, ErrAuthorizationHeaderMalformed},
		{"service", func(b []byte) []byte { return replace1(t, b, "/s3/aws4", "/ec2/aws4") }, ErrAuthorizationHeaderMalformed},
		{"unknown key", func(b []byte) []byte { return replace1(t, b, "Credential="+testAK, "Credential=AKUNKNOWN") }, ErrInvalidAccessKeyID},
		{"other key", func(b []byte) []byte { return replace1(t, b, "Credential="+testAK, "Credential=AKOTHER") }, ErrSignatureDoesNotMatch},
		{"host not signed", func(b []byte) []byte {
			return replace1(t, b, "SignedHeaders=content-length;content-type;host;", "SignedHeaders=content-length;content-type;")
		}, ErrAuthorizationHeaderMalformed},
		{"two authorization headers", func(b []byte) []byte { return replace1(t, b, auth, auth+auth) }, ErrAuthorizationHeaderMalformed},
		{"also presigned", func(b []byte) []byte { return replace1(t, b, "x=1", "x=1&X-Amz-Signature=abc") }, ErrMultipleAuth},
		{"sigv2 header", func(b []byte) []byte { return replace1(t, b, auth, "Authorization: AWS AKID:c2lnbmF0dXJl\r\n") }, ErrUnsupportedAuth},
		{"no auth", func(b []byte) []byte { return replace1(t, b, auth, "") }, ErrMissingAuth},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := serverRequest(t, tc.mut(bytes.Clone(raw)))
			vr, err := v.Verify(r)
			if vr != nil {
				t.Fatalf("accepted: %+v", vr)
			}
			wantErr(t, err, tc.want)
		})
	}
}

// TestOracleEquivalentForms rewrites the wire form into equivalent forms
// that S3 canonicalises identically; all must still verify.
func TestOracleEquivalentForms(t *testing.T) {
	c := oracleCase{method: "GET", path: "/bucket/a~b!c+d", query: "prefix=a%20b%3Bc%2Fd&marker=x~y&list-type=2",
		header: http.Header{"X-Amz-Meta-A": {"one two"}}}
	raw := c.signedWire(t)
	v := newTestVerifier(testTime)
	mustVerify(t, v, serverRequest(t, raw))
	for _, tc := range []struct{ old, new string }{
		{"prefix=a%20b", "prefix=a+b"}, // '+' is a space in the query
		{"b%3Bc", "b;c"},               // ';' is data, not a separator
		{"c%2Fd", "c%2fd"},             // lower-case escapes
		{"c%2Fd", "c/d"},               // unescaped '/' in the query
		{"marker=x~y", "marker=x%7ey"}, // escaped unreserved in the query
		{"list-type=2&marker=x~y", "marker=x~y&&list-type=2&"},    // order, empty segments
		{"/bucket/a~b", "/bucket/a%7Eb"},                          // unreserved escaped in the path
		{"%21c", "!c"},                                            // unescaped sub-delims in the path
		{"c%2Bd", "c+d"},                                          // '+' is literal in the path
		{"X-Amz-Meta-A: one two", "x-amz-meta-a:   one    two  "}, // header case and spaces
	} {
		mut := replace1(t, raw, tc.old, tc.new)
		if _, err := v.Verify(serverRequest(t, mut)); err != nil {
			t.Errorf("%q -> %q: %v", tc.old, tc.new, err)
		}
	}
}

// flipAlnum changes an alphanumeric byte to a different one of its class
// (never just its case).
func flipAlnum(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return '0' + (c-'0'+1)%10
	case 'a' <= c && c <= 'z':
		return 'a' + (c-'a'+1)%26
	case 'A' <= c && c <= 'Z':
		return 'A' + (c-'A'+1)%26
	}
	return c
}

// flipHex changes a lower-case hex digit to a different one.
func flipHex(c byte) byte { return "123456789abcdef0"[strings.IndexByte("0123456789abcdef", c)] }

func isAlnum(c byte) bool { return flipAlnum(c) != c }

// TestOracleFlipEverySignedByte flips every alphanumeric byte of the request
// line and of signed header values: each flip must be rejected, and flips in
// unsigned headers must not matter.
func TestOracleFlipEverySignedByte(t *testing.T) {
	for _, c := range oracleCases() {
		for _, presign := range []bool{false, true} {
			var raw []byte
			if presign {
				raw = wire(t, sdkPresign(t, c.request(t), 3600, testTime))
			} else {
				raw = c.signedWire(t)
			}
			flipRequest(t, c.name, raw)
		}
	}
}

func flipRequest(t *testing.T, name string, raw []byte) {
	t.Helper()
	v := newTestVerifier(testTime)
	r0 := serverRequest(t, raw)
	mustVerify(t, v, r0)
	signed := map[string]bool{"authorization": true}
	list := r0.URL.Query().Get("X-Amz-SignedHeaders")
	if a, err := ParseAuthorization(r0.Header.Get("Authorization")); err == nil {
		list = strings.Join(a.SignedHeaders, ";")
	}
	for _, h := range strings.Split(list, ";") {
		signed[h] = true
	}
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	off := 0
	for li, line := range strings.Split(string(head), "\r\n") {
		start := off
		off += len(line) + 2
		from, to, isSigned := start, start+strings.LastIndex(line, " HTTP/"), true
		if li > 0 {
			k, _, _ := strings.Cut(line, ":")
			from, to, isSigned = start+len(k)+1, start+len(line), signed[strings.ToLower(k)]
		}
		for j := from; j < to; j++ {
			if !isAlnum(raw[j]) {
				continue
			}
			mut := bytes.Clone(raw)
			mut[j] = flipAlnum(mut[j])
			r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(mut)))
			if err != nil {
				continue // no longer a parsable request
			}
			_, err = v.Verify(r)
			if isSigned && err == nil {
				t.Fatalf("%s: flipping byte %d (%q in %q) was accepted", name, j, raw[j], line)
			}
			if !isSigned && err != nil {
				t.Fatalf("%s: flipping unsigned byte %d in %q rejected: %v", name, j, line, err)
			}
		}
	}
}

func TestHasAuth(t *testing.T) {
	for _, tc := range []struct {
		target string
		hdr    string
		want   bool
	}{
		{"/b/k", "", false},
		{"/b/k?acl&versionId=x", "", false},
		{"/b/k", "AWS4-HMAC-SHA256 Credential=x", true},
		{"/b/k", "Bearer x", true},
		{"/b/k?X-Amz-Signature=x", "", true},
		{"/b/k?X-Amz-Credential=x", "", true},
		{"/b/k?X-Amz-Algorithm=x", "", true},
		{"/b/k?AWSAccessKeyId=a&Signature=s&Expires=1", "", true},
		{"/b/k?Signature=s", "", false},
	} {
		r := httptest.NewRequest("GET", tc.target, nil)
		if tc.hdr != "" {
			r.Header.Set("Authorization", tc.hdr)
		}
		if got := HasAuth(r); got != tc.want {
			t.Errorf("HasAuth(%s, %q) = %v", tc.target, tc.hdr, got)
		}
		if !tc.want {
			_, err := newTestVerifier(testTime).Verify(r)
			wantErr(t, err, ErrMissingAuth)
		}
	}
	r := httptest.NewRequest("GET", "/b/k?AWSAccessKeyId=a&Signature=s&Expires=1", nil)
	_, err := newTestVerifier(testTime).Verify(r)
	wantErr(t, err, ErrUnsupportedAuth)
}

func TestVerifyNilCreds(t *testing.T) {
	raw := oracleCases()[0].signedWire(t)
	v := &Verifier{Region: testRegion, Now: func() time.Time { return testTime }}
	if _, err := v.Verify(serverRequest(t, raw)); err == nil || errors.Is(err, ErrSignatureDoesNotMatch) {
		t.Fatalf("got %v", err)
	}
}
