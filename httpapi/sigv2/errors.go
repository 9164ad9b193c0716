package sigv2

import (
	"errors"

	"github.com/cairnstore/cairn/httpapi/sigv4"
)

// Sentinels for the failures that have no sigv4 counterpart with the same S3
// code. The comment gives the S3 error the HTTP layer is expected to map each
// to; the *sigv4.Error returned carries the message.
var (
	// ErrMalformedAuthorization: InvalidArgument (400), "AWS authorization
	// header is invalid.  Expected AwsAccessKeyId:signature"
	// (ArgumentName Authorization).
	ErrMalformedAuthorization = errors.New("sigv2: malformed authorization header")
	// ErrInvalidQueryAuth: AccessDenied (403), "Query-string authentication
	// requires the Signature, Expires and AWSAccessKeyId parameters", or
	// "Invalid date (should be seconds since epoch): <value>".
	ErrInvalidQueryAuth = errors.New("sigv2: invalid query-string authentication")
)

func newError(kind error, msg string) *sigv4.Error { return &sigv4.Error{Kind: kind, Message: msg} }

func malformedAuth() error {
	return newError(ErrMalformedAuthorization, "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature")
}

func missingQueryParams() error {
	return newError(ErrInvalidQueryAuth, "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
}
