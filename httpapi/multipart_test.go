package httpapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cairnstore/cairn/engine"
)

func (f *fakeEngine) CreateMultipartUpload(context.Context, engine.CreateMultipartInput) (engine.MultipartUpload, error) {
	f.hit("CreateMultipartUpload")
	return engine.MultipartUpload{UploadID: "u"}, nil
}
func (f *fakeEngine) UploadPart(_ context.Context, in engine.UploadPartInput) (engine.PartResult, error) {
	f.hit("UploadPart")
	_, err := io.Copy(io.Discard, in.Body)
	return engine.PartResult{ETag: "e"}, err
}
func (f *fakeEngine) UploadPartCopy(context.Context, engine.UploadPartCopyInput) (engine.PartResult, error) {
	f.hit("UploadPartCopy")
	return engine.PartResult{ETag: "e"}, nil
}
func (f *fakeEngine) CompleteMultipartUpload(context.Context, engine.CompleteMultipartInput) (engine.CompleteResult, error) {
	f.hit("CompleteMultipartUpload")
	return engine.CompleteResult{ETag: "e-1"}, nil
}
func (f *fakeEngine) AbortMultipartUpload(context.Context, string, string, string, string) error {
	f.hit("AbortMultipartUpload")
	return nil
}
func (f *fakeEngine) ListParts(context.Context, engine.ListPartsInput) (engine.ListPartsResult, error) {
	f.hit("ListParts")
	return engine.ListPartsResult{}, nil
}
func (f *fakeEngine) ListMultipartUploads(context.Context, string, engine.ListUploadsInput) (engine.ListUploadsResult, error) {
	f.hit("ListMultipartUploads")
	return engine.ListUploadsResult{}, nil
}

// serveWith signs and serves one request with a body and headers.
func serveWith(t *testing.T, h *Handler, method, target string, body []byte, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return signAndServe(t, h, req, body)
}

func TestMultipartRoutes(t *testing.T) {
	complete := []byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"e"</ETag></Part></CompleteMultipartUpload>`)
	cases := []struct {
		method, target string
		body           []byte
		hdr            map[string]string
		op             string
		status         int
	}{
		{"POST", "/bucket/key?uploads", nil, nil, "CreateMultipartUpload", 200},
		{"PUT", "/bucket/key?partNumber=1&uploadId=u", []byte("x"), nil, "UploadPart", 200},
		{"PUT", "/bucket/key?uploadId=u&partNumber=2", nil, map[string]string{"x-amz-copy-source": "/src/k"}, "UploadPartCopy", 200},
		{"POST", "/bucket/key?uploadId=u", complete, nil, "CompleteMultipartUpload", 200},
		{"DELETE", "/bucket/key?uploadId=u", nil, nil, "AbortMultipartUpload", 204},
		{"GET", "/bucket/key?uploadId=u&max-parts=2", nil, nil, "ListParts", 200},
		{"GET", "/bucket?uploads&prefix=p", nil, nil, "ListMultipartUploads", 200},
		{"PUT", "/bucket/key?partNumber=0&uploadId=u", nil, nil, "", 400},
		{"PUT", "/bucket/key?partNumber=10001&uploadId=u", nil, nil, "", 400},
		{"PUT", "/bucket/key?uploadId=u", nil, nil, "", 501},  // no part number: not an operation
		{"POST", "/bucket/key?uploadId=u", nil, nil, "", 400}, // no body: MalformedXML
		{"POST", "/bucket/key?uploadId=u", []byte("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>"), nil, "", 400},
		{"GET", "/bucket/key?uploadId=u&max-parts=-1", nil, nil, "", 400},
		{"GET", "/bucket?uploads&max-uploads=x", nil, nil, "", 400},
		{"GET", "/bucket?uploads&encoding-type=base64", nil, nil, "", 400},
		{"PUT", "/bucket/key?partNumber=1&uploadId=u", nil, map[string]string{"x-amz-copy-source": "nokey"}, "", 400},
		{"PUT", "/bucket/key?partNumber=1&uploadId=u", nil, map[string]string{"x-amz-copy-source": "b/k", "x-amz-copy-source-range": "bytes=1-"}, "", 400},
		{"PUT", "/bucket/key?partNumber=1&uploadId=u", nil, map[string]string{"x-amz-copy-source": "b/k?versionId="}, "", 400},
		{"POST", "/bucket/key?uploads", nil, map[string]string{"x-amz-checksum-algorithm": "MD5"}, "", 400},
		{"POST", "/bucket/key?uploads", nil, map[string]string{"x-amz-tagging": "a=1&a=2"}, "", 400},
	}
	for _, c := range cases {
		f := &fakeEngine{}
		rec := serveWith(t, newTestHandler(f), c.method, c.target, c.body, c.hdr)
		if rec.Code != c.status || f.called != c.op {
			t.Errorf("%s %s: status %d, engine %q; want %d, %q\n%s", c.method, c.target, rec.Code, f.called, c.status, c.op, rec.Body.String())
		}
	}
}

func TestPartCopySource(t *testing.T) {
	for in, want := range map[string]string{
		"b/k":                      "b|k|",
		"/b/dir/a%20b":             "b|dir/a b|",
		"b/k%3Fx?versionId=null":   "b|k?x|null",
		"/b/%E2%82%AC/%2F":         "b|€//|",
		"b/k?versionId=":           "error",
		"":                         "error",
		"/b":                       "error",
		"b/":                       "error",
		"b/%zz":                    "error",
		"b/k?versionId=3HL4kqtJlc": "b|k|3HL4kqtJlc", // the engine checks the id
	} {
		b, k, v, err := parseCopySource(in)
		got := b + "|" + k + "|" + v
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("parseCopySource(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestTaggingHeader(t *testing.T) {
	parse := func(v string) (map[string]string, error) {
		tags, _, err := headerTags(http.Header{"X-Amz-Tagging": {v}})
		if err != nil {
			return nil, err
		}
		return engine.TagSet(tags, engine.MaxObjectTags)
	}
	tags, err := parse("project=cairn&empty=&a%20b=c%2Bd")
	if err != nil || len(tags) != 3 || tags["a b"] != "c+d" || tags["empty"] != "" {
		t.Fatalf("tags %v err %v", tags, err)
	}
	for _, bad := range []string{"a=1&a=2", "=v", strings.Repeat("k", 129) + "=v", "k=" + strings.Repeat("v", 257),
		"a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11", "%zz=1"} {
		if _, err := parse(bad); err == nil {
			t.Errorf("x-amz-tagging %q accepted", bad)
		}
	}
}
