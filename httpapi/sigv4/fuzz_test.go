package sigv4

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-date, Signature=" + sig64,
		"AWS4-HMAC-SHA256 Credential=a/b/20130524/r/s3/aws4_request,SignedHeaders=host,Signature=" + sig64,
		"AWS4-HMAC-SHA256 Signature=" + sig64 + " SignedHeaders=host Credential=AK/20240229/x/s3/aws4_request",
		"AWS4-HMAC-SHA256 Credential=AK/20240229/x/s3/aws4_request, Credential=AK/20240229/x/s3/aws4_request",
		"AWS4-HMAC-SHA256 Credential=AK=1/20240229/x/s3/aws4_request, SignedHeaders=h;H, Signature=" + sig64,
		"AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=",
		"AWS4-HMAC-SHA256",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAuthorization(s)
		if err != nil {
			if !errors.Is(err, ErrAuthorizationHeaderMalformed) && !errors.Is(err, ErrUnsupportedAuth) {
				t.Fatalf("untyped error %v", err)
			}
			if a != nil {
				t.Fatal("result with error")
			}
			return
		}
		r := a.String()
		b, err := ParseAuthorization(r)
		if err != nil {
			t.Fatalf("re-rendered %q does not parse: %v", r, err)
		}
		if !reflect.DeepEqual(a, b) || b.String() != r {
			t.Fatalf("re-render not stable: %+v vs %+v", a, b)
		}
		if !strings.Contains(s, a.Signature) || !strings.Contains(s, a.Region) {
			t.Fatalf("parsed values not from input")
		}
	})
}

// decoderErrors are the only errors the decoder may return on bad input.
var decoderErrors = []error{ErrSignatureDoesNotMatch, ErrIncompleteBody, ErrInvalidChunk,
	ErrMalformedTrailer, ErrTrailerNotDeclared, ErrDecodedLengthMismatch}

