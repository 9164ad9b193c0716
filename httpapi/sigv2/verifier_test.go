package sigv2

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnstore/cairn/httpapi/sigv4"
)

// signed builds a header-authenticated request whose signature covers sts.
func signed(t testing.TB, method, target string, headers [][2]string, sts string) *http.Request {
	t.Helper()
	h := append(headers[:len(headers):len(headers)], [2]string{"Authorization", "AWS " + testAK + ":" + tSign(testSK, sts)})
	return serverRequest(t, rawRequest(method, "s3.example.test", target, h, ""))
}

func dateHeader(at time.Time) [2]string { return [2]string{"Date", at.Format(http.TimeFormat)} }

func TestIsV2(t *testing.T) {
	cases := []struct {
		target string
		authz  string
		want   bool
	}{
		{"/b/k", "AWS AK:sig", true},
		{"/b/k", "AWS4-HMAC-SHA256 Credential=x", false},
		{"/b/k", "", false},
		{"/b/k?AWSAccessKeyId=AK&Signature=x&Expires=1", "", true},
		{"/b/k?AWSAccessKeyId=AK&Expires=1", "", false},
		{"/b/k?Signature=x", "", false},
		{"/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256", "", false},
	}
	for _, c := range cases {
		var h [][2]string
		if c.authz != "" {
			h = append(h, [2]string{"Authorization", c.authz})
		}
		r := serverRequest(t, rawRequest("GET", "h", c.target, h, ""))
		if got := IsV2(r); got != c.want {
			t.Errorf("IsV2(%s, %q) = %v", c.target, c.authz, got)
		}
	}
}

func TestParseAuthorization(t *testing.T) {
	ak, sig, err := ParseAuthorization("AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=")
	if err != nil || ak != "AKIAIOSFODNN7EXAMPLE" || sig != "frJIUN8DYpKDtOLCwo//yllqDzg=" {
		t.Fatalf("got %q %q %v", ak, sig, err)
	}
	for _, h := range []string{"AWS ", "AWS :sig", "AWS ak:", "AWS aksig", "AWS  : "} {
		_, _, err := ParseAuthorization(h)
		wantErr(t, err, ErrMalformedAuthorization)
	}
	for _, h := range []string{"AWS4-HMAC-SHA256 Credential=a", "aws ak:sig", "Bearer x", ""} {
		_, _, err := ParseAuthorization(h)
		wantErr(t, err, sigv4.ErrUnsupportedAuth)
	}
}

func TestHeaderTime(t *testing.T) {
	v := newTestVerifier(testTime)
	sts := func(date string) string { return "GET\n\n\n" + date + "\n/b/k" }
	for _, d := range []time.Duration{0, 14 * time.Minute, -14 * time.Minute, 15 * time.Minute} {
		at := testTime.Add(d)
		mustVerify(t, v, signed(t, "GET", "/b/k", [][2]string{dateHeader(at)}, sts(at.Format(http.TimeFormat))), "")
	}
	for _, d := range []time.Duration{16 * time.Minute, -16 * time.Minute, 24 * time.Hour} {
		at := testTime.Add(d)
		_, err := v.Verify(signed(t, "GET", "/b/k", [][2]string{dateHeader(at)}, sts(at.Format(http.TimeFormat))), "")
		wantErr(t, err, sigv4.ErrRequestTimeTooSkewed)
	}
	// Other accepted forms of the date.
	for _, layout := range []string{time.RFC1123Z, time.RFC850, time.ANSIC, "20060102T150405Z"} {
		d := testTime.Format(layout)
		mustVerify(t, v, signed(t, "GET", "/b/k", [][2]string{{"Date", d}}, sts(d)), "")
	}
	// MaxSkew is configurable.
	tight := newTestVerifier(testTime)
	tight.MaxSkew = time.Minute
	at := testTime.Add(2 * time.Minute)
	_, err := tight.Verify(signed(t, "GET", "/b/k", [][2]string{dateHeader(at)}, sts(at.Format(http.TimeFormat))), "")
	wantErr(t, err, sigv4.ErrRequestTimeTooSkewed)
	// No date, a bad date, or two dates.
	for _, h := range [][][2]string{nil, {{"Date", "yesterday"}}, {{"x-amz-date", "soon"}, dateHeader(testTime)},
		{dateHeader(testTime), dateHeader(testTime)}} {
		_, err := v.Verify(signed(t, "GET", "/b/k", h, sts("")), "")
		wantErr(t, err, sigv4.ErrMissingDateHeader)
	}
}

