package policy

import (
	"testing"
	"time"
)

type ctx = map[string][]string

// condPolicy allows anyone s3:GetObject on the bucket's objects under the
// given Condition block.
func condPolicy(t testing.TB, version, cond string) *Policy {
	t.Helper()
	return mustParse(t, `{"Version":"`+version+`","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*","Condition":`+cond+`}]}`)
}

var bob = Principal{Account: "123456789012", UserARN: "arn:aws:iam::123456789012:user/bob", UserName: "bob", UserID: "AIDABOB"}

func getReq(p Principal, c ctx) Request {
	return Request{Action: "s3:GetObject", Resource: ResourceARN(bucket, "k"), Principal: p, Context: c}
}

func TestConditionOperators(t *testing.T) {
	tests := []struct {
		name string
		cond string
		ctx  ctx
		want bool
	}{
		// Strings.
		{"StringEquals match", `{"StringEquals":{"s3:x-amz-acl":"private"}}`, ctx{"s3:x-amz-acl": {"private"}}, true},
		{"StringEquals no match", `{"StringEquals":{"s3:x-amz-acl":"private"}}`, ctx{"s3:x-amz-acl": {"public-read"}}, false},
		{"StringEquals is case-sensitive", `{"StringEquals":{"s3:x-amz-acl":"private"}}`, ctx{"s3:x-amz-acl": {"Private"}}, false},
		{"StringEquals absent", `{"StringEquals":{"s3:x-amz-acl":"private"}}`, nil, false},
		{"StringEquals empty values are absent", `{"StringEquals":{"s3:x-amz-acl":"private"}}`, ctx{"s3:x-amz-acl": {}}, false},
		{"StringEquals any policy value", `{"StringEquals":{"s3:x-amz-acl":["a","private"]}}`, ctx{"s3:x-amz-acl": {"private"}}, true},
		{"StringEquals star is literal", `{"StringEquals":{"s3:prefix":"a*"}}`, ctx{"s3:prefix": {"ab"}}, false},
		{"StringEquals number value", `{"StringEquals":{"s3:prefix":10}}`, ctx{"s3:prefix": {"10"}}, true},
		{"StringNotEquals differs", `{"StringNotEquals":{"s3:x-amz-acl":"private"}}`, ctx{"s3:x-amz-acl": {"public-read"}}, true},
		{"StringNotEquals equal", `{"StringNotEquals":{"s3:x-amz-acl":"private"}}`, ctx{"s3:x-amz-acl": {"private"}}, false},
		{"StringNotEquals absent", `{"StringNotEquals":{"s3:x-amz-acl":"private"}}`, nil, true},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:UserAgent":"CURL"}}`, ctx{"aws:useragent": {"curl"}}, true},
		{"StringEqualsIgnoreCase no match", `{"StringEqualsIgnoreCase":{"aws:UserAgent":"CURL"}}`, ctx{"aws:useragent": {"wget"}}, false},
		{"StringNotEqualsIgnoreCase equal", `{"StringNotEqualsIgnoreCase":{"aws:UserAgent":"CURL"}}`, ctx{"aws:useragent": {"curl"}}, false},
		{"StringNotEqualsIgnoreCase absent", `{"StringNotEqualsIgnoreCase":{"aws:UserAgent":"CURL"}}`, nil, true},
		{"StringLike star", `{"StringLike":{"s3:prefix":"home/*"}}`, ctx{"s3:prefix": {"home/bob/x"}}, true},
		{"StringLike question", `{"StringLike":{"s3:prefix":"v?"}}`, ctx{"s3:prefix": {"v1"}}, true},
		{"StringLike question is one character", `{"StringLike":{"s3:prefix":"v?"}}`, ctx{"s3:prefix": {"v10"}}, false},
		{"StringLike question multibyte", `{"StringLike":{"s3:prefix":"?"}}`, ctx{"s3:prefix": {"é"}}, true},
		{"StringLike no match", `{"StringLike":{"s3:prefix":"home/*"}}`, ctx{"s3:prefix": {"tmp/"}}, false},
		{"StringLike absent", `{"StringLike":{"s3:prefix":"*"}}`, nil, false},
		{"StringNotLike match", `{"StringNotLike":{"s3:prefix":"home/*"}}`, ctx{"s3:prefix": {"home/x"}}, false},
		{"StringNotLike no match", `{"StringNotLike":{"s3:prefix":"home/*"}}`, ctx{"s3:prefix": {"tmp/"}}, true},

		// Numbers.
		{"NumericEquals", `{"NumericEquals":{"s3:max-keys":10}}`, ctx{"s3:max-keys": {"10"}}, true},
		{"NumericEquals decimal", `{"NumericEquals":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"10.0"}}, true},
		{"NumericEquals not a number", `{"NumericEquals":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"ten"}}, false},
		{"NumericNotEquals", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"11"}}, true},
		{"NumericNotEquals equal", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"10"}}, false},
		{"NumericNotEquals absent", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, nil, true},
		{"NumericLessThan below", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"9"}}, true},
		{"NumericLessThan equal", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"10"}}, false},
		{"NumericLessThanEquals equal", `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"10"}}, true},
		{"NumericLessThanEquals above", `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"1e3"}}, false},
		{"NumericGreaterThan above", `{"NumericGreaterThan":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"10.5"}}, true},
		{"NumericGreaterThan equal", `{"NumericGreaterThan":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"10"}}, false},
		{"NumericGreaterThanEquals equal", `{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"10"}}, true},
		{"NumericGreaterThanEquals below", `{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"-10"}}, false},
		{"NumericLessThan absent", `{"NumericLessThan":{"s3:max-keys":"10"}}`, nil, false},

		// Dates.
		{"DateEquals", `{"DateEquals":{"aws:CurrentTime":"2024-05-01T12:00:00Z"}}`, ctx{"aws:currenttime": {"2024-05-01T14:00:00+02:00"}}, true},
		{"DateEquals epoch against iso", `{"DateEquals":{"aws:CurrentTime":1714564800}}`, ctx{"aws:currenttime": {"2024-05-01T12:00:00Z"}}, true},
		{"DateNotEquals", `{"DateNotEquals":{"aws:CurrentTime":"2024-05-01T12:00:00Z"}}`, ctx{"aws:currenttime": {"2024-05-01T12:00:01Z"}}, true},
		{"DateNotEquals absent", `{"DateNotEquals":{"aws:CurrentTime":"2024-05-01"}}`, nil, true},
		{"DateLessThan before", `{"DateLessThan":{"aws:CurrentTime":"2024-06-01"}}`, ctx{"aws:currenttime": {"2024-05-31T23:59:59Z"}}, true},
		{"DateLessThan after", `{"DateLessThan":{"aws:CurrentTime":"2024-06-01"}}`, ctx{"aws:currenttime": {"2024-06-01T00:00:01Z"}}, false},
		{"DateLessThanEquals equal", `{"DateLessThanEquals":{"aws:CurrentTime":"2024-06-01"}}`, ctx{"aws:currenttime": {"2024-06-01T00:00:00Z"}}, true},
		{"DateGreaterThan epoch", `{"DateGreaterThan":{"aws:EpochTime":"1700000000"}}`, ctx{"aws:epochtime": {"1700000001"}}, true},
		{"DateGreaterThan not a date", `{"DateGreaterThan":{"aws:EpochTime":"1700000000"}}`, ctx{"aws:epochtime": {"soon"}}, false},
		{"DateGreaterThanEquals equal", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2024-06"}}`, ctx{"aws:currenttime": {"2024-06-01T00:00:00Z"}}, true},
		{"DateGreaterThanEquals before", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2024"}}`, ctx{"aws:currenttime": {"2023-12-31T23:59:59Z"}}, false},

		// Bool, binary.
		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx{"aws:securetransport": {"true"}}, true},
		{"Bool JSON true", `{"Bool":{"aws:SecureTransport":true}}`, ctx{"aws:securetransport": {"TRUE"}}, true},
		{"Bool false", `{"Bool":{"aws:SecureTransport":"false"}}`, ctx{"aws:securetransport": {"true"}}, false},
		{"Bool absent", `{"Bool":{"aws:SecureTransport":"false"}}`, nil, false},
		{"Bool not a bool", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx{"aws:securetransport": {"1"}}, false},
		{"BinaryEquals", `{"BinaryEquals":{"s3:x-amz-content-sha256":"QmluYXJ5"}}`, ctx{"s3:x-amz-content-sha256": {"QmluYXJ5"}}, true},
		{"BinaryEquals differs", `{"BinaryEquals":{"s3:x-amz-content-sha256":"QmluYXJ5"}}`, ctx{"s3:x-amz-content-sha256": {"QmluYXJ6"}}, false},

		// Addresses.
		{"IpAddress in", `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx{"aws:sourceip": {"192.0.2.77"}}, true},
		{"IpAddress out", `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx{"aws:sourceip": {"192.0.3.1"}}, false},
		{"IpAddress single", `{"IpAddress":{"aws:SourceIp":"192.0.2.7"}}`, ctx{"aws:sourceip": {"192.0.2.7"}}, true},
		{"IpAddress unmasked cidr", `{"IpAddress":{"aws:SourceIp":"192.0.2.7/24"}}`, ctx{"aws:sourceip": {"192.0.2.200"}}, true},
		{"IpAddress v6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctx{"aws:sourceip": {"2001:db8:1234::1"}}, true},
		{"IpAddress v6 out", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctx{"aws:sourceip": {"2001:db9::1"}}, false},
		{"IpAddress v4-mapped request", `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx{"aws:sourceip": {"::ffff:192.0.2.1"}}, true},
		{"IpAddress v4 not in v6 range", `{"IpAddress":{"aws:SourceIp":"::/0"}}`, ctx{"aws:sourceip": {"192.0.2.1"}}, false},
		{"IpAddress garbage request", `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, ctx{"aws:sourceip": {"nowhere"}}, false},
		{"NotIpAddress in", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx{"aws:sourceip": {"192.0.2.1"}}, false},
		{"NotIpAddress out", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx{"aws:sourceip": {"198.51.100.1"}}, true},
		{"NotIpAddress absent", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, nil, true},

		// ARNs.
		{"ArnEquals", `{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::logs"}}`, ctx{"aws:sourcearn": {"arn:aws:s3:::logs"}}, true},
		{"ArnLike", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/*"}}`, ctx{"aws:principalarn": {"arn:aws:iam::123456789012:user/team/bob"}}, true},
		{"ArnLike component star stops at colon", `{"ArnLike":{"aws:SourceArn":"arn:*:iam::123456789012:root"}}`, ctx{"aws:sourcearn": {"arn:aws:x:iam::123456789012:root"}}, false},
		{"ArnLike other account", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/*"}}`, ctx{"aws:principalarn": {"arn:aws:iam::210987654321:user/bob"}}, false},
		{"ArnLike not an arn", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::*"}}`, ctx{"aws:sourcearn": {"logs"}}, false},
		{"ArnNotEquals", `{"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::logs"}}`, ctx{"aws:sourcearn": {"arn:aws:s3:::other"}}, true},
		{"ArnNotLike match", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::log*"}}`, ctx{"aws:sourcearn": {"arn:aws:s3:::logs"}}, false},
		{"ArnNotLike absent", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::log*"}}`, nil, true},

		// Null.
		{"Null true absent", `{"Null":{"s3:x-amz-server-side-encryption":"true"}}`, nil, true},
		{"Null true present", `{"Null":{"s3:x-amz-server-side-encryption":"true"}}`, ctx{"s3:x-amz-server-side-encryption": {"AES256"}}, false},
		{"Null false present", `{"Null":{"s3:x-amz-server-side-encryption":false}}`, ctx{"s3:x-amz-server-side-encryption": {"AES256"}}, true},
		{"Null false absent", `{"Null":{"s3:x-amz-server-side-encryption":"false"}}`, nil, false},

		// IfExists.
		{"StringEqualsIfExists absent", `{"StringEqualsIfExists":{"s3:x-amz-acl":"private"}}`, nil, true},
		{"StringEqualsIfExists mismatch", `{"StringEqualsIfExists":{"s3:x-amz-acl":"private"}}`, ctx{"s3:x-amz-acl": {"public-read"}}, false},
		{"NumericLessThanIfExists absent", `{"NumericLessThanIfExists":{"s3:max-keys":"5"}}`, nil, true},
		{"NumericLessThanIfExists present", `{"NumericLessThanIfExists":{"s3:max-keys":"5"}}`, ctx{"s3:max-keys": {"6"}}, false},
		{"BoolIfExists absent", `{"BoolIfExists":{"aws:SecureTransport":"true"}}`, nil, true},
		{"IpAddressIfExists absent", `{"IpAddressIfExists":{"aws:SourceIp":"192.0.2.0/24"}}`, nil, true},

		// Set qualifiers.
		{"ForAnyValue one overlaps", `{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":["b","c"]}}`, ctx{"s3:requestobjecttagkeys": {"a", "b"}}, true},
		{"ForAnyValue none overlaps", `{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":["b","c"]}}`, ctx{"s3:requestobjecttagkeys": {"x"}}, false},
		{"ForAnyValue absent", `{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":["b","c"]}}`, nil, false},
		{"ForAnyValue IfExists absent", `{"ForAnyValue:StringEqualsIfExists":{"s3:RequestObjectTagKeys":"b"}}`, nil, true},
		{"ForAnyValue negated", `{"ForAnyValue:StringNotEquals":{"s3:RequestObjectTagKeys":["a","b"]}}`, ctx{"s3:requestobjecttagkeys": {"a", "x"}}, true},
		{"ForAnyValue negated all listed", `{"ForAnyValue:StringNotEquals":{"s3:RequestObjectTagKeys":["a","b"]}}`, ctx{"s3:requestobjecttagkeys": {"a", "b"}}, false},
		{"ForAllValues subset", `{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a","b","c"]}}`, ctx{"s3:requestobjecttagkeys": {"a", "b"}}, true},
		{"ForAllValues not subset", `{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a","b","c"]}}`, ctx{"s3:requestobjecttagkeys": {"a", "x"}}, false},
		{"ForAllValues absent", `{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a"]}}`, nil, true},
		{"ForAllValues like", `{"ForAllValues:StringLike":{"s3:RequestObjectTagKeys":["app-*"]}}`, ctx{"s3:requestobjecttagkeys": {"app-1", "app-2"}}, true},
		{"ForAllValues negated", `{"ForAllValues:StringNotLike":{"s3:RequestObjectTagKeys":["secret*"]}}`, ctx{"s3:requestobjecttagkeys": {"a", "secret-x"}}, false},
		{"plain operator on many values", `{"StringEquals":{"s3:RequestObjectTagKeys":"b"}}`, ctx{"s3:requestobjecttagkeys": {"a", "b"}}, true},
		{"plain negated on many values", `{"StringNotEquals":{"s3:RequestObjectTagKeys":"b"}}`, ctx{"s3:requestobjecttagkeys": {"a", "b"}}, false},

		// Blocks: keys and operators are ANDed.
		{"two keys both hold", `{"StringEquals":{"s3:prefix":"a","s3:delimiter":"/"}}`, ctx{"s3:prefix": {"a"}, "s3:delimiter": {"/"}}, true},
		{"two keys one fails", `{"StringEquals":{"s3:prefix":"a","s3:delimiter":"/"}}`, ctx{"s3:prefix": {"a"}}, false},
		{"two operators", `{"IpAddress":{"aws:SourceIp":"54.240.143.0/24"},"NotIpAddress":{"aws:SourceIp":"54.240.143.188/32"}}`, ctx{"aws:sourceip": {"54.240.143.188"}}, false},

		// Names are case-insensitive, values not.
		{"operator any case", `{"stringequals":{"s3:prefix":"a"}}`, ctx{"s3:prefix": {"a"}}, true},
		{"policy key any case", `{"StringEquals":{"S3:PREFIX":"a"}}`, ctx{"s3:prefix": {"a"}}, true},
		{"context key any case", `{"StringEquals":{"s3:prefix":"a"}}`, ctx{"S3:Prefix": {"a"}}, true},
		{"tag key", `{"StringEquals":{"s3:ExistingObjectTag/Classification":"public"}}`, ctx{"s3:existingobjecttag/classification": {"public"}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := condPolicy(t, Version2012, tc.cond)
			got := p.Evaluate(getReq(bob, tc.ctx)) == Allow
			if got != tc.want {
				t.Fatalf("condition %s with %v: %v, want %v", tc.cond, tc.ctx, got, tc.want)
			}
		})
	}
}

func TestPolicyVariables(t *testing.T) {
	anon := Principal{Anonymous: true}
	tests := []struct {
		name, version, cond string
		who                 Principal
		ctx                 ctx
		want                bool
	}{
		{"username", Version2012, `{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, bob, ctx{"s3:prefix": {"home/bob/x"}}, true},
		{"other user's home", Version2012, `{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, bob, ctx{"s3:prefix": {"home/alice/x"}}, false},
		{"substituted star is literal", Version2012, `{"StringLike":{"s3:prefix":"home/${aws:username}"}}`, Principal{Account: "1", UserARN: "u", UserName: "b*"}, ctx{"s3:prefix": {"home/bob"}}, false},
		{"unresolved never matches", Version2012, `{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, anon, ctx{"s3:prefix": {"home//x"}}, false},
		{"unresolved in negated holds", Version2012, `{"StringNotLike":{"s3:prefix":"home/${aws:username}/*"}}`, anon, ctx{"s3:prefix": {"home/x/"}}, true},
		{"default value", Version2012, `{"StringEquals":{"s3:prefix":"${aws:username, 'nobody'}"}}`, anon, ctx{"s3:prefix": {"nobody"}}, true},
		{"userid", Version2012, `{"StringEquals":{"s3:prefix":"${aws:userid}"}}`, bob, ctx{"s3:prefix": {"AIDABOB"}}, true},
		{"context key variable", Version2012, `{"StringEquals":{"s3:prefix":"${s3:delimiter}x"}}`, bob, ctx{"s3:prefix": {"/x"}, "s3:delimiter": {"/"}}, true},
		{"multi-valued variable", Version2012, `{"StringEquals":{"s3:prefix":"${s3:delimiter}"}}`, bob, ctx{"s3:prefix": {"a"}, "s3:delimiter": {"a", "b"}}, false},
		{"escaped star literal in Like", Version2012, `{"StringLike":{"s3:prefix":"a${*}"}}`, bob, ctx{"s3:prefix": {"a*"}}, true},
		{"escaped star not a wildcard", Version2012, `{"StringLike":{"s3:prefix":"a${*}"}}`, bob, ctx{"s3:prefix": {"ab"}}, false},
		{"escaped question and dollar", Version2012, `{"StringEquals":{"s3:prefix":"${?}${$}"}}`, bob, ctx{"s3:prefix": {"?$"}}, true},
		{"2008 treats variables as text", Version2008, `{"StringEquals":{"s3:prefix":"${aws:username}"}}`, bob, ctx{"s3:prefix": {"${aws:username}"}}, true},
		{"2008 does not substitute", Version2008, `{"StringEquals":{"s3:prefix":"${aws:username}"}}`, bob, ctx{"s3:prefix": {"bob"}}, false},
		{"unterminated is text", Version2012, `{"StringEquals":{"s3:prefix":"${aws:username"}}`, bob, ctx{"s3:prefix": {"${aws:username"}}, true},
		{"arn variable", Version2012, `{"ArnEquals":{"aws:SourceArn":"arn:aws:iam::123456789012:user/${aws:username}"}}`, bob, ctx{"aws:sourcearn": {"arn:aws:iam::123456789012:user/bob"}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := condPolicy(t, tc.version, tc.cond)
			if got := p.Evaluate(getReq(tc.who, tc.ctx)) == Allow; got != tc.want {
				t.Fatalf("%v, want %v", got, tc.want)
			}
		})
	}
}

func TestResourceVariables(t *testing.T) {
	p := mustParse(t, doc(allow(`"Principal":{"AWS":"123456789012"}`, `"Action":["s3:GetObject","s3:PutObject"]`,
		`"Resource":"arn:aws:s3:::examplebucket/home/${aws:username}/*"`)))
	req := func(who Principal, key string) Decision {
		return p.Evaluate(Request{Action: "s3:PutObject", Resource: ResourceARN(bucket, key), Principal: who})
	}
	if d := req(bob, "home/bob/a.txt"); d != Allow {
		t.Fatalf("own home: %v", d)
	}
	if d := req(bob, "home/alice/a.txt"); d != NotApplicable {
		t.Fatalf("other home: %v", d)
	}
	root := Principal{Account: "123456789012", IsRoot: true}
	if d := req(root, "home//a.txt"); d != NotApplicable {
		t.Fatalf("root has no aws:username: %v", d)
	}
	star := Principal{Account: "123456789012", UserARN: "arn:aws:iam::123456789012:user/x", UserName: "*"}
	if d := req(star, "home/bob/a.txt"); d != NotApplicable {
		t.Fatalf("a '*' user name is literal: %v", d)
	}
}

func TestDerivedKeys(t *testing.T) {
	when := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, cond string
		who        Principal
		time       time.Time
		want       bool
	}{
		{"current time from Time", `{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01"}}`, bob, when, true},
		{"epoch time from Time", `{"NumericEquals":{"aws:EpochTime":1714564800}}`, bob, when, true},
		{"no time", `{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01"}}`, bob, time.Time{}, false},
		{"principal arn", `{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/bob"}}`, bob, when, true},
		{"root principal arn", `{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:root"}}`, Principal{Account: "123456789012", IsRoot: true}, when, true},
		{"principal account", `{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}`, bob, when, true},
		{"principal type", `{"StringEquals":{"aws:PrincipalType":"Anonymous"}}`, Principal{Anonymous: true}, when, true},
		{"anonymous has no account", `{"Null":{"aws:PrincipalAccount":"true"}}`, Principal{Anonymous: true}, when, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := condPolicy(t, Version2012, tc.cond)
			r := getReq(tc.who, nil)
			r.Time = tc.time
			if got := p.Evaluate(r) == Allow; got != tc.want {
				t.Fatalf("%v, want %v", got, tc.want)
			}
		})
	}
	// The caller's Context wins over derived values.
	p := condPolicy(t, Version2012, `{"StringEquals":{"aws:username":"carol"}}`)
	if p.Evaluate(getReq(bob, ctx{"aws:username": {"carol"}})) != Allow {
		t.Fatal("context did not override the derived aws:username")
	}
}

func TestNonASCIIConditionKeys(t *testing.T) {
	p := condPolicy(t, Version2012, `{"StringEquals":{"s3:ExistingObjectTag/Équipe":"Rouge"}}`)
	for _, key := range []string{"s3:ExistingObjectTag/Équipe", "s3:existingobjecttag/équipe", "S3:EXISTINGOBJECTTAG/ÉQUIPE"} {
		if p.Evaluate(getReq(bob, ctx{key: {"Rouge"}})) != Allow {
			t.Errorf("context key %q did not match", key)
		}
	}
}
