package postpolicy

import (
	"context"
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // HMAC-SHA1 is what Signature Version 2 is
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cairnstore/cairn/httpapi/sigv4"
)

const (
	algorithm = "AWS4-HMAC-SHA256"
	amzDate   = "20060102T150405Z"
)

// Verifier verifies POST policy uploads. It is safe for concurrent use once
// its fields are set.
type Verifier struct {
	Creds  sigv4.CredentialStore // required
	Region string                // the credential scope's region must equal it; "" accepts any
	Now    func() time.Time      // nil means time.Now
}

// Verified is the result of a successful Verify.
type Verified struct {
	AccessKey  string
	Version    int // 4 or 2
	Expiration time.Time
	// MinLength and MaxLength are the intersected content-length-range
	// bounds, inclusive; MaxLength is -1 when the policy sets none. Form.File
	// already enforces them.
	MinLength, MaxLength int64
}

// signing is the signature fields of a form.
type signing struct {
	version              int
	accessKey, signature string
	policy               string
	scopeDate, region    string // V4 credential scope
}

// Verify checks f's signature and policy for an upload to bucket (the
// bucket the request is addressed to) and arms f.File with the policy's
// content-length-range. A form with no signing fields is
// sigv4.ErrMissingAuth (anonymous). See the package documentation.
func (v *Verifier) Verify(ctx context.Context, f *Form, bucket string) (*Verified, error) {
	s, err := v.signingFields(f)
	if err != nil {
		return nil, err
	}
	if err := v.checkSignature(ctx, s); err != nil {
		return nil, err
	}
	p, err := DecodePolicy(s.policy)
	if err != nil {
		return nil, err
	}
	if v.now().After(p.Expiration) {
		return nil, newError(ErrPolicyExpired, "Invalid according to Policy: Policy expired.")
	}
	lo, hi, err := evaluate(p, f, bucket)
	if err != nil {
		return nil, err
	}
	if err := checkCoverage(p, f, s.version); err != nil {
		return nil, err
	}
	if f.file != nil {
		f.file.setRange(lo, hi)
	}
	return &Verified{AccessKey: s.accessKey, Version: s.version, Expiration: p.Expiration, MinLength: lo, MaxLength: hi}, nil
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// signingFields picks the signature version and checks its fields.
func (v *Verifier) signingFields(f *Form) (*signing, error) {
	_, alg := f.Field("x-amz-algorithm")
	_, cred := f.Field("x-amz-credential")
	_, sig := f.Field("x-amz-signature")
	_, ak := f.Field("awsaccesskeyid")
	_, sig2 := f.Field("signature")
	switch {
	case alg || cred || sig:
		return v.v4Fields(f)
	case ak || sig2:
		return v2Fields(f)
	}
	return nil, sigv4.ErrMissingAuth
}

// required returns the named fields' values, or S3's error for the first
// one missing.
func required(f *Form, names ...string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		val, ok := f.Field(n)
		if !ok || val == "" {
			return nil, missingField(n)
		}
		out[i] = val
	}
	return out, nil
}

func v2Fields(f *Form) (*signing, error) {
	vals, err := required(f, "AWSAccessKeyId", "Signature", "Policy")
	if err != nil {
		return nil, err
	}
	return &signing{version: 2, accessKey: vals[0], signature: vals[1], policy: vals[2]}, nil
}

func (v *Verifier) v4Fields(f *Form) (*signing, error) {
	vals, err := required(f, "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Signature", "Policy")
	if err != nil {
		return nil, err
	}
	alg, cred, date, sig, policy := vals[0], vals[1], vals[2], vals[3], vals[4]
	if alg != algorithm {
		return nil, invalidArgument("X-Amz-Algorithm only supports \""+algorithm+"\"", "X-Amz-Algorithm", alg)
	}
	ak, scopeDate, region, err := parseCredential(cred)
	if err != nil {
		return nil, err
	}
	if v.Region != "" && region != v.Region {
		return nil, invalidArgument("the region "+quoteSingle(region)+" is wrong; expecting "+quoteSingle(v.Region), "X-Amz-Credential", cred)
	}
	if t, err := time.Parse(amzDate, date); err != nil || t.Format(amzDate) != date {
		return nil, invalidArgument("X-Amz-Date must be formated via ISO8601 Long format", "X-Amz-Date", date)
	}
	return &signing{version: 4, accessKey: ak, signature: sig, policy: policy, scopeDate: scopeDate, region: region}, nil
}

// parseCredential splits <AK>/<yyyyMMdd>/<region>/s3/aws4_request, taking
// the scope from the right so that the access key may contain '/'.
func parseCredential(cred string) (ak, date, region string, err error) {
	bad := func(msg string) error { return invalidArgument(msg, "X-Amz-Credential", cred) }
	parts := strings.Split(cred, "/")
	if len(parts) < 5 {
		return "", "", "", bad("the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	n := len(parts)
	ak, date, region = strings.Join(parts[:n-4], "/"), parts[n-4], parts[n-3]
	switch {
	case ak == "":
		return "", "", "", bad("a non-empty Access Key (AKID) must be provided in the credential.")
	case !isScopeDate(date):
		return "", "", "", bad("incorrect date format \"" + date + "\". This date in the credential must be in the format \"yyyyMMdd\".")
	case region == "":
		return "", "", "", bad("the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	case parts[n-2] != "s3":
		return "", "", "", bad("incorrect service \"" + parts[n-2] + "\". This endpoint belongs to \"s3\".")
	case parts[n-1] != "aws4_request":
		return "", "", "", bad("incorrect terminal \"" + parts[n-1] + "\". This endpoint uses \"aws4_request\".")
	}
	return ak, date, region, nil
}

func isScopeDate(s string) bool {
	t, err := time.Parse("20060102", s)
	return err == nil && t.Format("20060102") == s
}

// checkSignature looks the key up and compares the policy signature in
// constant time.
func (v *Verifier) checkSignature(ctx context.Context, s *signing) error {
	if v.Creds == nil {
		return errors.New("postpolicy: Verifier.Creds is nil")
	}
	cred, err := v.Creds.Lookup(ctx, s.accessKey)
	if err != nil {
		if errors.Is(err, sigv4.ErrInvalidAccessKeyID) {
			return &sigv4.Error{Kind: sigv4.ErrInvalidAccessKeyID, Message: "The AWS Access Key Id you provided does not exist in our records."}
		}
		return fmt.Errorf("postpolicy: credential lookup: %w", err)
	}
	var want, got []byte
	var decErr error
	if s.version == 4 {
		want = hmacSHA256(signingKey(cred.SecretKey, s.scopeDate, s.region), s.policy)
		got, decErr = hex.DecodeString(s.signature)
	} else {
		m := hmac.New(sha1.New, []byte(cred.SecretKey))
		m.Write([]byte(s.policy))
		want = m.Sum(nil)
		got, decErr = base64.StdEncoding.DecodeString(strings.TrimSpace(s.signature))
	}
	if decErr != nil || !hmac.Equal(want, got) {
		return &sigv4.SignatureMismatchError{AccessKeyID: s.accessKey, StringToSign: s.policy, SignatureProvided: s.signature}
	}
	return nil
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// signingKey derives the SigV4 signing key for s3. The result is secret.
func signingKey(secret, date, region string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, "s3")
	return hmacSHA256(k, "aws4_request")
}
