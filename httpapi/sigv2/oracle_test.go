package sigv2

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cairnstore/cairn/httpapi/sigv4"
)

const (
	oracleHost   = "s3.example.test:9000"
	oracleBucket = "bkt"
)

// oracleCase is a request botocore signs and our verifier must accept.
type oracleCase struct {
	name, method string
	key          string // object key, unescaped; "" addresses the bucket
	noBucket     bool   // the service (ListBuckets): no bucket at all
	query        string // raw query, as sent
	headers      [][2]string
	vhost        bool // virtual-hosted style
	body         string
}

// s3Escape encodes a key as botocore does: percent_encode(key, safe='/~').
func s3Escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
		}
	}
	return b.String()
}

func oracleCases() []oracleCase {
	meta := [][2]string{
		{"x-amz-meta-Multi", "one"}, {"X-Amz-Meta-multi", "two  words"}, {"x-amz-meta-multi", " three "},
		{"X-Amz-Meta-Spaces", "  a   b \t c  "}, {"x-amz-acl", "public-read"},
		{"X-Amz-Storage-Class", "STANDARD"}, {"Content-Type", "text/plain; charset=utf-8"},
		{"Content-MD5", "CY9rzUYh03PK3k6DJie09g=="}, {"Cache-Control", "no-cache"},
	}
	cases := []oracleCase{
		{name: "get", method: "GET", key: "key"},
		{name: "spaces", method: "GET", key: "a b  c"},
		{name: "unicode", method: "GET", key: "ü/日本語/ñ"},
		{name: "plus", method: "GET", key: "a+b+"},
		{name: "sub-delims", method: "GET", key: "!$&'()*,;=:@[]"},
		{name: "percent", method: "GET", key: "100%/x%2F"},
		{name: "tilde dots", method: "GET", key: "~user/./x/../.y_z-"},
		{name: "double slash", method: "GET", key: "a//b/"},
		{name: "list buckets", method: "GET", noBucket: true},
		{name: "list objects", method: "GET", query: "list-type=2&prefix=a%20b&delimiter=%2F&max-keys=10&start-after=x%3By"},
		{name: "acl", method: "GET", key: "k", query: "acl"},
		{name: "acl empty value", method: "PUT", key: "k", query: "acl=", body: "<x/>"},
		{name: "version", method: "GET", key: "k", query: "versionId=abc%2Bdef%2F%3D"},
		{name: "version and acl", method: "GET", key: "k", query: "versionId=3&acl&prefix=p"},
		{name: "upload part", method: "PUT", key: "big obj", query: "partNumber=2&uploadId=Zm9v%2Bbar%3D%3D", body: "part"},
		{name: "create upload", method: "POST", key: "big obj", query: "uploads", headers: meta},
		{name: "delete objects", method: "POST", query: "delete", body: "<Delete/>",
			headers: [][2]string{{"Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="}, {"Content-Type", "application/xml"}}},
		{name: "response overrides", method: "GET", key: "doc.txt",
			query: "response-content-type=text%2Fplain&response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22" +
				"&response-cache-control=no-cache&response-expires=Thu%2C%2001%20Dec%201994%2016%3A00%3A00%20GMT" +
				"&response-content-language=en-US&response-content-encoding=gzip&x-id=GetObject"},
		{name: "put meta", method: "PUT", key: "meta obj", headers: meta, body: "hello"},
		{name: "head", method: "HEAD", key: "k"},
		{name: "delete version", method: "DELETE", key: "k", query: "versionId=null"},
		{name: "vhost get", method: "GET", key: "a b/ü", vhost: true},
		{name: "vhost bucket acl", method: "GET", query: "acl", vhost: true},
		{name: "vhost put meta", method: "PUT", key: "x+y", headers: meta, vhost: true, body: "hi"},
		{name: "repeated sub-resource", method: "GET", key: "k", query: "versionId=2&versionId=1"},
	}
	for _, sub := range []string{"cors", "lifecycle", "location", "logging", "notification", "policy",
		"requestPayment", "restore", "tagging", "torrent", "versioning", "versions", "website",
		"accelerate", "replication", "analytics", "metrics", "inventory", "object-lock"} {
		cases = append(cases, oracleCase{name: "sub " + sub, method: "GET", query: sub})
	}
	return cases
}

