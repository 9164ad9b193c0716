package policy

import (
	"strings"
	"testing"
)

var (
	anonymous = Principal{Anonymous: true}
	root      = Principal{Account: "123456789012", IsRoot: true, CanonicalID: strings.Repeat("ab", 32)}
	alice     = Principal{Account: "123456789012", UserARN: "arn:aws:iam::123456789012:user/alice", UserName: "alice"}
	mallory   = Principal{Account: "210987654321", UserARN: "arn:aws:iam::210987654321:user/mallory", UserName: "mallory"}
	otherRoot = Principal{Account: "210987654321", IsRoot: true}
)

func TestPrincipals(t *testing.T) {
	type want struct {
		match, direct bool
	}
	tests := []struct {
		name      string
		principal string
		who       Principal
		want      want
	}{
		{"star matches anonymous", `"*"`, anonymous, want{true, true}},
		{"star matches a user", `"*"`, bob, want{true, true}},
		{"aws star matches anonymous", `{"AWS":"*"}`, anonymous, want{true, true}},
		{"account id matches root", `{"AWS":"123456789012"}`, root, want{true, true}},
		{"account id delegates to a user", `{"AWS":"123456789012"}`, bob, want{true, false}},
		{"root arn delegates to a user", `{"AWS":"arn:aws:iam::123456789012:root"}`, bob, want{true, false}},
		{"account does not match another account", `{"AWS":"123456789012"}`, mallory, want{false, false}},
		{"account does not match anonymous", `{"AWS":"123456789012"}`, anonymous, want{false, false}},
		{"user arn matches the user", `{"AWS":"arn:aws:iam::123456789012:user/bob"}`, bob, want{true, true}},
		{"user arn not another user", `{"AWS":"arn:aws:iam::123456789012:user/bob"}`, alice, want{false, false}},
		{"user arn not the root", `{"AWS":"arn:aws:iam::123456789012:user/bob"}`, root, want{false, false}},
		{"user in a list", `{"AWS":["arn:aws:iam::123456789012:user/alice","arn:aws:iam::123456789012:user/bob"]}`, bob, want{true, true}},
		{"canonical id matches the account", `{"CanonicalUser":"` + strings.Repeat("AB", 32) + `"}`, root, want{true, true}},
		{"role never matches", `{"AWS":"arn:aws:iam::123456789012:role/r"}`, bob, want{false, false}},
		{"service never matches", `{"Service":"cloudtrail.amazonaws.com"}`, bob, want{false, false}},
		{"federated never matches anonymous", `{"Federated":"graph.facebook.com"}`, anonymous, want{false, false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, doc(allow(`"Principal":`+tc.principal, getObject, objects)))
			res := p.Explain(getReq(tc.who, nil))
			got := want{res.Decision == Allow, res.Decision == Allow && !res.Delegated}
			if got != tc.want {
				t.Fatalf("got %+v (%+v), want %+v", got, res, tc.want)
			}
		})
	}
}

func TestNotPrincipal(t *testing.T) {
	// Deny everyone but the listed principals, as the IAM guide's example
	// does: a user escapes only with its account listed too.
	tests := []struct {
		name   string
		not    string
		who    Principal
		denied bool
	}{
		{"user and account listed", `{"AWS":["arn:aws:iam::123456789012:user/bob","arn:aws:iam::123456789012:root"]}`, bob, false},
		{"only the user listed", `{"AWS":"arn:aws:iam::123456789012:user/bob"}`, bob, true},
		{"only the account listed", `{"AWS":"123456789012"}`, bob, true},
		{"account listed, root escapes", `{"AWS":"123456789012"}`, root, false},
		{"others denied", `{"AWS":["arn:aws:iam::123456789012:user/bob","123456789012"]}`, alice, true},
		{"other account denied", `{"AWS":"123456789012"}`, otherRoot, true},
		{"anonymous denied", `{"AWS":"123456789012"}`, anonymous, true},
		{"star excludes everyone", `{"AWS":"*"}`, anonymous, false},
		{"canonical id stands for the account", `{"CanonicalUser":"` + strings.Repeat("ab", 32) + `"}`, root, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, doc(stmt(`"Effect":"Deny"`, `"NotPrincipal":`+tc.not, getObject, objects)))
			if got := p.Evaluate(getReq(tc.who, nil)) == Deny; got != tc.denied {
				t.Fatalf("denied %v, want %v", got, tc.denied)
			}
		})
	}
	// An Allow with NotPrincipal grants directly (never delegated).
	p := mustParse(t, doc(allow(`"NotPrincipal":{"AWS":"210987654321"}`, getObject, objects)))
	if r := p.Explain(getReq(bob, nil)); r.Decision != Allow || r.Delegated {
		t.Fatalf("%+v", r)
	}
	if r := p.Explain(getReq(mallory, nil)); r.Decision != Allow {
		t.Fatalf("mallory: user alone is not the whole of NotPrincipal's account: %+v", r)
	}
}

