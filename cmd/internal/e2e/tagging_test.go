package e2e

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

func tagMap(ts []types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func TestObjectAndBucketTagging(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "tags")
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tags"), Key: aws.String("k"), Body: stringsReader("x"),
		Tagging: aws.String("project=cairn&team=storage%20ops")})
	if err != nil {
		t.Fatal(err)
	}
	head, _ := c.HeadObject(ctx, headInput("tags", "k"))
	got, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")})
	if err != nil || fmt.Sprint(tagMap(got.TagSet)) != "map[project:cairn team:storage ops]" {
		t.Fatalf("tags from x-amz-tagging: %v %v", tagMap(got.TagSet), err)
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tags"), Key: aws.String("k")})
	if err != nil || aws.ToInt32(get.TagCount) != 2 {
		t.Fatalf("x-amz-tagging-count: %v %v", get.TagCount, err)
	}
	get.Body.Close()
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("only"), Value: aws.String("one")}}}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")})
	if fmt.Sprint(tagMap(got.TagSet)) != "map[only:one]" {
		t.Fatalf("after PutObjectTagging: %v", tagMap(got.TagSet))
	}
	// Tagging changes neither the bytes nor the ETag.
	after, _ := c.HeadObject(ctx, headInput("tags", "k"))
	if aws.ToString(after.ETag) != aws.ToString(head.ETag) {
		t.Fatal("tagging changed the ETag")
	}
	if _, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")})
	if len(got.TagSet) != 0 {
		t.Fatalf("after delete: %v", tagMap(got.TagSet))
	}
	bad := []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"), Tagging: &types.Tagging{TagSet: bad}})
	wantCode(t, err, "InvalidTag")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tags"), Key: aws.String("k2"), Body: stringsReader("x"), Tagging: aws.String("a=1&a=2")})
	wantCode(t, err, "InvalidTag")
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("missing")})
	wantCode(t, err, "NoSuchKey")

	// Bucket tagging.
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("tags")})
	wantCode(t, err, "NoSuchTagSet")
	_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("tags"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("cost-center"), Value: aws.String("42")}}}})
	if err != nil {
		t.Fatal(err)
	}
	bt, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("tags")})
	if err != nil || fmt.Sprint(tagMap(bt.TagSet)) != "map[cost-center:42]" {
		t.Fatalf("bucket tags %v %v", tagMap(bt.TagSet), err)
	}
	if _, err := c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String("tags")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("tags")})
	wantCode(t, err, "NoSuchTagSet")
}
