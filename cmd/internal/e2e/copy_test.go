package e2e

import (
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

func TestCopyObject(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "src")
	mkBucket(t, c, "dst")
	data := randBytes(t, 300_000)
	srcKey := "dir/sp ace+plus/ü.bin"
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey), Body: bytesReader(data),
		ContentType: aws.String("application/x-src"), Metadata: map[string]string{"origin": "src"}, Tagging: aws.String("t=1")})
	if err != nil {
		t.Fatal(err)
	}
	source := "src/" + url.PathEscape(srcKey)

	t.Run("copy keeps metadata, tags, ETag and bytes", func(t *testing.T) {
		out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String(source)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.CopyObjectResult.ETag) != aws.ToString(put.ETag) || out.CopyObjectResult.LastModified == nil {
			t.Fatalf("result %+v", out.CopyObjectResult)
		}
		head, err := c.HeadObject(ctx, headInput("dst", "copy"))
		if err != nil || aws.ToString(head.ContentType) != "application/x-src" || head.Metadata["origin"] != "src" {
			t.Fatalf("head %+v %v", head, err)
		}
		if got := getBytes(t, c, "dst", "copy"); !bytesEqual(got, data) {
			t.Fatal("copy reads back different bytes")
		}
		tags, _ := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("dst"), Key: aws.String("copy")})
		if len(tags.TagSet) != 1 {
			t.Fatalf("tags not copied: %v", tags.TagSet)
		}
	})
	t.Run("replace directives", func(t *testing.T) {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("replaced"), CopySource: aws.String(source),
			MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/plain"), Metadata: map[string]string{"new": "yes"},
			TaggingDirective: types.TaggingDirectiveReplace, Tagging: aws.String("a=b&c=d"), StorageClass: types.StorageClassStandardIa})
		if err != nil {
			t.Fatal(err)
		}
		head, _ := c.HeadObject(ctx, headInput("dst", "replaced"))
		if aws.ToString(head.ContentType) != "text/plain" || head.Metadata["new"] != "yes" || head.Metadata["origin"] != "" ||
			head.StorageClass != types.StorageClassStandardIa {
			t.Fatalf("replaced head %+v", head)
		}
		tags, _ := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("dst"), Key: aws.String("replaced")})
		if len(tags.TagSet) != 2 {
			t.Fatalf("tags not replaced: %v", tags.TagSet)
		}
	})
	t.Run("self copy needs a change", func(t *testing.T) {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey), CopySource: aws.String(source)})
		wantCode(t, err, "InvalidRequest")
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey), CopySource: aws.String(source),
			MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"touched": "1"}})
		if err != nil {
			t.Fatalf("self copy with REPLACE: %v", err)
		}
	})
	t.Run("copy-source conditions", func(t *testing.T) {
		head, _ := c.HeadObject(ctx, headInput("src", srcKey))
		cases := []struct {
			in   s3.CopyObjectInput
			want string
		}{
			{s3.CopyObjectInput{CopySourceIfMatch: aws.String(`"nope"`)}, "PreconditionFailed"},
			{s3.CopyObjectInput{CopySourceIfNoneMatch: head.ETag}, "PreconditionFailed"},
			{s3.CopyObjectInput{CopySourceIfModifiedSince: aws.Time(time.Now().Add(time.Hour))}, "PreconditionFailed"},
			{s3.CopyObjectInput{CopySourceIfUnmodifiedSince: aws.Time(time.Now().Add(-time.Hour))}, "PreconditionFailed"},
			{s3.CopyObjectInput{CopySourceIfMatch: head.ETag, CopySourceIfUnmodifiedSince: aws.Time(time.Now().Add(-time.Hour))}, ""},
			{s3.CopyObjectInput{IfNoneMatch: aws.String("*")}, "PreconditionFailed"}, // destination exists
		}
		for i, tc := range cases {
			in := tc.in
			in.Bucket, in.Key, in.CopySource = aws.String("dst"), aws.String("copy"), aws.String(source)
			_, err := c.CopyObject(ctx, &in)
			if tc.want == "" && err != nil {
				t.Errorf("case %d: %v", i, err)
			}
			if tc.want != "" && apiCode(err) != tc.want {
				t.Errorf("case %d: %v, want %s", i, err, tc.want)
			}
		}
	})
	t.Run("a new checksum algorithm re-reads the bytes once", func(t *testing.T) {
		out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("sha"), CopySource: aws.String(source),
			ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
		if err != nil || aws.ToString(out.CopyObjectResult.ChecksumSHA256) == "" {
			t.Fatalf("copy with SHA256: %+v %v", out, err)
		}
		get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("dst"), Key: aws.String("sha"), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil || aws.ToString(get.ChecksumSHA256) != aws.ToString(out.CopyObjectResult.ChecksumSHA256) {
			t.Fatalf("GET checksum %v %v", get, err)
		}
		get.Body.Close()
	})
	t.Run("errors", func(t *testing.T) {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("src/missing")})
		wantCode(t, err, "NoSuchKey")
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("nobucket/k")})
		wantCode(t, err, "NoSuchBucket")
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("nokey")})
		wantCode(t, err, "InvalidArgument")
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String(source),
			MetadataDirective: "MERGE"})
		wantCode(t, err, "InvalidArgument")
	})
	// The source can go away: the copy keeps its bytes (shared extents).
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey)}); err != nil {
		t.Fatal(err)
	}
	if got := getBytes(t, c, "dst", "copy"); !bytesEqual(got, data) {
		t.Fatal("copy lost its bytes when the source was deleted")
	}
}
