package sigv4

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Test vectors from the Amazon S3 API reference ("Signature Calculations for
// the Authorization Header", "...Transferring Payload in Multiple Chunks",
// "...Including Trailing Headers", "Authenticating Requests: Using Query
// Parameters"). They are an oracle independent of any SDK.

const (
	docAK     = "AKIAIOSFODNN7EXAMPLE"
	docSK     = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	docScope  = "20130524/us-east-1/s3/aws4_request"
	docAmz    = "20130524T000000Z"
	docSeed   = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
	docSeedTr = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
)

func docVerifier() *Verifier {
	return &Verifier{
		Region: "us-east-1",
		Creds:  memStore{docAK: docSK},
		Now:    func() time.Time { return time.Date(2013, 5, 24, 0, 5, 0, 0, time.UTC) },
	}
}

func TestAWSDocGetObject(t *testing.T) {
	raw := "GET /test.txt HTTP/1.1\r\n" +
		"Host: examplebucket.s3.amazonaws.com\r\n" +
		"Range: bytes=0-9\r\n" +
		"x-amz-content-sha256: " + emptySHA256 + "\r\n" +
		"x-amz-date: 20130524T000000Z\r\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\r\n\r\n"
	vr := mustVerify(t, docVerifier(), serverRequest(t, []byte(raw)))
	if vr.AccessKey != docAK || vr.Mode != PayloadSHA256 || vr.Presigned {
		t.Fatalf("got %+v", vr)
	}
	// The canonical request must be exactly the documented one.
	bad := strings.Replace(raw, "Signature=f0e8", "Signature=00e8", 1)
	_, err := docVerifier().Verify(serverRequest(t, []byte(bad)))
	var sm *SignatureMismatchError
	if !errors.As(err, &sm) {
		t.Fatalf("got %v, want *SignatureMismatchError", err)
	}
	wantCanon := "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n" +
		"x-amz-content-sha256:" + emptySHA256 + "\nx-amz-date:20130524T000000Z\n\n" +
		"host;range;x-amz-content-sha256;x-amz-date\n" + emptySHA256
	if sm.CanonicalRequest != wantCanon {
		t.Errorf("canonical request:\n%s\nwant:\n%s", sm.CanonicalRequest, wantCanon)
	}
	wantSTS := "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n" +
		"7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
	if sm.StringToSign != wantSTS {
		t.Errorf("string to sign:\n%s\nwant:\n%s", sm.StringToSign, wantSTS)
	}
	if sm.AccessKeyID != docAK || !strings.HasPrefix(sm.SignatureProvided, "00e8") {
		t.Errorf("mismatch fields: %+v", sm)
	}
}

func TestAWSDocPresignedGet(t *testing.T) {
	raw := "GET /test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404 HTTP/1.1\r\n" +
		"Host: examplebucket.s3.amazonaws.com\r\n\r\n"
	vr := mustVerify(t, docVerifier(), serverRequest(t, []byte(raw)))
	if !vr.Presigned || vr.Mode != PayloadUnsigned {
		t.Fatalf("got %+v", vr)
	}
	v := docVerifier()
	v.Now = func() time.Time { return time.Date(2013, 5, 25, 0, 0, 1, 0, time.UTC) }
	_, err := v.Verify(serverRequest(t, []byte(raw)))
	wantErr(t, err, ErrExpiredPresignedRequest)
}

// docChunkedRequest is the documented chunked PUT; its Content-Length is
// the documented 66824 (the body as documented is one byte shorter).
func docChunkedRequest(t *testing.T) *http.Request {
	t.Helper()
	raw := "PUT /examplebucket/chunkObject.txt HTTP/1.1\r\n" +
		"Host: s3.amazonaws.com\r\n" +
		"x-amz-date: 20130524T000000Z\r\n" +
		"x-amz-storage-class: REDUCED_REDUNDANCY\r\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=" + docSeed + "\r\n" +
		"x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\r\n" +
		"Content-Encoding: aws-chunked\r\n" +
		"x-amz-decoded-content-length: 66560\r\n" +
		"Content-Length: 66824\r\n\r\n"
	return serverRequest(t, []byte(raw))
}

func TestAWSDocChunkedUpload(t *testing.T) {
	r := docChunkedRequest(t)
	vr := mustVerify(t, docVerifier(), r)
	if vr.Mode != PayloadStreamingSigned || vr.seed != docSeed {
		t.Fatalf("got mode %v seed %s", vr.Mode, vr.seed)
	}
	a := bytes.Repeat([]byte("a"), 65536+1024)
	body := "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" +
		string(a[:65536]) + "\r\n" +
		"400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" +
		string(a[:1024]) + "\r\n" +
		"0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n"
	r.Body = io.NopCloser(strings.NewReader(body))
	b, err := vr.Body(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(b)
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	if !bytes.Equal(got, a) || b.Size() != 66560 || b.Trailer() != nil {
		t.Fatalf("decoded %d bytes, size %d, trailer %v", len(got), b.Size(), b.Trailer())
	}
}

func TestAWSDocChunkedTrailer(t *testing.T) {
	a := bytes.Repeat([]byte("a"), 65536+1024)
	body := "10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n" +
		string(a[:65536]) + "\r\n" +
		"400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n" +
		string(a[:1024]) + "\r\n" +
		"0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n" +
		"x-amz-checksum-crc32c:sOO8/Q==\r\n" +
		"x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n"
	opts := ChunkedOptions{
		SigningKey: tKey(docSK, "20130524", "us-east-1"), AmzDate: docAmz, Scope: docScope,
		SeedSignature: docSeedTr, SignedTrailer: true,
		Trailers: []string{"x-amz-checksum-crc32c"}, DecodedLength: 66560,
	}
	cr := NewChunkedReader(strings.NewReader(body), opts)
	got, err := io.ReadAll(cr)
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	if !bytes.Equal(got, a) {
		t.Fatalf("payload mismatch")
	}
	if tr := cr.Trailer(); len(tr) != 1 || tr["x-amz-checksum-crc32c"] != "sOO8/Q==" {
		t.Fatalf("trailer %v", tr)
	}
	// The same trailer with a different value must fail the trailer signature.
	bad := strings.Replace(body, "sOO8/Q==", "sOO8/Q=A", 1)
	_, err = io.ReadAll(NewChunkedReader(strings.NewReader(bad), opts))
	wantErr(t, err, ErrSignatureDoesNotMatch)
}
