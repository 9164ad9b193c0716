package sigv4

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func TestClockSkew(t *testing.T) {
	raw := oracleCases()[0].signedWire(t)
	for _, tc := range []struct {
		offset, maxSkew time.Duration
		want            error
	}{
		{0, 0, nil},
		{14 * time.Minute, 0, nil},
		{-14 * time.Minute, 0, nil},
		{15 * time.Minute, 0, nil},
		{15*time.Minute + time.Second, 0, ErrRequestTimeTooSkewed},
		{-15*time.Minute - time.Second, 0, ErrRequestTimeTooSkewed},
		{24 * time.Hour, 0, ErrRequestTimeTooSkewed},
		{61 * time.Second, time.Minute, ErrRequestTimeTooSkewed},
		{-61 * time.Second, time.Minute, ErrRequestTimeTooSkewed},
		{59 * time.Second, time.Minute, nil},
	} {
		v := newTestVerifier(testTime.Add(tc.offset))
		v.MaxSkew = tc.maxSkew
		_, err := v.Verify(serverRequest(t, raw))
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("offset %v skew %v: got %v, want %v", tc.offset, tc.maxSkew, err, tc.want)
		}
	}
}

func TestPresignTimes(t *testing.T) {
	raw := wire(t, sdkPresign(t, oracleCases()[0].request(t), 60, testTime))
	for _, tc := range []struct {
		offset time.Duration
		want   error
	}{
		{0, nil},
		{60 * time.Second, nil},
		{61 * time.Second, ErrExpiredPresignedRequest},
		{time.Hour, ErrExpiredPresignedRequest},
		{-14 * time.Minute, nil},
		{-15*time.Minute - time.Second, ErrRequestNotYetValid},
	} {
		_, err := newTestVerifier(testTime.Add(tc.offset)).Verify(serverRequest(t, raw))
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("offset %v: got %v, want %v", tc.offset, err, tc.want)
		}
	}
	// The week-long maximum is accepted until it runs out.
	raw = wire(t, sdkPresign(t, oracleCases()[0].request(t), MaxPresignExpires, testTime))
	mustVerify(t, newTestVerifier(testTime.Add(7*24*time.Hour-time.Second)), serverRequest(t, raw))
	_, err := newTestVerifier(testTime.Add(7*24*time.Hour + time.Second)).Verify(serverRequest(t, raw))
	wantErr(t, err, ErrExpiredPresignedRequest)
}

