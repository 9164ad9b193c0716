package sigv4

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// e2eResult is what the test server saw for one request.
type e2eResult struct {
	vr      *Verified
	err     error
	payload []byte
	raw     []byte // body bytes as received, before decoding
	trailer map[string]string
	header  http.Header
}

// e2eServer verifies every request with a Verifier and reports the outcome.
func e2eServer(t *testing.T, tls bool) (*httptest.Server, chan e2eResult) {
	t.Helper()
	results := make(chan e2eResult, 1)
	v := &Verifier{Region: testRegion, Creds: memStore{testAK: testSK}}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res := e2eResult{header: r.Header.Clone()}
		var raw bytes.Buffer
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.TeeReader(r.Body, &raw), r.Body}
		res.vr, res.err = v.Verify(r)
		if res.err == nil {
			var b *Body
			if b, res.err = res.vr.Body(r); res.err == nil {
				res.payload, res.err = io.ReadAll(b)
				res.trailer = b.Trailer()
			}
		}
		res.raw = raw.Bytes()
		e2eRespond(w, r)
		results <- res
	})
	srv := httptest.NewUnstartedServer(h)
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, results
}

func e2eRespond(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == "GET" && r.URL.Query().Get("list-type") == "2":
		w.Header().Set("Content-Type", "application/xml")
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`)
	case r.Method == "GET":
		io.WriteString(w, "hello")
	case r.Method == "DELETE":
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
	}
}

func e2eClient(srv *httptest.Server) *s3.Client {
	return s3.New(s3.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return sdkCreds, nil
		}),
		HTTPClient:                 srv.Client(),
		RetryMaxAttempts:           1,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
	})
}

func crc32Trailer(p []byte) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], crc32.ChecksumIEEE(p))
	return base64.StdEncoding.EncodeToString(b[:])
}

var e2eKeys = []string{"plain", "a b/c d", "ü/日本語", "a+b=c&d", "100%", "~x/./y/../z", "dir//x/", "semi;colon", "q?x#y"}

// TestSDKClientEndToEnd drives the real aws-sdk-go-v2 S3 client against a
// server verifying with this package, over HTTPS (unsigned trailing
// checksum) and plain HTTP (sha256 payload).
func TestSDKClientEndToEnd(t *testing.T) {
	ctx := context.Background()
	for _, tls := range []bool{true, false} {
		srv, results := e2eServer(t, tls)
		client := e2eClient(srv)
		check := func(op string, err error, mode PayloadMode) e2eResult {
			t.Helper()
			res := <-results
			if res.err != nil {
				t.Fatalf("tls=%v %s: server: %v", tls, op, res.err)
			}
			if err != nil {
				t.Fatalf("tls=%v %s: client: %v", tls, op, err)
			}
			if res.vr.Mode != mode {
				t.Fatalf("tls=%v %s: mode %v, want %v\n%v\n%q", tls, op, res.vr.Mode, mode, res.header, clip(res.raw))
			}
			return res
		}
		for i, key := range e2eKeys {
			payload := testPayload(1 + i*40000)
			_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key),
				Body: bytes.NewReader(payload), Metadata: map[string]string{"k": "v  w"}})
			wantMode := PayloadSHA256
			if tls {
				wantMode = PayloadStreamingUnsignedTrailer
			}
			res := check("PutObject "+key, err, wantMode)
			if !bytes.Equal(res.payload, payload) {
				t.Fatalf("PutObject %q: payload differs", key)
			}
			if tls {
				sum := crc32Trailer(payload)
				if res.trailer["x-amz-checksum-crc32"] != sum {
					t.Fatalf("trailer %v, want crc32 %s", res.trailer, sum)
				}
				// Byte-for-byte: the SDK's aws-chunked encoding equals our
				// test encoder, which the decoder tests rely on.
				want := encodeUnsigned(payload, 0, [][2]string{{"x-amz-checksum-crc32", sum}})
				if !bytes.Equal(res.raw, want) {
					t.Fatalf("SDK wire format differs:\n%q\nwant\n%q", clip(res.raw), clip(want))
				}
			}
			_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key), Range: aws.String("bytes=0-3")})
			check("GetObject "+key, err, PayloadSHA256)
			_, err = client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)})
			check("HeadObject "+key, err, PayloadSHA256)
			_, err = client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)})
			check("DeleteObject "+key, err, PayloadSHA256)
			_, err = client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bucket"), Prefix: aws.String(key), Delimiter: aws.String("/")})
			check("ListObjectsV2 "+key, err, PayloadSHA256)
		}
		testSDKPresign(t, client, srv, results)
	}
}

func testSDKPresign(t *testing.T, client *s3.Client, srv *httptest.Server, results chan e2eResult) {
	t.Helper()
	ctx := context.Background()
	pc := s3.NewPresignClient(client, s3.WithPresignExpires(10*time.Minute))
	for _, key := range e2eKeys {
		get, err := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		put, err := pc.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key), ContentType: aws.String("text/plain")})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []struct {
			method, url string
			hdr         http.Header
			body        string
		}{{get.Method, get.URL, get.SignedHeader, ""}, {put.Method, put.URL, put.SignedHeader, "presigned body"}} {
			req, _ := http.NewRequest(p.method, p.url, strings.NewReader(p.body))
			for k, vs := range p.hdr {
				if k != "Host" {
					req.Header[k] = vs
				}
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			res := <-results
			if res.err != nil || !res.vr.Presigned || string(res.payload) != p.body {
				t.Fatalf("presigned %s %q: %v %+v", p.method, key, res.err, res.vr)
			}
		}
	}
}

func clip(b []byte) []byte {
	if len(b) > 200 {
		return append(append(bytes.Clone(b[:100]), "..."...), b[len(b)-100:]...)
	}
	return b
}
