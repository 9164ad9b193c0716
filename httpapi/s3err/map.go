package s3err

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/engine/authz/policy"
	"github.com/cairnstore/cairn/httpapi/postpolicy"
	"github.com/cairnstore/cairn/httpapi/sigv2"
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
	{engine.ErrAccessDenied, AccessDenied, ""},
	{policy.ErrMalformedPolicy, MalformedPolicy, ""},
	{engine.ErrInvalidAccessKeyID, InvalidAccessKeyID, ""},
	{engine.ErrACLNotSupported, AccessControlListNotSupported, ""},
	{engine.ErrBucketACLWithOwnership, InvalidBucketAclWithObjectOwnership, ""},
	{engine.ErrUserExists, InvalidArgument, "The user already exists."},
	{engine.ErrNoSuchUser, InvalidArgument, "The user does not exist."},
	{engine.ErrNoSuchKeyID, InvalidArgument, "The access key does not exist."},
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
	{engine.ErrNoSpace, ServiceUnavailable, "No disk has room for the object's data; try again later."},
	{engine.ErrDiskUnavailable, ServiceUnavailable, "A disk holding or receiving the object's data is unavailable."},
	{engine.ErrCorruptData, InternalError, "The object's data failed its integrity check."},
	{engine.ErrInvalidArgument, InvalidArgument, ""},
	{engine.ErrInvalidTag, InvalidTag, ""},
	{engine.ErrCopyToItself, InvalidRequest, "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."},
	{engine.ErrCopySourceTooLarge, InvalidRequest, "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120"},
	{engine.ErrPreconditionFailed, PreconditionFailed, ""},
	{engine.ErrConditionalConflict, ConditionalRequestConflict, ""},
	{engine.ErrInvalidPartNumber, InvalidPartNumber, ""},
	{engine.ErrRangeWithPartNumber, InvalidRequest, "Cannot specify both Range header and partNumber query parameter"},
	{engine.ErrNoSuchUpload, NoSuchUpload, ""},
	{engine.ErrInvalidPart, InvalidPart, ""},
	{engine.ErrInvalidPartOrder, InvalidPartOrder, ""},
	{engine.ErrEntityTooSmall, EntityTooSmall, ""},
	{engine.ErrPartNumberRange, InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive"},
	{engine.ErrNoParts, MalformedXML, ""},
	{engine.ErrInvalidChecksumType, InvalidRequest, "Value for x-amz-checksum-type header is invalid."},
	{engine.ErrChecksumTypeMismatch, InvalidRequest, ""},
	{engine.ErrMissingPartChecksum, InvalidRequest, ""},
	{engine.ErrObjectSizeMismatch, InvalidRequest, "The provided 'x-amz-mp-object-size' header value does not match the size of the completed object."},
	{engine.ErrInvalidCopyRange, InvalidArgument, ""},
	{engine.ErrTooManyExtents, InvalidRequest, "The object would be made of too many ranges of other objects; copy fewer, larger ranges."},
	{engine.ErrNoSuchReplication, ReplicationConfigurationNotFoundError, ""},
	{engine.ErrInvalidRequest, InvalidRequest, ""},
	{engine.ErrMalformedConfig, MalformedXML, ""},
	{engine.ErrNotImplemented, NotImplemented, ""},
	{engine.ErrReplicaNeedsVersioning, InvalidRequest, "Destination bucket must have versioning enabled."},
	{engine.ErrNoSuchVersion, NoSuchVersion, ""},
	{engine.ErrInvalidVersionID, InvalidArgument, "Invalid version id specified"},
	{engine.ErrMethodNotAllowed, MethodNotAllowed, ""},
	{engine.ErrVersionMarkerNoKey, InvalidArgument, "A version-id marker cannot be specified without a key marker."},
	{engine.ErrCopyFromDeleteMarker, InvalidRequest, "The source of a copy request may not specifically refer to a delete marker by version id."},
	{engine.ErrSuspendLockedBucket, InvalidBucketState, "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed."},
	{engine.ErrLockNeedsVersioning, InvalidBucketState, "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration"},
	{engine.ErrNoLockConfiguration, ObjectLockConfigurationNotFoundError, ""},
	{engine.ErrBucketNotLocked, InvalidRequest, "Bucket is missing Object Lock Configuration"},
	{engine.ErrNoObjectLock, NoSuchObjectLockConfiguration, ""},
	{engine.ErrObjectLocked, AccessDenied, "Access Denied because object protected by object lock."},
	{engine.ErrRetainDatePast, InvalidArgument, "The retain until date must be in the future!"},
	{engine.ErrInvalidRetention, InvalidArgument, "Default retention period must be a positive integer value for either Days or Years."},
	{engine.ErrLockNeedsContentDigest, InvalidRequest, "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters"},

	{sigv2.ErrMalformedAuthorization, InvalidArgument, "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature"},
	{sigv2.ErrInvalidQueryAuth, AccessDenied, ""},
	{postpolicy.ErrNotMultipart, PreconditionFailed, "Bucket POST must be of the enclosure-type multipart/form-data"},
	{postpolicy.ErrMalformedPOSTRequest, MalformedPOSTRequest, ""},
	{postpolicy.ErrMaxPostPreDataLengthExceeded, MaxPostPreDataLengthExceeded, ""},
	{postpolicy.ErrInvalidArgument, InvalidArgument, ""},
	{postpolicy.ErrIncorrectNumberOfFiles, InvalidArgument, "POST requires exactly one file upload per request."},
	{postpolicy.ErrInvalidPolicyDocument, InvalidPolicyDocument, ""},
	{postpolicy.ErrPolicyExpired, AccessDenied, ""},
	{postpolicy.ErrConditionFailed, AccessDenied, ""},
	{postpolicy.ErrExtraFields, AccessDenied, ""},
	{postpolicy.ErrEntityTooLarge, EntityTooLarge, ""},
	{postpolicy.ErrEntityTooSmall, EntityTooSmall, ""},
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
	var pe *policy.MalformedPolicyError
	if errors.As(err, &pe) {
		e.Message = pe.Reason
	}
	var pp *postpolicy.Error
	if errors.As(err, &pp) {
		postDetail(e, pp)
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
	var ce *engine.ConfigError
	if errors.As(err, &ce) {
		e.Message = ce.Reason
	}
	var ae *sigv4.Error
	if errors.As(err, &ae) && e.Message == "" && ae.Message != "" {
		e.Message = ae.Message
	}
	var cm *engine.ChecksumMismatchError
	if errors.As(err, &cm) {
		e.Message = fmt.Sprintf("The %s you specified did not match the calculated checksum.", cm.Algorithm)
	}
	multipartDetail(e, err)
}

// postDetail copies the message and extra elements S3 puts in a POST
// upload's error body.
func postDetail(e *Error, pp *postpolicy.Error) {
	if pp.Message != "" {
		e.Message = pp.Message
	}
	if pp.ArgumentName != "" {
		e.With("ArgumentName", pp.ArgumentName).With("ArgumentValue", pp.ArgumentValue)
	}
	switch {
	case errors.Is(pp, postpolicy.ErrEntityTooLarge):
		e.With("ProposedSize", strconv.FormatInt(pp.ProposedSize, 10)).With("MaxSizeAllowed", strconv.FormatInt(pp.SizeLimit, 10))
	case errors.Is(pp, postpolicy.ErrEntityTooSmall):
		e.With("ProposedSize", strconv.FormatInt(pp.ProposedSize, 10)).With("MinSizeAllowed", strconv.FormatInt(pp.SizeLimit, 10))
	case errors.Is(pp, postpolicy.ErrMaxPostPreDataLengthExceeded):
		e.With("MaxPostPreDataLengthBytes", strconv.FormatInt(pp.SizeLimit, 10))
	}
}
