package postpolicy

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cairnstore/cairn/httpapi/sigv4"
)

// formErrors are the only errors parsing, verifying and reading may return.
var formErrors = []error{ErrNotMultipart, ErrMalformedPOSTRequest, ErrMaxPostPreDataLengthExceeded,
	ErrInvalidArgument, ErrIncorrectNumberOfFiles, ErrInvalidPolicyDocument, ErrPolicyExpired,
	ErrConditionFailed, ErrExtraFields, ErrEntityTooLarge, ErrEntityTooSmall,
	sigv4.ErrMissingAuth, sigv4.ErrInvalidAccessKeyID, sigv4.ErrSignatureDoesNotMatch}

func typed(err error) bool {
	for _, e := range formErrors {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// countingBody counts what the parser reads.
type countingBody struct {
	r io.Reader
	n int
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// FuzzPostForm feeds arbitrary bodies to the multipart parser, the verifier
// and the file reader: no panics, only typed errors, lower-case field
// names, a non-empty key, and never more raw body read before the file
// than the documented cap.
func FuzzPostForm(f *testing.F) {
	f.Add(bytesForm(f, docForm(), &fileSpec{filename: "a.jpg", body: strings.NewReader("jpeg")}, [][2]string{{"submit", "x"}}), uint16(0))
	f.Add(bytesForm(f, [][2]string{{"KEY", "${filename}"}, {"AWSAccessKeyId", testAK}, {"Signature", "c2ln"}, {"policy", "e30="}},
		&fileSpec{filename: `c:\x\y.txt`, body: strings.NewReader("data")}, nil), uint16(100))
	f.Add(bytesForm(f, [][2]string{{"key", "k"}, {"key", "j"}}, &fileSpec{noFilename: true}, nil), uint16(3))
	f.Add([]byte("--"+testBoundary+"\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n"), uint16(0))
	f.Add([]byte("--"+testBoundary+"--\r\n"), uint16(0))
	f.Add([]byte("preamble\r\n--"+testBoundary+"\r\n\r\n\r\n--"+testBoundary+"--"), uint16(1))
	v := newTestVerifier(time.Date(2015, 12, 29, 0, 0, 0, 0, time.UTC))
	f.Fuzz(func(t *testing.T, body []byte, limit uint16) {
		cb := &countingBody{r: bytes.NewReader(body)}
		r, _ := http.NewRequest(http.MethodPost, "http://h/b", cb)
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+testBoundary)
		max := int(limit)
		if max == 0 {
			max = DefaultMaxFormBytes
		}
		form, err := Parse(r, int(limit))
		if cb.n > 2*max+rawSlack {
			t.Fatalf("read %d bytes before the file (limit %d)", cb.n, max)
		}
		if err != nil {
			if form != nil || !typed(err) {
				t.Fatalf("Parse: %v", err)
			}
			return
		}
		for k := range form.Fields {
			if k != strings.ToLower(k) {
				t.Fatalf("field %q not lower-case", k)
			}
		}
		if form.Fields["key"] == "" {
			t.Fatal("no key")
		}
		if _, err := v.Verify(context.Background(), form, "sigv4examplebucket"); err != nil && !typed(err) {
			t.Fatalf("Verify: %v", err)
		}
		if _, err := io.Copy(io.Discard, form.File); err != nil && !typed(err) {
			t.Fatalf("file: %v", err)
		}
	})
}

// FuzzPolicy feeds arbitrary documents to the policy parser: no panics,
// only ErrInvalidPolicyDocument, the same answer through base64, and a
// parsed policy re-rendered from its conditions' texts parses to itself.
func FuzzPolicy(f *testing.F) {
	for _, s := range []string{
		`{"expiration": "2030-01-01T00:00:00Z", "conditions": [{"bucket": "b"}, ["starts-with", "$key", "u/"], ["content-length-range", 1, "10"]]}`,
		`{"expiration": "2030-01-01T00:00:00.000Z", "conditions": [["EQ", "$A", "\$x\v"], ["starts-with", "k", ""]]}`,
		`{"expiration": "x", "conditions": []}`,
		`{"conditions": [{}], "expiration": "2030-01-01T00:00:00Z"}`,
		`{"expiration": "2030-01-01T00:00:00Z", "conditions": [["content-length-range", -1, 0.5]]}`,
		`["eq"]`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := ParsePolicy(doc)
		p2, err2 := DecodePolicy(base64.StdEncoding.EncodeToString(doc))
		if (err == nil) != (err2 == nil) || !reflect.DeepEqual(p, p2) {
			t.Fatalf("base64 changes the answer: %v vs %v", err, err2)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Kind != ErrInvalidPolicyDocument || !strings.HasPrefix(e.Message, "Invalid Policy: ") {
				t.Fatalf("error %v", err)
			}
			return
		}
		texts := make([]string, len(p.Conditions))
		for i, c := range p.Conditions {
			if c.Op != opEq && c.Op != opStartsWith && c.Op != opLengthRange {
				t.Fatalf("op %q", c.Op)
			}
			if !json.Valid([]byte(c.String())) {
				t.Fatalf("rendering %q is not JSON", c.String())
			}
			texts[i] = c.String()
		}
		again := `{"expiration": "` + p.Expiration.Format(time.RFC3339Nano) + `", "conditions": [` + strings.Join(texts, ", ") + `]}`
		q, err := ParsePolicy([]byte(again))
		if err != nil || !q.Expiration.Equal(p.Expiration) || !reflect.DeepEqual(q.Conditions, p.Conditions) {
			t.Fatalf("re-rendered policy differs: %v\n%s\n%+v\n%+v", err, again, p, q)
		}
	})
}
