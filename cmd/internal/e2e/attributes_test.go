package e2e

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

func TestGetObjectAttributesAndListBucketsPaging(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "attrs")
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("attrs"), Key: aws.String("k"), Body: stringsReader("hello"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c, StorageClass: types.StorageClassStandardIa})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attrs"), Key: aws.String("k"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesChecksum,
			types.ObjectAttributesStorageClass, types.ObjectAttributesObjectSize, types.ObjectAttributesObjectParts}})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf(`"%s"`, aws.ToString(out.ETag)) != aws.ToString(put.ETag) || aws.ToInt64(out.ObjectSize) != 5 ||
		out.StorageClass != types.StorageClassStandardIa || out.Checksum == nil ||
		aws.ToString(out.Checksum.ChecksumCRC32C) != aws.ToString(put.ChecksumCRC32C) || out.ObjectParts != nil || out.LastModified == nil {
		t.Fatalf("attributes %+v", out)
	}
	_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attrs"), Key: aws.String("nope"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag}})
	wantCode(t, err, "NoSuchKey")

	for i := 0; i < 7; i++ {
		mkBucket(t, c, fmt.Sprintf("page-%d", i))
	}
	var names []string
	p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{Prefix: aws.String("page-"), MaxBuckets: aws.Int32(3)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, b := range page.Buckets {
			names = append(names, aws.ToString(b.Name))
		}
		if aws.ToString(page.Prefix) != "page-" {
			t.Fatalf("prefix not echoed: %q", aws.ToString(page.Prefix))
		}
	}
	if pages != 3 || fmt.Sprint(names) != "[page-0 page-1 page-2 page-3 page-4 page-5 page-6]" {
		t.Fatalf("%d pages: %v", pages, names)
	}
	all, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(all.Buckets) != 8 || all.ContinuationToken != nil {
		t.Fatalf("unpaged ListBuckets: %d buckets, token %v, %v", len(all.Buckets), all.ContinuationToken, err)
	}
	_, err = c.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(0)})
	wantCode(t, err, "InvalidArgument")
}
