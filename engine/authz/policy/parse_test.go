package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

const bucket = "examplebucket"

// doc wraps statements in a 2012-10-17 policy.
func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

// Parts of a minimal valid statement, to vary.
const (
	principalAll = `"Principal":"*"`
	getObject    = `"Action":"s3:GetObject"`
	objects      = `"Resource":"arn:aws:s3:::examplebucket/*"`
)

func stmt(parts ...string) string { return "{" + strings.Join(parts, ",") + "}" }

func allow(parts ...string) string {
	return stmt(append([]string{`"Effect":"Allow"`}, parts...)...)
}

func mustParse(t testing.TB, d string) *Policy {
	t.Helper()
	p, err := Parse([]byte(d), bucket)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, d)
	}
	return p
}

func TestParseMalformed(t *testing.T) {
	cond := func(c string) string { return doc(allow(principalAll, getObject, objects, `"Condition":`+c)) }
	princ := func(p string) string { return doc(allow(`"Principal":`+p, getObject, objects)) }
	action := func(a string) string { return doc(allow(principalAll, `"Action":`+a, objects)) }
	resource := func(r string) string { return doc(allow(principalAll, getObject, `"Resource":`+r)) }
	tests := []struct {
		name, doc, reason string
	}{
		{"empty", ``, ReasonFirstByte},
		{"array", `[]`, ReasonFirstByte},
		{"string", `"x"`, ReasonFirstByte},
		{"truncated", `{"Statement":`, ReasonInvalidJSON},
		{"trailing data", doc(allow(principalAll, getObject, objects)) + `{}`, ReasonInvalidJSON},
		{"invalid utf-8", `{"Id":"` + "\xff" + `","Statement":[]}`, ReasonInvalidJSON},
		{"duplicate top-level member", `{"Version":"2012-10-17","Version":"2012-10-17","Statement":[]}`, ReasonInvalidJSON},
		{"unknown top-level field", `{"Foo":1,"Statement":[]}`, "Unknown field Foo"},
		{"lower-case element name", `{"statement":[]}`, "Unknown field statement"},
		{"bad version", `{"Version":"2020-01-01","Statement":[]}`, ReasonInvalidVersion},
		{"numeric version", `{"Version":2012,"Statement":[]}`, ReasonInvalidVersion},
		{"id not a string", `{"Id":1,"Statement":[]}`, ReasonInvalidJSON},
		{"missing statement", `{"Version":"2012-10-17"}`, ReasonMissingStatement},
		{"empty statement", `{"Statement":[]}`, ReasonEmptyStatement},
		{"statement a string", `{"Statement":"x"}`, ReasonInvalidJSON},
		{"statement element not an object", `{"Statement":[1]}`, ReasonInvalidJSON},
		{"unknown statement field", doc(allow(principalAll, getObject, objects, `"Foo":"x"`)), "Unknown field Foo"},
		{"duplicate statement member", doc(allow(principalAll, getObject, objects, `"Action":"s3:PutObject"`)), ReasonInvalidJSON},
		{"sid not a string", doc(allow(`"Sid":1`, principalAll, getObject, objects)), ReasonInvalidJSON},
		{"duplicate sid", doc(allow(`"Sid":"a"`, principalAll, getObject, objects), allow(`"Sid":"a"`, principalAll, getObject, objects)), ReasonDuplicateSid},
		{"missing effect", doc(stmt(principalAll, getObject, objects)), ReasonMissingEffect},
		{"bad effect", doc(stmt(`"Effect":"hello"`, principalAll, getObject, objects)), "Invalid effect: hello"},
		{"lower-case effect", doc(stmt(`"Effect":"allow"`, principalAll, getObject, objects)), "Invalid effect: allow"},
		{"effect not a string", doc(stmt(`"Effect":true`, principalAll, getObject, objects)), "Invalid effect: true"},
		{"missing principal", doc(allow(getObject, objects)), ReasonMissingPrincipal},
		{"principal and notprincipal", doc(allow(principalAll, `"NotPrincipal":"*"`, getObject, objects)), ReasonBothPrincipals},
		{"principal a name", princ(`"bob"`), ReasonInvalidPrincipal},
		{"principal a number", princ(`12`), ReasonInvalidPrincipal},
		{"principal empty object", princ(`{}`), ReasonInvalidPrincipal},
		{"principal unknown type", princ(`{"Foo":"x"}`), ReasonInvalidPrincipal},
		{"principal lower-case type", princ(`{"aws":"*"}`), ReasonInvalidPrincipal},
		{"aws principal a name", princ(`{"AWS":"bob"}`), ReasonInvalidPrincipal},
		{"aws principal empty list", princ(`{"AWS":[]}`), ReasonInvalidPrincipal},
		{"aws principal a number", princ(`{"AWS":123456789012}`), ReasonInvalidPrincipal},
		{"short account", princ(`{"AWS":"12345"}`), ReasonInvalidPrincipal},
		{"root arn short account", princ(`{"AWS":"arn:aws:iam::123:root"}`), ReasonInvalidPrincipal},
		{"user wildcard", princ(`{"AWS":"arn:aws:iam::123456789012:user/*"}`), ReasonInvalidPrincipal},
		{"user empty name", princ(`{"AWS":"arn:aws:iam::123456789012:user/"}`), ReasonInvalidPrincipal},
		{"group arn", princ(`{"AWS":"arn:aws:iam::123456789012:group/admins"}`), ReasonInvalidPrincipal},
		{"other partition", princ(`{"AWS":"arn:aws-cn:iam::123456789012:root"}`), ReasonInvalidPrincipal},
		{"one bad in a list", princ(`{"AWS":["123456789012","bob"]}`), ReasonInvalidPrincipal},
		{"canonical short", princ(`{"CanonicalUser":"abc"}`), ReasonInvalidPrincipal},
		{"canonical not hex", princ(`{"CanonicalUser":"` + strings.Repeat("g", 64) + `"}`), ReasonInvalidPrincipal},
		{"empty service", princ(`{"Service":""}`), ReasonInvalidPrincipal},
		{"missing action", doc(allow(principalAll, objects)), ReasonMissingAction},
		{"action and notaction", doc(allow(principalAll, getObject, `"NotAction":"s3:PutObject"`, objects)), ReasonBothActions},
		{"unknown action", action(`"s3:GetObjects"`), ReasonInvalidAction},
		{"wildcard matching nothing", action(`"s3:Foo*"`), ReasonInvalidAction},
		{"other service", action(`"ec2:DescribeInstances"`), ReasonInvalidAction},
		{"other service wildcard", action(`"iam:*"`), ReasonInvalidAction},
		{"no prefix", action(`"GetObject"`), ReasonInvalidAction},
		{"empty name", action(`"s3:"`), ReasonInvalidAction},
		{"empty action list", action(`[]`), ReasonInvalidAction},
		{"action a number", action(`7`), ReasonInvalidAction},
		{"action list with a number", action(`["s3:GetObject",7]`), ReasonInvalidAction},
		{"backslash in action", action(`"s3:Get\\Object"`), ReasonInvalidAction},
		{"missing resource", doc(allow(principalAll, getObject)), ReasonMissingResource},
		{"resource and notresource", doc(allow(principalAll, getObject, objects, `"NotResource":"arn:aws:s3:::examplebucket/x"`)), ReasonBothResources},
		{"other bucket", resource(`"arn:aws:s3:::otherbucket/*"`), ReasonInvalidResource},
		{"bucket prefix", resource(`"arn:aws:s3:::examplebucket2/*"`), ReasonInvalidResource},
		{"star", resource(`"*"`), ReasonInvalidResource},
		{"all buckets", resource(`"arn:aws:s3:::*"`), ReasonInvalidResource},
		{"wildcard bucket name", resource(`"arn:aws:s3:::examplebucket*"`), ReasonInvalidResource},
		{"not an arn", resource(`"examplebucket/*"`), ReasonInvalidResource},
		{"other partition resource", resource(`"arn:aws-cn:s3:::examplebucket/*"`), ReasonInvalidResource},
		{"empty resource list", resource(`[]`), ReasonInvalidResource},
		{"resource an object", resource(`{}`), ReasonInvalidResource},
		{"object action on the bucket", resource(`"arn:aws:s3:::examplebucket"`), ReasonActionResource},
		{"bucket action on objects", doc(allow(principalAll, `"Action":"s3:ListBucket"`, objects)), ReasonActionResource},
		{"one of two actions fits no resource", doc(allow(principalAll, `"Action":["s3:GetObject","s3:ListBucket"]`, objects)), ReasonActionResource},
		{"condition not an object", cond(`[]`), ReasonInvalidJSON},
		{"unknown operator", cond(`{"StringEqualz":{"aws:SourceIp":"x"}}`), "Invalid Condition type : StringEqualz"},
		{"null with ifexists", cond(`{"NullIfExists":{"s3:prefix":"true"}}`), "Invalid Condition type : NullIfExists"},
		{"bad qualifier", cond(`{"ForSomeValues:StringEquals":{"s3:prefix":"a"}}`), "Invalid Condition type : ForSomeValues:StringEquals"},
		{"operator value not an object", cond(`{"StringEquals":"x"}`), ReasonInvalidJSON},
		{"duplicate operator", cond(`{"StringEquals":{"s3:prefix":"a"},"StringEquals":{"s3:prefix":"b"}}`), ReasonInvalidJSON},
		{"unknown key", cond(`{"StringEquals":{"aws:Foo":"x"}}`), ReasonInvalidConditionKey},
		{"unknown s3 key", cond(`{"StringEquals":{"s3:foo":"x"}}`), ReasonInvalidConditionKey},
		{"tag key without a tag", cond(`{"StringEquals":{"s3:ExistingObjectTag/":"x"}}`), ReasonInvalidConditionKey},
		{"value an object", cond(`{"StringEquals":{"s3:prefix":{}}}`), ReasonInvalidCondValue},
		{"value null", cond(`{"StringEquals":{"s3:prefix":null}}`), ReasonInvalidCondValue},
		{"value list with null", cond(`{"StringEquals":{"s3:prefix":["a",null]}}`), ReasonInvalidCondValue},
		{"bad ip", cond(`{"IpAddress":{"aws:SourceIp":"300.1.1.1/8"}}`), ReasonInvalidIP},
		{"bad prefix length", cond(`{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}`), ReasonInvalidIP},
		{"bad ipv6", cond(`{"NotIpAddress":{"aws:SourceIp":"2001:db8::g/32"}}`), ReasonInvalidIP},
		{"ip a name", cond(`{"IpAddress":{"aws:SourceIp":"localhost"}}`), ReasonInvalidIP},
		{"bad number", cond(`{"NumericLessThan":{"s3:max-keys":"ten"}}`), ReasonInvalidNumber},
		{"hex number", cond(`{"NumericEquals":{"s3:max-keys":"0x10"}}`), ReasonInvalidNumber},
		{"nan", cond(`{"NumericEquals":{"s3:max-keys":"NaN"}}`), ReasonInvalidNumber},
		{"number a bool", cond(`{"NumericEquals":{"s3:max-keys":true}}`), ReasonInvalidNumber},
		{"bad date", cond(`{"DateLessThan":{"aws:CurrentTime":"yesterday"}}`), ReasonInvalidDate},
		{"bad month", cond(`{"DateLessThan":{"aws:CurrentTime":"2024-13-01T00:00:00Z"}}`), ReasonInvalidDate},
		{"bad bool", cond(`{"Bool":{"aws:SecureTransport":"yes"}}`), ReasonInvalidBool},
		{"bad null", cond(`{"Null":{"s3:prefix":"maybe"}}`), ReasonInvalidBool},
		{"bad base64", cond(`{"BinaryEquals":{"s3:prefix":"!!"}}`), ReasonInvalidBinary},
		{"too large", doc(allow(principalAll, `"Action":[`+strings.Repeat(`"s3:GetObject",`, 1400)+`"s3:GetObject"]`, objects)), ReasonTooLarge},
		{"input too large", `{"Statement":[]` + strings.Repeat(" ", maxInput) + `}`, ReasonTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(tc.doc), bucket)
			if err == nil {
				t.Fatalf("Parse accepted %s: %+v", tc.doc, p)
			}
			var mp *MalformedPolicyError
			if !errors.As(err, &mp) || !errors.Is(err, ErrMalformedPolicy) {
				t.Fatalf("error %v (%T) is not a MalformedPolicyError", err, err)
			}
			if mp.Reason != tc.reason {
				t.Fatalf("reason %q, want %q", mp.Reason, tc.reason)
			}
			if errors.Is(err, ErrPolicyTooLarge) != (tc.reason == ReasonTooLarge) {
				t.Fatalf("errors.Is(err, ErrPolicyTooLarge) = %v", !(tc.reason == ReasonTooLarge))
			}
		})
	}
}

