package e2e

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

// postObject uploads body to bucket/key as a browser form does: a SigV4
// POST policy signed with root's key, allowing exactly that key for ten
// minutes. It returns the answer's status and body.
func postObject(t *testing.T, ts *testserver.TS, bucket, key string, body []byte) (int, string) {
	t.Helper()
	now := time.Now().UTC()
	date := now.Format("20060102")
	cred := ts.Cfg.Root.AccessKey + "/" + date + "/" + ts.Cfg.Region + "/s3/aws4_request"
	amzDate := now.Format("20060102T150405Z")
	policy, err := json.Marshal(map[string]any{
		"expiration": now.Add(10 * time.Minute).Format("2006-01-02T15:04:05.000Z"),
		"conditions": []any{map[string]string{"bucket": bucket}, map[string]string{"key": key},
			map[string]string{"x-amz-algorithm": "AWS4-HMAC-SHA256"}, map[string]string{"x-amz-credential": cred},
			map[string]string{"x-amz-date": amzDate}},
	})
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(policy)
	k := []byte("AWS4" + ts.Cfg.Root.SecretKey)
	for _, part := range []string{date, ts.Cfg.Region, "s3", "aws4_request", b64} {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(part))
		k = m.Sum(nil)
	}
	var form bytes.Buffer
	w := multipart.NewWriter(&form)
	for _, f := range [][2]string{{"key", key}, {"x-amz-algorithm", "AWS4-HMAC-SHA256"}, {"x-amz-credential", cred},
		{"x-amz-date", amzDate}, {"policy", b64}, {"x-amz-signature", hex.EncodeToString(k)}} {
		if err := w.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile("file", "upload.bin")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(body)
	w.Close()
	resp, err := http.Post(ts.Endpoint+"/"+bucket, w.FormDataContentType(), &form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// A POST upload signed in Go (not only boto3's generate_presigned_post)
// stores the object.
func TestPostObjectFromAGoForm(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "forms")
	if status, body := postObject(t, ts, "forms", "up/a.txt", []byte("from a form")); status != http.StatusNoContent {
		t.Fatalf("POST: %d %s", status, body)
	}
	if got := getBytes(t, c, "forms", "up/a.txt"); string(got) != "from a form" {
		t.Fatalf("stored %q", got)
	}
	if status, body := postObject(t, ts, "forms", "up/empty.txt", nil); status != http.StatusNoContent {
		t.Fatalf("POST of an empty file: %d %s", status, body)
	}
	if got := getBytes(t, c, "forms", "up/empty.txt"); len(got) != 0 {
		t.Fatalf("empty upload stored %q", got)
	}
}
