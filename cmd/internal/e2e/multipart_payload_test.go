package e2e

import (
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

// UploadPart takes the payload modes no Go SDK sends: signed aws-chunked
// bodies with and without a signed CRC32 trailer, and Content-MD5; a
// tampered chunk or a wrong digest stores nothing.
func TestUploadPartPayloadModes(t *testing.T) {
	ts := testserver.Start(t, smallParts)
	c := ts.S3(t)
	mkBucket(t, c, "mpp")
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpp"), Key: aws.String("k"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(cr.UploadId)
	path := func(n int) string { return fmt.Sprintf("/mpp/k?partNumber=%d&uploadId=%s", n, id) }
	payload := randBytes(t, 200<<10+3)
	sc := newStreamingClient(ts)
	if resp := sc.upload(t, path(1), payload, 64<<10, true, crc32of(payload), false); resp.StatusCode != 200 ||
		resp.Header.Get("x-amz-checksum-crc32") != crc32of(payload) {
		t.Fatalf("signed chunks with a trailer: %d, checksum %q", resp.StatusCode, resp.Header.Get("x-amz-checksum-crc32"))
	}
	if resp := sc.upload(t, path(2), payload, 64<<10, true, crc32of([]byte("other")), false); resp.StatusCode != 400 {
		t.Fatalf("wrong trailing checksum: %d", resp.StatusCode)
	}
	if resp := sc.upload(t, path(2), payload, 64<<10, true, crc32of(payload), true); resp.StatusCode != 403 {
		t.Fatalf("tampered chunk: %d", resp.StatusCode)
	}
	// Signed chunks without a trailer carry no checksum: a COMPOSITE upload
	// needs one for every part.
	if resp := sc.upload(t, path(2), payload, 64<<10, false, "", false); resp.StatusCode != 400 {
		t.Fatalf("part without a checksum in a CRC32 upload: %d", resp.StatusCode)
	}
	sum := md5.Sum([]byte("second"))
	r := newRaw(t, ts)
	resp, body := r.do(rawReq{method: "PUT", path: path(2), body: []byte("second"),
		header: map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:]), "x-amz-checksum-crc32": crc32of([]byte("second"))}})
	if resp.StatusCode != 200 {
		t.Fatalf("part with Content-MD5: %d %s", resp.StatusCode, body)
	}
	resp, body = r.do(rawReq{method: "PUT", path: path(3), body: []byte("third"),
		header: map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:]), "x-amz-checksum-crc32": crc32of([]byte("third"))}})
	wantError(t, resp, body, 400, "BadDigest")
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpp"), Key: aws.String("k"), UploadId: aws.String(id)})
	if err != nil || len(lp.Parts) != 2 || aws.ToInt64(lp.Parts[0].Size) != int64(len(payload)) ||
		aws.ToString(lp.Parts[0].ChecksumCRC32) != crc32of(payload) || lp.ChecksumAlgorithm != types.ChecksumAlgorithmCrc32 {
		t.Fatalf("parts after the refusals: %v %+v", err, lp.Parts)
	}
	var parts []types.CompletedPart
	for _, p := range lp.Parts {
		parts = append(parts, types.CompletedPart{PartNumber: p.PartNumber, ETag: p.ETag, ChecksumCRC32: p.ChecksumCRC32})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpp"), Key: aws.String("k"),
		UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpp"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if string(got) != string(payload)+"second" {
		t.Fatalf("object of %d bytes", len(got))
	}
}

// DeleteBucket succeeds with uploads in progress (as S3 does for general
// purpose buckets) and takes them along: a bucket created again under the
// name has none.
func TestDeleteBucketDropsItsUploads(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "mpdel")
	in := onePart(t, c, "mpdel", "k")
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("mpdel")}); err != nil {
		t.Fatalf("DeleteBucket with an upload in progress: %v", err)
	}
	_, err := c.CompleteMultipartUpload(ctx, in)
	wantCode(t, err, "NoSuchBucket")
	mkBucket(t, c, "mpdel")
	page, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpdel")})
	if err != nil || len(page.Uploads) != 0 {
		t.Fatalf("the new bucket lists %+v (%v)", page.Uploads, err)
	}
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: in.Bucket, Key: in.Key, UploadId: in.UploadId})
	wantCode(t, err, "NoSuchUpload")
}
