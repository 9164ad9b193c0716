package postpolicy

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/cairnstore/cairn/httpapi/sigv4"
)

// docPolicy is the base64 policy of the S3 documentation's "Example:
// Browser-Based Upload using HTTP POST (Using AWS Signature Version 4)",
// CRLF line ends included; docSignature is its published signature.
const (
	docPolicy    = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9"
	docSignature = "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"
	docRedirect  = "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html"
)

// docForm is the documentation's example form, names spelled as there.
func docForm() [][2]string {
	return [][2]string{
		{"key", "user/user1/${filename}"},
		{"acl", "public-read"},
		{"success_action_redirect", docRedirect},
		{"Content-Type", "image/jpeg"},
		{"x-amz-meta-uuid", "14365123651274"},
		{"x-amz-server-side-encryption", "AES256"},
		{"X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},
		{"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
		{"X-Amz-Date", "20151229T000000Z"},
		{"x-amz-meta-tag", ""},
		{"Policy", docPolicy},
		{"X-Amz-Signature", docSignature},
	}
}

func TestDocumentationExample(t *testing.T) {
	v := &Verifier{Creds: memStore{docAK: docSK}, Region: "us-east-1",
		Now: func() time.Time { return time.Date(2015, 12, 29, 0, 0, 0, 0, time.UTC) }}
	r := formRequest(t, docForm(), &fileSpec{filename: "photo.jpg", contentType: "image/jpeg", body: gen(3000)},
		[][2]string{{"submit", "Upload to Amazon S3"}})
	f, err := Parse(r, 0)
	if err != nil {
		t.Fatal(err)
	}
	vr, err := v.Verify(context.Background(), f, "sigv4examplebucket")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, f.File); n != 3000 || err != nil {
		t.Fatalf("file: %d %v", n, err)
	}
	if vr.AccessKey != docAK || vr.Version != 4 || !vr.Expiration.Equal(time.Date(2015, 12, 30, 12, 0, 0, 0, time.UTC)) ||
		f.Fields["key"] != "user/user1/photo.jpg" {
		t.Fatalf("verified %+v key %q", vr, f.Fields["key"])
	}
	if s := f.Success(); s.Status != 303 || s.Redirect != docRedirect {
		t.Fatalf("success %+v", s)
	}

	// One day later the policy has expired; in another bucket the bucket
	// condition fails; with another secret the signature does not match.
	v.Now = func() time.Time { return time.Date(2015, 12, 30, 12, 0, 1, 0, time.UTC) }
	_, _, err = parseVerify(t, v, formRequest(t, docForm(), sized(1), nil), "sigv4examplebucket")
	wantErr(t, err, ErrPolicyExpired)
	v.Now = func() time.Time { return time.Date(2015, 12, 29, 0, 0, 0, 0, time.UTC) }
	_, _, err = parseVerify(t, v, formRequest(t, docForm(), sized(1), nil), "johnsmith")
	wantErr(t, err, ErrConditionFailed)
	v.Creds = memStore{docAK: "another secret"}
	_, _, err = parseVerify(t, v, formRequest(t, docForm(), sized(1), nil), "sigv4examplebucket")
	wantErr(t, err, sigv4.ErrSignatureDoesNotMatch)
}

// TestBotocoreVector is botocore's generate_presigned_post for
// ("sigv4examplebucket", "user/user1/photo.jpg") at 2015-12-29T00:00:00Z
// with the documentation's credentials, recorded once; the oracle tests
// regenerate such forms live.
func TestBotocoreVector(t *testing.T) {
	fields := [][2]string{
		{"key", "user/user1/photo.jpg"},
		{"x-amz-algorithm", "AWS4-HMAC-SHA256"},
		{"x-amz-credential", "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},
		{"x-amz-date", "20151229T000000Z"},
		{"policy", "eyJleHBpcmF0aW9uIjogIjIwMTUtMTItMjlUMDE6MDA6MDBaIiwgImNvbmRpdGlvbnMiOiBbeyJidWNrZXQiOiAic2lndjRleGFtcGxlYnVja2V0In0sIHsia2V5IjogInVzZXIvdXNlcjEvcGhvdG8uanBnIn0sIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwgeyJ4LWFtei1jcmVkZW50aWFsIjogIkFLSUFJT1NGT0ROTjdFWEFNUExFLzIwMTUxMjI5L3VzLWVhc3QtMS9zMy9hd3M0X3JlcXVlc3QifSwgeyJ4LWFtei1kYXRlIjogIjIwMTUxMjI5VDAwMDAwMFoifV19"},
		{"x-amz-signature", "3364624b39010d9b06f5d9b8c9a18a6e478d261c048159c92f2fd6fa885f14e6"},
	}
	v := &Verifier{Creds: memStore{docAK: docSK}, Now: func() time.Time { return time.Date(2015, 12, 29, 0, 30, 0, 0, time.UTC) }}
	if _, _, err := parseVerify(t, v, formRequest(t, fields, sized(10), nil), "sigv4examplebucket"); err != nil {
		t.Fatal(err)
	}
}
