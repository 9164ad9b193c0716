package s3err

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/engine/authz/policy"
	"github.com/cairnstore/cairn/httpapi/postpolicy"
	"github.com/cairnstore/cairn/httpapi/sigv2"
	"github.com/cairnstore/cairn/httpapi/sigv4"
)

func TestCodeTableIsConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range All {
		if c.Name == "" || seen[c.Name] {
			t.Errorf("code %q empty or repeated", c.Name)
		}
		seen[c.Name] = true
		if c.Status < 300 || c.Status > 599 || c.Message == "" {
			t.Errorf("code %s: status %d message %q", c.Name, c.Status, c.Message)
		}
	}
	for _, m := range table {
		if !seen[m.code.Name] {
			t.Errorf("mapping of %v uses %s, which is not in All", m.err, m.code.Name)
		}
	}
}

// Every domain and authentication sentinel has an S3 code: none falls
// through to InternalError.
func TestEverySentinelIsMapped(t *testing.T) {
	sentinels := []error{policy.ErrMalformedPolicy, sigv2.ErrMalformedAuthorization, sigv2.ErrInvalidQueryAuth,
		postpolicy.ErrNotMultipart, postpolicy.ErrMalformedPOSTRequest, postpolicy.ErrMaxPostPreDataLengthExceeded,
		postpolicy.ErrInvalidArgument, postpolicy.ErrIncorrectNumberOfFiles, postpolicy.ErrInvalidPolicyDocument,
		postpolicy.ErrPolicyExpired, postpolicy.ErrConditionFailed, postpolicy.ErrExtraFields, postpolicy.ErrEntityTooLarge,
		postpolicy.ErrEntityTooSmall, engine.ErrNoSuchBucket, engine.ErrAccessDenied, engine.ErrInvalidAccessKeyID, engine.ErrACLNotSupported,
		engine.ErrBucketACLWithOwnership, engine.ErrUserExists, engine.ErrNoSuchUser, engine.ErrNoSuchKeyID, engine.ErrBucketAlreadyExists, engine.ErrBucketAlreadyOwnedByYou,
		engine.ErrBucketNotEmpty, engine.ErrInvalidBucketName, engine.ErrKeyTooLong, engine.ErrInvalidKey,
		engine.ErrIllegalLocationConstraint, engine.ErrNoSuchKey, engine.ErrInvalidRange, engine.ErrEntityTooLarge,
		engine.ErrMetadataTooLarge, engine.ErrIncompleteBody, engine.ErrBadDigest, engine.ErrChecksumMismatch,
		engine.ErrInvalidChecksum, engine.ErrMissingChecksum, engine.ErrBlobUnavailable, engine.ErrBusy, engine.ErrInvalidArgument, engine.ErrInvalidTag, engine.ErrCopyToItself, engine.ErrCopySourceTooLarge,
		engine.ErrPreconditionFailed, engine.ErrConditionalConflict, engine.ErrInvalidPartNumber, engine.ErrRangeWithPartNumber,
		sigv4.ErrMissingAuth, sigv4.ErrInvalidAccessKeyID, sigv4.ErrSignatureDoesNotMatch, sigv4.ErrRequestTimeTooSkewed,
		sigv4.ErrAuthorizationHeaderMalformed, sigv4.ErrAuthorizationQueryParametersError, sigv4.ErrMissingDateHeader,
		sigv4.ErrExpiredPresignedRequest, sigv4.ErrRequestNotYetValid, sigv4.ErrInvalidContentSHA256,
		sigv4.ErrMissingContentSHA256, sigv4.ErrContentSHA256Mismatch, sigv4.ErrHeadersNotSigned, sigv4.ErrIncompleteBody,
		sigv4.ErrInvalidChunk, sigv4.ErrMalformedTrailer, sigv4.ErrMissingDecodedContentLength,
		sigv4.ErrDecodedLengthMismatch, sigv4.ErrTrailerNotDeclared, sigv4.ErrUnsupportedAuth,
		sigv4.ErrInvalidPresignExpires, sigv4.ErrMultipleAuth,
		engine.ErrNoSuchVersion, engine.ErrInvalidVersionID, engine.ErrMethodNotAllowed, engine.ErrVersionMarkerNoKey,
		engine.ErrCopyFromDeleteMarker, engine.ErrSuspendLockedBucket, engine.ErrLockNeedsVersioning, engine.ErrNoLockConfiguration,
		engine.ErrBucketNotLocked, engine.ErrNoObjectLock, engine.ErrObjectLocked, engine.ErrRetainDatePast,
		engine.ErrInvalidRetention, engine.ErrLockNeedsContentDigest,
		engine.ErrNoSuchReplication, engine.ErrInvalidRequest, engine.ErrMalformedConfig, engine.ErrNotImplemented,
		engine.ErrReplicaNeedsVersioning}
	for _, s := range sentinels {
		e := FromError(fmt.Errorf("wrapped: %w", s))
		if e.Code == InternalError {
			t.Errorf("%v maps to InternalError", s)
		}
	}
	if FromError(errors.New("disk on fire")).Code != InternalError {
		t.Error("an unknown error must be InternalError")
	}
}

