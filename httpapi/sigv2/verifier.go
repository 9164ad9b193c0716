package sigv2

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // HMAC-SHA1 is what Signature Version 2 is
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairnstore/cairn/httpapi/sigv4"
)

// DefaultMaxSkew is the clock skew tolerated when Verifier.MaxSkew is 0.
const DefaultMaxSkew = sigv4.DefaultMaxSkew

// scheme is the Authorization header prefix of Signature Version 2.
const scheme = "AWS "

// Verifier authenticates Signature Version 2 S3 requests. See the package
// documentation for its concurrency contract.
type Verifier struct {
	Creds   sigv4.CredentialStore // required
	Now     func() time.Time      // nil means time.Now
	MaxSkew time.Duration         // 0 means DefaultMaxSkew; header auth only
}

// Verified is the result of a successful Verify. It is immutable.
type Verified struct {
	AccessKey string
	Presigned bool // query-string authentication
}

// auth is what the header and query parsers hand to the signature check.
type auth struct {
	accessKey, signature string
	presigned            bool
	expires              string // query auth: the Expires value as sent
}

// IsV2 reports whether r attempts Signature Version 2: an Authorization
// header starting with "AWS ", or both AWSAccessKeyId and Signature query
// parameters.
func IsV2(r *http.Request) bool {
	for _, h := range r.Header.Values("Authorization") {
		if strings.HasPrefix(h, scheme) {
			return true
		}
	}
	params := splitQuery(r.URL.RawQuery)
	return len(queryValues(params, "AWSAccessKeyId")) > 0 && len(queryValues(params, "Signature")) > 0
}

// hasV4Query reports whether the query carries SigV4 presign parameters.
func hasV4Query(params []rawParam) bool {
	for _, name := range [...]string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"} {
		if len(queryValues(params, name)) > 0 {
			return true
		}
	}
	return false
}