func TestParseValid(t *testing.T) {
	tests := []struct{ name, doc string }{
		{"2008 default", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*"}}`},
		{"2008 explicit", `{"Version":"2008-10-17","Statement":[` + allow(principalAll, getObject, objects) + `]}`},
		{"leading whitespace", "\n  " + doc(allow(principalAll, getObject, objects))},
		{"id and sids", `{"Version":"2012-10-17","Id":"p1","Statement":[` + allow(`"Sid":"a"`, principalAll, getObject, objects) + `,` + allow(`"Sid":"b"`, principalAll, getObject, objects) + `]}`},
		{"empty sids repeat", doc(allow(`"Sid":""`, principalAll, getObject, objects), allow(`"Sid":""`, principalAll, getObject, objects))},
		{"sid with spaces", doc(allow(`"Sid":"Allow get requests from example.com"`, principalAll, getObject, objects))},
		{"aws star", doc(allow(`"Principal":{"AWS":"*"}`, getObject, objects))},
		{"account id", doc(allow(`"Principal":{"AWS":"123456789012"}`, getObject, objects))},
		{"root arn", doc(allow(`"Principal":{"AWS":["arn:aws:iam::123456789012:root"]}`, getObject, objects))},
		{"user arn with path", doc(allow(`"Principal":{"AWS":"arn:aws:iam::123456789012:user/division/team/Bob.Smith@x"}`, getObject, objects))},
		{"role arn", doc(allow(`"Principal":{"AWS":"arn:aws:iam::123456789012:role/reader"}`, getObject, objects))},
		{"assumed role", doc(allow(`"Principal":{"AWS":"arn:aws:sts::123456789012:assumed-role/reader/session"}`, getObject, objects))},
		{"canonical", doc(allow(`"Principal":{"CanonicalUser":"`+strings.Repeat("aB3", 21)+`f"}`, getObject, objects))},
		{"service", doc(allow(`"Principal":{"Service":"logging.s3.amazonaws.com"}`, getObject, objects))},
		{"federated", doc(allow(`"Principal":{"Federated":"graph.facebook.com"}`, getObject, objects))},
		{"mixed types", doc(allow(`"Principal":{"AWS":["123456789012","*"],"CanonicalUser":"`+strings.Repeat("0", 64)+`"}`, getObject, objects))},
		{"notprincipal", doc(stmt(`"Effect":"Deny"`, `"NotPrincipal":{"AWS":"123456789012"}`, getObject, objects))},
		{"action any case", doc(allow(principalAll, `"Action":["S3:getobject","s3:PUTOBJECT"]`, objects))},
		{"action star", doc(allow(principalAll, `"Action":"*"`, objects))},
		{"action service star", doc(allow(principalAll, `"Action":"s3:*"`, `"Resource":"arn:aws:s3:::examplebucket"`))},
		{"action wildcards", doc(allow(principalAll, `"Action":["s3:Get*","s3:*Object","s3:?etObjec?"]`, objects))},
		{"notaction", doc(allow(principalAll, `"NotAction":"s3:DeleteObject"`, objects))},
		{"notresource", doc(allow(principalAll, getObject, `"NotResource":"arn:aws:s3:::examplebucket/private/*"`))},
		{"bucket and objects", doc(allow(principalAll, `"Action":["s3:ListBucket","s3:GetObject"]`, `"Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/*"]`))},
		{"account action", doc(allow(principalAll, `"Action":"s3:ListAllMyBuckets"`, objects))},
		{"condition scalars", doc(allow(principalAll, `"Action":"s3:ListBucket"`, `"Resource":"arn:aws:s3:::examplebucket"`, `"Condition":{"NumericLessThanEquals":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true},"StringEquals":{"s3:prefix":["",1.5,false]}}`))},
		{"condition keys any case", doc(allow(principalAll, getObject, objects, `"Condition":{"ipaddress":{"AWS:SOURCEIP":["192.0.2.0/24","2001:DB8::/32","203.0.113.9"]}}`))},
		{"all operators", doc(allow(principalAll, getObject, objects, `"Condition":{
			"StringEquals":{"aws:username":"a"},"StringNotEquals":{"aws:username":"a"},
			"StringEqualsIgnoreCase":{"aws:username":"a"},"StringNotEqualsIgnoreCase":{"aws:username":"a"},
			"StringLike":{"aws:username":"a*"},"StringNotLike":{"aws:username":"a?"},
			"NumericEquals":{"s3:max-keys":"1"},"NumericNotEquals":{"s3:max-keys":"-1.5e3"},
			"NumericLessThan":{"s3:max-keys":"1"},"NumericLessThanEquals":{"s3:max-keys":"1"},
			"NumericGreaterThan":{"s3:max-keys":"1"},"NumericGreaterThanEquals":{"s3:max-keys":"1"},
			"DateEquals":{"aws:CurrentTime":"2024-01-01"},"DateNotEquals":{"aws:CurrentTime":"2024-01-01T10:00Z"},
			"DateLessThan":{"aws:CurrentTime":"2024-01-01T10:00:00.5+02:00"},"DateLessThanEquals":{"aws:EpochTime":1700000000},
			"DateGreaterThan":{"aws:CurrentTime":"2024"},"DateGreaterThanEquals":{"aws:CurrentTime":"2024-01"},
			"Bool":{"aws:SecureTransport":"false"},"BinaryEquals":{"s3:prefix":"QmluYXJ5"},
			"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"NotIpAddress":{"aws:SourceIp":"::1"},
			"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::x"},"ArnLike":{"aws:SourceArn":"arn:aws:s3:::*"},
			"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:root"},"ArnNotLike":{"aws:PrincipalArn":"arn:*"},
			"Null":{"s3:x-amz-acl":true},
			"StringEqualsIfExists":{"s3:x-amz-acl":"private"},
			"ForAnyValue:StringLike":{"s3:RequestObjectTagKeys":"a*"},
			"ForAllValues:StringEqualsIfExists":{"s3:RequestObjectTagKeys":["a","b"]},
			"StringEquals":{"s3:ExistingObjectTag/Team":"x"}
		}`))}, // a repeated operator merges

		{"empty condition", doc(allow(principalAll, getObject, objects, `"Condition":{}`))},
		{"pretty printed beyond 20 KB", doc(allow(principalAll, `"Action":[`+strings.Repeat(`"s3:GetObject",`+strings.Repeat(" ", 40), 600)+`"s3:GetObject"]`, objects))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, tc.doc)
			if p.Size() > MaxSize {
				t.Fatalf("Size %d", p.Size())
			}
		})
	}
}

