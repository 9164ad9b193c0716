package policy

import (
	"strings"
)

// principalKind is what one Principal value names.
type principalKind uint8

const (
	pAll       principalKind = iota // "*", or {"AWS": "*"}: everyone, anonymous included
	pAccount                        // an account: "123456789012" or its root ARN
	pUser                           // an IAM user ARN
	pCanonical                      // an S3 canonical user ID (an account's)
	pOther                          // a role, service or federated principal: never matches here
)

type principalEntry struct {
	kind      principalKind
	value     string // account id, user ARN or lower-case canonical ID
	federated bool   // a Federated principal (public, per "The meaning of public")
}

// principalGroup is one "Type": value(s) member of a Principal object, kept
// for re-serialisation.
type principalGroup struct {
	typ  string
	vals strList
}

// principalSet is a statement's Principal or NotPrincipal.
type principalSet struct {
	star    bool // written as the string "*"
	groups  []principalGroup
	entries []principalEntry
}

// parsePrincipals reads Principal or NotPrincipal:
//
//	"*"
//	{"AWS": "*" | "<12-digit account>" | "arn:aws:iam::<account>:root" |
//	        "arn:aws:iam::<account>:user/<path/>name" | [ ... ]}
//	{"CanonicalUser": "<64 hex digits>" | [ ... ]}
//
// Roles (arn:aws:iam::<account>:role/...), assumed roles
// (arn:aws:sts::<account>:assumed-role/...), CloudFront origin access
// identities (arn:aws:iam::cloudfront:user/CloudFront Origin Access
// Identity <ID>), {"Service": ...} and {"Federated": ...} parse but never
// match: cairn has no such principals.
// Anything else is "Invalid principal in policy".
func parsePrincipals(v *jvalue) (principalSet, error) {
	bad := malformed(ReasonInvalidPrincipal)
	if v.kind == '"' {
		if v.str != "*" {
			return principalSet{}, bad
		}
		return principalSet{star: true, entries: []principalEntry{{kind: pAll}}}, nil
	}
	members, ok := v.object()
	if !ok || len(members) == 0 {
		return principalSet{}, bad
	}
	var set principalSet
	for i := range members {
		m := &members[i]
		vals, ok := m.val.strings()
		if !ok || len(vals.vals) == 0 {
			return principalSet{}, bad
		}
		for _, s := range vals.vals {
			e, ok := parsePrincipalValue(m.name, s)
			if !ok {
				return principalSet{}, bad
			}
			set.entries = append(set.entries, e)
		}
		set.groups = append(set.groups, principalGroup{typ: m.name, vals: vals})
	}
	return set, nil
}

func parsePrincipalValue(typ, v string) (principalEntry, bool) {
	switch typ {
	case "AWS":
		return parseAWSPrincipal(v)
	case "CanonicalUser":
		if len(v) != 64 || !isHex(v) {
			return principalEntry{}, false
		}
		return principalEntry{kind: pCanonical, value: strings.ToLower(v)}, true
	case "Service":
		return principalEntry{kind: pOther}, v != ""
	case "Federated":
		return principalEntry{kind: pOther, federated: true}, v != ""
	}
	return principalEntry{}, false
}

func parseAWSPrincipal(v string) (principalEntry, bool) {
	if v == "*" {
		return principalEntry{kind: pAll}, true
	}
	if isAccountID(v) {
		return principalEntry{kind: pAccount, value: v}, true
	}
	svc, rest, ok := strings.Cut(v, ":")
	if !ok || svc != "arn" {
		return principalEntry{}, false
	}
	switch {
	case strings.HasPrefix(rest, "aws:iam::"):
		rest = rest[len("aws:iam::"):]
	case strings.HasPrefix(rest, "aws:sts::"):
		acct, res, ok := strings.Cut(rest[len("aws:sts::"):], ":")
		if !ok || !isAccountID(acct) || !strings.HasPrefix(res, "assumed-role/") || !isIAMPath(res[len("assumed-role/"):]) {
			return principalEntry{}, false
		}
		return principalEntry{kind: pOther}, true
	default:
		return principalEntry{}, false
	}
	acct, res, ok := strings.Cut(rest, ":")
	if ok && acct == "cloudfront" && strings.HasPrefix(res, "user/CloudFront Origin Access Identity ") {
		return principalEntry{kind: pOther}, true // a CloudFront OAI
	}
	if !ok || !isAccountID(acct) {
		return principalEntry{}, false
	}
	switch {
	case res == "root":
		return principalEntry{kind: pAccount, value: acct}, true
	case strings.HasPrefix(res, "user/"):
		if !isIAMPath(res[len("user/"):]) {
			return principalEntry{}, false
		}
		return principalEntry{kind: pUser, value: v}, true
	case strings.HasPrefix(res, "role/"):
		if !isIAMPath(res[len("role/"):]) {
			return principalEntry{}, false
		}
		return principalEntry{kind: pOther}, true
	}
	return principalEntry{}, false
}

// isIAMPath checks "<path/>name": a name of IAM's characters
// ([A-Za-z0-9+=,.@_-], 1 to 64 long) after an optional path of printable
// ASCII segments. Wildcards are not characters of either.
func isIAMPath(s string) bool {
	i := strings.LastIndexByte(s, '/')
	path, name := s[:i+1], s[i+1:]
	if name == "" || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("+=,.@_-", c) >= 0) {
			return false
		}
	}
	for i := 0; i < len(path); i++ {
		if c := path[i]; c < 0x21 || c > 0x7e || c == '*' || c == '?' {
			return false
		}
	}
	return !strings.Contains(path, "//")
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// coverage says which of a request principal's identities a set names.
// A signed request carries up to two: its account (named by the account ID,
// the account's root ARN or its canonical user ID) and, for an IAM user,
// the user. An anonymous request carries only "anonymous", which only the
// wildcard names.
type coverage struct {
	all     bool // the wildcard
	account bool // the request's account
	user    bool // the request's IAM user
}

func (s *principalSet) cover(p *Principal) coverage {
	var c coverage
	for i := range s.entries {
		e := &s.entries[i]
		switch e.kind {
		case pAll:
			c.all = true
		case pAccount:
			c.account = c.account || !p.Anonymous && p.Account != "" && e.value == p.Account
		case pCanonical:
			c.account = c.account || !p.Anonymous && p.CanonicalID != "" && strings.EqualFold(e.value, p.CanonicalID)
		case pUser:
			c.user = c.user || !p.Anonymous && !p.IsRoot && p.UserARN != "" && e.value == p.UserARN
		}
	}
	return c
}

// principalMatch decides whether a statement's Principal or NotPrincipal
// applies to p. direct is false when a Principal matched only through the
// request's account while the request is an IAM user's: AWS reads that as
// delegation to the account, so the user also needs an identity policy
// that allows the request.
//
// NotPrincipal applies unless every identity of the request is listed: an
// IAM user escapes a NotPrincipal only when both the user and its account
// are named, as the IAM guide says for NotPrincipal with Deny.
func (st *statement) principalMatch(p *Principal) (match, direct bool) {
	c := st.principals.cover(p)
	isUser := !p.Anonymous && !p.IsRoot && p.UserARN != ""
	if st.notPrincipal {
		var excluded bool
		switch {
		case c.all:
			excluded = true
		case p.Anonymous:
			excluded = false
		case isUser:
			excluded = c.account && c.user
		default:
			excluded = c.account
		}
		return !excluded, true
	}
	switch {
	case c.all || c.user:
		return true, true
	case c.account && !p.Anonymous:
		return true, !isUser
	}
	return false, false
}