func TestConfigErrorsKeepTheirCodeAndReason(t *testing.T) {
	e := FromError(&engine.ConfigError{Err: engine.ErrInvalidRequest, Reason: "why"})
	if e.Code != InvalidRequest || e.message() != "why" {
		t.Fatalf("%s: %s", e.Code.Name, e.message())
	}
	if e := FromError(engine.ErrNoSuchReplication); e.Code.Status != 404 || e.Code != ReplicationConfigurationNotFoundError {
		t.Fatalf("no configuration: %s", e.Code.Name)
	}
}

// Disk trouble: a full or unavailable disk is a retryable 503; data that
// fails its checksums is a 500 that says so.
func TestDiskErrors(t *testing.T) {
	for _, c := range []struct {
		err  error
		code Code
	}{{engine.ErrNoSpace, ServiceUnavailable}, {engine.ErrDiskUnavailable, ServiceUnavailable}, {engine.ErrCorruptData, InternalError}} {
		e := FromError(fmt.Errorf("wrapped: %w", c.err))
		if e.Code != c.code || e.Message == "" {
			t.Errorf("%v maps to %v %q, want %v with a message", c.err, e.Code, e.Message, c.code)
		}
	}
}

func TestChecksumMismatchNamesTheAlgorithm(t *testing.T) {
	e := FromError(&engine.ChecksumMismatchError{Algorithm: "CRC32C"})
	if e.Code != BadDigest || !strings.Contains(e.message(), "CRC32C") {
		t.Fatalf("%s: %s", e.Code.Name, e.message())
	}
}

func TestSignatureMismatchEchoesWhatAWSEchoes(t *testing.T) {
	e := FromError(&sigv4.SignatureMismatchError{AccessKeyID: "AK", StringToSign: "sts", CanonicalRequest: "cr", SignatureProvided: "sig"})
	rec := httptest.NewRecorder()
	Write(rec, httptest.NewRequest("GET", "/b/k", nil), e, "REQ1", "HOST1")
	var body struct {
		Code, StringToSign, CanonicalRequest, SignatureProvided, AWSAccessKeyID string
		RequestID                                                               string `xml:"RequestId"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 403 || body.Code != "SignatureDoesNotMatch" || body.StringToSign != "sts" || body.CanonicalRequest != "cr" ||
		body.SignatureProvided != "sig" || body.RequestID != "REQ1" {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
}

func TestWriteRendersS3XMLAndNoBodyForHEAD(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, httptest.NewRequest("GET", "/b/k", nil), New(NoSuchKey, "").With("Key", "k"), "REQ", "HOST")
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>` +
		`<Key>k</Key><Resource>/b/k</Resource><RequestId>REQ</RequestId><HostId>HOST</HostId></Error>`
	if rec.Code != 404 || rec.Body.String() != want || rec.Header().Get("Content-Type") != "application/xml" {
		t.Fatalf("%d %q", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	Write(rec, httptest.NewRequest("HEAD", "/b/k", nil), New(NoSuchKey, ""), "REQ", "HOST")
	if rec.Code != 404 || rec.Body.Len() != 0 {
		t.Fatalf("HEAD: %d %q", rec.Code, rec.Body.String())
	}
}

// A delete marker is NoSuchKey when the request named no version, and
// MethodNotAllowed when it named the marker.
func TestDeleteMarkerErrors(t *testing.T) {
	if e := FromError(&engine.DeleteMarkerError{VersionID: "v"}); e.Code != NoSuchKey {
		t.Fatalf("current marker: %s", e.Code.Name)
	}
	if e := FromError(&engine.DeleteMarkerError{VersionID: "v", Named: true}); e.Code != MethodNotAllowed {
		t.Fatalf("named marker: %s", e.Code.Name)
	}
}