func TestParseAccessors(t *testing.T) {
	p := mustParse(t, `{"Id":"abc","Statement":{"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::123456789012:user/bob","*"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*"}}`)
	if p.Version() != Version2008 || p.ID() != "abc" {
		t.Fatalf("Version %q ID %q", p.Version(), p.ID())
	}
	got := strings.Join(p.Principals(), " ")
	if got != "123456789012 arn:aws:iam::123456789012:user/bob" {
		t.Fatalf("Principals %q", got)
	}
	if !IsKnownAction("S3:GETOBJECT") || IsKnownAction("s3:GetObjects") || IsKnownAction("GetObject") {
		t.Fatal("IsKnownAction")
	}
	for _, a := range Actions() {
		if !IsKnownAction(a) {
			t.Fatalf("%s not known", a)
		}
	}
	if ResourceARN("b", "") != "arn:aws:s3:::b" || ResourceARN("b", "k/x") != "arn:aws:s3:::b/k/x" {
		t.Fatal("ResourceARN")
	}
}

func TestActionTableUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range s3Actions {
		l := strings.ToLower(a.name)
		if seen[l] {
			t.Fatalf("duplicate action %s", a.name)
		}
		seen[l] = true
	}
	for _, name := range []string{"GetObject", "PutObject", "DeleteObject", "ListBucket", "GetBucketLocation",
		"ListBucketMultipartUploads", "AbortMultipartUpload", "ListMultipartUploadParts", "GetObjectTagging",
		"PutObjectTagging", "DeleteObjectTagging", "GetBucketTagging", "PutBucketTagging", "GetObjectAcl",
		"PutObjectAcl", "GetBucketAcl", "PutBucketAcl", "GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy",
		"GetBucketPolicyStatus", "GetBucketVersioning", "PutBucketVersioning", "GetObjectVersion",
		"DeleteObjectVersion", "GetObjectVersionTagging", "GetBucketNotification", "PutBucketNotification",
		"GetReplicationConfiguration", "PutReplicationConfiguration", "GetBucketObjectLockConfiguration",
		"PutBucketObjectLockConfiguration", "GetObjectRetention", "PutObjectRetention", "GetObjectLegalHold",
		"PutObjectLegalHold", "BypassGovernanceRetention", "GetBucketPublicAccessBlock", "PutBucketPublicAccessBlock",
		"GetBucketOwnershipControls", "PutBucketOwnershipControls", "ListAllMyBuckets", "CreateBucket",
		"DeleteBucket", "GetObjectAttributes", "ListBucketVersions", "GetBucketCORS", "PutBucketCORS",
		"GetLifecycleConfiguration", "PutLifecycleConfiguration", "GetEncryptionConfiguration", "RestoreObject"} {
		if !seen[strings.ToLower(name)] {
			t.Errorf("action %s missing", name)
		}
	}
}

