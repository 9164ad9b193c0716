package sigv4

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const sig64 = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"

func TestParseAuthorizationGood(t *testing.T) {
	want := &Authorization{
		AccessKey: "AKIAIOSFODNN7EXAMPLE", Date: "20130524", Region: "us-east-1", Service: "s3",
		SignedHeaders: []string{"host", "range", "x-amz-date"}, Signature: sig64,
	}
	cred := "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"
	sh := "SignedHeaders=host;range;x-amz-date"
	sg := "Signature=" + sig64
	for _, s := range []string{
		"AWS4-HMAC-SHA256 " + cred + ", " + sh + ", " + sg, // SDK form
		"AWS4-HMAC-SHA256 " + cred + "," + sh + "," + sg,   // no spaces
		"AWS4-HMAC-SHA256 " + cred + " " + sh + " " + sg,   // spaces only
		"AWS4-HMAC-SHA256   " + cred + " ,\t" + sh + ",,  " + sg + " ",
		"  AWS4-HMAC-SHA256 " + sg + ", " + cred + ", " + sh,   // any order
		"AWS4-HMAC-SHA256 \n" + cred + ",\n" + sh + ",\n" + sg, // never on the wire, harmless
	} {
		if strings.Contains(s, "\n") {
			s = strings.ReplaceAll(s, "\n", "")
		}
		got, err := ParseAuthorization(s)
		if err != nil {
			t.Errorf("ParseAuthorization(%q): %v", s, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ParseAuthorization(%q) = %+v, want %+v", s, got, want)
		}
		if got.String() != "AWS4-HMAC-SHA256 "+cred+", "+sh+", "+sg {
			t.Errorf("String() = %q", got.String())
		}
	}
	// An access key containing '/' is kept whole; the scope is taken from the right.
	got, err := ParseAuthorization("AWS4-HMAC-SHA256 Credential=a/b/20130524/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=" + sig64)
	if err != nil || got.AccessKey != "a/b" || got.Region != "eu-west-1" {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestParseAuthorizationBad(t *testing.T) {
	cred := "Credential=AK/20130524/us-east-1/s3/aws4_request"
	sh := "SignedHeaders=host;x-amz-date"
	sg := "Signature=" + sig64
	ok := func(parts ...string) string { return "AWS4-HMAC-SHA256 " + strings.Join(parts, ", ") }
	malformed := []struct{ name, in string }{
		{"empty after algorithm", "AWS4-HMAC-SHA256 "},
		{"no space after algorithm", "AWS4-HMAC-SHA256" + cred + ", " + sh + ", " + sg},
		{"missing credential", ok(sh, sg)},
		{"missing signed headers", ok(cred, sg)},
		{"missing signature", ok(cred, sh)},
		{"duplicate credential", ok(cred, cred, sh, sg)},
		{"duplicate signature", ok(cred, sh, sg, sg)},
		{"unknown component", ok(cred, sh, sg, "Foo=bar")},
		{"lower-case key", ok("credential=AK/20130524/us-east-1/s3/aws4_request", sh, sg)},
		{"no equals", ok(cred, sh, "Signature")},
		{"empty value", ok(cred, sh, "Signature=")},
		{"space around equals", ok("Credential = AK/20130524/us-east-1/s3/aws4_request", sh, sg)},
		{"short credential", ok("Credential=AK/20130524/us-east-1/s3", sh, sg)},
		{"empty access key", ok("Credential=/20130524/us-east-1/s3/aws4_request", sh, sg)},
		{"bad date", ok("Credential=AK/2013-05-24/us-east-1/s3/aws4_request", sh, sg)},
		{"impossible date", ok("Credential=AK/20130231/us-east-1/s3/aws4_request", sh, sg)},
		{"empty region", ok("Credential=AK/20130524//s3/aws4_request", sh, sg)},
		{"empty service", ok("Credential=AK/20130524/us-east-1//aws4_request", sh, sg)},
		{"bad terminator", ok("Credential=AK/20130524/us-east-1/s3/aws4_reques", sh, sg)},
		{"empty signed header", ok(cred, "SignedHeaders=host;;x-amz-date", sg)},
		{"trailing semicolon", ok(cred, "SignedHeaders=host;", sg)},
		{"duplicate signed header", ok(cred, "SignedHeaders=host;Host", sg)},
		{"short signature", ok(cred, sh, "Signature="+sig64[:63])},
		{"long signature", ok(cred, sh, "Signature="+sig64+"0")},
		{"non-hex signature", ok(cred, sh, "Signature="+sig64[:63]+"g")},
	}
	for _, tc := range malformed {
		_, err := ParseAuthorization(tc.in)
		if !errors.Is(err, ErrAuthorizationHeaderMalformed) {
			t.Errorf("%s: ParseAuthorization(%q) = %v, want ErrAuthorizationHeaderMalformed", tc.name, tc.in, err)
		}
	}
	unsupported := []string{
		"",
		"AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=",  // SigV2
		"AWS4-ECDSA-P256-SHA256 " + cred + ", " + sh + ", " + sg, // SigV4a
		"aws4-hmac-sha256 " + cred + ", " + sh + ", " + sg,
		"Bearer xyz",
		"AWS4-HMAC-SHA1 " + cred,
	}
	for _, in := range unsupported {
		_, err := ParseAuthorization(in)
		if !errors.Is(err, ErrUnsupportedAuth) {
			t.Errorf("ParseAuthorization(%q) = %v, want ErrUnsupportedAuth", in, err)
		}
	}
}

func TestErrorTypes(t *testing.T) {
	_, err := ParseAuthorization("AWS4-HMAC-SHA256 Credential=x")
	var e *Error
	if !errors.As(err, &e) || e.Kind != ErrAuthorizationHeaderMalformed || !strings.HasPrefix(e.Message, "The authorization header is malformed; ") {
		t.Fatalf("got %#v", err)
	}
	if !strings.HasPrefix(err.Error(), "sigv4: ") {
		t.Fatalf("error %q lacks prefix", err)
	}
	sm := &SignatureMismatchError{StringToSign: "x"}
	if !errors.Is(sm, ErrSignatureDoesNotMatch) || errors.Is(sm, ErrInvalidChunk) || !strings.HasPrefix(sm.Error(), "sigv4: ") {
		t.Fatalf("SignatureMismatchError.Is broken")
	}
	// Sentinels are pairwise distinct for errors.Is.
	all := []error{ErrMissingAuth, ErrInvalidAccessKeyID, ErrSignatureDoesNotMatch, ErrRequestTimeTooSkewed,
		ErrAuthorizationHeaderMalformed, ErrAuthorizationQueryParametersError, ErrMissingDateHeader,
		ErrExpiredPresignedRequest, ErrRequestNotYetValid, ErrInvalidContentSHA256, ErrMissingContentSHA256,
		ErrContentSHA256Mismatch, ErrHeadersNotSigned, ErrIncompleteBody, ErrInvalidChunk, ErrMalformedTrailer,
		ErrMissingDecodedContentLength, ErrDecodedLengthMismatch, ErrTrailerNotDeclared, ErrUnsupportedAuth,
		ErrInvalidPresignExpires, ErrMultipleAuth}
	for i, a := range all {
		if !strings.HasPrefix(a.Error(), "sigv4: ") {
			t.Errorf("%v lacks prefix", a)
		}
		for j, b := range all {
			if i != j && errors.Is(a, b) {
				t.Errorf("errors.Is(%v, %v)", a, b)
			}
		}
	}
}
