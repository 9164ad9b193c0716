// Package postpolicy handles S3 browser-based uploads: a POST of an HTML
// form (multipart/form-data) to a bucket URL, authorized by a signed POST
// policy instead of a signed request. It parses the form as a stream,
// verifies the policy's signature (Signature Version 4 or 2), evaluates the
// policy against the form and enforces its content-length-range on the file
// while it is read. It uses the standard library only (plus package sigv4
// for credential types and shared sentinels).
//
// # Entry points
//
//	f, err := postpolicy.Parse(r, 0)           // fields up to the file part; the file is not read
//	vr, err := v.Verify(ctx, f, bucket)        // signature, policy, conditions, coverage
//	n, err := io.Copy(dst, f.File)             // streams; errors once content-length-range is crossed
//	f.Success().Write(w, postpolicy.Object{...})
//
// # The form
//
//	POST / (virtual-hosted) or POST /<bucket> (path style)
//	Content-Type: multipart/form-data; boundary=<b>
//
//	--<b>\r\nContent-Disposition: form-data; name="key"\r\n\r\nuser/${filename}\r\n
//	--<b>\r\nContent-Disposition: form-data; name="policy"\r\n\r\n<base64 JSON>\r\n
//	... more fields ...
//	--<b>\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n
//	Content-Type: image/jpeg\r\n\r\n<file bytes>\r\n
//	--<b>--\r\n
//
// Field names are case-insensitive (Fields is keyed by the lower-case name);
// values are case-sensitive. A field sent more than once has its values
// joined with ',' (as S3 documents for policies). The file is the first
// form-data part named "file" (any case); it must come after every field,
// since everything after it is ignored and never read. Its filename
// parameter, with any directory part before the last '/' or '\' removed,
// replaces "${filename}" in every field value; when the part has no filename
// parameter at all "${filename}" is left as it is, as S3 was observed to do.
// A part that is not form-data or has no name is skipped (its content still
// counts against the limit below). The file's bytes
// are never buffered: Form.File reads them from the request body.
//
// Limits: the names and values of the fields before the file may total at
// most maxFormBytes (default [DefaultMaxFormBytes], S3's 20 KB;
// [ErrMaxPostPreDataLengthExceeded]); independently, the parser refuses to
// read more than 2*maxFormBytes + 64 KiB of raw body (boundaries and part
// headers included) before the file part begins, so part headers cannot be
// used to make it buffer more.
//
// A request that is not multipart/form-data is [ErrNotMultipart]; a
// multipart body without a boundary, or that is not well-formed before the
// file, is [ErrMalformedPOSTRequest]; a body that ends (or breaks) inside
// the file reports ErrMalformedPOSTRequest from Form.File, wrapping the
// cause. No file part is [ErrIncorrectNumberOfFiles]; no (or an empty) key
// field is [ErrInvalidArgument].
//
// # Signatures
//
// Signature Version 4 fields (names case-insensitive):
//
//	x-amz-algorithm   AWS4-HMAC-SHA256
//	x-amz-credential  <AccessKeyId>/<yyyyMMdd>/<region>/s3/aws4_request
//	x-amz-date        <yyyyMMdd'T'HHmmss'Z'>
//	x-amz-signature   hex(HMAC-SHA256(SigningKey, <policy field as sent>))
//	SigningKey      = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, yyyyMMdd), region), "s3"), "aws4_request")
//
// Signature Version 2 fields:
//
//	AWSAccessKeyId    <AccessKeyId>
//	signature         base64(HMAC-SHA1(secret, <policy field as sent>))
//
// Any of x-amz-algorithm, x-amz-credential or x-amz-signature selects V4;
// otherwise AWSAccessKeyId or signature selects V2; a form with neither is
// anonymous (sigv4.ErrMissingAuth: S3 treats it as an anonymous upload,
// allowed only on a publicly writable bucket). Each required field of the
// chosen version, and policy, must be present (ErrInvalidArgument naming it,
// in S3's order). The signature covers the base64 text exactly as received
// and is checked, in constant time, before the policy is decoded; a wrong
// one is a *sigv4.SignatureMismatchError whose StringToSign is that text.
// The credential's region must equal [Verifier.Region] when that is set.
//
// # Policy document
//
//	base64( { "expiration": "2007-12-01T12:00:00.000Z",
//	          "conditions": [ {"acl": "public-read"},
//	                          ["eq", "$key", "user/eric/a.jpg"],
//	                          ["starts-with", "$Content-Type", "image/"],
//	                          ["content-length-range", 1048576, 10485760] ] } )
//
// Base64 (standard alphabet; padding optional; ASCII white space ignored)
// of a JSON object with exactly the members "expiration" (an ISO 8601 UTC
// time ending in 'Z', with or without fractional seconds) and "conditions"
// (an array). Inside strings the documented non-JSON escapes "\$" ('$') and
// "\v" (vertical tab) are accepted. A condition is
//
//	{"<field>": "<value>"}                     exact match (exactly one member)
//	["eq", "$<field>", "<value>"]              exact match
//	["starts-with", "$<field>", "<prefix>"]    prefix match; "" matches any value;
//	                                           for Content-Type every element of a
//	                                           comma-separated value must match
//	["content-length-range", <min>, <max>]     inclusive bounds, integers or
//	                                           strings of digits
//
// Operators and field names are case-insensitive, values are not. "bucket"
// is matched against the bucket the request is addressed to; every other
// field against the form, after "${filename}" expansion. A condition on a
// field the form lacks fails, whatever its value. Several content-length-
// range conditions intersect. Malformed policies are
// [ErrInvalidPolicyDocument] with S3's "Invalid Policy: ..." messages.
//
// Evaluation order, after the signature: decode and parse the policy;
// expiration (now after it: [ErrPolicyExpired], "Invalid according to
// Policy: Policy expired."); the conditions in order (the first failing one:
// [ErrConditionFailed], "Invalid according to Policy: Policy Condition
// failed: [\"eq\", \"$key\", \"v\"]", simple conditions rendered as "eq");
// then coverage: every field except policy, x-amz-signature (V4),
// AWSAccessKeyId and signature (V2) and names starting with "x-ignore-" must
// be named by an eq, starts-with or simple condition ([ErrExtraFields],
// "Invalid according to Policy: Extra input fields: <names as sent>").
//
// Once Verify succeeds, Form.File enforces the range: a read that takes the
// file past max returns [ErrEntityTooLarge] (ProposedSize = bytes seen so
// far, at least max+1), and an end of file below min returns
// [ErrEntityTooSmall] instead of io.EOF. The upload is complete and within
// the policy only once Read has returned io.EOF.
//
// # Success responses
//
// [Form.Success] reads success_action_redirect (or the deprecated redirect):
// an absolute http or https URL gives 303 See Other to that URL with
// bucket, key and etag appended as form-encoded query parameters (after any
// query it already has); anything else is ignored, as S3 does. Otherwise
// success_action_status 200 or 201 is used, and anything else gives 204.
// 201 carries <PostResponse><Location/><Bucket/><Key/><ETag/></PostResponse>
// (no namespace); every answer carries ETag and Location headers.
//
// # Errors
//
// Every failure matches one sentinel with errors.Is: this package's (each
// documented with the S3 code it maps to; the *Error carries the message
// and the extra XML elements) or sigv4's ErrMissingAuth,
// ErrInvalidAccessKeyID and ErrSignatureDoesNotMatch. A CredentialStore
// failure other than ErrInvalidAccessKeyID is returned wrapped. No error
// contains a secret.
//
// # Concurrency
//
// A [Verifier] is safe for concurrent use once its fields are set. A [Form]
// belongs to one request and one goroutine.
package postpolicy
