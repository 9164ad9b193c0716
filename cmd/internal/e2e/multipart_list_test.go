package e2e

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
	"github.com/cairnstore/cairn/engine"
)

func smallParts(c *server.Config) { c.MinPartSize = 1 }

func createUpload(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("create %s: %v", key, err)
	}
	return aws.ToString(cr.UploadId)
}

// ListMultipartUploads pages through uploads in key order, then initiation
// order, with or without a delimiter, and ListParts through parts.
func TestMultipartListingsPaginate(t *testing.T) {
	ts := testserver.Start(t, smallParts)
	c := ts.S3(t)
	mkBucket(t, c, "mpl")
	keys := []string{"d", "a", "b/1", "a", "c/x/1", "b/2", "a b+ü"}
	ids := map[string][]string{}
	for _, k := range keys {
		ids[k] = append(ids[k], createUpload(t, c, "mpl", k))
	}
	want := []string{"a/0", "a/1", "a b+ü/0", "b/1/0", "b/2/0", "c/x/1/0", "d/0"}
	var got []string
	pages := 0
	for p := s3.NewListMultipartUploadsPaginator(c, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpl"), MaxUploads: aws.Int32(2)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, u := range page.Uploads {
			k := aws.ToString(u.Key)
			i := indexOf(ids[k], aws.ToString(u.UploadId))
			got = append(got, fmt.Sprintf("%s/%d", k, i))
			// Initiator and owner are the user who started the upload: root here.
			if u.Initiated == nil || aws.ToString(u.Owner.DisplayName) != engine.RootUser || aws.ToString(u.Owner.ID) != engine.RootCanonicalID ||
				aws.ToString(u.Initiator.ID) != engine.RootCanonicalID {
				t.Fatalf("upload entry %+v", u)
			}
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || pages != 4 {
		t.Fatalf("listed %v in %d pages, want %v in 4", got, pages, want)
	}
	// With a delimiter, one entry per page.
	var entries []string
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String("mpl"), Delimiter: aws.String("/"), MaxUploads: aws.Int32(1)}
	for {
		page, err := c.ListMultipartUploads(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Uploads {
			entries = append(entries, aws.ToString(u.Key))
		}
		for _, cp := range page.CommonPrefixes {
			entries = append(entries, "cp:"+aws.ToString(cp.Prefix))
		}
		if !aws.ToBool(page.IsTruncated) {
			break
		}
		in.KeyMarker, in.UploadIdMarker = page.NextKeyMarker, page.NextUploadIdMarker
	}
	if fmt.Sprint(entries) != "[a a a b+ü cp:b/ cp:c/ d]" {
		t.Fatalf("delimited listing %v", entries)
	}
	// encoding-type=url encodes keys (boto3 asks for it).
	resp, body := newRaw(t, ts).do(rawReq{method: "GET", path: "/mpl?uploads&prefix=a%20&encoding-type=url"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<Key>a%20b%2B%C3%BC</Key>") ||
		!strings.Contains(string(body), "<EncodingType>url</EncodingType>") {
		t.Fatalf("encoded listing: %d %s", resp.StatusCode, body)
	}
	listPartsPaginates(t, c, ids["d"][0])
}

// listPartsPaginates uploads seven parts to upload id of key d and pages
// through them three at a time, then aborts the upload.
func listPartsPaginates(t *testing.T, c *s3.Client, id string) {
	t.Helper()
	for n := 1; n <= 7; n++ {
		if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpl"), Key: aws.String("d"), UploadId: aws.String(id),
			PartNumber: aws.Int32(int32(n)), Body: bytes.NewReader([]byte(strings.Repeat("p", n)))}); err != nil {
			t.Fatal(err)
		}
	}
	var numbers []int32
	pages := 0
	for p := s3.NewListPartsPaginator(c, &s3.ListPartsInput{Bucket: aws.String("mpl"), Key: aws.String("d"), UploadId: aws.String(id),
		MaxParts: aws.Int32(3)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, part := range page.Parts {
			numbers = append(numbers, aws.ToInt32(part.PartNumber))
			sum := md5.Sum([]byte(strings.Repeat("p", int(aws.ToInt32(part.PartNumber)))))
			if aws.ToInt64(part.Size) != int64(aws.ToInt32(part.PartNumber)) || aws.ToString(part.ETag) != fmt.Sprintf(`"%x"`, sum) {
				t.Fatalf("part %+v", part)
			}
		}
	}
	if fmt.Sprint(numbers) != "[1 2 3 4 5 6 7]" || pages != 3 {
		t.Fatalf("parts %v in %d pages", numbers, pages)
	}
	// An aborted upload leaves the listing.
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpl"), Key: aws.String("d"), UploadId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	page, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpl"), Prefix: aws.String("d")})
	if err != nil || len(page.Uploads) != 0 {
		t.Fatalf("after abort: %v %+v", err, page.Uploads)
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// UploadPartCopy takes ranges of other objects (URL-encoded source keys,
// copy conditions), and the result reads back as those ranges.
func TestUploadPartCopy(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "pcopy")
	src := randBytes(t, 6*mib)
	put := putBytes(t, c, "pcopy", "src dir/ü+.bin", src)
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("pcopy"), Key: aws.String("dst"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatal(err)
	}
	source := "pcopy/" + url.PathEscape("src dir/ü+.bin")
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("pcopy"), Key: aws.String("dst"), UploadId: cr.UploadId,
		PartNumber: aws.Int32(1), CopySource: aws.String(source), CopySourceIfMatch: aws.String(`"nope"`)})
	wantCode(t, err, "PreconditionFailed")
	first, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("pcopy"), Key: aws.String("dst"), UploadId: cr.UploadId,
		PartNumber: aws.Int32(1), CopySource: aws.String(source), CopySourceRange: aws.String("bytes=1-5242880"),
		CopySourceIfMatch: put.ETag})
	if err != nil {
		t.Fatal(err)
	}
	whole, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("pcopy"), Key: aws.String("dst"), UploadId: cr.UploadId,
		PartNumber: aws.Int32(2), CopySource: aws.String("/" + source + "?versionId=null")})
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(src[1:5242881])
	if aws.ToString(first.CopyPartResult.ETag) != fmt.Sprintf(`"%x"`, sum) || aws.ToString(whole.CopyPartResult.ETag) != aws.ToString(put.ETag) ||
		aws.ToString(first.CopyPartResult.ChecksumCRC32) == "" {
		t.Fatalf("copy results %+v %+v", first.CopyPartResult, whole.CopyPartResult)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("pcopy"), Key: aws.String("dst"),
		UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: first.CopyPartResult.ETag, ChecksumCRC32: first.CopyPartResult.ChecksumCRC32},
			{PartNumber: aws.Int32(2), ETag: whole.CopyPartResult.ETag, ChecksumCRC32: whole.CopyPartResult.ChecksumCRC32}}}}); err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte(nil), src[1:5242881]...), src...)
	if got := getBytes(t, c, "pcopy", "dst"); !bytes.Equal(got, want) {
		t.Fatalf("copied object: %d bytes, want %d", len(got), len(want))
	}
}
