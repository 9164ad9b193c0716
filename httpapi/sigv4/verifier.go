package sigv4

import (
	"context"
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Credential is an access key and its secret.
type Credential struct {
	AccessKey string
	SecretKey string
}

// CredentialStore is implemented by the caller. Lookup returns an error that
// wraps ErrInvalidAccessKeyID when the key is unknown or disabled; any other
// error is passed through (wrapped) as an internal failure.
type CredentialStore interface {
	Lookup(ctx context.Context, accessKey string) (Credential, error)
}

// StaticCredentials is a CredentialStore of fixed access key -> secret
// pairs (tests, and tools that sign with one known key).
type StaticCredentials map[string]string

// Lookup returns the secret of accessKey.
func (m StaticCredentials) Lookup(_ context.Context, accessKey string) (Credential, error) {
	sk, ok := m[accessKey]
	if !ok {
		return Credential{}, fmt.Errorf("access key %q: %w", accessKey, ErrInvalidAccessKeyID)
	}
	return Credential{AccessKey: accessKey, SecretKey: sk}, nil
}

// DefaultMaxSkew is the clock skew tolerated when Verifier.MaxSkew is 0.
const DefaultMaxSkew = 15 * time.Minute

// maxKeyCacheEntries bounds the derived signing-key cache.
const maxKeyCacheEntries = 1024

// Verifier authenticates SigV4-signed S3 requests. See the package
// documentation for its concurrency contract.
type Verifier struct {
	Region  string           // credential scope region must equal it; "" accepts any region
	Creds   CredentialStore  // required
	Now     func() time.Time // nil means time.Now
	MaxSkew time.Duration    // 0 means DefaultMaxSkew

	keys keyCache
}

// PayloadMode is how the request payload is protected, from x-amz-content-sha256.
type PayloadMode int

// Payload modes.
const (
	PayloadUnsigned                 PayloadMode = iota + 1 // UNSIGNED-PAYLOAD (and presigned default)
	PayloadSHA256                                          // literal hex sha256 in x-amz-content-sha256
	PayloadStreamingSigned                                 // STREAMING-AWS4-HMAC-SHA256-PAYLOAD
	PayloadStreamingSignedTrailer                          // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
	PayloadStreamingUnsignedTrailer                        // STREAMING-UNSIGNED-PAYLOAD-TRAILER
)

// x-amz-content-sha256 values.
const (
	UnsignedPayload                 = "UNSIGNED-PAYLOAD"
	StreamingSignedPayload          = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingSignedPayloadTrailer   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

func (m PayloadMode) String() string {
	switch m {
	case PayloadUnsigned:
		return UnsignedPayload
	case PayloadSHA256:
		return "SHA256"
	case PayloadStreamingSigned:
		return StreamingSignedPayload
	case PayloadStreamingSignedTrailer:
		return StreamingSignedPayloadTrailer
	case PayloadStreamingUnsignedTrailer:
		return StreamingUnsignedPayloadTrailer
	}
	return fmt.Sprintf("PayloadMode(%d)", int(m))
}

// Verified is the result of a successful Verify. It is immutable.
type Verified struct {
	AccessKey string
	Mode      PayloadMode
	Presigned bool

	signingKey  []byte // secret; never printed
	scope       string
	amzDate     string
	seed        string // request signature, lower-case hex: seed of the chunk chain
	payloadHash string // lower-case hex, PayloadSHA256 only
}

// authInfo is what the header and presigned paths hand to the common tail.
type authInfo struct {
	auth        *Authorization
	amzDate     string
	payloadHash string
	mode        PayloadMode
	presigned   bool
}

// HasAuth reports whether r carries any authentication attempt: an
// Authorization header, SigV4 presigned query parameters, or SigV2 query
// parameters. A request for which it is false is anonymous.
func HasAuth(r *http.Request) bool {
	if len(r.Header.Values("Authorization")) > 0 {
		return true
	}
	v4, v2 := queryAuthKind(parseRawQuery(r.URL.RawQuery))
	return v4 || v2
}

func queryAuthKind(params []queryParam) (v4, v2 bool) {
	var ak, sig bool
	for _, p := range params {
		switch p.name {
		case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature":
			v4 = true
		case "AWSAccessKeyId":
			ak = true
		case "Signature":
			sig = true
		}
	}
	return v4, ak && sig
}

// Verify authenticates r by its Authorization header or presigned query. It
// does not read r.Body. A request with no authentication returns
// ErrMissingAuth.
func (v *Verifier) Verify(r *http.Request) (*Verified, error) {
	params := parseRawQuery(r.URL.RawQuery)
	authz := r.Header.Values("Authorization")
	v4q, v2q := queryAuthKind(params)
	var info *authInfo
	var err error
	switch {
	case len(authz) > 0 && (v4q || v2q):
		return nil, newError(ErrMultipleAuth, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
	case len(authz) > 1:
		return nil, malformedHeader("more than one Authorization header")
	case len(authz) == 1:
		info, err = v.parseHeaderAuth(r, authz[0])
	case v4q:
		info, err = v.parsePresigned(r, params)
	case v2q:
		return nil, newError(ErrUnsupportedAuth, "Signature Version 2 query authentication is not supported")
	default:
		return nil, ErrMissingAuth
	}
	if err != nil {
		return nil, err
	}
	return v.checkSignature(r, params, info)
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

// checkScope validates service and region; kind selects the error flavour.
func (v *Verifier) checkScope(a *Authorization, kind error, prefix string) error {
	if a.Service != serviceS3 {
		return newError(kind, prefix+"incorrect service "+quote(a.Service)+". This endpoint belongs to 's3'.")
	}
	if v.Region != "" && a.Region != v.Region {
		return newError(kind, prefix+"the region "+quote(a.Region)+" is wrong; expecting "+quote(v.Region))
	}
	return nil
}

func (v *Verifier) parseHeaderAuth(r *http.Request, header string) (*authInfo, error) {
	a, err := ParseAuthorization(header)
	if err != nil {
		return nil, err
	}
	const prefix = "The authorization header is malformed; "
	if err := v.checkScope(a, ErrAuthorizationHeaderMalformed, prefix); err != nil {
		return nil, err
	}
	t, amzDate, err := headerTime(r)
	if err != nil {
		return nil, err
	}
	if a.Date != amzDate[:8] {
		return nil, malformedHeader("Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	if d := v.now().Sub(t); d > v.maxSkew() || -d > v.maxSkew() {
		return nil, newError(ErrRequestTimeTooSkewed, "The difference between the request time and the current time is too large.")
	}
	hashes := r.Header.Values("X-Amz-Content-Sha256")
	if len(hashes) == 0 {
		return nil, newError(ErrMissingContentSHA256, "Missing required header for this request: x-amz-content-sha256")
	}
	if len(hashes) > 1 {
		return nil, newError(ErrInvalidContentSHA256, "x-amz-content-sha256 must be sent once")
	}
	mode, err := parsePayloadHash(hashes[0])
	if err != nil {
		return nil, err
	}
	if !containsFold(a.SignedHeaders, "host") {
		return nil, malformedHeader("SignedHeaders must include 'host'")
	}
	if err := checkAmzHeadersSigned(r, a.SignedHeaders); err != nil {
		return nil, err
	}
	return &authInfo{auth: a, amzDate: amzDate, payloadHash: hashes[0], mode: mode}, nil
}

// checkAmzHeadersSigned requires every x-amz-* header to be signed.
func checkAmzHeadersSigned(r *http.Request, signed []string) error {
	var missing []string
	var set map[string]bool // lower-case signed names, for long lists only
	if len(signed) > 16 {
		set = make(map[string]bool, len(signed))
		for _, s := range signed {
			set[strings.ToLower(s)] = true
		}
	}
	for name := range r.Header {
		if len(name) < 6 || !strings.EqualFold(name[:6], "x-amz-") {
			continue
		}
		if set != nil && !set[strings.ToLower(name)] || set == nil && !containsFold(signed, name) {
			missing = append(missing, strings.ToLower(name))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return newError(ErrHeadersNotSigned, "There were headers present in the request which were not signed: "+strings.Join(missing, ", "))
}

// parsePayloadHash maps an x-amz-content-sha256 value to a mode.
func parsePayloadHash(h string) (PayloadMode, error) {
	switch h {
	case UnsignedPayload:
		return PayloadUnsigned, nil
	case StreamingSignedPayload:
		return PayloadStreamingSigned, nil
	case StreamingSignedPayloadTrailer:
		return PayloadStreamingSignedTrailer, nil
	case StreamingUnsignedPayloadTrailer:
		return PayloadStreamingUnsignedTrailer, nil
	}
	if len(h) == 64 {
		if _, err := hex.DecodeString(h); err == nil {
			return PayloadSHA256, nil
		}
	}
	return 0, newError(ErrInvalidContentSHA256, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-UNSIGNED-PAYLOAD-TRAILER or a valid sha256 value")
}

// checkSignature looks the key up and compares the request signature.
func (v *Verifier) checkSignature(r *http.Request, params []queryParam, info *authInfo) (*Verified, error) {
	a := info.auth
	if v.Creds == nil {
		return nil, errors.New("sigv4: Verifier.Creds is nil")
	}
	cred, err := v.Creds.Lookup(r.Context(), a.AccessKey)
	if err != nil {
		if errors.Is(err, ErrInvalidAccessKeyID) {
			return nil, newError(ErrInvalidAccessKeyID, "The AWS Access Key Id you provided does not exist in our records.")
		}
		return nil, fmt.Errorf("sigv4: credential lookup: %w", err)
	}
	key := v.keys.get(cred.SecretKey, a.Date, a.Region, a.Service)
	scope := a.Scope()
	creq := canonicalRequest(r, params, a.SignedHeaders, info.payloadHash, info.presigned)
	sts := stringToSign(info.amzDate, scope, creq)
	want := hmacSHA256(key, sts)
	got, _ := hex.DecodeString(a.Signature) // validated by the parsers
	if !hmac.Equal(want, got) {
		return nil, &SignatureMismatchError{
			AccessKeyID:       a.AccessKey,
			StringToSign:      sts,
			CanonicalRequest:  creq,
			SignatureProvided: a.Signature,
		}
	}
	vr := &Verified{
		AccessKey:  a.AccessKey,
		Mode:       info.mode,
		Presigned:  info.presigned,
		signingKey: key,
		scope:      scope,
		amzDate:    info.amzDate,
		seed:       hex.EncodeToString(want),
	}
	if info.mode == PayloadSHA256 {
		vr.payloadHash = strings.ToLower(info.payloadHash)
	}
	return vr, nil
}

// keyCache is a bounded, mutex-guarded cache of derived signing keys. The
// zero value is ready to use.
type keyCache struct {
	mu sync.Mutex
	m  map[keyCacheKey][]byte
}

type keyCacheKey struct{ secret, date, region, service string }

// get returns the signing key; the returned slice must not be modified.
func (c *keyCache) get(secret, date, region, service string) []byte {
	k := keyCacheKey{secret, date, region, service}
	c.mu.Lock()
	key, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return key
	}
	key = deriveSigningKey(secret, date, region, service)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[keyCacheKey][]byte)
	}
	for old := range c.m {
		if len(c.m) < maxKeyCacheEntries {
			break
		}
		delete(c.m, old) // map order is random: random eviction
	}
	c.m[k] = key
	return key
}

// len reports the number of cached keys (tests).
func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
