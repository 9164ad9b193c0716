package sigv4

import "errors"

// Sentinel errors. Each failure returned by this package matches exactly one
// of them with errors.Is. The comment gives the S3 error code the HTTP layer
// is expected to map it to.
var (
	// ErrMissingAuth: the request carries no authentication (anonymous).
	ErrMissingAuth = errors.New("sigv4: request carries no authentication")
	// ErrInvalidAccessKeyID: InvalidAccessKeyId (403).
	ErrInvalidAccessKeyID = errors.New("sigv4: invalid access key id")
	// ErrSignatureDoesNotMatch: SignatureDoesNotMatch (403).
	ErrSignatureDoesNotMatch = errors.New("sigv4: signature does not match")
	// ErrRequestTimeTooSkewed: RequestTimeTooSkewed (403).
	ErrRequestTimeTooSkewed = errors.New("sigv4: request time too skewed")
	// ErrAuthorizationHeaderMalformed: AuthorizationHeaderMalformed (400).
	ErrAuthorizationHeaderMalformed = errors.New("sigv4: authorization header malformed")
	// ErrAuthorizationQueryParametersError: AuthorizationQueryParametersError (400).
	ErrAuthorizationQueryParametersError = errors.New("sigv4: authorization query parameters error")
	// ErrMissingDateHeader: AccessDenied (403), "AWS authentication requires a
	// valid Date or x-amz-date header".
	ErrMissingDateHeader = errors.New("sigv4: missing or invalid date")
	// ErrExpiredPresignedRequest: AccessDenied (403), "Request has expired".
	ErrExpiredPresignedRequest = errors.New("sigv4: presigned request expired")
	// ErrRequestNotYetValid: AccessDenied (403), "Request is not valid yet".
	ErrRequestNotYetValid = errors.New("sigv4: presigned request not yet valid")
	// ErrInvalidContentSHA256: InvalidArgument (400), bad x-amz-content-sha256.
	ErrInvalidContentSHA256 = errors.New("sigv4: invalid x-amz-content-sha256")
	// ErrMissingContentSHA256: InvalidRequest (400), "Missing required header
	// for this request: x-amz-content-sha256".
	ErrMissingContentSHA256 = errors.New("sigv4: missing x-amz-content-sha256")
	// ErrContentSHA256Mismatch: XAmzContentSHA256Mismatch (400).
	ErrContentSHA256Mismatch = errors.New("sigv4: x-amz-content-sha256 does not match payload")
	// ErrHeadersNotSigned: AccessDenied (403), "There were headers present in
	// the request which were not signed".
	ErrHeadersNotSigned = errors.New("sigv4: headers present but not signed")
	// ErrIncompleteBody: IncompleteBody (400).
	ErrIncompleteBody = errors.New("sigv4: incomplete body")
	// ErrInvalidChunk: InvalidRequest (400), malformed aws-chunked framing.
	ErrInvalidChunk = errors.New("sigv4: invalid aws-chunked encoding")
	// ErrMalformedTrailer: MalformedTrailerError (400).
	ErrMalformedTrailer = errors.New("sigv4: malformed trailer")
	// ErrMissingDecodedContentLength: MissingContentLength (411).
	ErrMissingDecodedContentLength = errors.New("sigv4: missing or invalid x-amz-decoded-content-length")
	// ErrDecodedLengthMismatch: IncompleteBody (400).
	ErrDecodedLengthMismatch = errors.New("sigv4: decoded length does not match x-amz-decoded-content-length")
	// ErrTrailerNotDeclared: MalformedTrailerError (400).
	ErrTrailerNotDeclared = errors.New("sigv4: trailer not declared in x-amz-trailer")
	// ErrUnsupportedAuth: InvalidArgument (400) / NotImplemented, e.g. SigV2
	// or SigV4a.
	ErrUnsupportedAuth = errors.New("sigv4: unsupported authorization type")
	// ErrInvalidPresignExpires: AuthorizationQueryParametersError (400).
	ErrInvalidPresignExpires = errors.New("sigv4: invalid X-Amz-Expires")
	// ErrMultipleAuth: InvalidArgument (400), "Only one auth mechanism allowed".
	ErrMultipleAuth = errors.New("sigv4: more than one authentication mechanism")
)

// Error is a failure with an AWS-style message. errors.Is(err, e.Kind) holds.
type Error struct {
	Kind    error  // one of the Err* sentinels
	Message string // AWS-style message; never contains secrets
}

func (e *Error) Error() string { return e.Kind.Error() + ": " + e.Message }

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Kind }

func newError(kind error, msg string) *Error { return &Error{Kind: kind, Message: msg} }

// SignatureMismatchError reports a signature that does not match; AWS echoes
// these fields in its SignatureDoesNotMatch XML error body. For aws-chunked
// chunk and trailer signatures CanonicalRequest and AccessKeyID are empty.
type SignatureMismatchError struct {
	AccessKeyID       string
	StringToSign      string
	CanonicalRequest  string
	SignatureProvided string
}

func (e *SignatureMismatchError) Error() string {
	return "sigv4: the request signature we calculated does not match the signature you provided"
}

// Is reports whether target is ErrSignatureDoesNotMatch.
func (e *SignatureMismatchError) Is(target error) bool { return target == ErrSignatureDoesNotMatch }
