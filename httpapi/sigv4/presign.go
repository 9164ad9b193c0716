package sigv4

import (
	"net/http"
	"strconv"
	"time"
)

// amzDateFormat is the ISO 8601 basic format of X-Amz-Date.
const amzDateFormat = "20060102T150405Z"

// MaxPresignExpires is the largest X-Amz-Expires accepted (7 days).
const MaxPresignExpires = 7 * 24 * 60 * 60

// presignParams are the query parameters every presigned request carries.
var presignParams = [...]string{
	"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
	"X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires",
}

func parseScopeDate(s string) (time.Time, error) { return time.Parse("20060102", s) }

// parseAmzDate parses an X-Amz-Date value, requiring an exact round trip.
func parseAmzDate(s string) (time.Time, bool) {
	t, err := time.Parse(amzDateFormat, s)
	if err != nil || t.Format(amzDateFormat) != s {
		return time.Time{}, false
	}
	return t, true
}

// headerTime returns the request time from X-Amz-Date, or else from Date,
// together with its X-Amz-Date form used in the string to sign.
func headerTime(r *http.Request) (time.Time, string, error) {
	invalid := newError(ErrMissingDateHeader, "AWS authentication requires a valid Date or x-amz-date header")
	if vs := r.Header.Values("X-Amz-Date"); len(vs) > 0 {
		if len(vs) != 1 {
			return time.Time{}, "", invalid
		}
		t, ok := parseAmzDate(vs[0])
		if !ok {
			return time.Time{}, "", invalid
		}
		return t, vs[0], nil
	}
	vs := r.Header.Values("Date")
	if len(vs) != 1 {
		return time.Time{}, "", invalid
	}
	t, err := http.ParseTime(vs[0])
	if err != nil {
		if t, err = time.Parse(time.RFC1123Z, vs[0]); err != nil {
			return time.Time{}, "", invalid
		}
	}
	t = t.UTC()
	return t, t.Format(amzDateFormat), nil
}

func queryError(msg string) error { return newError(ErrAuthorizationQueryParametersError, msg) }

// presignValues returns the required presign parameters in presignParams
// order, each present exactly once.
func presignValues(params []queryParam) ([len(presignParams)]string, error) {
	var out [len(presignParams)]string
	for i, name := range presignParams {
		vs := lookupParam(params, name)
		switch len(vs) {
		case 1:
			out[i] = vs[0]
		case 0:
			return out, queryError("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
		default:
			return out, queryError("the " + name + " parameter is given more than once")
		}
	}
	return out, nil
}

func parseExpires(s string) (time.Duration, error) {
	n, err := strconv.Atoi(s)
	switch {
	case err != nil || len(s) > 7 || s[0] < '0' || s[0] > '9':
		return 0, newError(ErrInvalidPresignExpires, "X-Amz-Expires should be a number")
	case n < 1:
		return 0, newError(ErrInvalidPresignExpires, "X-Amz-Expires must be non-negative")
	case n > MaxPresignExpires:
		return 0, newError(ErrInvalidPresignExpires, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	return time.Duration(n) * time.Second, nil
}

func (v *Verifier) parsePresigned(r *http.Request, params []queryParam) (*authInfo, error) {
	vals, err := presignValues(params)
	if err != nil {
		return nil, err
	}
	alg, cred, sig, date, signed, exp := vals[0], vals[1], vals[2], vals[3], vals[4], vals[5]
	if alg != algorithm {
		return nil, newError(ErrUnsupportedAuth, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
	}
	const prefix = "Error parsing the X-Amz-Credential parameter; "
	a, msg := parseCredential(cred)
	if msg != "" {
		return nil, queryError(prefix + msg)
	}
	if err := v.checkScope(a, ErrAuthorizationQueryParametersError, prefix); err != nil {
		return nil, err
	}
	t, ok := parseAmzDate(date)
	if !ok {
		return nil, queryError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	if a.Date != date[:8] {
		return nil, queryError("Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	expires, err := parseExpires(exp)
	if err != nil {
		return nil, err
	}
	if a.SignedHeaders, msg = parseSignedHeaders(signed); msg != "" {
		return nil, queryError(msg)
	}
	if !containsFold(a.SignedHeaders, "host") {
		return nil, queryError("X-Amz-SignedHeaders must include 'host'")
	}
	if !isHexSignature(sig) {
		return nil, queryError("X-Amz-Signature must be 64 hexadecimal characters")
	}
	a.Signature = sig
	now := v.now()
	if t.Sub(now) > v.maxSkew() {
		return nil, newError(ErrRequestNotYetValid, "Request is not valid yet")
	}
	if now.After(t.Add(expires)) {
		return nil, newError(ErrExpiredPresignedRequest, "Request has expired")
	}
	hash, err := presignPayloadHash(r, params)
	if err != nil {
		return nil, err
	}
	mode, err := parsePayloadHash(hash)
	if err != nil {
		return nil, err
	}
	return &authInfo{auth: a, amzDate: date, payloadHash: hash, mode: mode, presigned: true}, nil
}

// presignPayloadHash is UNSIGNED-PAYLOAD unless the query or a header
// carries x-amz-content-sha256.
func presignPayloadHash(r *http.Request, params []queryParam) (string, error) {
	vs := lookupParam(params, "X-Amz-Content-Sha256")
	if len(vs) == 0 {
		vs = r.Header.Values("X-Amz-Content-Sha256")
	}
	switch len(vs) {
	case 0:
		return UnsignedPayload, nil
	case 1:
		return vs[0], nil
	}
	return "", newError(ErrInvalidContentSHA256, "x-amz-content-sha256 must be sent once")
}
