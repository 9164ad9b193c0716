// Package policy is the AWS IAM policy language as S3 bucket policies use
// it: Parse validates a document as PutBucketPolicy does, Evaluate decides
// a request against it, IsPublic answers GetBucketPolicyStatus. The package
// is pure: no I/O, no clock (the caller passes the time), no package state.
//
// # Format
//
// A bucket policy is a JSON object of at most 20 KB (MaxSize, measured on
// the compact form):
//
//	{
//	  "Version":   "2012-10-17" | "2008-10-17",  optional; absent means 2008-10-17
//	  "Id":        string,                        optional
//	  "Statement": statement | [statement, ...]   required, not empty
//	}
//
//	statement = {
//	  "Sid":    string,                  optional; unique in the policy
//	  "Effect": "Allow" | "Deny",        required
//	  exactly one of "Principal" | "NotPrincipal",
//	  exactly one of "Action" | "NotAction",
//	  exactly one of "Resource" | "NotResource",
//	  "Condition": { operator: { key: value | [value, ...] } }   optional
//	}
//
// Element names are case-sensitive; an unknown one is refused ("Unknown
// field X"), and so is a repeated member name anywhere in the document.
//
//   - Principal: "*", or an object of "AWS" (the wildcard "*", a 12-digit
//     account, arn:aws:iam::ACCOUNT:root, arn:aws:iam::ACCOUNT:user/PATH/NAME),
//     "CanonicalUser" (64 hex digits), "Service" or "Federated", each a
//     string or an array. Roles, assumed roles, services and federated
//     principals are accepted but never match: cairn has none of them.
//   - Action: "*", or "s3:NAME" where NAME is an S3 action (any case) or a
//     pattern with '*' and '?' matching at least one (Actions lists them).
//   - Resource: "arn:aws:s3:::BUCKET" or "arn:aws:s3:::BUCKET/KEY-PATTERN",
//     BUCKET being the policy's own bucket written out; '*' and '?' are
//     wildcards in KEY-PATTERN. Each action named exactly must have a
//     resource of its type (bucket or object).
//   - Condition: operators StringEquals, StringNotEquals,
//     StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike,
//     StringNotLike, Numeric{Equals,NotEquals,LessThan,LessThanEquals,
//     GreaterThan,GreaterThanEquals}, Date{...the same six}, Bool,
//     BinaryEquals (base64), IpAddress, NotIpAddress (IPv4 and IPv6 CIDRs or
//     addresses), ArnEquals, ArnLike, ArnNotEquals, ArnNotLike and Null; any
//     but Null may take the IfExists suffix, any the ForAnyValue: or
//     ForAllValues: prefix. Operator names and keys are case-insensitive.
//     Keys are the AWS global keys and the s3 keys (see keys.go). Values
//     are strings, numbers or booleans; those of numeric, date, boolean,
//     binary and IP operators must parse as such. Dates are ISO 8601 (the
//     W3C profile) or epoch seconds.
//   - Policy variables (2012-10-17 only), in Resource and in the values of
//     string and ARN operators: ${key}, ${key, 'default'}, and ${*}, ${?},
//     ${$} for a literal '*', '?', '$'.
//
// # Evaluation
//
// A statement applies to a request when its principal, action and resource
// match and every condition holds (each value list is an OR, the keys and
// operators of a block an AND). NotPrincipal, NotAction and NotResource
// apply to everything they do not list; an IAM user escapes a NotPrincipal
// only when the user and its account are both listed. An applicable Deny
// wins over any Allow; with neither, the policy is NotApplicable and the
// caller falls back to its other grants (ACLs, the owner's rights).
//
// Glob matching is an iterative two-cursor algorithm: no regexp, no
// recursion, O(pattern·subject) at worst.
//
// Errors are *MalformedPolicyError values matching ErrMalformedPolicy; the
// Reason* constants list their messages.
package policy