func (c oracleCase) urlAndAuthPath() (string, *string) {
	path := "/" + oracleBucket
	if c.noBucket {
		path = ""
	}
	if c.key != "" {
		path += "/" + s3Escape(c.key)
	} else {
		path += "/"
	}
	q := ""
	if c.query != "" {
		q = "?" + c.query
	}
	if !c.vhost {
		return "http://" + oracleHost + path + q, nil
	}
	rel := strings.TrimPrefix(path, "/"+oracleBucket)
	return "http://" + oracleBucket + "." + oracleHost + rel + q, &path
}

// repeatsHeader reports whether a header name occurs twice in c.headers.
func (c oracleCase) repeatsHeader() bool {
	seen := map[string]bool{}
	for _, h := range c.headers {
		n := strings.ToLower(h[0])
		if seen[n] {
			return true
		}
		seen[n] = true
	}
	return false
}

func (c oracleCase) bucketArg() string {
	if c.vhost {
		return oracleBucket
	}
	return ""
}

func (c oracleCase) botoCase(mode string) botoCase {
	u, authPath := c.urlAndAuthPath()
	return botoCase{Mode: mode, Method: c.method, URL: u, Headers: c.headers, AuthPath: authPath,
		Date: testTime.Format(http.TimeFormat), Expires: testTime.Add(time.Hour).Unix()}
}

// signedRequests returns, per case, botocore's header-signed and
// query-signed results.
func signedRequests(t *testing.T, cases []oracleCase) (header, query []botoSigned) {
	var in []botoCase
	for _, c := range cases {
		in = append(in, c.botoCase("header"), c.botoCase("query"))
	}
	out := botoSign(t, in)
	for i := range cases {
		header = append(header, out[2*i])
		query = append(query, out[2*i+1])
	}
	return header, query
}

// headerWire renders botocore's header-signed request.
func headerWire(t testing.TB, c oracleCase, s botoSigned) []byte {
	host, target := splitURL(t, s.URL)
	return rawRequest(c.method, host, target, s.Headers, c.body)
}

// queryWire renders a presigned request as a client sends it: the URL, plus
// extra headers (not the ones botocore moved into the query).
func queryWire(t testing.TB, c oracleCase, s botoSigned, extra [][2]string) []byte {
	host, target := splitURL(t, s.URL)
	return rawRequest(c.method, host, target, extra, c.body)
}

func TestOracleHeaderAuth(t *testing.T) {
	cases := oracleCases()
	header, _ := signedRequests(t, cases)
	v := newTestVerifier(testTime.Add(2 * time.Minute))
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := serverRequest(t, headerWire(t, c, header[i]))
			// Our string to sign is byte-identical to botocore's.
			params := splitQuery(r.URL.RawQuery)
			if got := newCanon(r, c.bucketArg(), params, false).stringToSign(r.Header.Get("Date"), false); got != header[i].StringToSign {
				t.Fatalf("string to sign\n got %q\nwant %q", got, header[i].StringToSign)
			}
			vr := mustVerify(t, v, r, c.bucketArg())
			if vr.AccessKey != testAK || vr.Presigned {
				t.Fatalf("got %+v", vr)
			}
		})
	}
}

