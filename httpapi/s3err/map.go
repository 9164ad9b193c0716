package s3err

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi/sigv4"
)

// mapping pairs a domain or authentication sentinel with its S3 code and,
// where S3 words it differently from the code's default, a message.
type mapping struct {
	err  error
	code Code
	msg  string
}

// table is the one mapping from errors to S3 codes, checked in order.
var table = []mapping{
	{engine.ErrNoSuchBucket, NoSuchBucket, ""},
	{engine.ErrBucketAlreadyExists, BucketAlreadyExists, ""},
	{engine.ErrBucketAlreadyOwnedByYou, BucketAlreadyOwnedByYou, ""},
	{engine.ErrBucketNotEmpty, BucketNotEmpty, ""},
	{engine.ErrInvalidBucketName, InvalidBucketName, ""},
	{engine.ErrKeyTooLong, KeyTooLongError, ""},
	{engine.ErrInvalidKey, InvalidArgument, "Object key must be non-empty, valid UTF-8."},
	{engine.ErrIllegalLocationConstraint, IllegalLocationConstraintException, ""},
	{engine.ErrNoSuchKey, NoSuchKey, ""},
	{engine.ErrInvalidRange, InvalidRange, ""},
	{engine.ErrEntityTooLarge, EntityTooLarge, ""},
	{engine.ErrMetadataTooLarge, MetadataTooLarge, ""},
	{engine.ErrIncompleteBody, IncompleteBody, ""},
	{engine.ErrBadDigest, BadDigest, ""},
	{engine.ErrChecksumMismatch, BadDigest, "The checksum you specified did not match the calculated checksum."},
	{engine.ErrInvalidChecksum, InvalidRequest, "Value for x-amz-checksum header is invalid."},
	{engine.ErrMissingChecksum, MalformedTrailerError, "The declared checksum trailer was not received."},
	{engine.ErrBlobUnavailable, ServiceUnavailable, "The object's data is held by a node this gateway cannot reach."},
	{engine.ErrBusy, ServiceUnavailable, ""},
	{engine.ErrInvalidArgument, InvalidArgument, ""},
	{engine.ErrInvalidTag, InvalidTag, ""},
	{engine.ErrCopyToItself, InvalidRequest, "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."},
	{engine.ErrCopySourceTooLarge, InvalidRequest, "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120"},
	{engine.ErrPreconditionFailed, PreconditionFailed, ""},
	{engine.ErrConditionalConflict, ConditionalRequestConflict, ""},
	{engine.ErrInvalidPartNumber, InvalidPartNumber, ""},
	{engine.ErrRangeWithPartNumber, InvalidRequest, "Cannot specify both Range header and partNumber query parameter"},

	{sigv4.ErrMissingAuth, AccessDenied, ""},
	{sigv4.ErrInvalidAccessKeyID, InvalidAccessKeyID, ""},
	{sigv4.ErrSignatureDoesNotMatch, SignatureDoesNotMatch, ""},
	{sigv4.ErrRequestTimeTooSkewed, RequestTimeTooSkewed, ""},
	{sigv4.ErrAuthorizationHeaderMalformed, AuthorizationHeaderMalformed, ""},
	{sigv4.ErrAuthorizationQueryParametersError, AuthorizationQueryParametersError, ""},
	{sigv4.ErrInvalidPresignExpires, AuthorizationQueryParametersError, ""},
	{sigv4.ErrMissingDateHeader, AccessDenied, "AWS authentication requires a valid Date or x-amz-date header"},
	{sigv4.ErrExpiredPresignedRequest, AccessDenied, "Request has expired"},
	{sigv4.ErrRequestNotYetValid, AccessDenied, "Request is not valid yet"},
	{sigv4.ErrHeadersNotSigned, AccessDenied, "There were headers present in the request which were not signed"},
	{sigv4.ErrInvalidContentSHA256, InvalidArgument, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-* or a valid sha256 value."},
	{sigv4.ErrMissingContentSHA256, InvalidRequest, "Missing required header for this request: x-amz-content-sha256"},
	{sigv4.ErrContentSHA256Mismatch, XAmzContentSHA256Mismatch, ""},
	{sigv4.ErrIncompleteBody, IncompleteBody, ""},
	{sigv4.ErrDecodedLengthMismatch, IncompleteBody, "The decoded body length does not match x-amz-decoded-content-length."},
	{sigv4.ErrInvalidChunk, InvalidRequest, "The aws-chunked body is not well-formed."},
	{sigv4.ErrMalformedTrailer, MalformedTrailerError, ""},
	{sigv4.ErrTrailerNotDeclared, MalformedTrailerError, "The request contained a trailer not declared in x-amz-trailer."},
	{sigv4.ErrMissingDecodedContentLength, MissingContentLength, "You must provide the x-amz-decoded-content-length header with aws-chunked bodies."},
	{sigv4.ErrUnsupportedAuth, InvalidArgument, "Unsupported Authorization Type"},
	{sigv4.ErrMultipleAuth, InvalidArgument, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"},
}

// FromError returns the S3 error for err: err itself when it already is
// one, the table's code for a known sentinel, InternalError otherwise.
func FromError(err error) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	for _, m := range table {
		if errors.Is(err, m.err) {
			e := &Error{Code: m.code, Message: m.msg, Err: err}
			addDetail(e, err)
			return e
		}
	}
	return &Error{Code: InternalError, Err: err}
}

// addDetail copies what AWS echoes in some error bodies.
func addDetail(e *Error, err error) {
	var sm *sigv4.SignatureMismatchError
	if errors.As(err, &sm) {
		if sm.AccessKeyID != "" {
			e.With("AWSAccessKeyId", sm.AccessKeyID)
		}
		e.With("StringToSign", sm.StringToSign).With("SignatureProvided", sm.SignatureProvided)
		if sm.CanonicalRequest != "" {
			e.With("CanonicalRequest", sm.CanonicalRequest)
		}
		return
	}
	var te *engine.TagError
	if errors.As(err, &te) {
		e.Message = te.Reason
	}
	var ne *engine.NotificationError
	if errors.As(err, &ne) {
		e.Message = ne.Reason
		for i, a := range ne.Args {
			n := ""
			if ne.Numbered {
				n = strconv.Itoa(i + 1)
			}
			e.With("ArgumentName"+n, a.Name).With("ArgumentValue"+n, a.Value)
		}
	}
	var ae *sigv4.Error
	if errors.As(err, &ae) && e.Message == "" && ae.Message != "" {
		e.Message = ae.Message
	}
	var cm *engine.ChecksumMismatchError
	if errors.As(err, &cm) {
		e.Message = fmt.Sprintf("The %s you specified did not match the calculated checksum.", cm.Algorithm)
	}
}
