package policy

import (
	"strings"
	"testing"
)

// Policies from the S3 user guide ("Bucket policy examples", "Amazon S3
// condition key examples"), with DOC-EXAMPLE-BUCKET renamed examplebucket,
// each with the requests that show what it means.

type exampleCase struct {
	name string
	req  Request
	want Decision
}

func runExample(t *testing.T, policy string, cases []exampleCase) {
	t.Helper()
	p := mustParse(t, policy)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.Evaluate(tc.req); got != tc.want {
				t.Fatalf("%v, want %v (%+v)", got, tc.want, p.Explain(tc.req))
			}
		})
	}
}

func req(action, key string, who Principal, c ctx) Request {
	return Request{Action: action, Resource: ResourceARN(bucket, key), Principal: who, Context: c}
}

func TestExamplePublicReadPrefix(t *testing.T) {
	runExample(t, `{
	  "Version":"2012-10-17",
	  "Statement":[{
	    "Sid":"PublicRead",
	    "Effect":"Allow",
	    "Principal":"*",
	    "Action":["s3:GetObject","s3:GetObjectVersion"],
	    "Resource":["arn:aws:s3:::examplebucket/public/*"]
	  }]
	}`, []exampleCase{
		{"anonymous read under the prefix", req("s3:GetObject", "public/index.html", anonymous, nil), Allow},
		{"anonymous version read", req("s3:GetObjectVersion", "public/a", anonymous, nil), Allow},
		{"outside the prefix", req("s3:GetObject", "private/a", anonymous, nil), NotApplicable},
		{"write", req("s3:PutObject", "public/a", anonymous, nil), NotApplicable},
		{"list", req("s3:ListBucket", "", anonymous, nil), NotApplicable},
	})
}

func TestExampleDenyInsecureTransport(t *testing.T) {
	runExample(t, `{
	  "Version":"2012-10-17",
	  "Statement":[
	    {"Sid":"AllowAccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},
	     "Action":"s3:*","Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/*"]},
	    {"Sid":"RestrictToTLSRequestsOnly","Effect":"Deny","Principal":"*","Action":"s3:*",
	     "Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/*"],
	     "Condition":{"Bool":{"aws:SecureTransport":"false"}}}
	  ]
	}`, []exampleCase{
		{"https", req("s3:GetObject", "a", root, ctx{"aws:SecureTransport": {"true"}}), Allow},
		{"http", req("s3:GetObject", "a", root, ctx{"aws:SecureTransport": {"false"}}), Deny},
		{"http bucket operation", req("s3:ListBucket", "", bob, ctx{"aws:SecureTransport": {"false"}}), Deny},
		{"http anonymous", req("s3:GetObject", "a", anonymous, ctx{"aws:SecureTransport": {"false"}}), Deny},
		{"https other account", req("s3:GetObject", "a", mallory, ctx{"aws:SecureTransport": {"true"}}), NotApplicable},
	})
}

