// Package s3err is the table of S3 error codes and the one place that turns
// domain and authentication errors into them.
//
// Every error response is S3's XML body (HEAD responses carry none):
//
//	<?xml version="1.0" encoding="UTF-8"?>
//	<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>
//	<Key>k</Key><BucketName>b</BucketName><Resource>/b/k</Resource>
//	<RequestId>…</RequestId><HostId>…</HostId></Error>
package s3err

import (
	"encoding/xml"
	"net/http"
	"slices"
)

// Code is one S3 error code with its HTTP status and default message.
type Code struct {
	Name    string
	Status  int
	Message string
}

// The codes cairn answers with (names, statuses and messages as AWS S3).
var (
	AccessDenied                         = Code{"AccessDenied", 403, "Access Denied"}
	AccessControlListNotSupported        = Code{"AccessControlListNotSupported", 400, "The bucket does not allow ACLs"}
	InvalidBucketAclWithObjectOwnership  = Code{"InvalidBucketAclWithObjectOwnership", 400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"}
	MalformedACLError                    = Code{"MalformedACLError", 400, "The XML you provided was not well-formed or did not validate against our published schema"}
	UnresolvableGrantByEmailAddress      = Code{"UnresolvableGrantByEmailAddress", 400, "The email address you provided does not match any account on record."}
	NoSuchPublicAccessBlockConfiguration = Code{"NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found"}
	OwnershipControlsNotFoundError       = Code{"OwnershipControlsNotFoundError", 404, "The bucket ownership controls were not found"}
	AuthorizationHeaderMalformed         = Code{"AuthorizationHeaderMalformed", 400, "The authorization header is malformed."}
	AuthorizationQueryParametersError    = Code{"AuthorizationQueryParametersError", 400, "Error parsing the X-Amz-Credential parameter."}
	BadDigest                            = Code{"BadDigest", 400, "The Content-MD5 you specified did not match what we received."}
	BucketAlreadyExists                  = Code{"BucketAlreadyExists", 409, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."}
	BucketAlreadyOwnedByYou              = Code{"BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it."}
	BucketNotEmpty                       = Code{"BucketNotEmpty", 409, "The bucket you tried to delete is not empty"}
	ConditionalRequestConflict           = Code{"ConditionalRequestConflict", 409, "A conflicting operation occurred. If using PutObject you can retry the request. If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part."}
	EntityTooLarge                       = Code{"EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size."}
	IllegalLocationConstraintException   = Code{"IllegalLocationConstraintException", 400, "The location constraint is incompatible for the region specific endpoint this request was sent to."}
	IncompleteBody                       = Code{"IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header."}
	InternalError                        = Code{"InternalError", 500, "We encountered an internal error. Please try again."}
	InvalidAccessKeyID                   = Code{"InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records."}
	InvalidArgument                      = Code{"InvalidArgument", 400, "Invalid Argument"}
	InvalidBucketName                    = Code{"InvalidBucketName", 400, "The specified bucket is not valid."}
	InvalidDigest                        = Code{"InvalidDigest", 400, "The Content-MD5 you specified is not valid."}
	InvalidRange                         = Code{"InvalidRange", 416, "The requested range is not satisfiable"}
	InvalidRequest                       = Code{"InvalidRequest", 400, "Invalid Request"}
	InvalidStorageClass                  = Code{"InvalidStorageClass", 400, "The storage class you specified is not valid"}
	KeyTooLongError                      = Code{"KeyTooLongError", 400, "Your key is too long"}
	MalformedTrailerError                = Code{"MalformedTrailerError", 400, "The request contained trailing data that was not well-formed or did not conform to our published schema."}
	MalformedXML                         = Code{"MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema."}
	MetadataTooLarge                     = Code{"MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size."}
	MethodNotAllowed                     = Code{"MethodNotAllowed", 405, "The specified method is not allowed against this resource."}
	MissingContentLength                 = Code{"MissingContentLength", 411, "You must provide the Content-Length HTTP header."}
	MissingSecurityHeader                = Code{"MissingSecurityHeader", 400, "Your request was missing a required header."}
	NoSuchBucket                         = Code{"NoSuchBucket", 404, "The specified bucket does not exist"}
	NoSuchKey                            = Code{"NoSuchKey", 404, "The specified key does not exist."}
	NoSuchTagSet                         = Code{"NoSuchTagSet", 404, "The TagSet does not exist"}
	InvalidTag                           = Code{"InvalidTag", 400, "The tag provided was not a valid tag."}
	NotImplemented                       = Code{"NotImplemented", 501, "A header or query you provided implies functionality that is not implemented."}
	PreconditionFailed                   = Code{"PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold"}
	InvalidPartNumber                    = Code{"InvalidPartNumber", 416, "The requested partnumber is not satisfiable"}
	RequestTimeTooSkewed                 = Code{"RequestTimeTooSkewed", 403, "The difference between the request time and the server's time is too large."}
	ServiceUnavailable                   = Code{"ServiceUnavailable", 503, "Please reduce your request rate."}
	SignatureDoesNotMatch                = Code{"SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method."}
	XAmzContentSHA256Mismatch            = Code{"XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed."}
)

// All lists every code, for the table's tests.
var All = slices.Concat(coreCodes, policyCodes, postCodes, multipartCodes, versioningCodes, []Code{ReplicationConfigurationNotFoundError})

var coreCodes = []Code{AccessDenied, AccessControlListNotSupported, InvalidBucketAclWithObjectOwnership, MalformedACLError,
	UnresolvableGrantByEmailAddress, NoSuchPublicAccessBlockConfiguration, OwnershipControlsNotFoundError, AuthorizationHeaderMalformed, AuthorizationQueryParametersError, BadDigest,
	BucketAlreadyExists, BucketAlreadyOwnedByYou, BucketNotEmpty, ConditionalRequestConflict, EntityTooLarge, IllegalLocationConstraintException,
	IncompleteBody, InternalError, InvalidAccessKeyID, InvalidArgument, InvalidBucketName, InvalidDigest, InvalidRange,
	InvalidRequest, InvalidStorageClass, KeyTooLongError, MalformedTrailerError, MalformedXML, MetadataTooLarge, MethodNotAllowed,
	MissingContentLength, MissingSecurityHeader, NoSuchBucket, NoSuchKey, NoSuchTagSet, InvalidTag, NotImplemented, PreconditionFailed,
	InvalidPartNumber, RequestTimeTooSkewed,
	ServiceUnavailable, SignatureDoesNotMatch, XAmzContentSHA256Mismatch}

// Field is an extra element of an error body (e.g. StringToSign).
type Field struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// Error is one S3 error response.
type Error struct {
	Code    Code
	Message string // overrides Code.Message when set
	Fields  []Field
	Err     error // the cause, for logs only
}

// New returns an error of code c with an optional message.
func New(c Code, msg string) *Error { return &Error{Code: c, Message: msg} }

// With adds an element to the XML body.
func (e *Error) With(name, value string) *Error {
	e.Fields = append(e.Fields, Field{XMLName: xml.Name{Local: name}, Value: value})
	return e
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code.Name + ": " + e.Err.Error()
	}
	return e.Code.Name + ": " + e.message()
}

func (e *Error) Unwrap() error { return e.Err }

func (e *Error) message() string {
	if e.Message != "" {
		return e.Message
	}
	return e.Code.Message
}

type body struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	Fields    []Field
	Resource  string
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
}