func TestOracleQueryAuth(t *testing.T) {
	cases := oracleCases()
	_, query := signedRequests(t, cases)
	v := newTestVerifier(testTime.Add(50 * time.Minute))
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var withHeaders [][2]string
			if c.repeatsHeader() {
				// botocore signs every value but copies only the first into
				// the query: such a URL works only with the headers sent.
				withHeaders = c.headers
			}
			r := serverRequest(t, queryWire(t, c, query[i], withHeaders))
			params := splitQuery(r.URL.RawQuery)
			exp := queryValues(params, "Expires")[0]
			if got := newCanon(r, c.bucketArg(), params, true).stringToSign(exp, false); got != query[i].StringToSign {
				t.Fatalf("string to sign\n got %q\nwant %q", got, query[i].StringToSign)
			}
			vr := mustVerify(t, v, r, c.bucketArg())
			if vr.AccessKey != testAK || !vr.Presigned {
				t.Fatalf("got %+v", vr)
			}
			// A Date header changes nothing; the signed headers may be sent
			// as headers too (what a handler acts on).
			extra := append([][2]string{{"Date", "Mon, 01 Jan 2001 00:00:00 GMT"}}, c.headers...)
			mustVerify(t, v, serverRequest(t, queryWire(t, c, query[i], extra)), c.bucketArg())
			// An unsigned x-amz-* header, or a Content-Type header other than
			// the signed one, is refused.
			for _, h := range [][2]string{{"X-Amz-Meta-Added", "1"}, {"Content-Type", "application/x-www-form-urlencoded"}} {
				_, err := v.Verify(serverRequest(t, queryWire(t, c, query[i], [][2]string{h})), c.bucketArg())
				wantErr(t, err, sigv4.ErrSignatureDoesNotMatch)
			}
			// A header overriding a signed x-amz-* query value is refused.
			if strings.Contains(query[i].URL, "x-amz-acl=") {
				_, err := v.Verify(serverRequest(t, queryWire(t, c, query[i], [][2]string{{"x-amz-acl", "private"}})), c.bucketArg())
				wantErr(t, err, sigv4.ErrSignatureDoesNotMatch)
			}
			// After Expires it has expired.
			late := newTestVerifier(testTime.Add(time.Hour + time.Second))
			_, err := late.Verify(r, c.bucketArg())
			wantErr(t, err, sigv4.ErrExpiredPresignedRequest)
		})
	}
}

// mutation changes a header-signed request in a way the signature covers.
type mutation struct {
	name string
	fn   func(c oracleCase, method, host, target string, h [][2]string) (string, string, string, [][2]string)
}

func replaceHeader(h [][2]string, name, value string) [][2]string {
	out := make([][2]string, 0, len(h)+1)
	found := false
	for _, kv := range h {
		if strings.EqualFold(kv[0], name) {
			if !found {
				out = append(out, [2]string{kv[0], value})
			}
			found = true
			continue
		}
		out = append(out, kv)
	}
	if !found {
		out = append(out, [2]string{name, value})
	}
	return out
}

var mutations = []mutation{
	{"method", func(_ oracleCase, m, host, tg string, h [][2]string) (string, string, string, [][2]string) {
		if m == "GET" {
			return "HEAD", host, tg, h
		}
		return "GET", host, tg, h
	}},
	{"path byte", func(_ oracleCase, m, host, tg string, h [][2]string) (string, string, string, [][2]string) {
		p, q, ok := strings.Cut(tg, "?")
		if ok {
			q = "?" + q
		}
		return m, host, p + "x" + q, h
	}},
	{"path encoding", func(_ oracleCase, m, host, tg string, h [][2]string) (string, string, string, [][2]string) {
		return m, host, strings.Replace(tg, "/", "/%7E", 1), h
	}},
	{"add sub-resource", func(_ oracleCase, m, host, tg string, h [][2]string) (string, string, string, [][2]string) {
		if strings.Contains(tg, "?") {
			return m, host, tg + "&torrent", h
		}
		return m, host, tg + "?torrent", h
	}},
	{"content-type", func(_ oracleCase, m, host, tg string, h [][2]string) (string, string, string, [][2]string) {
		return m, host, tg, replaceHeader(h, "Content-Type", "application/evil")
	}},
	{"content-md5", func(_ oracleCase, m, host, tg string, h [][2]string) (string, string, string, [][2]string) {
		return m, host, tg, replaceHeader(h, "Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA==")
	}},
	{"date", func(_ oracleCase, m, host, tg string, h [][2]string) (string, string, string, [][2]string) {
		return m, host, tg, replaceHeader(h, "Date", testTime.Add(time.Second).Format(http.TimeFormat))
	}},
	{"add amz header", func(_ oracleCase, m, host, tg string, h [][2]string) (string, string, string, [][2]string) {
		return m, host, tg, append(h[:len(h):len(h)], [2]string{"x-amz-meta-new", "v"})
	}},
	{"signature", func(_ oracleCase, m, host, tg string, h [][2]string) (string, string, string, [][2]string) {
		for _, kv := range h {
			if kv[0] == "Authorization" {
				sig := []byte(kv[1])
				i := len(sig) - 3
				sig[i] ^= 1
				return m, host, tg, replaceHeader(h, "Authorization", string(sig))
			}
		}
		panic("no Authorization")
	}},
}