func TestExampleIPAllowList(t *testing.T) {
	// "Limiting access to specific IP addresses", then "Allowing IPv4 and
	// IPv6 addresses": the guide says 54.240.143.1 and
	// 2001:DB8:1234:5678::1 get in, 54.240.143.129 and
	// 2001:DB8:1234:5678:ABCD::1 do not.
	runExample(t, `{
	  "Id":"PolicyId2",
	  "Version":"2012-10-17",
	  "Statement":[{
	    "Sid":"AllowIPmix","Effect":"Allow","Principal":"*","Action":"s3:*",
	    "Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/*"],
	    "Condition":{
	      "IpAddress":{"aws:SourceIp":["54.240.143.0/24","2001:DB8:1234:5678::/64"]},
	      "NotIpAddress":{"aws:SourceIp":["54.240.143.128/30","2001:DB8:1234:5678:ABCD::/80"]}
	    }
	  }]
	}`, []exampleCase{
		{"allowed v4", req("s3:GetObject", "a", anonymous, ctx{"aws:SourceIp": {"54.240.143.1"}}), Allow},
		{"allowed v6", req("s3:GetObject", "a", anonymous, ctx{"aws:SourceIp": {"2001:DB8:1234:5678::1"}}), Allow},
		{"excluded v4", req("s3:GetObject", "a", anonymous, ctx{"aws:SourceIp": {"54.240.143.129"}}), NotApplicable},
		{"excluded v6", req("s3:GetObject", "a", anonymous, ctx{"aws:SourceIp": {"2001:DB8:1234:5678:ABCD::1"}}), NotApplicable},
		{"elsewhere", req("s3:GetObject", "a", anonymous, ctx{"aws:SourceIp": {"198.51.100.7"}}), NotApplicable},
		{"no source ip", req("s3:GetObject", "a", anonymous, nil), NotApplicable},
	})
	runExample(t, `{
	  "Version":"2012-10-17","Id":"S3PolicyId1",
	  "Statement":[{"Sid":"IPAllow","Effect":"Deny","Principal":"*","Action":"s3:*",
	    "Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/*"],
	    "Condition":{"NotIpAddress":{"aws:SourceIp":"54.240.143.0/24"}}}]
	}`, []exampleCase{
		{"inside the range", req("s3:PutObject", "a", bob, ctx{"aws:SourceIp": {"54.240.143.9"}}), NotApplicable},
		{"outside the range", req("s3:PutObject", "a", bob, ctx{"aws:SourceIp": {"54.240.144.9"}}), Deny},
	})
}

func TestExampleRestrictToUser(t *testing.T) {
	runExample(t, `{
	  "Version":"2012-10-17",
	  "Statement":[{
	    "Sid":"statement1","Effect":"Allow",
	    "Principal":{"AWS":"arn:aws:iam::123456789012:user/Dave"},
	    "Action":["s3:PutObject","s3:PutObjectAcl"],
	    "Resource":"arn:aws:s3:::examplebucket/*"
	  }]
	}`, []exampleCase{
		{"Dave puts", req("s3:PutObject", "a", Principal{Account: "123456789012", UserARN: "arn:aws:iam::123456789012:user/Dave", UserName: "Dave"}, nil), Allow},
		{"Dave reads", req("s3:GetObject", "a", Principal{Account: "123456789012", UserARN: "arn:aws:iam::123456789012:user/Dave", UserName: "Dave"}, nil), NotApplicable},
		{"dave, other case", req("s3:PutObject", "a", Principal{Account: "123456789012", UserARN: "arn:aws:iam::123456789012:user/dave"}, nil), NotApplicable},
		{"bob puts", req("s3:PutObject", "a", bob, nil), NotApplicable},
		{"anonymous puts", req("s3:PutObject", "a", anonymous, nil), NotApplicable},
	})
}

