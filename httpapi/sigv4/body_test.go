package sigv4

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
)

// streamingRequest signs (with the SDK) a PUT announcing mode and returns the
// server-side request with body attached, plus the verified result.
func streamingRequest(t *testing.T, payload []byte, mode streamMode) (*http.Request, *Verified) {
	t.Helper()
	hash := [...]string{StreamingSignedPayload, StreamingSignedPayloadTrailer, StreamingUnsignedPayloadTrailer}[mode]
	req := clientRequest(t, "PUT", "/bucket/stream", "", nil)
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(len(payload)))
	if mode != modeSigned {
		req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32, x-amz-meta-x")
	}
	sdkSign(t, req, hash, testTime)
	r := serverRequest(t, wire(t, req))
	vr := mustVerify(t, newTestVerifier(testTime), r)
	a, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		t.Fatal(err)
	}
	s := newChainSigner(testSK, testTime, a.Signature)
	var stream []byte
	switch mode {
	case modeSigned:
		stream = encodeSigned(payload, 64<<10, s, nil, false)
	case modeSignedTrailer:
		stream = encodeSigned(payload, 64<<10, s, testTrailers, true)
	default:
		stream = encodeUnsigned(payload, 0, testTrailers)
	}
	r.Body = io.NopCloser(bytes.NewReader(stream))
	return r, vr
}

