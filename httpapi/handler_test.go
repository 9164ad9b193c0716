package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/cairnstore/cairn/engine"
)

// fakeEngine records the operation it was asked for; panicOn makes one
// method panic.
type fakeEngine struct {
	Engine  // nil: methods the tests do not reach
	called  string
	panicOn string
	authz   engine.AuthzRequest // the last authorization asked
}

func (f *fakeEngine) LookupKey(_ context.Context, ak string) (engine.Credential, error) {
	if ak != "AK" {
		return engine.Credential{}, engine.ErrInvalidAccessKeyID
	}
	return engine.Credential{AccessKey: "AK", SecretKey: "SK", Principal: engine.Principal{User: engine.RootUser, AccessKey: "AK"}}, nil
}

func (f *fakeEngine) Authorize(_ context.Context, r engine.AuthzRequest) error {
	f.authz = r
	return nil
}

func (f *fakeEngine) hit(op string) {
	f.called = op
	if op == f.panicOn {
		panic("injected fault in " + op)
	}
}

func (f *fakeEngine) CreateBucket(context.Context, engine.CreateBucketInput) error {
	f.hit("CreateBucket")
	return nil
}
func (f *fakeEngine) DeleteBucket(context.Context, string, string) error {
	f.hit("DeleteBucket")
	return nil
}
func (f *fakeEngine) HeadBucket(context.Context, string) (engine.Bucket, error) {
	f.hit("HeadBucket")
	return engine.Bucket{Region: "us-east-1"}, nil
}
func (f *fakeEngine) ListBuckets(context.Context, engine.ListBucketsInput) ([]engine.Bucket, bool, error) {
	f.hit("ListBuckets")
	return nil, false, nil
}
func (f *fakeEngine) PutObject(_ context.Context, in engine.PutObjectInput) (engine.PutObjectResult, error) {
	f.hit("PutObject")
	_, err := io.Copy(io.Discard, in.Body)
	return engine.PutObjectResult{ETag: "e"}, err
}
func (f *fakeEngine) GetObject(context.Context, engine.ReadInput) (engine.ObjectInfo, *engine.Content, error) {
	f.hit("GetObject")
	return engine.ObjectInfo{}, &engine.Content{ReadCloser: io.NopCloser(strings.NewReader(""))}, nil
}
func (f *fakeEngine) HeadObject(context.Context, engine.ReadInput) (engine.ObjectInfo, engine.Span, error) {
	f.hit("HeadObject")
	return engine.ObjectInfo{}, engine.Span{}, nil
}
func (f *fakeEngine) DeleteObject(context.Context, engine.DeleteInput) (engine.DeleteResult, error) {
	f.hit("DeleteObject")
	return engine.DeleteResult{}, nil
}
func (f *fakeEngine) DeleteObjects(context.Context, engine.DeleteObjectsInput) ([]engine.DeleteOutcome, error) {
	f.hit("DeleteObjects")
	return nil, nil
}
func (f *fakeEngine) CopyObject(context.Context, engine.CopyObjectInput) (engine.CopyObjectResult, error) {
	f.hit("CopyObject")
	return engine.CopyObjectResult{}, nil
}
func (f *fakeEngine) PutObjectTagging(context.Context, string, string, string, string, []engine.Tag) (string, error) {
	f.hit("PutObjectTagging")
	return "", nil
}
func (f *fakeEngine) PutBucketTagging(context.Context, string, string, []engine.Tag) error {
	f.hit("PutBucketTagging")
	return nil
}
func (f *fakeEngine) PutBucketNotification(context.Context, string, string, []engine.NotificationRule) error {
	f.hit("PutBucketNotification")
	return nil
}
func (f *fakeEngine) GetBucketNotification(context.Context, string) ([]engine.NotificationRule, error) {
	f.hit("GetBucketNotification")
	return nil, nil
}
func (f *fakeEngine) ListObjects(context.Context, string, engine.ListInput) (engine.ListResult, error) {
	f.hit("ListObjects")
	return engine.ListResult{}, nil
}

