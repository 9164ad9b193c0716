package policy

import (
	"net/netip"
	"strings"
)

// IsPublic reports whether the policy is public in the sense of S3's
// GetBucketPolicyStatus and Block Public Access ("The meaning of public" in
// the S3 user guide): S3 assumes a policy is public unless every Allow
// statement grants access only to fixed values (no wildcard, no policy
// variable) of
//
//   - principals: an account, a user, a canonical user, a role, a service
//     (the wildcard "*" and {"AWS": "*"} are not fixed; a Federated
//     principal counts as public, as the guide's first example shows; an
//     Allow with NotPrincipal grants everyone else, so it is public too), or
//   - one of the condition keys aws:SourceIp (CIDRs no broader than /8 for
//     IPv4 and /32 for IPv6), aws:SourceArn, aws:SourceVpc, aws:SourceVpce,
//     aws:SourceOwner, aws:SourceAccount, aws:PrincipalOrgID,
//     aws:PrincipalAccount, aws:PrincipalArn, aws:userid (outside the
//     pattern "AROLEID:*"), s3:x-amz-server-side-encryption-aws-kms-key-id,
//     s3:DataAccessPointArn, s3:DataAccessPointAccount,
//
// the key tested with an operator that requires a match (StringEquals,
// StringEqualsIgnoreCase, StringLike, ArnEquals, ArnLike, IpAddress for
// aws:SourceIp), without IfExists or ForAllValues:, either of which lets a
// request without the key through. Deny statements never make a policy
// public.
func (p *Policy) IsPublic() bool {
	for i := range p.stmts {
		if st := &p.stmts[i]; !st.deny && st.publicPrincipal() && !st.restrictedByCondition() {
			return true
		}
	}
	return false
}

func (st *statement) publicPrincipal() bool {
	if st.notPrincipal {
		return true
	}
	for _, e := range st.principals.entries {
		if e.kind == pAll || e.federated {
			return true
		}
	}
	return false
}

// restrictingKeys are the condition keys whose fixed values make a grant to
// everyone non-public.
var restrictingKeys = [...]string{
	"aws:sourceip", "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner",
	"aws:sourceaccount", "aws:principalorgid", "aws:principalaccount", "aws:principalarn",
	"aws:userid", "s3:x-amz-server-side-encryption-aws-kms-key-id", "s3:dataaccesspointarn",
	"s3:dataaccesspointaccount",
}

func (st *statement) restrictedByCondition() bool {
	for i := range st.conds {
		if st.conds[i].restricts() {
			return true
		}
	}
	return false
}

// restricts reports whether the condition limits the statement to fixed
// values of a restricting key.
func (c *condition) restricts() bool {
	if c.neg || c.ifExists || c.qual == qualAll || len(c.values) == 0 {
		return false
	}
	known := false
	for _, k := range restrictingKeys {
		known = known || k == c.lkey
	}
	if !known {
		return false
	}
	if c.lkey == "aws:sourceip" {
		if c.base != opIP {
			return false
		}
		for i := range c.values {
			if broadPrefix(c.values[i].pfx) {
				return false
			}
		}
		return true
	}
	switch c.base {
	case opStrEq, opStrEqIC, opStrLike, opArn:
	default:
		return false
	}
	for i := range c.values {
		if !fixedValue(c.lkey, c.values[i].text) {
			return false
		}
	}
	return true
}

// fixedValue reports whether a condition value is fixed: no wildcard and
// no policy variable. An aws:userid of the form "AROLEID:*" (any session of
// a role) is not fixed; an s3:DataAccessPointArn may end in a wildcard
// access point name when its account is fixed.
func fixedValue(lkey, v string) bool {
	if strings.Contains(v, "${") {
		return false
	}
	if lkey == "s3:dataaccesspointarn" {
		head, name, ok := strings.Cut(v, ":accesspoint/")
		return ok && !hasWildcard(head) && name != "" && strings.Count(head, ":") == 4 &&
			isAccountID(head[strings.LastIndexByte(head, ':')+1:])
	}
	return !hasWildcard(v)
}

// broadPrefix reports whether a CIDR is broader than S3 allows for a
// non-public policy: shorter than /8 for IPv4, /32 for IPv6.
func broadPrefix(p netip.Prefix) bool {
	if p.Addr().Is4() {
		return p.Bits() < 8
	}
	return p.Bits() < 32
}
