package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testAK     = "AKIDEXAMPLE"
	testSK     = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testRegion = "us-east-1"
	testHost   = "s3.example.test:9000"
)

// testTime is the signing time of most tests.
var testTime = time.Date(2024, 2, 29, 12, 34, 56, 0, time.UTC)

// memStore is a CredentialStore backed by a map of access key -> secret.
type memStore = StaticCredentials

func newTestVerifier(now time.Time) *Verifier {
	return &Verifier{
		Region: testRegion,
		Creds:  memStore{testAK: testSK, "AKOTHER": "other-secret"},
		Now:    func() time.Time { return now },
	}
}

// --- independent test-side SigV4 primitives ---

func tHMAC(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

func tSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func tKey(secret, date, region string) []byte {
	return tHMAC(tHMAC(tHMAC(tHMAC([]byte("AWS4"+secret), date), region), "s3"), "aws4_request")
}

// chainSigner signs aws-chunked chunks and trailers the way a client does.
type chainSigner struct {
	key         []byte
	date, scope string
	prev        string
}

func newChainSigner(secret string, at time.Time, seed string) *chainSigner {
	d := at.UTC().Format("20060102")
	return &chainSigner{
		key:   tKey(secret, d, testRegion),
		date:  at.UTC().Format("20060102T150405Z"),
		scope: d + "/" + testRegion + "/s3/aws4_request",
		prev:  seed,
	}
}

func (s *chainSigner) chunk(data []byte) string {
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + s.date + "\n" + s.scope + "\n" + s.prev + "\n" + tSHA(nil) + "\n" + tSHA(data)
	s.prev = hex.EncodeToString(tHMAC(s.key, sts))
	return s.prev
}

func (s *chainSigner) trailer(trailers [][2]string) string {
	var canon strings.Builder
	for _, t := range trailers {
		canon.WriteString(t[0] + ":" + t[1] + "\n")
	}
	sts := "AWS4-HMAC-SHA256-TRAILER\n" + s.date + "\n" + s.scope + "\n" + s.prev + "\n" + tSHA([]byte(canon.String()))
	return hex.EncodeToString(tHMAC(s.key, sts))
}

func (s *chainSigner) options(seed string, signedTrailer bool, declared []string, n int64) ChunkedOptions {
	return ChunkedOptions{
		SigningKey: s.key, AmzDate: s.date, Scope: s.scope, SeedSignature: seed,
		SignedTrailer: signedTrailer, Trailers: declared, DecodedLength: n,
	}
}

func splitChunks(payload []byte, size int) [][]byte {
	var out [][]byte
	if size <= 0 {
		size = len(payload)
	}
	for len(payload) > 0 {
		n := min(size, len(payload))
		out = append(out, payload[:n])
		payload = payload[n:]
	}
	return out
}

// encodeSigned writes a signed aws-chunked body. With signedTrailer the
// trailer section carries trailers and x-amz-trailer-signature.
func encodeSigned(payload []byte, chunkSize int, s *chainSigner, trailers [][2]string, signedTrailer bool) []byte {
	var b bytes.Buffer
	for _, c := range splitChunks(payload, chunkSize) {
		fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n", len(c), s.chunk(c))
		b.Write(c)
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "0;chunk-signature=%s\r\n", s.chunk(nil))
	if signedTrailer {
		for _, t := range trailers {
			b.WriteString(t[0] + ":" + t[1] + "\r\n")
		}
		b.WriteString("x-amz-trailer-signature:" + s.trailer(trailers) + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// encodeUnsigned writes an unsigned aws-chunked body in the format of the
// AWS SDK for Go v2 (service/internal/checksum/aws_chunked_encoding.go):
// chunkSize <= 0 gives one chunk holding the whole payload.
func encodeUnsigned(payload []byte, chunkSize int, trailers [][2]string) []byte {
	var b bytes.Buffer
	for _, c := range splitChunks(payload, chunkSize) {
		fmt.Fprintf(&b, "%x\r\n", len(c))
		b.Write(c)
		b.WriteString("\r\n")
	}
	b.WriteString("0\r\n")
	for _, t := range trailers {
		b.WriteString(t[0] + ":" + t[1] + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// --- SDK oracle plumbing ---

// s3Escape is the S3 SDK key escaping: all but unreserved and '/'.
func s3Escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// clientRequest builds a client-side request for path (unescaped) and raw
// query, as the S3 SDK would.
func clientRequest(t testing.TB, method, path, rawQuery string, body []byte) *http.Request {
	t.Helper()
	u := &url.URL{Scheme: "http", Host: testHost, Path: path, RawPath: s3Escape(path), RawQuery: rawQuery}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, u.String(), rd)
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	return req
}

func sdkOpts(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }

var sdkCreds = aws.Credentials{AccessKeyID: testAK, SecretAccessKey: testSK}

// sdkSign signs req in place with the real SDK signer.
func sdkSign(t testing.TB, req *http.Request, payloadHash string, at time.Time) {
	t.Helper()
	req.Header.Set("X-Amz-Content-Sha256", payloadHash) // as the S3 client does
	err := v4.NewSigner().SignHTTP(context.Background(), sdkCreds, req, payloadHash, "s3", testRegion, at, sdkOpts)
	if err != nil {
		t.Fatalf("SignHTTP: %v", err)
	}
}

// sdkPresign presigns req with the SDK and returns a client request for the
// presigned URL carrying the headers the signature covers.
func sdkPresign(t testing.TB, req *http.Request, expires int, at time.Time) *http.Request {
	t.Helper()
	q := req.URL.Query()
	q.Set("X-Amz-Expires", fmt.Sprint(expires))
	req.URL.RawQuery = q.Encode()
	signedURL, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), sdkCreds, req, UnsignedPayload, "s3", testRegion, at, sdkOpts)
	if err != nil {
		t.Fatalf("PresignHTTP: %v", err)
	}
	var body io.Reader
	if req.GetBody != nil {
		body, _ = req.GetBody()
	}
	out, err := http.NewRequest(req.Method, signedURL, body)
	if err != nil {
		t.Fatalf("NewRequest(%q): %v", signedURL, err)
	}
	out.ContentLength = req.ContentLength
	for k, vs := range hdr {
		if k != "Host" {
			out.Header[k] = vs
		}
	}
	return out
}

// wire serialises a client request exactly as net/http sends it.
func wire(t testing.TB, req *http.Request) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := req.Write(&b); err != nil {
		t.Fatalf("req.Write: %v", err)
	}
	return b.Bytes()
}

// serverRequest parses wire bytes as the net/http server does.
func serverRequest(t testing.TB, raw []byte) *http.Request {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatalf("ReadRequest: %v\n%s", err, raw)
	}
	return r
}

// mustVerify verifies r and fails the test on error.
func mustVerify(t testing.TB, v *Verifier, r *http.Request) *Verified {
	t.Helper()
	vr, err := v.Verify(r)
	if err != nil {
		var sm *SignatureMismatchError
		if errors.As(err, &sm) {
			t.Fatalf("Verify: %v\ncanonical request:\n%s\nstring to sign:\n%s", err, sm.CanonicalRequest, sm.StringToSign)
		}
		t.Fatalf("Verify: %v", err)
	}
	return vr
}

// wantErr asserts errors.Is(err, target).
func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

// oneByteSplits delivers r in reads of pseudo-random sizes in [1, max].
type splitReader struct {
	r    io.Reader
	seed uint64
	max  int
}

func (s *splitReader) Read(p []byte) (int, error) {
	s.seed = s.seed*6364136223846793005 + 1442695040888963407
	n := 1 + int(s.seed>>33)%s.max
	if len(p) > n {
		p = p[:n]
	}
	return s.r.Read(p)
}

// readRequest parses wire bytes, returning the parse error.
func readRequest(raw []byte) (*http.Request, error) {
	return http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
}