func TestExampleBucketOwnerFullControl(t *testing.T) {
	// "Granting cross-account permissions to upload objects while ensuring
	// the bucket owner has full control", account 210987654321 uploading.
	runExample(t, `{
	  "Version":"2012-10-17",
	  "Statement":[{
	    "Sid":"PolicyForAllowUploadWithACL","Effect":"Allow",
	    "Principal":{"AWS":"210987654321"},
	    "Action":"s3:PutObject","Resource":"arn:aws:s3:::examplebucket/*",
	    "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}
	  }]
	}`, []exampleCase{
		{"with the acl", req("s3:PutObject", "a", otherRoot, ctx{"s3:x-amz-acl": {"bucket-owner-full-control"}}), Allow},
		{"user of the account", req("s3:PutObject", "a", mallory, ctx{"s3:x-amz-acl": {"bucket-owner-full-control"}}), Allow},
		{"other acl", req("s3:PutObject", "a", otherRoot, ctx{"s3:x-amz-acl": {"public-read"}}), NotApplicable},
		{"no acl", req("s3:PutObject", "a", otherRoot, nil), NotApplicable},
	})
	p := mustParse(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"s3:PutObject",
	  "Resource":"arn:aws:s3:::examplebucket/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}}`)
	if r := p.Explain(req("s3:PutObject", "a", mallory, ctx{"s3:x-amz-acl": {"bucket-owner-full-control"}})); !r.Delegated {
		t.Fatalf("a grant to the account is delegated for its users: %+v", r)
	}
}

func TestExamplePrefixListing(t *testing.T) {
	// The user guide's walkthrough: list the root and home/, and only your
	// own home folder below it; read and write only there.
	runExample(t, `{
	  "Version":"2012-10-17",
	  "Statement":[
	    {"Sid":"AllowRootAndHomeListing","Effect":"Allow","Principal":{"AWS":"123456789012"},
	     "Action":"s3:ListBucket","Resource":"arn:aws:s3:::examplebucket",
	     "Condition":{"StringEquals":{"s3:prefix":["","home/","home/${aws:username}/"],"s3:delimiter":["/"]}}},
	    {"Sid":"AllowListingOfUserFolder","Effect":"Allow","Principal":{"AWS":"123456789012"},
	     "Action":"s3:ListBucket","Resource":"arn:aws:s3:::examplebucket",
	     "Condition":{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}},
	    {"Sid":"AllowAllS3ActionsInUserFolder","Effect":"Allow","Principal":{"AWS":"123456789012"},
	     "Action":["s3:*Object"],"Resource":"arn:aws:s3:::examplebucket/home/${aws:username}/*"},
	    {"Sid":"DenyListBeyondMaxKeys","Effect":"Deny","Principal":"*","Action":"s3:ListBucket",
	     "Resource":"arn:aws:s3:::examplebucket","Condition":{"NumericGreaterThan":{"s3:max-keys":"100"}}}
	  ]
	}`, []exampleCase{
		{"list root", req("s3:ListBucket", "", bob, ctx{"s3:prefix": {""}, "s3:delimiter": {"/"}}), Allow},
		{"list home", req("s3:ListBucket", "", bob, ctx{"s3:prefix": {"home/"}, "s3:delimiter": {"/"}}), Allow},
		{"list own home", req("s3:ListBucket", "", bob, ctx{"s3:prefix": {"home/bob/"}, "s3:delimiter": {"/"}}), Allow},
		{"list own subfolder", req("s3:ListBucket", "", bob, ctx{"s3:prefix": {"home/bob/docs/"}}), Allow},
		{"list another home", req("s3:ListBucket", "", bob, ctx{"s3:prefix": {"home/alice/"}, "s3:delimiter": {"/"}}), NotApplicable},
		{"list root without delimiter", req("s3:ListBucket", "", bob, ctx{"s3:prefix": {""}}), NotApplicable},
		{"list too many", req("s3:ListBucket", "", bob, ctx{"s3:prefix": {"home/bob/"}, "s3:max-keys": {"1000"}}), Deny},
		{"read own file", req("s3:GetObject", "home/bob/a.txt", bob, nil), Allow},
		{"delete own file", req("s3:DeleteObject", "home/bob/a.txt", bob, nil), Allow},
		{"read other's file", req("s3:GetObject", "home/alice/a.txt", bob, nil), NotApplicable},
		{"tagging is not *Object", req("s3:GetObjectTagging", "home/bob/a.txt", bob, nil), NotApplicable},
	})
}

func TestExampleRequireEncryption(t *testing.T) {
	runExample(t, `{
	  "Version":"2012-10-17","Id":"PutObjectPolicy",
	  "Statement":[
	    {"Sid":"AllowPut","Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::examplebucket/*"},
	    {"Sid":"DenyIncorrectEncryptionHeader","Effect":"Deny","Principal":"*","Action":"s3:PutObject",
	     "Resource":"arn:aws:s3:::examplebucket/*",
	     "Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}},
	    {"Sid":"DenyUnEncryptedObjectUploads","Effect":"Deny","Principal":"*","Action":"s3:PutObject",
	     "Resource":"arn:aws:s3:::examplebucket/*",
	     "Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}
	  ]
	}`, []exampleCase{
		{"encrypted", req("s3:PutObject", "a", anonymous, ctx{"s3:x-amz-server-side-encryption": {"AES256"}}), Allow},
		{"kms", req("s3:PutObject", "a", anonymous, ctx{"s3:x-amz-server-side-encryption": {"aws:kms"}}), Deny},
		{"no header", req("s3:PutObject", "a", anonymous, nil), Deny},
	})
}

func TestExampleRefererAndMFA(t *testing.T) {
	runExample(t, `{
	  "Version":"2012-10-17","Id":"http referer policy example",
	  "Statement":[
	    {"Sid":"Allow get requests originating from www.example.com and example.com.","Effect":"Allow",
	     "Principal":"*","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::examplebucket/*",
	     "Condition":{"StringLike":{"aws:Referer":["http://www.example.com/*","http://example.com/*"]}}},
	    {"Sid":"","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::examplebucket/taxdocuments/*",
	     "Condition":{"Null":{"aws:MultiFactorAuthAge":true}}},
	    {"Sid":"","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::examplebucket/taxdocuments/*",
	     "Condition":{"NumericGreaterThan":{"aws:MultiFactorAuthAge":3600}}}
	  ]
	}`, []exampleCase{
		{"from the site", req("s3:GetObject", "img/a.png", anonymous, ctx{"aws:Referer": {"http://www.example.com/page"}}), Allow},
		{"from elsewhere", req("s3:GetObject", "img/a.png", anonymous, ctx{"aws:Referer": {"http://evil.example/"}}), NotApplicable},
		{"tax docs without mfa", req("s3:GetObject", "taxdocuments/2023.pdf", anonymous, ctx{"aws:Referer": {"http://example.com/x"}}), Deny},
		{"tax docs with fresh mfa", req("s3:GetObject", "taxdocuments/2023.pdf", bob, ctx{"aws:Referer": {"http://example.com/x"}, "aws:MultiFactorAuthAge": {"60"}}), Allow},
		{"tax docs with old mfa", req("s3:GetObject", "taxdocuments/2023.pdf", bob, ctx{"aws:MultiFactorAuthAge": {"7200"}}), Deny},
	})
}

func TestExampleServicePrincipals(t *testing.T) {
	// The Storage Lens example repeats "StringEquals" in one Condition
	// block; its keys are merged. Service and CloudFront principals parse
	// and never match.
	for _, d := range []string{`{
	  "Version":"2012-10-17",
	  "Statement":[{
	    "Sid":"S3StorageLensExamplePolicy","Effect":"Allow",
	    "Principal":{"Service":["storage-lens.s3.amazonaws.com"]},
	    "Action":"s3:PutObject",
	    "Resource":"arn:aws:s3:::examplebucket/destination-prefix/StorageLens/111122223333/*",
	    "Condition":{
	      "StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"},
	      "StringEquals":{"aws:SourceAccount":"111122223333"},
	      "StringEquals":{"aws:SourceArn":"arn:aws:s3:your-region:111122223333:storage-lens/your-dashboard-configuration-id"}
	    }
	  }]
	}`, `{
	  "Version":"2012-10-17","Id":"PolicyForCloudFrontPrivateContent",
	  "Statement":[{"Effect":"Allow",
	    "Principal":{"AWS":"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity EH1HDMB1FH2TC"},
	    "Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*"}]
	}`} {
		p := mustParse(t, d)
		for _, who := range []Principal{anonymous, root, bob} {
			if got := p.Evaluate(req("s3:PutObject", "destination-prefix/StorageLens/111122223333/x", who, nil)); got != NotApplicable {
				t.Fatalf("%v", got)
			}
		}
		if p.IsPublic() {
			t.Fatal("service principals are not public")
		}
	}
	p := mustParse(t, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::examplebucket/*",
	  "Condition":{"StringEquals":{"s3:x-amz-acl":"private"},"StringEquals":{"aws:SourceAccount":"111122223333"}}}}`)
	full := ctx{"s3:x-amz-acl": {"private"}, "aws:SourceAccount": {"111122223333"}}
	if p.Evaluate(req("s3:PutObject", "a", anonymous, full)) != Allow {
		t.Fatal("merged conditions: both hold")
	}
	delete(full, "aws:SourceAccount")
	if p.Evaluate(req("s3:PutObject", "a", anonymous, full)) != NotApplicable {
		t.Fatal("merged conditions: one fails")
	}
	b, _ := p.MarshalJSON()
	if strings.Count(string(b), "StringEquals") != 1 {
		t.Fatalf("canonical form does not merge: %s", b)
	}
}
