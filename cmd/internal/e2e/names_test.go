package e2e

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

// oddKeys round-trip through SigV4 canonicalisation, routing and the index.
var oddKeys = []string{"plain", "with space", "plus+sign", "percent%20literal", "unicode/ü/日本/😀", "double//slash",
	"trailing/", "/leading", "dot/./segment", "dots/../up", "amp&eq=q?hash#", "tilde~star*", "semi;colon,comma",
	"quote'\"", strings.Repeat("k", 1024)}

func TestVirtualHostedStyleAndOddKeys(t *testing.T) {
	ts := testserver.Start(t, func(c *server.Config) { c.Domains = []string{"s3.cairn.test"} })
	addr := strings.TrimPrefix(ts.Endpoint, "http://")
	_, port, _ := net.SplitHostPort(addr)
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr) // every host name reaches the test server
	}
	vhost := ts.S3(t, func(o *s3.Options) {
		o.BaseEndpoint = aws.String("http://s3.cairn.test:" + port)
		o.UsePathStyle = false
		o.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: dial}}
	})
	path := ts.S3(t)
	if _, err := vhost.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vhost-bucket")}); err != nil {
		t.Fatalf("virtual-hosted CreateBucket: %v", err)
	}
	for _, key := range oddKeys {
		body := "body of " + key
		// Written virtual-host style, read path style, and the reverse.
		if _, err := vhost.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vhost-bucket"), Key: aws.String(key), Body: stringsReader(body)}); err != nil {
			t.Fatalf("vhost put %q: %v", key, err)
		}
		if got := getBytes(t, path, "vhost-bucket", key); string(got) != body {
			t.Fatalf("path-style read of %q: %q", key, got)
		}
		if got := getBytes(t, vhost, "vhost-bucket", key); string(got) != body {
			t.Fatalf("vhost read of %q: %q", key, got)
		}
	}
	var listed []string
	p := s3.NewListObjectsV2Paginator(vhost, &s3.ListObjectsV2Input{Bucket: aws.String("vhost-bucket")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			listed = append(listed, aws.ToString(o.Key))
		}
	}
	if len(listed) != len(oddKeys) {
		t.Fatalf("listed %d keys, put %d: %q", len(listed), len(oddKeys), listed)
	}
}

func TestErrorPrecedence(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "prec")
	r := newRaw(t, ts)
	cases := []struct {
		name, method, path string
		status             int
		code               string
	}{
		{"missing bucket before missing key", "GET", "/nobucket/nokey", 404, "NoSuchBucket"},
		{"missing bucket before a bad range", "GET", "/nobucket/k?partNumber=2", 404, "NoSuchBucket"},
		{"bad bucket name", "PUT", "/Bad_Name", 400, "InvalidBucketName"},
		{"anonymous: a missing bucket is 404, as in S3", "GET", "/nobucket/nokey", 404, "NoSuchBucket"},
		{"anonymous: a missing key of a private bucket is 403", "GET", "/prec/nokey", 403, "AccessDenied"},
		{"anonymous: listing a private bucket is 403", "GET", "/prec?list-type=2", 403, "AccessDenied"},
		{"unknown method", "PATCH", "/prec/k", 405, "MethodNotAllowed"},
		{"unimplemented sub-resource", "GET", "/prec?lifecycle", 501, "NotImplemented"},
		{"delete of a missing bucket", "DELETE", "/nobucket", 404, "NoSuchBucket"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := rawReq{method: tc.method, path: tc.path, anonymous: strings.HasPrefix(tc.name, "anonymous")}
			resp, body := r.do(q)
			wantError(t, resp, body, tc.status, tc.code)
		})
	}
}
