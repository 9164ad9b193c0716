package policy

import (
	"testing"
	"time"
)

// benchPolicy has ten statements of the usual kinds; the benchmark request
// is decided by the last one after the others have been checked.
const benchPolicy = `{
  "Version":"2012-10-17",
  "Statement":[
    {"Sid":"s1","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/*"],
     "Condition":{"Bool":{"aws:SecureTransport":"false"}}},
    {"Sid":"s2","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::examplebucket/*",
     "Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}},
    {"Sid":"s3","Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::examplebucket/public/*"},
    {"Sid":"s4","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:user/alice","arn:aws:iam::123456789012:user/carol"]},
     "Action":"s3:*","Resource":"arn:aws:s3:::examplebucket/shared/*"},
    {"Sid":"s5","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::examplebucket",
     "Condition":{"StringEquals":{"s3:prefix":["","home/","home/${aws:username}/"],"s3:delimiter":"/"}}},
    {"Sid":"s6","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::examplebucket/*",
     "Condition":{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","198.51.100.0/24","2001:db8::/32"]}}},
    {"Sid":"s7","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/site/*",
     "Condition":{"StringLike":{"aws:Referer":["https://www.example.com/*","https://example.com/*"]}}},
    {"Sid":"s8","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject*","Resource":"arn:aws:s3:::examplebucket/archive/*",
     "Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}},
    {"Sid":"s9","Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::examplebucket/incoming/*",
     "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}},
    {"Sid":"s10","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],
     "Resource":"arn:aws:s3:::examplebucket/home/${aws:username}/*",
     "Condition":{"NumericLessThanEqualsIfExists":{"s3:max-keys":"1000"},"ForAllValues:StringLike":{"s3:RequestObjectTagKeys":["app-*"]}}}
  ]
}`

func BenchmarkEvaluate(b *testing.B) {
	p := mustParse(b, benchPolicy)
	r := Request{
		Action:    "s3:GetObject",
		Resource:  ResourceARN(bucket, "home/bob/reports/2024/q1.csv"),
		Principal: bob,
		Context: map[string][]string{
			"aws:securetransport": {"true"},
			"aws:sourceip":        {"192.0.2.44"},
			"aws:referer":         {"https://www.example.com/reports"},
			"aws:useragent":       {"aws-sdk-go-v2/1.30"},
		},
		Time: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC),
	}
	if got := p.Explain(r); got.Decision != Allow || got.Sid != "s10" || !got.Delegated {
		b.Fatalf("%+v", got)
	}
	b.ReportAllocs()
	for b.Loop() {
		p.Evaluate(r)
	}
}

func BenchmarkParse(b *testing.B) {
	doc := []byte(benchPolicy)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc, bucket); err != nil {
			b.Fatal(err)
		}
	}
}