func TestPresignQueryErrors(t *testing.T) {
	raw := wire(t, sdkPresign(t, oracleCases()[0].request(t), 3600, testTime))
	v := newTestVerifier(testTime)
	sig := raw[bytes.Index(raw, []byte("X-Amz-Signature=")):]
	sig = sig[:bytes.IndexByte(sig, ' ')]
	for _, tc := range []struct {
		name, old, new string
		want           error
	}{
		{"expires zero", "X-Amz-Expires=3600", "X-Amz-Expires=0", ErrInvalidPresignExpires},
		{"expires too long", "X-Amz-Expires=3600", "X-Amz-Expires=604801", ErrInvalidPresignExpires},
		{"expires negative", "X-Amz-Expires=3600", "X-Amz-Expires=-5", ErrInvalidPresignExpires},
		{"expires text", "X-Amz-Expires=3600", "X-Amz-Expires=soon", ErrInvalidPresignExpires},
		{"expires plus", "X-Amz-Expires=3600", "X-Amz-Expires=%2B3600", ErrInvalidPresignExpires},
		{"expires changed", "X-Amz-Expires=3600", "X-Amz-Expires=3601", ErrSignatureDoesNotMatch},
		{"missing date", "X-Amz-Date=20240229T123456Z&", "", ErrAuthorizationQueryParametersError},
		{"missing signed headers", "X-Amz-SignedHeaders=host", "", ErrAuthorizationQueryParametersError},
		{"duplicate signature", string(sig), string(sig) + "&" + string(sig), ErrAuthorizationQueryParametersError},
		{"bad date", "X-Amz-Date=20240229T123456Z", "X-Amz-Date=2024-02-29T12:34:56Z", ErrAuthorizationQueryParametersError},
		{"date not scope date", "X-Amz-Date=20240229T123456Z", "X-Amz-Date=20240301T003456Z", ErrAuthorizationQueryParametersError},
		{"region", "%2Fus-east-1%2F", "%2Fus-west-2%2F", ErrAuthorizationQueryParametersError},
		{"service", "%2Fs3%2F", "%2Fiam%2F", ErrAuthorizationQueryParametersError},
		{"credential", "AKIDEXAMPLE%2F", "AKIDEXAMPLE", ErrAuthorizationQueryParametersError},
		{"unknown key", "AKIDEXAMPLE%2F", "AKNOBODY%2F", ErrInvalidAccessKeyID},
		{"no host", "X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-amz-date", ErrAuthorizationQueryParametersError},
		{"short signature", string(sig), string(sig[:len(sig)-1]), ErrAuthorizationQueryParametersError},
		{"sigv4a", "X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256", ErrUnsupportedAuth},
		{"bad content sha", "X-Amz-Expires", "X-Amz-Content-Sha256=nope&X-Amz-Expires", ErrInvalidContentSHA256},
		{"content sha added", "X-Amz-Expires", "X-Amz-Content-Sha256=UNSIGNED-PAYLOAD&X-Amz-Expires", ErrSignatureDoesNotMatch},
	} {
		_, err := v.Verify(serverRequest(t, replace1(t, raw, tc.old, tc.new)))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	// Presigned requests do not require extra x-amz-* headers to be signed.
	mustVerify(t, v, serverRequest(t, replace1(t, raw, "Host:", "X-Amz-Meta-Extra: 1\r\nHost:")))
}

// signWith signs the base request with a different region or service.
func signWith(t *testing.T, region, service string, presign bool) []byte {
	t.Helper()
	req := oracleCases()[0].request(t)
	s := v4.NewSigner()
	if presign {
		q := req.URL.Query()
		q.Set("X-Amz-Expires", "60")
		req.URL.RawQuery = q.Encode()
		u, _, err := s.PresignHTTP(context.Background(), sdkCreds, req, UnsignedPayload, service, region, testTime, sdkOpts)
		if err != nil {
			t.Fatal(err)
		}
		req, _ = http.NewRequest("GET", u, nil)
	} else {
		req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
		if err := s.SignHTTP(context.Background(), sdkCreds, req, emptySHA256, service, region, testTime, sdkOpts); err != nil {
			t.Fatal(err)
		}
	}
	return wire(t, req)
}

func TestScopeErrors(t *testing.T) {
	v := newTestVerifier(testTime)
	for _, tc := range []struct {
		region, service string
		presign         bool
		want            error
		msg             string
	}{
		{"us-west-2", "s3", false, ErrAuthorizationHeaderMalformed, "the region 'us-west-2' is wrong; expecting 'us-east-1'"},
		{"us-west-2", "s3", true, ErrAuthorizationQueryParametersError, "the region 'us-west-2' is wrong; expecting 'us-east-1'"},
		{"us-east-1", "ec2", false, ErrAuthorizationHeaderMalformed, "incorrect service 'ec2'"},
		{"us-east-1", "ec2", true, ErrAuthorizationQueryParametersError, "incorrect service 'ec2'"},
	} {
		_, err := v.Verify(serverRequest(t, signWith(t, tc.region, tc.service, tc.presign)))
		var e *Error
		if !errors.Is(err, tc.want) || !errors.As(err, &e) || !strings.Contains(e.Message, tc.msg) {
			t.Errorf("%+v: got %v", tc, err)
		}
	}
	// An empty Verifier.Region accepts any region.
	v.Region = ""
	mustVerify(t, v, serverRequest(t, signWith(t, "eu-central-1", "s3", false)))
	mustVerify(t, v, serverRequest(t, signWith(t, "eu-central-1", "s3", true)))
}

// TestDateHeader covers header auth timed by Date instead of X-Amz-Date,
// signed by hand (the SDK always sends X-Amz-Date).
func TestDateHeader(t *testing.T) {
	date := "Thu, 29 Feb 2024 12:34:56 GMT"
	canon := "GET\n/bucket/key\n\ndate:" + date + "\nhost:" + testHost + "\nx-amz-content-sha256:" + emptySHA256 +
		"\n\ndate;host;x-amz-content-sha256\n" + emptySHA256
	sts := "AWS4-HMAC-SHA256\n20240229T123456Z\n20240229/us-east-1/s3/aws4_request\n" + tSHA([]byte(canon))
	sig := fmt.Sprintf("%x", tHMAC(tKey(testSK, "20240229", testRegion), sts))
	raw := "GET /bucket/key HTTP/1.1\r\nHost: " + testHost + "\r\nDate: " + date +
		"\r\nX-Amz-Content-Sha256: " + emptySHA256 +
		"\r\nAuthorization: AWS4-HMAC-SHA256 Credential=" + testAK + "/20240229/us-east-1/s3/aws4_request, SignedHeaders=date;host;x-amz-content-sha256, Signature=" + sig + "\r\n\r\n"
	v := newTestVerifier(testTime.Add(time.Minute))
	mustVerify(t, v, serverRequest(t, []byte(raw)))
	_, err := newTestVerifier(testTime.Add(time.Hour)).Verify(serverRequest(t, []byte(raw)))
	wantErr(t, err, ErrRequestTimeTooSkewed)
	for _, bad := range []string{"yesterday", "Thu, 29 Feb 2024 12:34:57 GMT"} {
		_, err = v.Verify(serverRequest(t, []byte(strings.Replace(raw, date, bad, 1))))
		if bad == "yesterday" {
			wantErr(t, err, ErrMissingDateHeader)
		} else {
			wantErr(t, err, ErrSignatureDoesNotMatch)
		}
	}
	_, err = v.Verify(serverRequest(t, []byte(strings.Replace(raw, "Date: "+date+"\r\n", "", 1))))
	wantErr(t, err, ErrMissingDateHeader)
}

// countingStore counts lookups and fails with a non-auth error on demand.
type countingStore struct {
	mu   sync.Mutex
	n    int
	fail error
}

func (c *countingStore) Lookup(ctx context.Context, ak string) (Credential, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if c.fail != nil {
		return Credential{}, c.fail
	}
	return memStore{testAK: testSK}.Lookup(ctx, ak)
}

func TestCredentialStoreErrors(t *testing.T) {
	raw := oracleCases()[0].signedWire(t)
	boom := errors.New("database down")
	v := &Verifier{Region: testRegion, Creds: &countingStore{fail: boom}, Now: func() time.Time { return testTime }}
	_, err := v.Verify(serverRequest(t, raw))
	if !errors.Is(err, boom) || errors.Is(err, ErrInvalidAccessKeyID) || errors.Is(err, ErrSignatureDoesNotMatch) {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), testSK) {
		t.Fatal("secret in error")
	}
}