func TestAmzDateForms(t *testing.T) {
	v := newTestVerifier(testTime)
	amz := testTime.Format(time.RFC1123Z)
	stale := testTime.Add(-time.Hour).Format(http.TimeFormat) // Date is ignored for skew
	h := [][2]string{{"Date", stale}, {"X-Amz-Date", amz}}
	forms := map[string]string{
		"documented":  "DELETE\n\n\n\nx-amz-date:" + amz + "\n/b/k",
		"botocore":    "DELETE\n\n\n" + stale + "\nx-amz-date:" + amz + "\n/b/k",
		"doc example": "DELETE\n\n\n" + amz + "\n/b/k",
	}
	for name, sts := range forms {
		t.Run(name, func(t *testing.T) { mustVerify(t, v, signed(t, "DELETE", "/b/k", h, sts), "") })
	}
	for _, sts := range []string{
		"DELETE\n\n\n" + amz + "\nx-amz-date:" + amz + "\n/b/k",
		"DELETE\n\n\n\n/b/k",
		"DELETE\n\n\n" + stale + "\n/b/k",
	} {
		_, err := v.Verify(signed(t, "DELETE", "/b/k", h, sts), "")
		var sm *sigv4.SignatureMismatchError
		if !errors.As(err, &sm) || sm.StringToSign != forms["documented"] {
			t.Fatalf("got %v (%+v)", err, sm)
		}
	}
	// x-amz-date decides the skew.
	old := testTime.Add(-time.Hour).Format(time.RFC1123Z)
	_, err := v.Verify(signed(t, "DELETE", "/b/k", [][2]string{dateHeader(testTime), {"X-Amz-Date", old}},
		"DELETE\n\n\n\nx-amz-date:"+old+"\n/b/k"), "")
	wantErr(t, err, sigv4.ErrRequestTimeTooSkewed)
}

func TestCanonicalHeaders(t *testing.T) {
	v := newTestVerifier(testTime)
	d := dateHeader(testTime)
	// Folded header lines (obs-fold) become one space; Go's reader unfolds
	// them before we see them, and we unfold what is left.
	raw := "PUT /b/k HTTP/1.1\r\nHost: h\r\nDate: " + d[1] + "\r\nX-Amz-Meta-F: a\r\n   b\r\nX-Amz-Meta-Z: 1\r\n" +
		"x-amz-meta-z: 2\r\nContent-Length: 0\r\n"
	sts := "PUT\n\n\n" + d[1] + "\nx-amz-meta-f:a b\nx-amz-meta-z:1,2\n/b/k"
	r := serverRequest(t, []byte(raw+"Authorization: AWS "+testAK+":"+tSign(testSK, sts)+"\r\n\r\n"))
	mustVerify(t, v, r, "")
	// Programmatic values with line breaks are unfolded too.
	r.Header.Set("X-Amz-Meta-F", " a\r\n \t b ")
	mustVerify(t, v, r, "")
	if got := unfold(" x\n\ny \r\n\tz "); got != "x y z" {
		t.Fatalf("unfold = %q", got)
	}
}

func TestQueryAuthErrors(t *testing.T) {
	v := newTestVerifier(testTime)
	exp := strconv.FormatInt(testTime.Add(time.Minute).Unix(), 10)
	sig := tSign(testSK, "GET\n\n\n"+exp+"\n/b/k")
	good := "/b/k?AWSAccessKeyId=" + testAK + "&Expires=" + exp + "&Signature=" + strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(sig)
	mustVerify(t, v, serverRequest(t, rawRequest("GET", "h", good, nil, "")), "")
	// An unescaped '+' in Signature is read as a space and mended.
	raw := "/b/k?AWSAccessKeyId=" + testAK + "&Expires=" + exp + "&Signature=" + sig
	if !strings.Contains(sig, "+") {
		t.Fatalf("test signature %q has no '+'; pick another time", sig)
	}
	mustVerify(t, v, serverRequest(t, rawRequest("GET", "h", raw, nil, "")), "")
	for target, want := range map[string]error{
		"/b/k?AWSAccessKeyId=" + testAK + "&Signature=x":                              ErrInvalidQueryAuth,
		"/b/k?AWSAccessKeyId=" + testAK + "&Signature=x&Expires=soon":                 ErrInvalidQueryAuth,
		"/b/k?AWSAccessKeyId=" + testAK + "&Signature=x&Expires=%2B5":                 ErrInvalidQueryAuth,
		"/b/k?AWSAccessKeyId=" + testAK + "&Signature=x&Expires=1&Expires=2":          ErrInvalidQueryAuth,
		"/b/k?AWSAccessKeyId=&Signature=x&Expires=" + exp:                             ErrInvalidQueryAuth,
		"/b/k?AWSAccessKeyId=" + testAK + "&Signature=x&Expires=1":                    sigv4.ErrExpiredPresignedRequest,
		"/b/k?AWSAccessKeyId=nobody&Signature=x&Expires=" + exp:                       sigv4.ErrInvalidAccessKeyID,
		"/b/k?AWSAccessKeyId=" + testAK + "&Signature=%21%21&Expires=" + exp:          sigv4.ErrSignatureDoesNotMatch,
		good + "&X-Amz-Algorithm=AWS4-HMAC-SHA256":                                    sigv4.ErrMultipleAuth,
		"/b/k?AWSAccessKeyId=" + testAK + "&Signature=" + sig[:4] + "&Expires=" + exp: sigv4.ErrSignatureDoesNotMatch,
	} {
		_, err := v.Verify(serverRequest(t, rawRequest("GET", "h", target, nil, "")), "")
		if !errors.Is(err, want) {
			t.Errorf("%s: got %v, want %v", target, err, want)
		}
	}
}

