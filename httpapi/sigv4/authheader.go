package sigv4

import (
	"encoding/hex"
	"strings"
)

const (
	algorithm       = "AWS4-HMAC-SHA256"
	scopeTerminator = "aws4_request"
	serviceS3       = "s3"
	signatureHexLen = 64
)

// Authorization is a parsed SigV4 Authorization header (or the equivalent
// presigned query parameters).
type Authorization struct {
	AccessKey     string
	Date          string // credential scope date, YYYYMMDD
	Region        string
	Service       string
	SignedHeaders []string // as sent, in order
	Signature     string   // 64 hex digits, as sent
}

// Scope returns "<date>/<region>/<service>/aws4_request".
func (a *Authorization) Scope() string {
	return a.Date + "/" + a.Region + "/" + a.Service + "/" + scopeTerminator
}

// String renders a in the canonical form written by the AWS SDKs.
func (a *Authorization) String() string {
	return algorithm + " Credential=" + a.AccessKey + "/" + a.Scope() +
		", SignedHeaders=" + strings.Join(a.SignedHeaders, ";") +
		", Signature=" + a.Signature
}

// ParseAuthorization parses an Authorization header value. Errors match
// ErrUnsupportedAuth (SigV2 "AWS AK:sig", SigV4a or any other scheme) or
// ErrAuthorizationHeaderMalformed. Scope values (region, service) are not
// checked against any expectation here; Verifier.Verify does that.
func ParseAuthorization(s string) (*Authorization, error) {
	scheme, rest, _ := strings.Cut(strings.TrimLeft(s, " \t"), " ")
	if scheme != algorithm {
		if strings.HasPrefix(scheme, algorithm) {
			return nil, malformedHeader("missing space after " + algorithm)
		}
		return nil, newError(ErrUnsupportedAuth, "unsupported Authorization type")
	}
	var cred, signed, sig string
	var seen [3]bool
	for _, tok := range strings.FieldsFunc(rest, isAuthSeparator) {
		key, val, ok := strings.Cut(tok, "=")
		if !ok || val == "" {
			return nil, malformedHeader("component " + quote(tok) + " is not of the form Key=Value")
		}
		var i int
		switch key {
		case "Credential":
			i, cred = 0, val
		case "SignedHeaders":
			i, signed = 1, val
		case "Signature":
			i, sig = 2, val
		default:
			return nil, malformedHeader("unknown component " + quote(key))
		}
		if seen[i] {
			return nil, malformedHeader("duplicate component " + quote(key))
		}
		seen[i] = true
	}
	if !seen[0] || !seen[1] || !seen[2] {
		return nil, malformedHeader("Credential, SignedHeaders and Signature are all required")
	}
	a, msg := parseCredential(cred)
	if msg != "" {
		return nil, malformedHeader(msg)
	}
	if a.SignedHeaders, msg = parseSignedHeaders(signed); msg != "" {
		return nil, malformedHeader(msg)
	}
	if !isHexSignature(sig) {
		return nil, malformedHeader("Signature must be 64 hexadecimal characters")
	}
	a.Signature = sig
	return a, nil
}

func isAuthSeparator(r rune) bool { return r == ',' || r == ' ' || r == '\t' }

func malformedHeader(msg string) error {
	return newError(ErrAuthorizationHeaderMalformed, "The authorization header is malformed; "+msg)
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return "'" + s + "'"
}

// parseCredential parses "<AK>/<YYYYMMDD>/<region>/<service>/aws4_request".
// The access key may contain '/', so the scope is taken from the right. On
// failure it returns a non-empty message.
func parseCredential(cred string) (*Authorization, string) {
	parts := strings.Split(cred, "/")
	n := len(parts)
	if n < 5 {
		return nil, "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\""
	}
	a := &Authorization{
		AccessKey: strings.Join(parts[:n-4], "/"),
		Date:      parts[n-4],
		Region:    parts[n-3],
		Service:   parts[n-2],
	}
	switch {
	case a.AccessKey == "":
		return nil, "the Credential has an empty access key"
	case !isScopeDate(a.Date):
		return nil, "invalid credential date " + quote(a.Date) + "; expecting YYYYMMDD"
	case a.Region == "":
		return nil, "the Credential has an empty region"
	case a.Service == "":
		return nil, "the Credential has an empty service"
	case parts[n-1] != scopeTerminator:
		return nil, "incorrect terminal " + quote(parts[n-1]) + ". This endpoint uses 'aws4_request'."
	}
	return a, ""
}

// parseSignedHeaders splits "a;b;c". Names must be non-empty and unique.
func parseSignedHeaders(s string) ([]string, string) {
	names := strings.Split(s, ";")
	seen := make(map[string]struct{}, len(names))
	for _, n := range names {
		if n == "" {
			return nil, "SignedHeaders contains an empty header name"
		}
		low := strings.ToLower(n)
		if _, dup := seen[low]; dup {
			return nil, "SignedHeaders contains " + quote(n) + " twice"
		}
		seen[low] = struct{}{}
	}
	return names, ""
}

func isScopeDate(s string) bool {
	if len(s) != 8 {
		return false
	}
	for i := 0; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	_, err := parseScopeDate(s)
	return err == nil
}

func isHexSignature(s string) bool {
	if len(s) != signatureHexLen {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