func TestSecretNeverInErrors(t *testing.T) {
	raw := oracleCases()[0].signedWire(t)
	v := newTestVerifier(testTime)
	raw = replace1(t, raw, "/bucket/key", "/bucket/kez")
	_, err := v.Verify(serverRequest(t, raw))
	var sm *SignatureMismatchError
	if !errors.As(err, &sm) {
		t.Fatalf("got %v", err)
	}
	key := fmt.Sprintf("%x", tKey(testSK, "20240229", testRegion))
	for _, s := range []string{err.Error(), sm.StringToSign, sm.CanonicalRequest, fmt.Sprintf("%+v", sm)} {
		if strings.Contains(s, testSK) || strings.Contains(s, key) {
			t.Fatalf("secret leaked in %q", s)
		}
	}
}

// TestConcurrentVerify exercises the signing-key cache from many goroutines
// (run with -race) and checks the bound.
func TestConcurrentVerify(t *testing.T) {
	v := newTestVerifier(testTime)
	raws := make([][]byte, 0, 8)
	for _, c := range oracleCases()[:8] {
		raws = append(raws, c.signedWire(t))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				r, err := readRequest(raws[(g+i)%len(raws)])
				if err == nil {
					_, err = v.Verify(r)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := v.keys.len(); n != 1 {
		t.Fatalf("cache holds %d keys, want 1", n)
	}
	for i := 0; i < maxKeyCacheEntries+50; i++ {
		v.keys.get(fmt.Sprint("secret", i), "20240229", testRegion, "s3")
	}
	if n := v.keys.len(); n > maxKeyCacheEntries {
		t.Fatalf("cache grew to %d", n)
	}
	if !bytes.Equal(v.keys.get("s", "20240229", "r", "s3"), tKey("s", "20240229", "r")) {
		t.Fatal("cached key differs from derivation")
	}
}