func typedDecoderError(err error) bool {
	for _, e := range decoderErrors {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// FuzzChunkedDecoder encodes payload as a valid stream of the chosen mode,
// optionally flips one byte, and decodes it through arbitrary read splits.
// With mode bit 0x80 the raw input is decoded as the stream instead.
func FuzzChunkedDecoder(f *testing.F) {
	f.Add([]byte("hello world"), uint16(4), uint8(0), uint32(0), byte(0), uint64(1), []byte(nil))
	f.Add([]byte("hello world"), uint16(4), uint8(1), uint32(30), byte(1), uint64(2), []byte(nil))
	f.Add([]byte("hello world"), uint16(0), uint8(2), uint32(5), byte(0x20), uint64(3), []byte(nil))
	f.Add(bytes.Repeat([]byte("x"), 3000), uint16(1000), uint8(1), uint32(2999), byte(0x80), uint64(4), []byte(nil))
	f.Add([]byte{}, uint16(1), uint8(1), uint32(90), byte(0x41), uint64(5), []byte(nil))
	f.Add([]byte{}, uint16(0), uint8(0x82), uint32(0), byte(0), uint64(6),
		[]byte("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"))
	f.Add([]byte{}, uint16(0), uint8(0x80), uint32(0), byte(0), uint64(7),
		[]byte("5;chunk-signature="+testSeed+"\r\nhello\r\n0;chunk-signature="+testSeed+"\r\n\r\n"))
	f.Fuzz(func(t *testing.T, payload []byte, chunk uint16, mode uint8, pos uint32, xor byte, split uint64, raw []byte) {
		if len(payload) > 1<<13 || len(raw) > 1<<14 {
			return
		}
		m := streamMode(mode & 0x7f % 3)
		// At most 64 chunks keeps each execution cheap.
		stream, opts := testStream(payload, max(int(chunk), len(payload)/64+1), m)
		if mode&0x80 != 0 {
			stream = raw
			opts.DecodedLength = -1
		}
		mutated := xor != 0 && len(stream) > 0
		if mutated {
			stream = bytes.Clone(stream)
			stream[int(pos)%len(stream)] ^= xor
		}
		cr := NewChunkedReader(&splitReader{r: bytes.NewReader(stream), seed: split, max: 1 + int(split%300)}, opts)
		got, err := io.ReadAll(cr)
		switch {
		case err != nil:
			if !typedDecoderError(err) {
				t.Fatalf("untyped error: %v", err)
			}
			if cr.Trailer() != nil {
				t.Fatal("trailers exposed after an error")
			}
			if mode&0x80 == 0 && !mutated {
				t.Fatalf("valid stream rejected: %v", err)
			}
			if m != modeUnsignedTrailer && mode&0x80 == 0 && !bytes.HasPrefix(payload, got) {
				t.Fatal("unverified bytes released")
			}
		case mode&0x80 != 0:
			if m != modeUnsignedTrailer {
				t.Fatalf("forged signed stream accepted: %q", got)
			}
		case m == modeUnsignedTrailer:
			if len(got) != len(payload) {
				t.Fatalf("decoded %d bytes, want %d", len(got), len(payload))
			}
		default: // signed, valid or benignly mutated: exactly the payload
			if !bytes.Equal(got, payload) {
				t.Fatalf("wrong payload accepted (mutated=%v)", mutated)
			}
			want := map[string]string(nil)
			if m == modeSignedTrailer {
				want = map[string]string{testTrailers[0][0]: testTrailers[0][1], testTrailers[1][0]: testTrailers[1][1]}
			}
			if !reflect.DeepEqual(cr.Trailer(), want) {
				t.Fatalf("wrong trailers accepted: %v", cr.Trailer())
			}
		}
	})
}

var canonicalSeeds = []struct {
	method                    uint8
	path, qname, qvalue, hval string
	presign                   bool
}{
	{0, "/bucket/key", "prefix", "a b", "value", false},
	{1, "/bucket/ü 日本/+%~!*'();:@&=$,/?#[]", "list-type", "2", "  spaced   value ", true},
	{2, "//a//b/./../", "", "=;&+", "x\ty", false},
	{3, "", "uploads", "", "", true},
	{4, "/b/k\x00\xff", "a/b", "a-b", "v", false},
	{0, "/b/%2F%zz", "a%20b", "%7E~", "\u00a0x\u00a0", true},
}

// FuzzCanonicalRequest signs fuzzed requests with the real SDK signer (header
// and presigned) and requires this package to accept them.
func FuzzCanonicalRequest(f *testing.F) {
	for _, s := range canonicalSeeds {
		f.Add(s.method, s.path, s.qname, s.qvalue, s.hval, s.presign)
	}
	f.Fuzz(func(t *testing.T, method uint8, path, qname, qvalue, hval string, presign bool) {
		checkSDKSigned(t, method, path, qname, qvalue, hval, presign)
	})
}

// TestCanonicalSeedsReachVerify guards the fuzz filters: every seed must get
// as far as Verify.
func TestCanonicalSeedsReachVerify(t *testing.T) {
	for _, s := range canonicalSeeds {
		if !checkSDKSigned(t, s.method, s.path, s.qname, s.qvalue, s.hval, s.presign) {
			t.Errorf("seed %+v filtered out", s)
		}
	}
}

// checkSDKSigned signs the described request with the SDK and fails t if
// Verify rejects it. It reports false when the input was filtered out.
func checkSDKSigned(t *testing.T, method uint8, path, qname, qvalue, hval string, presign bool) bool {
	t.Helper()
	if !validFuzzHeader(hval) || len(path)+len(qname)+len(qvalue) > 4096 || isAuthParam(qname) {
		return false
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	q := url.Values{}
	if qname != "" || qvalue != "" {
		q.Set(qname, qvalue)
	}
	req := clientRequest(t, []string{"GET", "PUT", "HEAD", "DELETE", "POST"}[method%5], path, q.Encode(), nil)
	if hval != "" {
		req.Header.Set("X-Amz-Meta-Fuzz", hval)
	}
	if presign {
		req = sdkPresign(t, req, 900, testTime)
	} else {
		sdkSign(t, req, emptySHA256, testTime)
	}
	r, err := readRequest(wire(t, req))
	if err != nil {
		return false // net/http cannot carry this request
	}
	vr, err := newTestVerifier(testTime).Verify(r)
	if err != nil {
		var sm *SignatureMismatchError
		if errors.As(err, &sm) {
			t.Fatalf("SDK-signed request rejected: %v\n%s", err, sm.CanonicalRequest)
		}
		t.Fatalf("SDK-signed request rejected: %v", err)
	}
	if vr.Presigned != presign {
		t.Fatalf("Presigned = %v", vr.Presigned)
	}
	return true
}

func validFuzzHeader(v string) bool {
	if !utf8.ValidString(v) {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

func isAuthParam(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(l, "x-amz-") || name == "AWSAccessKeyId" || name == "Signature"
}
