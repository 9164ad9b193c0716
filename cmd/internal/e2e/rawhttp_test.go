package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

// raw sends a request signed (unless anonymous) with the SDK's signer, so
// that tests can say what no SDK would.
type raw struct {
	t  *testing.T
	ts *testserver.TS
	c  *http.Client
}

func newRaw(t *testing.T, ts *testserver.TS) *raw { return &raw{t: t, ts: ts, c: ts.HTTPClient(t)} }

type rawReq struct {
	method, path string
	body         []byte
	header       map[string]string
	payloadHash  string // default: sha256 of body
	anonymous    bool
	secret       string    // default: the root secret
	when         time.Time // default: now
}

func (r *raw) do(q rawReq) (*http.Response, []byte) {
	r.t.Helper()
	req, err := http.NewRequest(q.method, r.ts.Endpoint+q.path, bytes.NewReader(q.body))
	if err != nil {
		r.t.Fatal(err)
	}
	for k, v := range q.header {
		req.Header.Set(k, v)
	}
	if !q.anonymous {
		hash := q.payloadHash
		if hash == "" {
			sum := sha256.Sum256(q.body)
			hash = hex.EncodeToString(sum[:])
		}
		req.Header.Set("X-Amz-Content-Sha256", hash)
		secret, when := q.secret, q.when
		if secret == "" {
			secret = r.ts.Cfg.Root.SecretKey
		}
		if when.IsZero() {
			when = time.Now()
		}
		creds := aws.Credentials{AccessKeyID: r.ts.Cfg.Root.AccessKey, SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hash, "s3", r.ts.Cfg.Region, when); err != nil {
			r.t.Fatal(err)
		}
	}
	resp, err := r.c.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

type errorBody struct {
	Code, Message, RequestID, Key, BucketName, Resource string
}

// wantError checks status, code and the XML body S3 sends with every error.
func wantError(t *testing.T, resp *http.Response, body []byte, status int, code string) errorBody {
	t.Helper()
	var e struct {
		XMLName    xml.Name `xml:"Error"`
		Code       string
		Message    string
		RequestID  string `xml:"RequestId"`
		Key        string
		BucketName string
		Resource   string
	}
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d; body %s", resp.StatusCode, status, body)
	}
	if err := xml.Unmarshal(body, &e); err != nil || e.Code != code {
		t.Fatalf("error body %s: code %q (%v), want %q", body, e.Code, err, code)
	}
	if e.RequestID == "" || e.RequestID != resp.Header.Get("x-amz-request-id") || e.Message == "" {
		t.Fatalf("error body lacks a message or the request id %q: %s", resp.Header.Get("x-amz-request-id"), body)
	}
	return errorBody{e.Code, e.Message, e.RequestID, e.Key, e.BucketName, e.Resource}
}