func TestAuthErrors(t *testing.T) {
	v := newTestVerifier(testTime)
	d := dateHeader(testTime)
	do := func(target string, h ...[2]string) error {
		_, err := v.Verify(serverRequest(t, rawRequest("GET", "h", target, h, "")), "")
		return err
	}
	wantErr(t, do("/b/k"), sigv4.ErrMissingAuth)
	wantErr(t, do("/b/k", d, [2]string{"Authorization", "AWS nobody:c2ln"}), sigv4.ErrInvalidAccessKeyID)
	wantErr(t, do("/b/k", d, [2]string{"Authorization", "AWS " + testAK + ":not base64!"}), sigv4.ErrSignatureDoesNotMatch)
	wantErr(t, do("/b/k", d, [2]string{"Authorization", "AWS " + testAK}), ErrMalformedAuthorization)
	wantErr(t, do("/b/k", d, [2]string{"Authorization", "AWS a:b"}, [2]string{"Authorization", "AWS a:b"}), ErrMalformedAuthorization)
	wantErr(t, do("/b/k?AWSAccessKeyId=a&Signature=b&Expires=1", d, [2]string{"Authorization", "AWS a:b"}), sigv4.ErrMultipleAuth)
	wantErr(t, do("/b/k?X-Amz-Credential=x", d, [2]string{"Authorization", "AWS a:b"}), sigv4.ErrMultipleAuth)
	wantErr(t, do("/b/k", d, [2]string{"Authorization", "AWS4-HMAC-SHA256 Credential=x"}), sigv4.ErrUnsupportedAuth)

	// The store's own failures pass through wrapped, not as a sentinel.
	boom := errors.New("store down")
	v.Creds = failingStore{boom}
	err := do("/b/k", d, [2]string{"Authorization", "AWS " + testAK + ":c2ln"})
	if !errors.Is(err, boom) || errors.Is(err, sigv4.ErrInvalidAccessKeyID) {
		t.Fatalf("got %v", err)
	}
	v.Creds = nil
	if err := do("/b/k", d, [2]string{"Authorization", "AWS " + testAK + ":c2ln"}); err == nil {
		t.Fatal("nil Creds accepted")
	}
}

type failingStore struct{ err error }

func (f failingStore) Lookup(context.Context, string) (sigv4.Credential, error) {
	return sigv4.Credential{}, f.err
}

// TestErrorsCarryMessagesNotSecrets checks every error path for the AWS
// message and for the absence of the secret.
func TestErrorsCarryMessagesNotSecrets(t *testing.T) {
	v := newTestVerifier(testTime)
	d := dateHeader(testTime)
	reqs := []*http.Request{
		serverRequest(t, rawRequest("GET", "h", "/b/k", [][2]string{d, {"Authorization", "AWS " + testAK + ":c2ln"}}, "")),
		serverRequest(t, rawRequest("GET", "h", "/b/k", [][2]string{{"Authorization", "AWS " + testAK + ":c2ln"}}, "")),
		serverRequest(t, rawRequest("GET", "h", "/b/k", [][2]string{{"Authorization", "AWS x"}}, "")),
		serverRequest(t, rawRequest("GET", "h", "/b/k?AWSAccessKeyId=a&Signature=b", nil, "")),
		serverRequest(t, rawRequest("GET", "h", "/b/k?AWSAccessKeyId="+testAK+"&Signature=b&Expires=1", nil, "")),
	}
	for _, r := range reqs {
		_, err := v.Verify(r, "")
		if err == nil || strings.Contains(err.Error(), testSK) {
			t.Fatalf("err %v", err)
		}
		var ae *sigv4.Error
		var sm *sigv4.SignatureMismatchError
		switch {
		case errors.As(err, &ae):
			if ae.Message == "" || strings.Contains(ae.Message, testSK) {
				t.Fatalf("message %q", ae.Message)
			}
		case errors.As(err, &sm):
			if strings.Contains(sm.StringToSign, testSK) || sm.SignatureProvided != "c2ln" || sm.AccessKeyID != testAK {
				t.Fatalf("mismatch %+v", sm)
			}
		default:
			t.Fatalf("untyped %v", err)
		}
	}
}

func TestConcurrentVerify(t *testing.T) {
	v := newTestVerifier(testTime)
	d := dateHeader(testTime)
	sts := "GET\n\n\n" + d[1] + "\n/b/k"
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if _, err := v.Verify(signed(t, "GET", "/b/k", [][2]string{d}, sts), ""); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
