package policy

import "testing"

// Cases from "The meaning of public" (S3 user guide, Blocking public
// access), with the guide's "Resource": "*" replaced by the bucket: a bucket
// policy must name its own bucket.
func TestIsPublic(t *testing.T) {
	put := `"Action":"s3:PutObject"`
	star := func(cond string) string {
		parts := []string{principalAll, put, objects}
		if cond != "" {
			parts = append(parts, `"Condition":`+cond)
		}
		return allow(parts...)
	}
	tests := []struct {
		name   string
		stmts  []string
		public bool
	}{
		// The guide's examples.
		{"federated", []string{allow(`"Principal":{"Federated":"graph.facebook.com"}`, put, objects)}, true},
		{"everyone", []string{star("")}, true},
		{"vpc wildcard", []string{star(`{"StringLike":{"aws:SourceVpc":"vpc-*"}}`)}, true},
		{"fixed vpc", []string{star(`{"StringEquals":{"aws:SourceVpc":"vpc-91237329"}}`)}, false},
		{"public statement beside fixed ones", []string{
			allow(`"Principal":{"Service":"cloudtrail.amazonaws.com"}`, put, objects),
			allow(`"Principal":{"AWS":"210987654321"}`, put, objects),
			star(""),
		}, true},
		{"fixed principals only", []string{
			allow(`"Principal":{"Service":"cloudtrail.amazonaws.com"}`, put, objects),
			allow(`"Principal":{"AWS":["210987654321","arn:aws:iam::123456789012:user/bob"]}`, put, objects),
			allow(`"Principal":{"CanonicalUser":"`+root.CanonicalID+`"}`, put, objects),
		}, false},

		// Principals.
		{"aws star", []string{allow(`"Principal":{"AWS":"*"}`, put, objects)}, true},
		{"star in a list", []string{allow(`"Principal":{"AWS":["123456789012","*"]}`, put, objects)}, true},
		{"deny everyone", []string{stmt(`"Effect":"Deny"`, principalAll, put, objects)}, false},
		{"allow with notprincipal", []string{allow(`"NotPrincipal":{"AWS":"123456789012"}`, put, objects)}, true},

		// Source IP.
		{"narrow cidr", []string{star(`{"IpAddress":{"aws:SourceIp":["54.240.143.0/24","10.0.0.0/8"]}}`)}, false},
		{"broad cidr", []string{star(`{"IpAddress":{"aws:SourceIp":"0.0.0.0/1"}}`)}, true},
		{"one broad cidr among narrow", []string{star(`{"IpAddress":{"aws:SourceIp":["54.240.143.0/24","0.0.0.0/7"]}}`)}, true},
		{"narrow ipv6", []string{star(`{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`)}, false},
		{"broad ipv6", []string{star(`{"IpAddress":{"aws:SourceIp":"2001:db8::/31"}}`)}, true},
		{"notipaddress", []string{star(`{"NotIpAddress":{"aws:SourceIp":"54.240.143.0/24"}}`)}, true},
		{"ipaddress ifexists", []string{star(`{"IpAddressIfExists":{"aws:SourceIp":"54.240.143.0/24"}}`)}, true},
		{"narrow cidr and a broad exception", []string{star(`{"IpAddress":{"aws:SourceIp":"54.240.143.0/24"},"NotIpAddress":{"aws:SourceIp":"54.240.143.188/32"}}`)}, false},

		// Other keys.
		{"source account", []string{star(`{"StringEquals":{"aws:SourceAccount":"123456789012"}}`)}, false},
		{"source arn", []string{star(`{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::logs"}}`)}, false},
		{"source arn wildcard", []string{star(`{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::*"}}`)}, true},
		{"org id", []string{star(`{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}`)}, false},
		{"vpce", []string{star(`{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}`)}, false},
		{"source owner", []string{star(`{"StringEquals":{"aws:SourceOwner":"123456789012"}}`)}, false},
		{"kms key", []string{star(`{"StringEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:us-east-1:123456789012:key/k"}}`)}, false},
		{"userid fixed", []string{star(`{"StringEquals":{"aws:userid":"AIDAEXAMPLE"}}`)}, false},
		{"userid of any role session", []string{star(`{"StringLike":{"aws:userid":"AROAEXAMPLE:*"}}`)}, true},
		{"access point of a fixed account", []string{star(`{"ArnLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-west-2:123456789012:accesspoint/*"}}`)}, false},
		{"access point of any account", []string{star(`{"ArnLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-west-2:*:accesspoint/*"}}`)}, true},
		{"access point account", []string{star(`{"StringEquals":{"s3:DataAccessPointAccount":"123456789012"}}`)}, false},
		{"policy variable", []string{star(`{"StringEquals":{"aws:SourceVpc":"${aws:username}"}}`)}, true},
		{"negated", []string{star(`{"StringNotEquals":{"aws:SourceVpc":"vpc-91237329"}}`)}, true},
		{"ifexists", []string{star(`{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-91237329"}}`)}, true},
		{"forallvalues", []string{star(`{"ForAllValues:StringEquals":{"aws:SourceVpc":"vpc-91237329"}}`)}, true},
		{"foranyvalue", []string{star(`{"ForAnyValue:StringEquals":{"aws:SourceVpc":"vpc-91237329"}}`)}, false},
		{"null", []string{star(`{"Null":{"aws:SourceVpc":"false"}}`)}, true},
		{"secure transport is not a restriction", []string{star(`{"Bool":{"aws:SecureTransport":"true"}}`)}, true},
		{"referer is not a restriction", []string{star(`{"StringEquals":{"aws:Referer":"https://example.com/"}}`)}, true},
		{"restricting key beside another", []string{star(`{"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"aws:SourceVpc":"vpc-1"}}`)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, doc(tc.stmts...))
			if got := p.IsPublic(); got != tc.public {
				t.Fatalf("IsPublic %v, want %v", got, tc.public)
			}
		})
	}
}