func TestOracleMutationsFail(t *testing.T) {
	cases := oracleCases()
	header, _ := signedRequests(t, cases)
	v := newTestVerifier(testTime)
	for i, c := range cases {
		host, target := splitURL(t, header[i].URL)
		for _, mu := range mutations {
			t.Run(c.name+"/"+mu.name, func(t *testing.T) {
				m, h, tg, hs := mu.fn(c, c.method, host, target, header[i].Headers)
				r := serverRequest(t, rawRequest(m, h, tg, hs, c.body))
				_, err := v.Verify(r, c.bucketArg())
				wantErr(t, err, sigv4.ErrSignatureDoesNotMatch)
			})
		}
		t.Run(c.name+"/unsigned parts", func(t *testing.T) {
			// A parameter outside the sub-resource list and a non-amz header
			// are not signed: S3 ignores them, and so do we.
			tg := target + "?x-id=Foo"
			if strings.Contains(target, "?") {
				tg = target + "&x-id=Foo"
			}
			hs := append(header[i].Headers[:len(header[i].Headers):len(header[i].Headers)], [2]string{"Cache-Control", "max-age=1"})
			mustVerify(t, v, serverRequest(t, rawRequest(c.method, host, tg, hs, c.body)), c.bucketArg())
			// The wrong addressing style breaks the resource.
			other := oracleBucket
			if c.vhost {
				other = ""
			}
			_, err := v.Verify(serverRequest(t, headerWire(t, c, header[i])), other)
			wantErr(t, err, sigv4.ErrSignatureDoesNotMatch)
		})
	}
}

// TestOracleHTTPServer runs botocore's requests through a real net/http
// server, the most faithful path.
func TestOracleHTTPServer(t *testing.T) {
	cases := oracleCases()
	header, query := signedRequests(t, cases)
	v := newTestVerifier(testTime.Add(time.Minute))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !IsV2(r) {
			http.Error(w, "not v2", http.StatusBadRequest)
			return
		}
		if _, err := v.Verify(r, r.Header.Get("X-Test-Bucket")); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
		}
	}))
	defer srv.Close()
	for i, c := range cases {
		for _, s := range []botoSigned{header[i], query[i]} {
			host, target := splitURL(t, s.URL)
			hs := [][2]string{{"X-Test-Bucket", c.bucketArg()}}
			if !strings.Contains(target, "Signature=") {
				hs = append(hs, s.Headers...)
			} else if c.repeatsHeader() {
				hs = append(hs, c.headers...)
			}
			raw := rawRequest(c.method, host, target, hs, c.body)
			resp := roundTrip(t, srv.Listener.Addr().String(), raw)
			if resp != http.StatusOK {
				t.Errorf("%s %s: status %d", c.name, target, resp)
			}
		}
	}
}