func (f *fakeEngine) BucketVersioning(context.Context, string) (string, error) {
	f.hit("BucketVersioning")
	return "", nil
}
func (f *fakeEngine) ListObjectVersions(context.Context, string, engine.ListVersionsInput) (engine.ListVersionsResult, error) {
	f.hit("ListObjectVersions")
	return engine.ListVersionsResult{}, nil
}

func newTestHandler(f *fakeEngine) *Handler {
	return New(Options{Engine: f, Region: "us-east-1", Domains: []string{"s3.example.test"}})
}

// serve signs and serves one request, returning the recorder.
func serve(t *testing.T, h http.Handler, method, target, host string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	if host != "" {
		req.Host = host
	}
	return signAndServe(t, h, req, nil)
}

// signAndServe signs req (whose body is body) as AK and serves it.
func signAndServe(t *testing.T, h http.Handler, req *http.Request, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AK", SecretAccessKey: "SK"},
		req, hash, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// Request shapes from the S3 API reference, path and virtual-host style.
func TestRoutesFollowTheAPIReference(t *testing.T) {
	cases := []struct {
		method, target, host string
		op                   string // engine call, or "" for none
		status               int
	}{
		{"GET", "/", "", "ListBuckets", 200},
		{"PUT", "/bucket", "", "CreateBucket", 200},
		{"HEAD", "/bucket", "", "HeadBucket", 200},
		{"DELETE", "/bucket", "", "DeleteBucket", 204},
		{"GET", "/bucket?location", "", "HeadBucket", 200},
		{"GET", "/bucket?list-type=2&prefix=p&delimiter=/", "", "ListObjects", 200},
		{"GET", "/bucket?prefix=p&marker=m", "", "ListObjects", 200},
		{"PUT", "/bucket/key/with/slashes", "", "PutObject", 200},
		{"GET", "/bucket/key", "", "GetObject", 200},
		{"HEAD", "/bucket/key", "", "HeadObject", 200},
		{"DELETE", "/bucket/key", "", "DeleteObject", 204},
		{"GET", "/bucket/a//b/./c/", "", "GetObject", 200}, // never cleaned
		{"GET", "/key", "bucket.s3.example.test", "GetObject", 200},
		{"GET", "/?list-type=2", "bucket.s3.example.test:9000", "ListObjects", 200},
		{"PUT", "/", "bucket.s3.example.test", "CreateBucket", 200},
		{"GET", "/bucket?versioning", "", "BucketVersioning", 200},
		{"GET", "/bucket?versions", "", "ListObjectVersions", 200},
		{"GET", "/bucket?versions&prefix=p&key-marker=k&version-id-marker=null", "", "ListObjectVersions", 200},
		{"GET", "/bucket/key?versionId=null", "", "GetObject", 200},
		{"HEAD", "/bucket/key?versionId=null&partNumber=1", "", "HeadObject", 200},
		{"DELETE", "/bucket/key?versionId=null", "", "DeleteObject", 204},
		{"GET", "/bucket/key?versionId=", "", "", 400},
		{"GET", "/bucket?versionId=null", "", "", 400}, // no bucket operation takes one
		{"PUT", "/bucket/key?versionId=null", "", "", 400},
		{"DELETE", "/bucket/key?tagging", "", "PutObjectTagging", 204},
		{"DELETE", "/bucket?tagging", "", "PutBucketTagging", 204},
		{"GET", "/bucket?lifecycle", "", "", 501},
		{"GET", "/bucket?notification", "", "GetBucketNotification", 200},
		{"PUT", "/bucket?notification", "", "", 400},              // no body: MalformedXML
		{"GET", "/bucket?events=s3:ObjectCreated:*", "", "", 501}, // no listener wired
		{"POST", "/bucket?delete", "", "", 400},                   // DeleteObjects without an integrity header
		{"POST", "/bucket?restore", "", "", 501},
		{"GET", "/bucket/key?partNumber=1", "", "GetObject", 200},
		{"HEAD", "/bucket/key?partNumber=2", "", "HeadObject", 200},
		{"PATCH", "/bucket/key", "", "", 405},
	}
	for _, c := range cases {
		f := &fakeEngine{}
		rec := serve(t, newTestHandler(f), c.method, c.target, c.host)
		if rec.Code != c.status || f.called != c.op {
			t.Errorf("%s %s (host %q): status %d, engine %q; want %d, %q\n%s", c.method, c.target, c.host,
				rec.Code, f.called, c.status, c.op, rec.Body.String())
		}
	}
}

// An object operation given a versionId is authorized as its version
// form, for that version.
func TestVersionIDNamesTheVersionOperation(t *testing.T) {
	for target, op := range map[string]string{
		"GET /bucket/key?versionId=v1":            "GetObjectVersion",
		"HEAD /bucket/key?versionId=v1":           "HeadObjectVersion",
		"DELETE /bucket/key?versionId=v1":         "DeleteObjectVersion",
		"DELETE /bucket/key?tagging&versionId=v1": "DeleteObjectVersionTagging",
		"GET /bucket/key":                         "GetObject",
	} {
		f := &fakeEngine{}
		method, path, _ := strings.Cut(target, " ")
		serve(t, newTestHandler(f), method, path, "")
		if f.authz.Op != op || strings.Contains(path, "versionId") != (f.authz.VersionID == "v1") {
			t.Errorf("%s: authorized %q for version %q, want %q", target, f.authz.Op, f.authz.VersionID, op)
		}
	}
}

func TestTargetKeepsKeysVerbatim(t *testing.T) {
	h := newTestHandler(&fakeEngine{})
	for path, want := range map[string][2]string{
		"/b/a%20b":       {"b", "a b"},
		"/b/a%2Fb":       {"b", "a/b"},
		"/b/dir/":        {"b", "dir/"},
		"/b//lead":       {"b", "/lead"},
		"/b/%E2%82%AC+x": {"b", "€+x"},
	} {
		req := httptest.NewRequest("GET", path, nil)
		b, k, _, _ := h.target(req)
		if b != want[0] || k != want[1] {
			t.Errorf("%s: bucket %q key %q, want %q %q", path, b, k, want[0], want[1])
		}
	}
}

// A fault in one request answers InternalError and the server keeps serving.
func TestPanicIsContainedToItsRequest(t *testing.T) {
	f := &fakeEngine{panicOn: "GetObject"}
	h := newTestHandler(f)
	rec := serve(t, h, "GET", "/bucket/key", "")
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), "<Code>InternalError</Code>") ||
		!strings.Contains(rec.Body.String(), "<RequestId>") || strings.Contains(rec.Body.String(), "injected") {
		t.Fatalf("panic answered %d %s", rec.Code, rec.Body.String())
	}
	if rec := serve(t, h, "HEAD", "/bucket/key", ""); rec.Code != 200 {
		t.Fatalf("next request after a panic: %d", rec.Code)
	}
}

func TestParseRange(t *testing.T) {
	cases := map[string]string{
		"bytes=0-0":     "{0 0 0}",
		"bytes=5-":      "{5 -1 0}",
		"bytes=-10":     "{0 0 10}",
		"bytes=10-5":    "<nil>",
		"bytes=0-1,3-4": "<nil>", // several ranges: whole object
		"items=0-1":     "<nil>",
		"bytes=x-1":     "<nil>",
		"":              "<nil>",
	}
	for in, want := range cases {
		r, err := parseRange(in)
		got := "<nil>"
		if r != nil {
			got = fmt.Sprint(*r)
		}
		if err != nil || got != want {
			t.Errorf("parseRange(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := parseRange("bytes=-0"); !errors.Is(err, engine.ErrInvalidRange) {
		t.Errorf("bytes=-0: %v, want ErrInvalidRange", err)
	}
}
