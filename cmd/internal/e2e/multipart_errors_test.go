package e2e

import (
	"encoding/xml"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

func completeBody(parts ...string) []byte {
	var b strings.Builder
	b.WriteString(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`)
	for _, p := range parts {
		b.WriteString(p)
	}
	b.WriteString(`</CompleteMultipartUpload>`)
	return []byte(b.String())
}

func partXML(n int, etag string) string {
	return fmt.Sprintf("<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", n, etag)
}

// Every multipart refusal is S3's status, code and XML body, and none of
// them ends the upload.
func TestMultipartErrorsAreS3Shaped(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "mpe")
	r := newRaw(t, ts)
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpe"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(cr.UploadId)
	etags := map[int]string{}
	for n, body := range map[int]string{1: "tiny", 2: "small"} {
		resp, b := r.do(rawReq{method: "PUT", path: fmt.Sprintf("/mpe/k?partNumber=%d&uploadId=%s", n, id), body: []byte(body)})
		if resp.StatusCode != 200 {
			t.Fatalf("part %d: %d %s", n, resp.StatusCode, b)
		}
		etags[n] = resp.Header.Get("ETag")
	}
	cases := []struct {
		name   string
		req    rawReq
		status int
		code   string
	}{
		{"unknown upload id", rawReq{method: "PUT", path: "/mpe/k?partNumber=1&uploadId=0123456789abcdef0123456789abcdef", body: []byte("x")}, 404, "NoSuchUpload"},
		{"malformed upload id", rawReq{method: "PUT", path: "/mpe/k?partNumber=1&uploadId=..%2Fx", body: []byte("x")}, 404, "NoSuchUpload"},
		{"upload of another key", rawReq{method: "GET", path: "/mpe/other?uploadId=" + id}, 404, "NoSuchUpload"},
		{"part number 0", rawReq{method: "PUT", path: "/mpe/k?partNumber=0&uploadId=" + id, body: []byte("x")}, 400, "InvalidArgument"},
		{"part number 10001", rawReq{method: "PUT", path: "/mpe/k?partNumber=10001&uploadId=" + id, body: []byte("x")}, 400, "InvalidArgument"},
		{"bad max-parts", rawReq{method: "GET", path: "/mpe/k?uploadId=" + id + "&max-parts=many"}, 400, "InvalidArgument"},
		{"bad max-uploads", rawReq{method: "GET", path: "/mpe?uploads&max-uploads=-1"}, 400, "InvalidArgument"},
		{"part checksum mismatch", rawReq{method: "PUT", path: "/mpe/k?partNumber=3&uploadId=" + id, body: []byte("x"),
			header: map[string]string{"x-amz-checksum-crc32": "AAAAAA=="}}, 400, "BadDigest"},
		{"incompatible checksum type", rawReq{method: "POST", path: "/mpe/sha?uploads",
			header: map[string]string{"x-amz-checksum-algorithm": "SHA256", "x-amz-checksum-type": "FULL_OBJECT"}}, 400, "InvalidRequest"},
		{"copy from a missing object", rawReq{method: "PUT", path: "/mpe/k?partNumber=3&uploadId=" + id,
			header: map[string]string{"x-amz-copy-source": "/mpe/missing"}}, 404, "NoSuchKey"},
		{"no such bucket", rawReq{method: "GET", path: "/nobucket?uploads"}, 404, "NoSuchBucket"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := r.do(tc.req)
			e := wantError(t, resp, body, tc.status, tc.code)
			if tc.code == "NoSuchUpload" && !strings.Contains(string(body), "<UploadId>") {
				t.Fatalf("NoSuchUpload without the upload id: %s (%+v)", body, e)
			}
		})
	}
	completionRefusals(t, c, r, id, etags)
}

// completionRefusals: refused completions of upload id (parts 1 and 2
// stored with etags) leave it intact; it then completes once.
func completionRefusals(t *testing.T, c *s3.Client, r *raw, id string, etags map[int]string) {
	t.Helper()
	complete := func(body []byte) (int, errorBody) {
		resp, b := r.do(rawReq{method: "POST", path: "/mpe/k?uploadId=" + id, body: body})
		if resp.StatusCode == 200 {
			return 200, errorBody{}
		}
		return resp.StatusCode, wantError(t, resp, b, resp.StatusCode, codeOf(b))
	}
	for _, tc := range []struct {
		name   string
		body   []byte
		status int
		code   string
	}{
		{"empty body", nil, 400, "MalformedXML"},
		{"no parts", completeBody(), 400, "MalformedXML"},
		{"not XML", []byte("<CompleteMultipartUpload><Part>"), 400, "MalformedXML"},
		{"descending parts", completeBody(partXML(2, etags[2]), partXML(1, etags[1])), 400, "InvalidPartOrder"},
		{"unknown part", completeBody(partXML(1, etags[1]), partXML(3, etags[2])), 400, "InvalidPart"},
		{"wrong ETag", completeBody(partXML(2, etags[1])), 400, "InvalidPart"},
		{"small part not last", completeBody(partXML(1, etags[1]), partXML(2, etags[2])), 400, "EntityTooSmall"},
	} {
		if status, e := complete(tc.body); status != tc.status || e.Code != tc.code {
			t.Errorf("complete with %s: %d %s, want %d %s", tc.name, status, e.Code, tc.status, tc.code)
		}
	}
	// Still there after every refusal; quoted or bare ETags both complete.
	if status, e := complete(completeBody(partXML(2, strings.Trim(etags[2], `"`)))); status != 200 {
		t.Fatalf("complete: %d %+v", status, e)
	}
	if got := getBytes(t, c, "mpe", "k"); string(got) != "small" {
		t.Fatalf("object %q", got)
	}
	// A retry is answered as the completion was (S3 does so); another part
	// list for the finished upload is not.
	if status, e := complete(completeBody(partXML(2, etags[2]))); status != 200 {
		t.Fatalf("retried completion: %d %+v", status, e)
	}
	if status, e := complete(completeBody(partXML(1, etags[1]), partXML(2, etags[2]))); status != 404 || e.Code != "NoSuchUpload" {
		t.Fatalf("completion with other parts: %d %+v", status, e)
	}
	_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpe"), Key: aws.String("k"), UploadId: aws.String(id)})
	wantCode(t, err, "NoSuchUpload")
}

func codeOf(body []byte) string {
	var e struct{ Code string }
	_ = xml.Unmarshal(body, &e)
	return e.Code
}

// Completion honours If-None-Match: * and If-Match against the key.
func TestConditionalCompletion(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "cond")
	done := func(key string, ifNoneMatch, ifMatch *string) (*s3.CompleteMultipartUploadOutput, error) {
		cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("cond"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("cond"), Key: aws.String(key), UploadId: cr.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader(key)})
		if err != nil {
			t.Fatal(err)
		}
		return c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("cond"), Key: aws.String(key),
			UploadId: cr.UploadId, IfNoneMatch: ifNoneMatch, IfMatch: ifMatch,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag,
				ChecksumCRC32: p.ChecksumCRC32}}}})
	}
	first, err := done("k", aws.String("*"), nil)
	if err != nil {
		t.Fatalf("If-None-Match: * on a new key: %v", err)
	}
	_, err = done("k", aws.String("*"), nil)
	wantCode(t, err, "PreconditionFailed")
	_, err = done("k", nil, aws.String(`"0123-1"`))
	wantCode(t, err, "PreconditionFailed")
	_, err = done("absent", nil, first.ETag)
	wantCode(t, err, "NoSuchKey")
	if _, err := done("k", nil, first.ETag); err != nil {
		t.Fatalf("If-Match with the current ETag: %v", err)
	}
}
