package e2e

import (
	"fmt"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

func TestBucketLifecycle(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "alpha")
	mkBucket(t, c, "beta.example")
	// Re-creating one's own bucket in us-east-1 succeeds (S3's legacy rule).
	mkBucket(t, c, "alpha")

	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("alpha")}); err != nil {
		t.Fatalf("head: %v", err)
	}
	_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("missing")})
	wantCode(t, err, "NotFound")

	list, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range list.Buckets {
		names = append(names, aws.ToString(b.Name))
		if b.CreationDate == nil || b.CreationDate.IsZero() {
			t.Errorf("bucket %s has no creation date", aws.ToString(b.Name))
		}
	}
	if fmt.Sprint(names) != "[alpha beta.example]" || list.Owner == nil || aws.ToString(list.Owner.ID) == "" {
		t.Fatalf("buckets %v owner %+v", names, list.Owner)
	}
	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("alpha")})
	if err != nil || loc.LocationConstraint != "" {
		t.Fatalf("location %q err %v (us-east-1 is reported as empty)", loc.LocationConstraint, err)
	}

	putBytes(t, c, "alpha", "k", []byte("x"))
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, err, "BucketNotEmpty")
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("alpha"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")}); err != nil {
		t.Fatalf("delete emptied bucket: %v", err)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, err, "NoSuchBucket")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("alpha"), Key: aws.String("k")})
	wantCode(t, err, "NoSuchBucket")

	// The name is free again; the new bucket starts empty.
	mkBucket(t, c, "alpha")
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("alpha")})
	if err != nil || len(out.Contents) != 0 {
		t.Fatalf("recreated bucket lists %d objects, err %v", len(out.Contents), err)
	}
}

func TestCreateBucketRefusals(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	for _, name := range []string{"ab", "Upper", "under_score", "-dash", "192.168.1.1", "a..b", "xn--punycode"} {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
		if apiCode(err) != "InvalidBucketName" {
			t.Errorf("create %q: %v, want InvalidBucketName", name, err)
		}
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("elsewhere"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	wantCode(t, err, "IllegalLocationConstraintException")
	list, _ := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if len(list.Buckets) != 0 {
		t.Fatalf("refused creates left buckets: %+v", list.Buckets)
	}
}

// Outside us-east-1, re-creating one's own bucket is BucketAlreadyOwnedByYou
// and a LocationConstraint naming the region is accepted.
func TestBucketInOtherRegion(t *testing.T) {
	ts := testserver.Start(t, func(c *server.Config) { c.Region = "eu-west-1" })
	c := ts.S3(t)
	in := &s3.CreateBucketInput{Bucket: aws.String("euro"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}}
	if _, err := c.CreateBucket(ctx, in); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateBucket(ctx, in)
	wantCode(t, err, "BucketAlreadyOwnedByYou")
	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("euro")})
	if err != nil || loc.LocationConstraint != types.BucketLocationConstraintEuWest1 {
		t.Fatalf("location %q err %v", loc.LocationConstraint, err)
	}
}

func TestListObjectsV2PaginatesWithDelimiter(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "lst")
	var want []string
	for i := 0; i < 23; i++ {
		k := fmt.Sprintf("top-%02d", i)
		putBytes(t, c, "lst", k, []byte(k))
		want = append(want, k)
	}
	for i := 0; i < 5; i++ {
		putBytes(t, c, "lst", fmt.Sprintf("dir%d/x", i), nil)
		putBytes(t, c, "lst", fmt.Sprintf("dir%d/y", i), nil)
		want = append(want, fmt.Sprintf("dir%d/", i))
	}
	sort.Strings(want)
	var got []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(4)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if n := len(page.Contents) + len(page.CommonPrefixes); int32(n) != aws.ToInt32(page.KeyCount) || n > 4 {
			t.Fatalf("page of %d entries reports KeyCount %d", n, aws.ToInt32(page.KeyCount))
		}
		for _, o := range page.Contents {
			got = append(got, aws.ToString(o.Key))
		}
		for _, cp := range page.CommonPrefixes {
			got = append(got, aws.ToString(cp.Prefix))
		}
	}
	sort.Strings(got)
	if fmt.Sprint(got) != fmt.Sprint(want) || pages != 7 {
		t.Fatalf("%d pages listed\n%v\nwant\n%v", pages, got, want)
	}
	// start-after and prefix
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lst"), Prefix: aws.String("top-1"), StartAfter: aws.String("top-15")})
	if err != nil || len(out.Contents) != 4 || aws.ToString(out.Contents[0].Key) != "top-16" {
		t.Fatalf("start-after: %d objects, err %v", len(out.Contents), err)
	}
	// v1 listing with marker
	v1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("lst"), Marker: aws.String("top-20")})
	if err != nil || len(v1.Contents) != 2 || v1.Contents[0].Owner == nil {
		t.Fatalf("v1: %+v err %v", v1.Contents, err)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	ts := testserver.Start(t, func(c *server.Config) { c.MetricsListen = "127.0.0.1:0" })
	c := ts.S3(t)
	mkBucket(t, c, "metered")
	putBytes(t, c, "metered", "k", []byte("x"))
	rec := httptest.NewRecorder()
	ts.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{`cairn_http_requests_total{op="PutObject",status="200"} 1`, `cairn_http_requests_total{op="CreateBucket",status="200"} 1`,
		"cairn_http_request_seconds_bucket", "cairn_index_applied_seq 2", "cairn_log_last_seq 2"} {
		if !strings.Contains(body, want) {
			t.Fatalf("metrics lack %q:\n%s", want, body)
		}
	}
}
