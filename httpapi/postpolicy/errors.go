package postpolicy

import (
	"errors"
	"strconv"
)

// Sentinel errors. Each failure of this package matches exactly one of them
// (or one of sigv4's ErrMissingAuth, ErrInvalidAccessKeyID,
// ErrSignatureDoesNotMatch) with errors.Is. The comment gives the S3 error
// the HTTP layer is expected to map it to; the *Error carries the message.
var (
	// ErrNotMultipart: S3 answers 412 PreconditionFailed with Condition
	// "Bucket POST must be of the enclosure-type multipart/form-data" (the
	// documented code is RequestIsNotMultiPartContent, 412).
	ErrNotMultipart = errors.New("postpolicy: request is not multipart/form-data")
	// ErrMalformedPOSTRequest: MalformedPOSTRequest (400), "The body of
	// your POST request is not well-formed multipart/form-data."
	ErrMalformedPOSTRequest = errors.New("postpolicy: malformed multipart/form-data")
	// ErrMaxPostPreDataLengthExceeded: MaxPostPreDataLengthExceeded (400),
	// with element MaxPostPreDataLengthBytes.
	ErrMaxPostPreDataLengthExceeded = errors.New("postpolicy: form fields before the file too large")
	// ErrInvalidArgument: InvalidArgument (400), with ArgumentName and
	// ArgumentValue (a missing key or signing field, a bad credential).
	ErrInvalidArgument = errors.New("postpolicy: invalid argument")
	// ErrIncorrectNumberOfFiles: S3 answers InvalidArgument (400) "POST
	// requires exactly one file upload per request." with ArgumentName file
	// and ArgumentValue 0; the documented code is
	// IncorrectNumberOfFilesInPostRequest (400).
	ErrIncorrectNumberOfFiles = errors.New("postpolicy: no file in the form")
	// ErrInvalidPolicyDocument: InvalidPolicyDocument (400), "Invalid
	// Policy: ...".
	ErrInvalidPolicyDocument = errors.New("postpolicy: invalid policy document")
	// ErrPolicyExpired: AccessDenied (403), "Invalid according to Policy:
	// Policy expired."
	ErrPolicyExpired = errors.New("postpolicy: policy expired")
	// ErrConditionFailed: AccessDenied (403), "Invalid according to Policy:
	// Policy Condition failed: [...]".
	ErrConditionFailed = errors.New("postpolicy: policy condition failed")
	// ErrExtraFields: AccessDenied (403), "Invalid according to Policy:
	// Extra input fields: ...".
	ErrExtraFields = errors.New("postpolicy: form fields not covered by the policy")
	// ErrEntityTooLarge: EntityTooLarge (400), "Your proposed upload exceeds
	// the maximum allowed size", with ProposedSize and MaxSizeAllowed.
	ErrEntityTooLarge = errors.New("postpolicy: file larger than content-length-range")
	// ErrEntityTooSmall: EntityTooSmall (400), "Your proposed upload is
	// smaller than the minimum allowed size", with ProposedSize and
	// MinSizeAllowed.
	ErrEntityTooSmall = errors.New("postpolicy: file smaller than content-length-range")
)

// Error is a failure with S3's message and the extra elements S3 puts in
// its XML error body. errors.Is(err, e.Kind) holds, and so does
// errors.Is(err, e.Err) for the underlying cause when there is one.
type Error struct {
	Kind    error  // one of the Err* sentinels
	Message string // S3's message; never contains secrets

	ArgumentName  string // ErrInvalidArgument, ErrIncorrectNumberOfFiles
	ArgumentValue string

	ProposedSize int64 // ErrEntityTooLarge, ErrEntityTooSmall
	SizeLimit    int64 // MaxSizeAllowed or MinSizeAllowed; MaxPostPreDataLengthBytes

	Err error // the cause (a multipart or I/O error), or nil
}

func (e *Error) Error() string {
	s := e.Kind.Error() + ": " + e.Message
	if e.ArgumentName != "" {
		s += " (" + e.ArgumentName + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the sentinel and the cause.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func newError(kind error, msg string) *Error { return &Error{Kind: kind, Message: msg} }

func invalidArgument(msg, name, value string) *Error {
	return &Error{Kind: ErrInvalidArgument, Message: msg, ArgumentName: name, ArgumentValue: value}
}

// missingField is S3's answer for a required field that is absent.
func missingField(name string) *Error {
	return invalidArgument("Bucket POST must contain a field named '"+name+"'.  If it is specified, please check the order of the fields.", name, "")
}

func malformed(cause error) *Error {
	return &Error{Kind: ErrMalformedPOSTRequest, Message: "The body of your POST request is not well-formed multipart/form-data.", Err: cause}
}

func preDataTooLarge(limit int) *Error {
	return &Error{Kind: ErrMaxPostPreDataLengthExceeded, Message: "Your POST request fields preceeding the upload file was too large.", SizeLimit: int64(limit)}
}

func invalidPolicy(msg string) *Error {
	return newError(ErrInvalidPolicyDocument, "Invalid Policy: "+msg)
}

func tooLarge(proposed, limit int64) *Error {
	return &Error{Kind: ErrEntityTooLarge, Message: "Your proposed upload exceeds the maximum allowed size", ProposedSize: proposed, SizeLimit: limit}
}

func tooSmall(proposed, limit int64) *Error {
	return &Error{Kind: ErrEntityTooSmall, Message: "Your proposed upload is smaller than the minimum allowed size", ProposedSize: proposed, SizeLimit: limit}
}

func quoteSingle(s string) string { return "'" + s + "'" }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