func TestBodyStreamingModes(t *testing.T) {
	payload := testPayload(150 << 10)
	for _, mode := range []streamMode{modeSigned, modeSignedTrailer, modeUnsignedTrailer} {
		r, vr := streamingRequest(t, payload, mode)
		want := [...]PayloadMode{PayloadStreamingSigned, PayloadStreamingSignedTrailer, PayloadStreamingUnsignedTrailer}[mode]
		if vr.Mode != want {
			t.Fatalf("%v: mode %v", mode, vr.Mode)
		}
		b, err := vr.Body(r)
		if err != nil {
			t.Fatal(err)
		}
		if b.Size() != int64(len(payload)) {
			t.Fatalf("%v: Size %d", mode, b.Size())
		}
		if b.Trailer() != nil {
			t.Fatalf("%v: trailer before EOF", mode)
		}
		got, err := io.ReadAll(iotest.HalfReader(b))
		if err != nil || !bytes.Equal(got, payload) {
			t.Fatalf("%v: %d bytes, %v", mode, len(got), err)
		}
		if tr := b.Trailer(); mode != modeSigned && tr["x-amz-checksum-crc32"] != "AAAAAA==" {
			t.Fatalf("%v: trailer %v", mode, tr)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBodyStreamingHeaders(t *testing.T) {
	payload := []byte("0123456789")
	for _, tc := range []struct {
		name   string
		mode   streamMode
		tamper func(http.Header)
		want   error
	}{
		// The headers are altered before signing: all x-amz-* headers are signed.
		{"missing decoded length", modeSigned, func(h http.Header) { h.Del("X-Amz-Decoded-Content-Length") }, ErrMissingDecodedContentLength},
		{"bad decoded length", modeSigned, func(h http.Header) { h.Set("X-Amz-Decoded-Content-Length", "-1") }, ErrMissingDecodedContentLength},
		{"decoded length too small", modeSigned, func(h http.Header) { h.Set("X-Amz-Decoded-Content-Length", "9") }, ErrDecodedLengthMismatch},
		{"decoded length too big", modeUnsignedTrailer, func(h http.Header) { h.Set("X-Amz-Decoded-Content-Length", "11") }, ErrDecodedLengthMismatch},
		{"trailer not declared", modeUnsignedTrailer, func(h http.Header) { h.Set("X-Amz-Trailer", "x-amz-checksum-crc32") }, ErrTrailerNotDeclared},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := clientRequest(t, "PUT", "/bucket/stream", "", nil)
			hash := [...]string{StreamingSignedPayload, StreamingSignedPayloadTrailer, StreamingUnsignedPayloadTrailer}[tc.mode]
			req.Header.Set("X-Amz-Decoded-Content-Length", "10")
			req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32,x-amz-meta-x")
			tc.tamper(req.Header)
			sdkSign(t, req, hash, testTime)
			r := serverRequest(t, wire(t, req))
			vr := mustVerify(t, newTestVerifier(testTime), r)
			a, _ := ParseAuthorization(r.Header.Get("Authorization"))
			s := newChainSigner(testSK, testTime, a.Signature)
			if tc.mode == modeSigned {
				r.Body = io.NopCloser(bytes.NewReader(encodeSigned(payload, 4, s, nil, false)))
			} else {
				r.Body = io.NopCloser(bytes.NewReader(encodeUnsigned(payload, 4, testTrailers)))
			}
			b, err := vr.Body(r)
			if err == nil {
				_, err = io.ReadAll(b)
			}
			wantErr(t, err, tc.want)
		})
	}
}

func TestBodySHA256(t *testing.T) {
	payload := []byte("the quick brown fox")
	for _, tc := range []struct {
		name string
		body []byte
		want error
	}{
		{"match", payload, nil},
		{"mismatch", []byte("the quick brown f0x"), ErrContentSHA256Mismatch},
		{"short", payload[:5], ErrContentSHA256Mismatch},
	} {
		c := oracleCase{method: "PUT", path: "/bucket/k", body: payload}
		r := serverRequest(t, c.signedWire(t))
		vr := mustVerify(t, newTestVerifier(testTime), r)
		if vr.Mode != PayloadSHA256 {
			t.Fatalf("mode %v", vr.Mode)
		}
		r.Body = io.NopCloser(iotest.OneByteReader(bytes.NewReader(tc.body)))
		b, err := vr.Body(r)
		if err != nil {
			t.Fatal(err)
		}
		if b.Size() != int64(len(payload)) || b.Trailer() != nil {
			t.Fatalf("Size %d", b.Size())
		}
		got, err := io.ReadAll(b)
		if tc.want == nil {
			if err != nil || !bytes.Equal(got, payload) {
				t.Fatalf("%s: %q %v", tc.name, got, err)
			}
			// Reads after EOF keep returning io.EOF.
			if n, err := b.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				t.Fatalf("%s: after EOF: %d %v", tc.name, n, err)
			}
			continue
		}
		wantErr(t, err, tc.want)
		if _, err := b.Read(make([]byte, 1)); !errors.Is(err, tc.want) {
			t.Fatalf("%s: error not sticky: %v", tc.name, err)
		}
	}
	// Upper-case hex in x-amz-content-sha256 is accepted and compared.
	c := oracleCase{method: "PUT", path: "/bucket/k", body: payload, hash: strings.ToUpper(tSHA(payload))}
	r := serverRequest(t, c.signedWire(t))
	vr := mustVerify(t, newTestVerifier(testTime), r)
	b, _ := vr.Body(r)
	if got, err := io.ReadAll(b); err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("upper-case hash: %v", err)
	}
}

func TestBodyUnsignedPassThrough(t *testing.T) {
	r, vr := func() (*http.Request, *Verified) {
		c := oracleCase{method: "PUT", path: "/bucket/k", body: []byte("abc"), hash: UnsignedPayload}
		r := serverRequest(t, c.signedWire(t))
		return r, mustVerify(t, newTestVerifier(testTime), r)
	}()
	b, err := vr.Body(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(b)
	if err != nil || string(got) != "abc" || b.Size() != 3 {
		t.Fatalf("%q %v %d", got, err, b.Size())
	}
	// A GET without body: Body works and is empty.
	g := serverRequest(t, oracleCases()[0].signedWire(t))
	vr = mustVerify(t, newTestVerifier(testTime), g)
	b, _ = vr.Body(g)
	if got, err := io.ReadAll(b); err != nil || len(got) != 0 || b.Size() != 0 {
		t.Fatalf("GET body %q %v size %d", got, err, b.Size())
	}
	var nilVR *Verified
	if _, err := nilVR.Body(g); err == nil {
		t.Fatal("nil Verified accepted")
	}
}