func TestErrorsAreS3ShapedAndLeaveDataUntouched(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "bkt")
	putBytes(t, c, "bkt", "keep", []byte("original"))
	r := newRaw(t, ts)

	t.Run("anonymous is denied", func(t *testing.T) {
		resp, body := r.do(rawReq{method: "GET", path: "/bkt/keep", anonymous: true})
		wantError(t, resp, body, 403, "AccessDenied")
	})
	t.Run("wrong secret", func(t *testing.T) {
		resp, body := r.do(rawReq{method: "PUT", path: "/bkt/keep", body: []byte("evil"), secret: "wrong"})
		wantError(t, resp, body, 403, "SignatureDoesNotMatch")
	})
	t.Run("clock skew", func(t *testing.T) {
		resp, body := r.do(rawReq{method: "PUT", path: "/bkt/keep", body: []byte("evil"), when: time.Now().Add(-16 * time.Minute)})
		wantError(t, resp, body, 403, "RequestTimeTooSkewed")
	})
	t.Run("payload hash mismatch", func(t *testing.T) {
		other := sha256.Sum256([]byte("something else"))
		resp, body := r.do(rawReq{method: "PUT", path: "/bkt/keep", body: []byte("evil"), payloadHash: hex.EncodeToString(other[:])})
		wantError(t, resp, body, 400, "XAmzContentSHA256Mismatch")
	})
	t.Run("content-md5 mismatch", func(t *testing.T) {
		resp, body := r.do(rawReq{method: "PUT", path: "/bkt/keep", body: []byte("evil"),
			header: map[string]string{"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="}}) // md5 of ""
		wantError(t, resp, body, 400, "BadDigest")
	})
	t.Run("malformed content-md5", func(t *testing.T) {
		resp, body := r.do(rawReq{method: "PUT", path: "/bkt/keep", body: []byte("evil"), header: map[string]string{"Content-MD5": "nope"}})
		wantError(t, resp, body, 400, "InvalidDigest")
	})
	t.Run("checksum mismatch", func(t *testing.T) {
		resp, body := r.do(rawReq{method: "PUT", path: "/bkt/keep", body: []byte("evil"),
			header: map[string]string{"x-amz-checksum-crc32": "AAAAAA=="}})
		e := wantError(t, resp, body, 400, "BadDigest")
		if !strings.Contains(e.Message, "CRC32") {
			t.Fatalf("message %q does not name the algorithm", e.Message)
		}
	})
	t.Run("two checksums", func(t *testing.T) {
		resp, body := r.do(rawReq{method: "PUT", path: "/bkt/keep", body: []byte("evil"),
			header: map[string]string{"x-amz-checksum-crc32": "AAAAAA==", "x-amz-checksum-crc32c": "AAAAAA=="}})
		wantError(t, resp, body, 400, "InvalidRequest")
	})
	t.Run("bad storage class", func(t *testing.T) {
		resp, body := r.do(rawReq{method: "PUT", path: "/bkt/keep", body: []byte("evil"), header: map[string]string{"x-amz-storage-class": "COLD"}})
		wantError(t, resp, body, 400, "InvalidStorageClass")
	})
	t.Run("metadata too large", func(t *testing.T) {
		resp, body := r.do(rawReq{method: "PUT", path: "/bkt/keep", body: []byte("evil"),
			header: map[string]string{"x-amz-meta-big": strings.Repeat("m", 2100)}})
		wantError(t, resp, body, 400, "MetadataTooLarge")
	})
	t.Run("key too long", func(t *testing.T) {
		resp, body := r.do(rawReq{method: "PUT", path: "/bkt/" + strings.Repeat("k", 1025), body: []byte("x")})
		wantError(t, resp, body, 400, "KeyTooLongError")
	})
	t.Run("no such key names the key", func(t *testing.T) {
		resp, body := r.do(rawReq{method: "GET", path: "/bkt/nope"})
		e := wantError(t, resp, body, 404, "NoSuchKey")
		if e.Key != "nope" || e.BucketName != "bkt" || e.Resource != "/bkt/nope" {
			t.Fatalf("error body %+v", e)
		}
	})
	t.Run("no such bucket", func(t *testing.T) {
		resp, body := r.do(rawReq{method: "GET", path: "/nobucket/k"})
		wantError(t, resp, body, 404, "NoSuchBucket")
	})
	t.Run("unsatisfiable range", func(t *testing.T) {
		resp, body := r.do(rawReq{method: "GET", path: "/bkt/keep", header: map[string]string{"Range": "bytes=100-"}})
		wantError(t, resp, body, 416, "InvalidRange")
		if cr := resp.Header.Get("Content-Range"); cr != "bytes */8" {
			t.Fatalf("Content-Range %q", cr)
		}
	})
	t.Run("unimplemented sub-resource", func(t *testing.T) {
		resp, body := r.do(rawReq{method: "GET", path: "/bkt?website"})
		wantError(t, resp, body, 501, "NotImplemented")
	})
	t.Run("HEAD errors have no body", func(t *testing.T) {
		resp, body := r.do(rawReq{method: "HEAD", path: "/bkt/nope"})
		if resp.StatusCode != 404 || len(body) != 0 || resp.Header.Get("x-amz-request-id") == "" {
			t.Fatalf("HEAD of a missing key: %d, body %q, request id %q", resp.StatusCode, body, resp.Header.Get("x-amz-request-id"))
		}
	})
	t.Run("bad create-bucket XML", func(t *testing.T) {
		resp, body := r.do(rawReq{method: "PUT", path: "/newbucket", body: []byte("<CreateBucketConfiguration><Loc")})
		wantError(t, resp, body, 400, "MalformedXML")
	})
	if got := getBytes(t, c, "bkt", "keep"); string(got) != "original" {
		t.Fatalf("refused requests changed the object: %q", got)
	}
	out, _ := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if len(out.Buckets) != 1 {
		t.Fatalf("refused requests created buckets: %d", len(out.Buckets))
	}
}

func TestEveryResponseCarriesARequestID(t *testing.T) {
	ts := testserver.Start(t)
	r := newRaw(t, ts)
	seen := map[string]bool{}
	for _, q := range []rawReq{{method: "GET", path: "/"}, {method: "PUT", path: "/rid"}, {method: "HEAD", path: "/rid"},
		{method: "GET", path: "/rid?list-type=2"}, {method: "DELETE", path: "/rid"}, {method: "GET", path: "/", anonymous: true}} {
		resp, _ := r.do(q)
		id := resp.Header.Get("x-amz-request-id")
		if id == "" || seen[id] || resp.Header.Get("x-amz-id-2") == "" {
			t.Fatalf("%s %s: request id %q (repeated: %v)", q.method, q.path, id, seen[id])
		}
		seen[id] = true
	}
}
