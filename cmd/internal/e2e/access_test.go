package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/admin"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

// adminCLI runs "cairn admin" against ts as root and decodes its JSON.
func adminCLI(t *testing.T, ts *testserver.TS, out any, args ...string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	full := append([]string{"--endpoint", ts.Endpoint, "--access-key", ts.Cfg.Root.AccessKey, "--secret-key", ts.Cfg.Root.SecretKey}, args...)
	if code := admin.Main(ctx, full, &stdout, &stderr); code != 0 {
		t.Fatalf("cairn admin %v: exit %d: %s", args, code, stderr.String())
	}
	if out != nil {
		if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
			t.Fatalf("cairn admin %v: %v: %s", args, err, stdout.String())
		}
	}
}

type user struct {
	Name, CanonicalID string
	c                 *s3.Client
	ak                string
}

func newUser(t *testing.T, ts *testserver.TS, name string) *user {
	t.Helper()
	var u struct{ Name, CanonicalID string }
	adminCLI(t, ts, &u, "user", "create", name)
	var k struct{ AccessKey, SecretKey string }
	adminCLI(t, ts, &k, "key", "create", name)
	if u.CanonicalID == "" || k.SecretKey == "" {
		t.Fatalf("user %+v key %+v", u, k)
	}
	c := ts.S3(t, func(o *s3.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider(k.AccessKey, k.SecretKey, "")
	})
	return &user{Name: name, CanonicalID: u.CanonicalID, c: c, ak: k.AccessKey}
}

func anonGet(t *testing.T, ts *testserver.TS, path string) int {
	t.Helper()
	resp, err := ts.HTTPClient(t).Get(ts.Endpoint + path)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestUsersOwnershipACLsAndPublicAccess(t *testing.T) {
	ts := testserver.Start(t)
	root := ts.S3(t)
	alice, bob := newUser(t, ts, "alice"), newUser(t, ts, "bob")

	mkBucket(t, alice.c, "alice-bucket")
	putBytes(t, alice.c, "alice-bucket", "secret.txt", []byte("for alice"))
	// Private by default: bob gets nothing, nor does anyone anonymous.
	_, err := bob.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("alice-bucket"), Key: aws.String("secret.txt")})
	wantCode(t, err, "AccessDenied")
	_, err = bob.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("alice-bucket"), Key: aws.String("x"), Body: stringsReader("x")})
	wantCode(t, err, "AccessDenied")
	_, err = bob.c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("alice-bucket")})
	wantCode(t, err, "AccessDenied")
	_, err = bob.c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alice-bucket")})
	wantCode(t, err, "BucketAlreadyExists")
	if code := anonGet(t, ts, "/alice-bucket/secret.txt"); code != 403 {
		t.Fatalf("anonymous GET of a private object: %d", code)
	}
	// Each user lists its own buckets; root lists all.
	mkBucket(t, bob.c, "bob-bucket")
	for _, tc := range []struct {
		c    *s3.Client
		want string
	}{{alice.c, "[alice-bucket]"}, {bob.c, "[bob-bucket]"}, {root, "[alice-bucket bob-bucket]"}} {
		out, err := tc.c.ListBuckets(ctx, &s3.ListBucketsInput{})
		var names []string
		for _, b := range out.Buckets {
			names = append(names, aws.ToString(b.Name))
		}
		if err != nil || "["+strings.Join(names, " ")+"]" != tc.want {
			t.Fatalf("ListBuckets %v (%v), want %s", names, err, tc.want)
		}
	}
	// Root may do anything.
	if got := getBytes(t, root, "alice-bucket", "secret.txt"); string(got) != "for alice" {
		t.Fatal("root cannot read alice's object")
	}

	// New buckets have ACLs disabled (BucketOwnerEnforced), as in S3.
	_, err = alice.c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("alice-bucket"), Key: aws.String("secret.txt"), ACL: types.ObjectCannedACLPublicRead})
	wantCode(t, err, "AccessControlListNotSupported")
	oc, err := alice.c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("alice-bucket")})
	if err != nil || oc.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerEnforced {
		t.Fatalf("ownership %+v %v", oc, err)
	}
	pab, err := alice.c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("alice-bucket")})
	if err != nil || !aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicAcls) {
		t.Fatalf("public access block %+v %v", pab, err)
	}

	// Turn ACLs on and let public ACLs through: then public-read works.
	if _, err := alice.c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("alice-bucket"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}}); err != nil {
		t.Fatal(err)
	}
	_, err = alice.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("alice-bucket"), Key: aws.String("public.txt"), Body: stringsReader("hello world"), ACL: types.ObjectCannedACLPublicRead})
	wantCode(t, err, "AccessDenied") // BlockPublicAcls still on
	if _, err := alice.c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("alice-bucket")}); err != nil {
		t.Fatal(err)
	}
	_, err = alice.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("alice-bucket"), Key: aws.String("public.txt"), Body: stringsReader("hello world"), ACL: types.ObjectCannedACLPublicRead})
	if err != nil {
		t.Fatal(err)
	}
	if code := anonGet(t, ts, "/alice-bucket/public.txt"); code != 200 {
		t.Fatalf("anonymous GET of a public-read object: %d", code)
	}
	if code := anonGet(t, ts, "/alice-bucket/secret.txt"); code != 403 {
		t.Fatalf("anonymous GET of a private object next to a public one: %d", code)
	}
	if code := anonGet(t, ts, "/alice-bucket/missing"); code != 403 {
		t.Fatalf("anonymous GET of a missing key without list permission: %d, want 403", code)
	}
	acl, err := alice.c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("alice-bucket"), Key: aws.String("public.txt")})
	if err != nil || len(acl.Grants) != 2 || aws.ToString(acl.Owner.ID) != alice.CanonicalID {
		t.Fatalf("object ACL %+v %v", acl, err)
	}
	// IgnorePublicAcls turns the public grant off without touching it.
	if _, err := alice.c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("alice-bucket"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{IgnorePublicAcls: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	if code := anonGet(t, ts, "/alice-bucket/public.txt"); code != 403 {
		t.Fatalf("anonymous GET with IgnorePublicAcls: %d", code)
	}

	// A grant to bob by canonical id lets bob read that object only.
	_, err = alice.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("alice-bucket"), Key: aws.String("for-bob.txt"), Body: stringsReader("hi bob"),
		GrantRead: aws.String(`id="` + bob.CanonicalID + `"`), GrantFullControl: aws.String(`id="` + alice.CanonicalID + `"`)})
	if err != nil {
		t.Fatal(err)
	}
	if got := getBytes(t, bob.c, "alice-bucket", "for-bob.txt"); string(got) != "hi bob" {
		t.Fatalf("bob reads %q", got)
	}
	_, err = bob.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("alice-bucket"), Key: aws.String("secret.txt")})
	wantCode(t, err, "AccessDenied")

	// Bucket ACL: READ for bob lets bob list.
	if _, err := alice.c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("alice-bucket"),
		GrantRead: aws.String(`id="` + bob.CanonicalID + `"`), GrantFullControl: aws.String(`id="` + alice.CanonicalID + `"`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("alice-bucket")}); err != nil {
		t.Fatalf("bob lists with a READ grant: %v", err)
	}
	bacl, err := bob.c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("alice-bucket")})
	wantCode(t, err, "AccessDenied") // READ does not include READ_ACP
	_ = bacl
}

