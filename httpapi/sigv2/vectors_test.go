package sigv2

import (
	"errors"
	"testing"
	"time"

	"github.com/cairnstore/cairn/httpapi/sigv4"
)

// docVector is an example of the S3 documentation's "Signing and
// authenticating REST requests" page: request, string to sign, signature.
type docVector struct {
	name, method, host, target, bucket string
	headers                            [][2]string
	now                                time.Time
	sts                                string
}

func mustTime(s string) time.Time {
	t, ok := parseTime(s)
	if !ok {
		panic(s)
	}
	return t
}

var docVectors = []docVector{
	{
		name: "object GET", method: "GET", host: "johnsmith.s3.amazonaws.com", target: "/photos/puppy.jpg", bucket: "johnsmith",
		headers: [][2]string{{"Date", "Tue, 27 Mar 2007 19:36:42 +0000"},
			{"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU="}},
		sts: "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg",
	},
	{
		name: "object PUT", method: "PUT", host: "johnsmith.s3.amazonaws.com", target: "/photos/puppy.jpg", bucket: "johnsmith",
		headers: [][2]string{{"Content-Type", "image/jpeg"}, {"Date", "Tue, 27 Mar 2007 21:15:45 +0000"},
			{"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:MyyxeRY7whkBe+bq8fHCL/2kKUg="}},
		sts: "PUT\n\nimage/jpeg\nTue, 27 Mar 2007 21:15:45 +0000\n/johnsmith/photos/puppy.jpg",
	},
	{
		name: "list", method: "GET", host: "johnsmith.s3.amazonaws.com", target: "/?prefix=photos&max-keys=50&marker=puppy", bucket: "johnsmith",
		headers: [][2]string{{"User-Agent", "Mozilla/5.0"}, {"Date", "Tue, 27 Mar 2007 19:42:41 +0000"},
			{"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:htDYFYduRNen8P9ZfE/s9SuKy0U="}},
		sts: "GET\n\n\nTue, 27 Mar 2007 19:42:41 +0000\n/johnsmith/",
	},
	{
		name: "fetch acl", method: "GET", host: "johnsmith.s3.amazonaws.com", target: "/?acl", bucket: "johnsmith",
		headers: [][2]string{{"Date", "Tue, 27 Mar 2007 19:44:46 +0000"},
			{"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:c2WLPFtWHVgbEmeEG93a4cG37dM="}},
		sts: "GET\n\n\nTue, 27 Mar 2007 19:44:46 +0000\n/johnsmith/?acl",
	},
	{
		// x-amz-date in the Date slot and not among the amz headers: the
		// only form that reproduces the published signature.
		name: "delete with x-amz-date", method: "DELETE", host: "s3.amazonaws.com", target: "/johnsmith/photos/puppy.jpg",
		headers: [][2]string{{"User-Agent", "dotnet"}, {"Date", "Tue, 27 Mar 2007 21:20:27 +0000"},
			{"x-amz-date", "Tue, 27 Mar 2007 21:20:26 +0000"},
			{"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:lx3byBScXR6KzyMaifNkardMwNk="}},
		sts: "DELETE\n\n\n\nx-amz-date:Tue, 27 Mar 2007 21:20:26 +0000\n/johnsmith/photos/puppy.jpg", // documented form
	},
	{
		name: "upload CNAME bucket", method: "PUT", host: "static.johnsmith.net:8080", target: "/db-backup.dat.gz", bucket: "static.johnsmith.net",
		headers: [][2]string{{"User-Agent", "curl/7.15.5"}, {"Date", "Tue, 27 Mar 2007 21:06:08 +0000"},
			{"x-amz-acl", "public-read"}, {"content-type", "application/x-download"},
			{"Content-MD5", "4gJE4saaMU4BqNR0kLY+lw=="},
			{"X-Amz-Meta-ReviewedBy", "joe@johnsmith.net"}, {"X-Amz-Meta-ReviewedBy", "jane@johnsmith.net"},
			{"X-Amz-Meta-FileChecksum", "0x02661779"}, {"X-Amz-Meta-ChecksumAlgorithm", "crc32"},
			{"Content-Disposition", "attachment; filename=database.dat"}, {"Content-Encoding", "gzip"},
			{"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:ilyl83RwaSoYIEdixDQcA4OnAnc="}},
		sts: "PUT\n4gJE4saaMU4BqNR0kLY+lw==\napplication/x-download\nTue, 27 Mar 2007 21:06:08 +0000\n" +
			"x-amz-acl:public-read\nx-amz-meta-checksumalgorithm:crc32\nx-amz-meta-filechecksum:0x02661779\n" +
			"x-amz-meta-reviewedby:joe@johnsmith.net,jane@johnsmith.net\n/static.johnsmith.net/db-backup.dat.gz",
	},
	{
		name: "list all my buckets", method: "GET", host: "s3.amazonaws.com", target: "/",
		headers: [][2]string{{"Date", "Wed, 28 Mar 2007 01:29:59 +0000"},
			{"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:qGdzdERIC03wnaRNKh6OqZehG9s="}},
		sts: "GET\n\n\nWed, 28 Mar 2007 01:29:59 +0000\n/",
	},
	{
		name: "unicode keys", method: "GET", host: "s3.amazonaws.com", target: "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re",
		headers: [][2]string{{"Date", "Wed, 28 Mar 2007 01:49:49 +0000"},
			{"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:DNEZGsoieTZ92F3bUfSPQcbGmlM="}},
		sts: "GET\n\n\nWed, 28 Mar 2007 01:49:49 +0000\n/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re",
	},
	{
		name: "query string", method: "GET", host: "johnsmith.s3.amazonaws.com", bucket: "johnsmith",
		target: "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620",
		now:    time.Unix(1175139620-60, 0),
		sts:    "GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg",
	},
}

func TestDocumentationVectors(t *testing.T) {
	for _, c := range docVectors {
		t.Run(c.name, func(t *testing.T) {
			now := c.now
			for _, h := range c.headers {
				if h[0] == "Date" && now.IsZero() {
					now = mustTime(h[1])
				}
			}
			v := newTestVerifier(now.Add(time.Minute))
			r := serverRequest(t, rawRequest(c.method, c.host, c.target, c.headers, ""))
			vr := mustVerify(t, v, r, c.bucket)
			if vr.AccessKey != docAK {
				t.Fatalf("access key %q", vr.AccessKey)
			}
			// Our documented-form string to sign equals the page's.
			r.Header.Set("Content-Disposition", "inline") // not signed: still verifies
			mustVerify(t, v, r, c.bucket)
			r.Method += "X"
			_, err := v.Verify(r, c.bucket)
			var sm *sigv4.SignatureMismatchError
			if !errors.As(err, &sm) {
				t.Fatalf("mutated method: %v", err)
			}
			if want := c.method + "X" + c.sts[len(c.method):]; sm.StringToSign != want {
				t.Fatalf("string to sign\n got %q\nwant %q", sm.StringToSign, want)
			}
		})
	}
}