// Write renders e. The caller has set x-amz-request-id; HEAD gets no body.
func Write(w http.ResponseWriter, r *http.Request, e *Error, requestID, hostID string) {
	h := w.Header()
	h.Del("Content-Length")
	h.Del("ETag")
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Code.Status)
		return
	}
	b, err := xml.Marshal(body{Code: e.Code.Name, Message: e.message(), Fields: e.Fields,
		Resource: r.URL.Path, RequestID: requestID, HostID: hostID})
	if err != nil {
		b = []byte("<Error><Code>InternalError</Code></Error>")
	}
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(e.Code.Status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
}

// Bucket policy codes.
var (
	MalformedPolicy    = Code{"MalformedPolicy", 400, "The policy is not valid."}
	NoSuchBucketPolicy = Code{"NoSuchBucketPolicy", 404, "The bucket policy does not exist"}
	policyCodes        = []Code{MalformedPolicy, NoSuchBucketPolicy}
)

// POST upload codes.
var (
	MalformedPOSTRequest         = Code{"MalformedPOSTRequest", 400, "The body of your POST request is not well-formed multipart/form-data."}
	MaxPostPreDataLengthExceeded = Code{"MaxPostPreDataLengthExceeded", 400, "Your POST request fields preceding the upload file were too large."}
	InvalidPolicyDocument        = Code{"InvalidPolicyDocument", 400, "The content of the form does not meet the conditions specified in the policy document."}
	EntityTooSmall               = Code{"EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size."}
	postCodes                    = []Code{MalformedPOSTRequest, MaxPostPreDataLengthExceeded, InvalidPolicyDocument, EntityTooSmall}
)

// Multipart upload codes (EntityTooSmall is shared with POST uploads).
var (
	InvalidPart      = Code{"InvalidPart", 400, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."}
	InvalidPartOrder = Code{"InvalidPartOrder", 400, "The list of parts was not in ascending order. The parts list must be specified in order by part number."}
	NoSuchUpload     = Code{"NoSuchUpload", 404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."}
	multipartCodes   = []Code{InvalidPart, InvalidPartOrder, NoSuchUpload}
)

// Versioning and Object Lock codes.
var (
	NoSuchVersion                        = Code{"NoSuchVersion", 404, "The specified version does not exist."}
	InvalidBucketState                   = Code{"InvalidBucketState", 409, "The request is not valid with the current state of the bucket."}
	ObjectLockConfigurationNotFoundError = Code{"ObjectLockConfigurationNotFoundError", 404, "Object Lock configuration does not exist for this bucket"}
	NoSuchObjectLockConfiguration        = Code{"NoSuchObjectLockConfiguration", 404, "The specified object does not have a ObjectLock configuration"}
	versioningCodes                      = []Code{NoSuchVersion, InvalidBucketState, ObjectLockConfigurationNotFoundError, NoSuchObjectLockConfiguration}
)

// ReplicationConfigurationNotFoundError answers GetBucketReplication on a
// bucket without one.
var ReplicationConfigurationNotFoundError = Code{"ReplicationConfigurationNotFoundError", 404, "The replication configuration was not found"}
