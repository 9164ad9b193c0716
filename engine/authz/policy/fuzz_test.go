package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// seedPolicies are valid policies for round-trip tests and fuzz seeds.
var seedPolicies = []string{
	`{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":["arn:aws:s3:::examplebucket/*"]}]}`,
	`{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::123456789012:user/bob","123456789012"]},"NotAction":"s3:Get*","NotResource":"arn:aws:s3:::examplebucket/public/*"}}`,
	`{ "Version" : "2012-10-17", "Id" : "x\u0041\/y",
	   "Statement" : [ { "Effect" : "Allow", "Principal" : { "AWS" : "*", "CanonicalUser" : ["` + strings.Repeat("0a", 32) + `"] },
	   "Action" : "s3:*", "Resource" : [ "arn:aws:s3:::examplebucket", "arn:aws:s3:::examplebucket/home/${aws:username}/*" ],
	   "Condition" : { "IpAddress" : { "aws:SourceIp" : [ "192.0.2.0/24", "2001:db8::/32" ] },
	     "NumericLessThanEquals" : { "s3:max-keys" : 1e2 }, "Bool" : { "aws:SecureTransport" : true },
	     "ForAnyValue:StringLike" : { "s3:RequestObjectTagKeys" : [ "a*", "b?" ] },
	     "StringEquals" : { "s3:prefix" : "" }, "StringEquals" : { "s3:delimiter" : "/" },
	     "Null" : { "s3:x-amz-acl" : "false" }, "DateLessThan" : { "aws:CurrentTime" : "2030-01-01T00:00:00Z" } } } ] }`,
	`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com","Federated":"cognito-identity.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::examplebucket/${x}","Condition":{}}]}`,
	`{"Statement":[{"Sid":"tab\tand\u0001control","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::examplebucket","Condition":{"StringLikeIfExists":{"s3:prefix":["home/${aws:username, 'guest'}/${*}"]},"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}}}]}`,
}

// probeRequests exercise every kind of match the fuzzer may build.
func probeRequests() []Request {
	c := ctx{
		"aws:SourceIp": {"192.0.2.1"}, "aws:securetransport": {"true"}, "s3:prefix": {"home/bob/"},
		"s3:max-keys": {"10"}, "s3:requestobjecttagkeys": {"a", "b1"}, "s3:x-amz-acl": {"private"},
		"aws:Referer": {"http://example.com/"},
	}
	var out []Request
	for _, who := range []Principal{anonymous, root, bob, mallory} {
		for _, a := range []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"} {
			for _, key := range []string{"", "public/a", "home/bob/x"} {
				out = append(out, Request{Action: a, Resource: ResourceARN(bucket, key), Principal: who, Context: c,
					Time: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)})
			}
		}
	}
	return out
}

// checkRoundTrip asserts MarshalJSON's promises for a parsed policy: the
// canonical form is valid JSON within the limit, no longer than the
// compacted input, parses back, is a fixed point, and the re-parsed policy
// decides every probe the same way.
func checkRoundTrip(t *testing.T, input []byte, p *Policy) {
	t.Helper()
	b, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) || len(b) > MaxSize || len(b) != p.Size() {
		t.Fatalf("canonical form invalid or too large (%d, Size %d): %s", len(b), p.Size(), b)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, input); err == nil && len(b) > compact.Len() {
		t.Fatalf("canonical form (%d) longer than compacted input (%d):\n%s\n%s", len(b), compact.Len(), b, compact.Bytes())
	}
	q, err := Parse(b, bucket)
	if err != nil {
		t.Fatalf("canonical form does not parse: %v\n%s", err, b)
	}
	b2, _ := q.MarshalJSON()
	if !bytes.Equal(b, b2) {
		t.Fatalf("canonical form not a fixed point:\n%s\n%s", b, b2)
	}
	if p.IsPublic() != q.IsPublic() {
		t.Fatal("IsPublic differs after round trip")
	}
	for _, r := range probeRequests() {
		if a, b := p.Explain(r), q.Explain(r); a != b {
			t.Fatalf("decision differs after round trip for %+v: %+v vs %+v", r, a, b)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, s := range seedPolicies {
		checkRoundTrip(t, []byte(s), mustParse(t, s))
	}
}

func TestCanonicalForm(t *testing.T) {
	p := mustParse(t, `{ "Id" : "a", "Statement" : { "Principal" : "*", "Effect" : "Allow", "Resource" : [ "arn:aws:s3:::examplebucket/*" ], "Action" : "s3:GetObject", "Condition" : { "NumericEquals" : { "s3:max-keys" : [ 1.50 ] } } } }`)
	b, _ := p.MarshalJSON()
	want := `{"Id":"a","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":["arn:aws:s3:::examplebucket/*"],"Condition":{"NumericEquals":{"s3:max-keys":[1.50]}}}}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range seedPolicies {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"arn:aws:s3:::examplebucket/*","Condition":{"ArnLike":{"aws:SourceArn":"arn:*:s3:::*"},"NotIpAddress":{"aws:SourceIp":"::/0"}}}]}`))
	f.Add([]byte(`{"Statement":[]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := Parse(doc, bucket)
		if err != nil {
			var mp *MalformedPolicyError
			if !errors.As(err, &mp) || !errors.Is(err, ErrMalformedPolicy) || mp.Reason == "" {
				t.Fatalf("error %v is not a MalformedPolicyError", err)
			}
			return
		}
		checkRoundTrip(t, doc, p)
	})
}
