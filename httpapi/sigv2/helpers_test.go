package sigv2

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // Signature Version 2
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairnstore/cairn/httpapi/sigv4"
)

const (
	testAK = "AKIDEXAMPLE"
	testSK = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	// The S3 documentation's example credentials.
	docAK = "AKIAIOSFODNN7EXAMPLE"
	docSK = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// testTime is the signing time of the oracle tests.
var testTime = time.Date(2024, 2, 29, 12, 34, 56, 0, time.UTC)

// memStore is a CredentialStore backed by a map of access key -> secret.
type memStore = sigv4.StaticCredentials

func newTestVerifier(now time.Time) *Verifier {
	return &Verifier{
		Creds: memStore{testAK: testSK, docAK: docSK},
		Now:   func() time.Time { return now },
	}
}

// tSign is the test side's own HMAC-SHA1 signer.
func tSign(secret, sts string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// rawRequest renders a request line, headers and body as wire bytes. target
// is the request-target exactly as it is to be sent.
func rawRequest(method, host, target string, headers [][2]string, body string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, target, host)
	for _, h := range headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	if body != "" || method == http.MethodPut || method == http.MethodPost {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	b.WriteString(body)
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

// splitURL returns the host and request-target of an absolute URL, without
// re-encoding anything.
func splitURL(t testing.TB, u string) (host, target string) {
	t.Helper()
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		t.Fatalf("not an absolute URL: %q", u)
	}
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		return rest, "/"
	}
	return rest[:i], rest[i:]
}

func mustVerify(t testing.TB, v *Verifier, r *http.Request, bucket string) *Verified {
	t.Helper()
	vr, err := v.Verify(r, bucket)
	if err != nil {
		var sm *sigv4.SignatureMismatchError
		if errors.As(err, &sm) {
			t.Fatalf("Verify: %v\nstring to sign:\n%q", err, sm.StringToSign)
		}
		t.Fatalf("Verify: %v", err)
	}
	return vr
}

func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

// requirePython fails the test when python3 with botocore is missing: the
// machines ship it, and the compatibility promise is tested against it.
func requirePython(t testing.TB) {
	t.Helper()
	if out, err := exec.Command("python3", "-c", "import botocore.auth").CombinedOutput(); err != nil {
		t.Fatalf("python3 with botocore is required for the oracle tests: %v\n%s", err, out)
	}
}

// botoCase is one request for testdata/botocore_sign.py.
type botoCase struct {
	Mode     string      `json:"mode"` // "header" or "query"
	Method   string      `json:"method"`
	URL      string      `json:"url"`
	Headers  [][2]string `json:"headers"`
	AuthPath *string     `json:"auth_path"`
	Date     string      `json:"date,omitempty"`
	Expires  int64       `json:"expires,omitempty"`
}

// botoSigned is botocore's answer for one case.
type botoSigned struct {
	URL          string      `json:"url"`
	Headers      [][2]string `json:"headers"`
	StringToSign string      `json:"string_to_sign"`
}

// botoSign signs every case with botocore in one python process.
func botoSign(t testing.TB, cases []botoCase) []botoSigned {
	t.Helper()
	requirePython(t)
	in, err := json.Marshal(map[string]any{"access_key": testAK, "secret_key": testSK, "cases": cases})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", filepath.Join("testdata", "botocore_sign.py"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore_sign.py: %v\n%s", err, stderr.String())
	}
	var res []botoSigned
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(cases) {
		t.Fatalf("botocore_sign.py output (%d results): %v\n%s", len(res), err, out)
	}
	return res
}

// roundTrip sends raw request bytes to addr over TCP and returns the status.
func roundTrip(t testing.TB, addr string, raw []byte) int {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write(raw); err != nil {
		t.Fatal(err)
	}
	req := serverRequest(t, raw) // for the method (HEAD has no body)
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Logf("response: %s", b)
	}
	return resp.StatusCode
}