func TestNotActionNotResource(t *testing.T) {
	p := mustParse(t, doc(
		allow(principalAll, `"NotAction":["s3:DeleteObject","s3:PutObject*"]`, `"Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/*"]`),
		stmt(`"Effect":"Deny"`, principalAll, `"Action":"s3:GetObject"`, `"NotResource":"arn:aws:s3:::examplebucket/public/*"`),
	))
	tests := []struct {
		action, key string
		want        Decision
	}{
		{"s3:GetObject", "public/a", Allow},
		{"s3:GetObject", "private/a", Deny},
		{"s3:DeleteObject", "public/a", NotApplicable},
		{"s3:PutObjectTagging", "public/a", NotApplicable},
		{"s3:ListBucket", "", Allow},
		{"s3:GetObjectTagging", "private/a", Allow},
	}
	for _, tc := range tests {
		r := Request{Action: tc.action, Resource: ResourceARN(bucket, tc.key), Principal: anonymous}
		if got := p.Evaluate(r); got != tc.want {
			t.Errorf("%s %s: %v, want %v", tc.action, tc.key, got, tc.want)
		}
	}
}

func TestDenyPrecedence(t *testing.T) {
	allowS := allow(`"Sid":"allow"`, principalAll, `"Action":"s3:*"`, objects)
	denyS := stmt(`"Sid":"deny"`, `"Effect":"Deny"`, `"Principal":{"AWS":"arn:aws:iam::123456789012:user/bob"}`, `"Action":"s3:Delete*"`, objects)
	for _, order := range [][]string{{allowS, denyS}, {denyS, allowS}} {
		p := mustParse(t, doc(order...))
		del := Request{Action: "s3:DeleteObject", Resource: ResourceARN(bucket, "x"), Principal: bob}
		if r := p.Explain(del); r.Decision != Deny || r.Sid != "deny" {
			t.Fatalf("bob delete: %+v", r)
		}
		del.Principal = alice
		if r := p.Explain(del); r.Decision != Allow || r.Sid != "allow" {
			t.Fatalf("alice delete: %+v", r)
		}
		get := Request{Action: "s3:GetObject", Resource: ResourceARN(bucket, "x"), Principal: bob}
		if d := p.Evaluate(get); d != Allow {
			t.Fatalf("bob get: %v", d)
		}
	}
}

func TestExplain(t *testing.T) {
	p := mustParse(t, doc(
		allow(`"Sid":"acct"`, `"Principal":{"AWS":"123456789012"}`, getObject, objects),
		allow(`"Sid":"bob"`, `"Principal":{"AWS":"arn:aws:iam::123456789012:user/bob"}`, getObject, objects),
	))
	if r := p.Explain(getReq(bob, nil)); r != (Result{Decision: Allow, Statement: 1, Sid: "bob"}) {
		t.Fatalf("bob: %+v", r)
	}
	if r := p.Explain(getReq(alice, nil)); r != (Result{Decision: Allow, Statement: 0, Sid: "acct", Delegated: true}) {
		t.Fatalf("alice: %+v", r)
	}
	if r := p.Explain(getReq(root, nil)); r != (Result{Decision: Allow, Statement: 0, Sid: "acct"}) {
		t.Fatalf("root: %+v", r)
	}
	if r := p.Explain(getReq(mallory, nil)); r != (Result{Decision: NotApplicable, Statement: -1}) {
		t.Fatalf("mallory: %+v", r)
	}
	for d, s := range map[Decision]string{Allow: "Allow", Deny: "Deny", NotApplicable: "NotApplicable"} {
		if d.String() != s {
			t.Fatalf("%d.String() = %q", d, d.String())
		}
	}
}

func TestActionAndResourceMatching(t *testing.T) {
	p := mustParse(t, doc(allow(principalAll, `"Action":["s3:Get*","S3:LISTBUCKET"]`,
		`"Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/logs/20??/*"]`)))
	tests := []struct {
		action, key string
		want        Decision
	}{
		{"s3:GetObject", "logs/2024/a", Allow},
		{"S3:GETOBJECT", "logs/2024/a", Allow},
		{"s3:GetObject", "logs/1999/a", NotApplicable},
		{"s3:GetObject", "logs/2024", NotApplicable},
		{"s3:GetObject", "Logs/2024/a", NotApplicable},
		{"s3:ListBucket", "", Allow},
		{"s3:PutObject", "logs/2024/a", NotApplicable},
	}
	for _, tc := range tests {
		r := Request{Action: tc.action, Resource: ResourceARN(bucket, tc.key), Principal: anonymous}
		if got := p.Evaluate(r); got != tc.want {
			t.Errorf("%s %q: %v, want %v", tc.action, tc.key, got, tc.want)
		}
	}
	// Another bucket's resource never matches.
	r := Request{Action: "s3:ListBucket", Resource: ResourceARN("other", ""), Principal: anonymous}
	if got := p.Evaluate(r); got != NotApplicable {
		t.Fatalf("other bucket: %v", got)
	}
}

func TestEvaluateDoesNotModifyContext(t *testing.T) {
	p := condPolicy(t, Version2012, `{"StringEquals":{"s3:prefix":"a"}}`)
	c := ctx{"S3:Prefix": {"a"}}
	if p.Evaluate(getReq(bob, c)) != Allow {
		t.Fatal("not allowed")
	}
	if _, ok := c["s3:prefix"]; ok || len(c) != 1 {
		t.Fatalf("context modified: %v", c)
	}
}

func TestConcurrentEvaluate(t *testing.T) {
	p := mustParse(t, benchPolicy)
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			ok := true
			for i := 0; i < 200; i++ {
				r := req("s3:GetObject", "home/bob/x", bob, ctx{"aws:SecureTransport": {"true"}, "aws:SourceIp": {"192.0.2.1"}})
				ok = ok && p.Evaluate(r) == Allow && p.IsPublic()
			}
			done <- ok
		}()
	}
	for g := 0; g < 4; g++ {
		if !<-done {
			t.Fatal("unexpected decision")
		}
	}
}
