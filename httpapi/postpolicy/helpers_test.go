package postpolicy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairnstore/cairn/httpapi/sigv4"
)

const (
	testAK     = "AKIDEXAMPLE"
	testSK     = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testRegion = "us-east-1"
	testBucket = "uploads-bkt"
	// The S3 documentation's example credentials.
	docAK = "AKIAIOSFODNN7EXAMPLE"
	docSK = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// testTime is the signing time of the oracle tests.
var testTime = time.Date(2024, 2, 29, 12, 34, 56, 0, time.UTC)

// memStore is a CredentialStore backed by a map of access key -> secret.
type memStore = sigv4.StaticCredentials

func newTestVerifier(now time.Time) *Verifier {
	return &Verifier{Creds: memStore{testAK: testSK, docAK: docSK}, Region: testRegion, Now: func() time.Time { return now }}
}

// postCase is one generate_presigned_post call.
type postCase struct {
	SigVersion string            `json:"signature_version"` // "s3v4" or "s3"
	Bucket     string            `json:"bucket"`
	Key        string            `json:"key"`
	Fields     map[string]string `json:"fields,omitempty"`
	Conditions []any             `json:"conditions,omitempty"`
	ExpiresIn  int               `json:"expires_in,omitempty"`
	AccessKey  string            `json:"access_key,omitempty"` // "" = the call's
	SecretKey  string            `json:"secret_key,omitempty"`
}

// postForm is boto3's answer: the URL and the fields in order.
type postForm struct {
	URL    string      `json:"url"`
	Fields [][2]string `json:"fields"`
}

func requirePython(t testing.TB) {
	t.Helper()
	if out, err := exec.Command("python3", "-c", "import boto3").CombinedOutput(); err != nil {
		t.Fatalf("python3 with boto3 is required for the oracle tests: %v\n%s", err, out)
	}
}

// boto3Post runs every case through boto3 with the clock at now.
func boto3Post(t testing.TB, ak, sk string, now time.Time, cases ...postCase) []postForm {
	t.Helper()
	requirePython(t)
	in, err := json.Marshal(map[string]any{"access_key": ak, "secret_key": sk, "region": testRegion,
		"endpoint": "http://127.0.0.1:9000", "now": now.Unix(), "cases": cases})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", filepath.Join("testdata", "presigned_post.py"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("presigned_post.py: %v\n%s", err, stderr.String())
	}
	var forms []postForm
	if err := json.Unmarshal(out, &forms); err != nil || len(forms) != len(cases) {
		t.Fatalf("presigned_post.py output: %v\n%s", err, out)
	}
	return forms
}

// fileSpec is the file part of a test form.
type fileSpec struct {
	name        string // the part's name; "" means "file"
	filename    string
	noFilename  bool
	contentType string
	body        io.Reader // nil: empty
}

// writeForm writes a multipart body: fields, the file, then after.
func writeForm(w io.Writer, boundary string, fields [][2]string, file *fileSpec, after [][2]string) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(boundary); err != nil {
		return err
	}
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return err
		}
	}
	if file != nil {
		name := file.name
		if name == "" {
			name = "file"
		}
		h := textproto.MIMEHeader{}
		disp := `form-data; name="` + name + `"`
		if !file.noFilename {
			disp += `; filename="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(file.filename) + `"`
		}
		h.Set("Content-Disposition", disp)
		if file.contentType != "" {
			h.Set("Content-Type", file.contentType)
		}
		pw, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		if file.body != nil {
			if _, err := io.Copy(pw, file.body); err != nil {
				return err
			}
		}
	}
	for _, f := range after {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return err
		}
	}
	return mw.Close()
}

const testBoundary = "cairn-test-boundary-0123456789"

// formRequest builds a POST request whose body is streamed through a pipe
// by a writer goroutine, so that nothing holds the whole body.
func formRequest(t testing.TB, fields [][2]string, file *fileSpec, after [][2]string) *http.Request {
	t.Helper()
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeForm(pw, testBoundary, fields, file, after)) }()
	r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:9000/"+testBucket, pr)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "multipart/form-data; boundary="+testBoundary)
	return r
}

// bytesForm renders a form in memory.
func bytesForm(t testing.TB, fields [][2]string, file *fileSpec, after [][2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := writeForm(&b, testBoundary, fields, file, after); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func rawFormRequest(body []byte) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9000/"+testBucket, bytes.NewReader(body))
	r.Header.Set("Content-Type", "multipart/form-data; boundary="+testBoundary)
	return r
}

func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

// wantMessage asserts err is an *Error with the given message.
func wantMessage(t testing.TB, err error, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Message != msg {
		t.Fatalf("got %v, want message %q", err, msg)
	}
}

// withField returns fields with name set to value (replacing it, or
// appending it when absent); value "" with drop removes it.
func withField(fields [][2]string, name, value string, drop bool) [][2]string {
	out := make([][2]string, 0, len(fields)+1)
	found := false
	for _, f := range fields {
		if strings.EqualFold(f[0], name) {
			found = true
			if !drop {
				out = append(out, [2]string{f[0], value})
			}
			continue
		}
		out = append(out, f)
	}
	if !found && !drop {
		out = append(out, [2]string{name, value})
	}
	return out
}

// pattern is the content generated files repeat; its length is prime so
// that no buffer size lines up with it and a dropped or repeated block
// changes the hash.
var pattern = func() []byte {
	b := make([]byte, 65521)
	x := uint64(88172645463325252)
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	return b
}()

// genReader yields n bytes of pattern without holding them.
type genReader struct {
	n, off int
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.n == 0 {
		return 0, io.EOF
	}
	if len(p) > g.n {
		p = p[:g.n]
	}
	total := 0
	for total < len(p) {
		c := copy(p[total:], pattern[g.off:])
		total += c
		g.off = (g.off + c) % len(pattern)
	}
	g.n -= total
	return total, nil
}

func gen(n int) io.Reader { return &genReader{n: n} }

// parseVerify parses and verifies a request as a handler would.
func parseVerify(t testing.TB, v *Verifier, r *http.Request, bucket string) (*Form, *Verified, error) {
	t.Helper()
	f, err := Parse(r, 0)
	if err != nil {
		return nil, nil, err
	}
	vr, err := v.Verify(context.Background(), f, bucket)
	return f, vr, err
}