func TestUserAndKeyLifecycle(t *testing.T) {
	ts := testserver.Start(t)
	carol := newUser(t, ts, "carol")
	mkBucket(t, carol.c, "carol-bucket")
	list := func(c *s3.Client) error { _, err := c.ListBuckets(ctx, &s3.ListBucketsInput{}); return err }
	adminCLI(t, ts, nil, "user", "disable", "carol")
	wantCode(t, list(carol.c), "InvalidAccessKeyId")
	adminCLI(t, ts, nil, "user", "enable", "carol")
	if err := list(carol.c); err != nil {
		t.Fatalf("re-enabled user: %v", err)
	}
	adminCLI(t, ts, nil, "key", "disable", carol.ak)
	wantCode(t, list(carol.c), "InvalidAccessKeyId")
	adminCLI(t, ts, nil, "key", "enable", carol.ak)
	if err := list(carol.c); err != nil {
		t.Fatalf("re-enabled key: %v", err)
	}
	// Listing users never shows a secret.
	var users struct{ Users []map[string]any }
	adminCLI(t, ts, &users, "user", "list")
	raw, _ := json.Marshal(users)
	if len(users.Users) != 1 || strings.Contains(string(raw), "secret") {
		t.Fatalf("user list %s", raw)
	}
	// Only root administers.
	var stderr bytes.Buffer
	code := admin.Main(ctx, []string{"--endpoint", ts.Endpoint, "--access-key", carol.ak, "--secret-key", "wrong", "user", "list"}, io.Discard, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "SignatureDoesNotMatch") {
		t.Fatalf("admin with a bad secret: exit %d %s", code, stderr.String())
	}
	r := newRaw(t, ts)
	resp, body := r.do(rawReq{method: "GET", path: "/_cairn/admin/v1/users", anonymous: true})
	wantError(t, resp, body, 403, "AccessDenied")
	adminCLI(t, ts, nil, "user", "delete", "carol")
	wantCode(t, list(carol.c), "InvalidAccessKeyId")
	// Anonymous requests cannot create buckets.
	req, _ := http.NewRequest("PUT", ts.Endpoint+"/anon-bucket", nil)
	resp, err := ts.HTTPClient(t).Do(req)
	if err != nil || resp.StatusCode != 403 {
		t.Fatalf("anonymous CreateBucket: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
}

func TestBucketPolicies(t *testing.T) {
	ts := testserver.Start(t)
	alice, bob := newUser(t, ts, "dora"), newUser(t, ts, "eve")
	mkBucket(t, alice.c, "pol-bucket")
	putBytes(t, alice.c, "pol-bucket", "shared/a.txt", []byte("shared"))
	putBytes(t, alice.c, "pol-bucket", "private/b.txt", []byte("private"))
	get := func(c *s3.Client, key string) error {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("pol-bucket"), Key: aws.String(key)})
		if err == nil {
			out.Body.Close()
		}
		return err
	}
	wantCode(t, get(bob.c, "shared/a.txt"), "AccessDenied")
	_, err := alice.c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("pol-bucket")})
	wantCode(t, err, "NoSuchBucketPolicy")

	allowBob := `{"Version":"2012-10-17","Statement":[
	  {"Sid":"BobReadsShared","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/eve"},
	   "Action":"s3:GetObject","Resource":"arn:aws:s3:::pol-bucket/shared/*"},
	  {"Sid":"NoPlainHTTPDeletes","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject",
	   "Resource":"arn:aws:s3:::pol-bucket/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	if _, err := alice.c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pol-bucket"), Policy: aws.String(allowBob)}); err != nil {
		t.Fatal(err)
	}
	if err := get(bob.c, "shared/a.txt"); err != nil {
		t.Fatalf("eve, allowed by the policy: %v", err)
	}
	wantCode(t, get(bob.c, "private/b.txt"), "AccessDenied")
	// The deny applies to the owner too (plain HTTP here).
	_, err = alice.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("pol-bucket"), Key: aws.String("shared/a.txt")})
	wantCode(t, err, "AccessDenied")
	got, err := alice.c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("pol-bucket")})
	if err != nil || aws.ToString(got.Policy) != allowBob {
		t.Fatalf("GetBucketPolicy %q %v", aws.ToString(got.Policy), err)
	}
	st, err := alice.c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("pol-bucket")})
	if err != nil || aws.ToBool(st.PolicyStatus.IsPublic) {
		t.Fatalf("policy status %+v %v", st, err)
	}
	// Only the owner manages the policy; malformed and unknown principals are refused.
	_, err = bob.c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pol-bucket"), Policy: aws.String(allowBob)})
	wantCode(t, err, "AccessDenied")
	for _, bad := range []string{`{"Statement":[]}`, `not json`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/nobody"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::pol-bucket/*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other-bucket/*"}]}`} {
		_, err = alice.c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pol-bucket"), Policy: aws.String(bad)})
		wantCode(t, err, "MalformedPolicy")
	}
	// A public policy is blocked by the default public access block...
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol-bucket/shared/*"}]}`
	_, err = alice.c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pol-bucket"), Policy: aws.String(public)})
	wantCode(t, err, "AccessDenied")
	// ...and works without it: anonymous reads of shared/ only.
	if _, err := alice.c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("pol-bucket")}); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pol-bucket"), Policy: aws.String(public)}); err != nil {
		t.Fatal(err)
	}
	if code := anonGet(t, ts, "/pol-bucket/shared/a.txt"); code != 200 {
		t.Fatalf("anonymous read under a public policy: %d", code)
	}
	if code := anonGet(t, ts, "/pol-bucket/private/b.txt"); code != 403 {
		t.Fatalf("anonymous read outside the public prefix: %d", code)
	}
	st, _ = alice.c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("pol-bucket")})
	if !aws.ToBool(st.PolicyStatus.IsPublic) {
		t.Fatal("public policy not reported public")
	}
	if _, err := alice.c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("pol-bucket")}); err != nil {
		t.Fatal(err)
	}
	if code := anonGet(t, ts, "/pol-bucket/shared/a.txt"); code != 403 {
		t.Fatalf("anonymous read after the policy is deleted: %d", code)
	}
}