func TestConditionKeyTableLowerCase(t *testing.T) {
	for _, k := range conditionKeys {
		if k != strings.ToLower(k) {
			t.Errorf("key %q not lower case", k)
		}
	}
	for _, k := range restrictingKeys {
		if !isConditionKey(k) {
			t.Errorf("restricting key %q unknown", k)
		}
	}
}

func TestSizeLimitBoundary(t *testing.T) {
	policy := func(sid string) string {
		return `{"Statement":{"Sid":"` + sid + `","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*"}}`
	}
	base := len(policy(""))
	exact := policy(strings.Repeat("x", MaxSize-base))
	p := mustParse(t, exact)
	if p.Size() != MaxSize {
		t.Fatalf("Size %d, want %d", p.Size(), MaxSize)
	}
	// Whitespace does not count.
	mustParse(t, strings.Replace(exact, `,"Effect"`, ",\n\n        \"Effect\"", 1))
	_, err := Parse([]byte(policy(strings.Repeat("x", MaxSize-base+1))), bucket)
	if !errors.Is(err, ErrPolicyTooLarge) {
		t.Fatalf("one byte over: %v", err)
	}
}

// Inputs built to make a careless parser quadratic are refused or parsed
// quickly: the compact size is bounded before any other work, and
// duplicate detection is linear.
func TestParsePathological(t *testing.T) {
	var keys, stmts, actions []string
	for i := 0; i < 30000; i++ {
		keys = append(keys, fmt.Sprintf(`"s3:ExistingObjectTag/t%d":"x"`, i))
	}
	for i := 0; i < 700; i++ {
		stmts = append(stmts, allow(principalAll, `"Action":["s3:*O?ject*","s3:G*","s3:*"]`, objects))
	}
	for i := 0; i < 3000; i++ {
		actions = append(actions, fmt.Sprintf(`"s3:%s*"`, strings.Repeat("?", i%40)))
	}
	docs := map[string]string{
		"many condition keys": doc(allow(principalAll, getObject, objects, `"Condition":{"StringEquals":{`+strings.Join(keys, ",")+`}}`)),
		"many statements":     doc(stmts...),
		"many wildcards":      doc(allow(principalAll, `"Action":[`+strings.Join(actions, ",")+`]`, objects)),
		"deep nesting":        `{"Id":` + strings.Repeat("[", 9000) + strings.Repeat("]", 9000) + `,"Statement":[]}`,
	}
	for name, d := range docs {
		start := time.Now()
		_, err := Parse([]byte(d), bucket)
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("%s: %v (%d bytes, err %v)", name, took, len(d), err)
		}
	}
}