// Verify authenticates r. bucket is the bucket named by the Host header of a
// virtual-hosted-style request, "" for path-style requests and requests that
// name no bucket (see the package documentation). It does not read r.Body.
func (v *Verifier) Verify(r *http.Request, bucket string) (*Verified, error) {
	params := splitQuery(r.URL.RawQuery)
	authz := r.Header.Values("Authorization")
	query := len(queryValues(params, "AWSAccessKeyId")) > 0 && len(queryValues(params, "Signature")) > 0
	var a *auth
	var err error
	switch {
	case len(authz) > 0 && (query || hasV4Query(params)):
		return nil, newError(sigv4.ErrMultipleAuth, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
	case len(authz) > 1:
		return nil, malformedAuth()
	case len(authz) == 1:
		a, err = v.parseHeaderAuth(r, authz[0])
	case query && hasV4Query(params):
		return nil, newError(sigv4.ErrMultipleAuth, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
	case query:
		a, err = v.parseQueryAuth(params)
	default:
		return nil, sigv4.ErrMissingAuth
	}
	if err != nil {
		return nil, err
	}
	return v.checkSignature(r, bucket, params, a)
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) maxSkew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return DefaultMaxSkew
}

// ParseAuthorization splits a Signature Version 2 Authorization header
// value "AWS <AccessKeyId>:<Signature>". Errors match
// sigv4.ErrUnsupportedAuth (another scheme) or ErrMalformedAuthorization.
func ParseAuthorization(h string) (accessKey, signature string, err error) {
	rest, ok := strings.CutPrefix(h, scheme)
	if !ok {
		return "", "", newError(sigv4.ErrUnsupportedAuth, "not a Signature Version 2 Authorization header")
	}
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 || i == len(rest)-1 {
		return "", "", malformedAuth()
	}
	accessKey, signature = strings.TrimSpace(rest[:i]), strings.TrimSpace(rest[i+1:])
	if accessKey == "" || signature == "" {
		return "", "", malformedAuth()
	}
	return accessKey, signature, nil
}

func (v *Verifier) parseHeaderAuth(r *http.Request, header string) (*auth, error) {
	ak, sig, err := ParseAuthorization(header)
	if err != nil {
		return nil, err
	}
	t, err := requestTime(r)
	if err != nil {
		return nil, err
	}
	if d := v.now().Sub(t); d > v.maxSkew() || -d > v.maxSkew() {
		return nil, newError(sigv4.ErrRequestTimeTooSkewed, "The difference between the request time and the current time is too large.")
	}
	return &auth{accessKey: ak, signature: sig}, nil
}

// requestTime parses x-amz-date, or else Date.
func requestTime(r *http.Request) (time.Time, error) {
	invalid := newError(sigv4.ErrMissingDateHeader, "AWS authentication requires a valid Date or x-amz-date header")
	vs := r.Header.Values("X-Amz-Date")
	if len(vs) == 0 {
		vs = r.Header.Values("Date")
	}
	if len(vs) != 1 {
		return time.Time{}, invalid
	}
	t, ok := parseTime(strings.TrimSpace(vs[0]))
	if !ok {
		return time.Time{}, invalid
	}
	return t, nil
}

// timeLayouts are the date forms accepted besides http.ParseTime's.
var timeLayouts = [...]string{time.RFC1123Z, "Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST", "20060102T150405Z"}

func parseTime(s string) (time.Time, bool) {
	if t, err := http.ParseTime(s); err == nil {
		return t, true
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func (v *Verifier) parseQueryAuth(params []rawParam) (*auth, error) {
	aks, sigs, exps := queryValues(params, "AWSAccessKeyId"), queryValues(params, "Signature"), queryValues(params, "Expires")
	if len(aks) != 1 || len(sigs) != 1 || len(exps) != 1 || aks[0] == "" || sigs[0] == "" {
		return nil, missingQueryParams()
	}
	exp := exps[0]
	secs, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || exp[0] == '+' {
		return nil, newError(ErrInvalidQueryAuth, "Invalid date (should be seconds since epoch): "+exp)
	}
	if v.now().Unix() > secs {
		return nil, newError(sigv4.ErrExpiredPresignedRequest, "Request has expired")
	}
	// base64 has no spaces: a space is a '+' that the client left unescaped.
	sig := strings.ReplaceAll(sigs[0], " ", "+")
	return &auth{accessKey: aks[0], signature: sig, presigned: true, expires: exp}, nil
}

// checkSignature looks the key up and compares the signature, trying the
// alternative x-amz-date forms only after the documented one fails.
func (v *Verifier) checkSignature(r *http.Request, bucket string, params []rawParam, a *auth) (*Verified, error) {
	if v.Creds == nil {
		return nil, errors.New("sigv2: Verifier.Creds is nil")
	}
	cred, err := v.Creds.Lookup(r.Context(), a.accessKey)
	if err != nil {
		if errors.Is(err, sigv4.ErrInvalidAccessKeyID) {
			return nil, newError(sigv4.ErrInvalidAccessKeyID, "The AWS Access Key Id you provided does not exist in our records.")
		}
		return nil, fmt.Errorf("sigv2: credential lookup: %w", err)
	}
	got, decErr := base64.StdEncoding.DecodeString(a.signature)
	c := newCanon(r, bucket, params, a.presigned)
	primary := c.stringToSign(dateSlot(r, a, c), false)
	if decErr == nil {
		mac := hmac.New(sha1.New, []byte(cred.SecretKey))
		sts := candidates(r, a, c, primary)
		if lit := canonicalResource(r, bucket, params, true); lit != c.resource {
			c.resource = lit // a client that signs the bucket path as sent
			sts = append(sts, candidates(r, a, c, c.stringToSign(dateSlot(r, a, c), false))...)
		}
		for _, s := range sts {
			mac.Reset()
			mac.Write([]byte(s))
			if hmac.Equal(mac.Sum(nil), got) {
				return &Verified{AccessKey: a.accessKey, Presigned: a.presigned}, nil
			}
		}
	}
	return nil, &sigv4.SignatureMismatchError{
		AccessKeyID:       a.accessKey,
		StringToSign:      primary,
		SignatureProvided: a.signature,
	}
}

// dateSlot is the documented Date element: Expires for query auth, "" when
// x-amz-date is present, else the Date header.
func dateSlot(r *http.Request, a *auth, c *canon) string {
	if a.presigned {
		return a.expires
	}
	if _, ok := c.amzValue("x-amz-date"); ok {
		return ""
	}
	return strings.TrimSpace(r.Header.Get("Date"))
}

// candidates lists the strings to sign to try, the documented one first.
func candidates(r *http.Request, a *auth, c *canon, primary string) []string {
	out := []string{primary}
	amzDate, ok := c.amzValue("x-amz-date")
	if a.presigned || !ok {
		return out
	}
	if d := strings.TrimSpace(r.Header.Get("Date")); d != "" {
		out = append(out, c.stringToSign(d, false)) // botocore, minio
	}
	return append(out, c.stringToSign(amzDate, true)) // the S3 documentation's DELETE example
}
