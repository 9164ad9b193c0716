// Package sigv2 verifies AWS Signature Version 2 (the S3 "REST
// authentication" of HMAC-SHA1 signatures) on incoming S3 requests. It is
// the legacy counterpart of package sigv4, shares its credential types and
// error sentinels, and uses the standard library only.
//
// # Entry points
//
//	if sigv2.IsV2(r) {
//	    vr, err := v.Verify(r, bucket) // bucket: see "Canonicalized resource"
//	}
//
// [IsV2] tells a router which verifier owns a request; [ParseAuthorization]
// splits the header on its own. [Verifier.Verify]
// authenticates it without reading the body: Signature Version 2 never
// covers the payload, only its Content-MD5 header when one is sent, so a
// handler that stores the body must check that digest (BadDigest) itself.
//
// # Header authentication
//
//	Authorization: AWS <AccessKeyId>:<Signature>
//	Signature = Base64(HMAC-SHA1(SecretAccessKey, UTF-8(StringToSign)))
//
// The access key is everything between "AWS " and the last ':'; neither it
// nor the signature may be empty ([ErrMalformedAuthorization]). The request
// time is x-amz-date when present, else Date, in RFC 1123 ("Tue, 27 Mar 2007
// 19:36:42 +0000" or "... GMT"), RFC 850, ANSI C or ISO 8601 basic
// (20060102T150405Z) form; it must lie within [Verifier.MaxSkew] of the
// server clock (sigv4.ErrRequestTimeTooSkewed). A request with neither is
// sigv4.ErrMissingDateHeader.
//
// # Query-string authentication (presigned URLs)
//
//	?AWSAccessKeyId=<AccessKeyId>&Expires=<unix seconds>&Signature=<url-encoded base64>
//
// All three parameters are required, once each ([ErrInvalidQueryAuth]);
// Expires is a decimal count of seconds since the epoch and a request after
// it is sigv4.ErrExpiredPresignedRequest ("Request has expired"); there is
// no upper bound. Query values are decoded with '+' as a space, and a space
// in Signature is read back as '+' (base64 has no spaces, and some clients
// leave '+' unescaped). As botocore's HmacV1QueryAuth writes them, the
// x-amz-* headers, Content-Type and Content-MD5 that the signature covers
// may travel as query parameters of the same (lower-case) name; such a
// parameter counts only when the request lacks the header. A header always
// wins, so the value checked is the value a handler acts on: a URL signed
// for x-amz-acl=private cannot be replayed with a public-read header, and a
// client must send the Content-Type the URL was signed for, as with S3.
// Handlers that want the query-carried values must apply them themselves.
// Authorization header and query parameters together (V2 or V4) are
// sigv4.ErrMultipleAuth.
//
// # String to sign
//
//	StringToSign = HTTP-Verb "\n"
//	               Content-MD5 "\n"
//	               Content-Type "\n"
//	               Date "\n"                  header auth: the Date header, or "" when
//	                                          x-amz-date is present; query auth: Expires
//	               CanonicalizedAmzHeaders    one "name:value\n" per x-amz-* header
//	               CanonicalizedResource
//
// Content-MD5, Content-Type and Date are the header values trimmed of
// surrounding white space ("" when absent). CanonicalizedAmzHeaders holds
// every header whose name starts with "x-amz-", names lower-cased and sorted
// bytewise; the values of repeated headers are trimmed and joined with ','
// in wire order, and folded white space (a line break followed by blanks)
// becomes a single space. Inner runs of spaces are kept, as S3 and botocore
// keep them.
//
// When x-amz-date is present three forms are accepted, because the sources
// disagree: the documented rule (Date slot "", x-amz-date among the amz
// headers; s3cmd), the Date header in the Date slot with x-amz-date among
// the amz headers (botocore, minio), and x-amz-date's value in the Date slot
// with x-amz-date left out of the amz headers (the "DELETE" example of the
// S3 documentation, whose published signature only this form reproduces).
// All three bind the same request data; the alternatives are computed only
// after the documented form fails.
//
// # Canonicalized resource
//
//	CanonicalizedResource = [ "/" bucket ] path [ "?" sub-resources ]
//
// bucket is the argument of Verify: the bucket a virtual-hosted-style
// request names in its Host header (including a CNAME'd host used as the
// bucket name), or "" for path-style requests, whose path already starts
// with the bucket, and for requests that name no bucket. path is the
// request-target's path exactly as sent, not decoded (r.RequestURI, or
// r.URL.EscapedPath() for requests not read by a server); an empty path is
// "/".
//
// sub-resources are the query parameters whose name, as sent, is one of
//
//	accelerate acl analytics cors defaultObjectAcl delete inventory lifecycle
//	location logging metrics notification object-lock partNumber policy
//	replication requestPayment restore select select-type storageClass
//	tagging torrent uploadId uploads versionId versioning versions website
//	response-cache-control response-content-disposition
//	response-content-encoding response-content-language
//	response-content-type response-expires
//
// (the set botocore's HmacV1Auth signs, which includes every name the S3
// documentation lists). They are sorted by name (stably: repeated names keep
// wire order) and written "name" or "name=value", the value percent-decoded
// once ('+' is kept: botocore uses unquote, not unquote_plus); a parameter
// sent as "acl=" keeps its '='. Every other parameter is left out.
//
// # Errors
//
// Every failure matches exactly one sentinel with errors.Is: one of the
// sigv4 sentinels where S3 answers with the same code
// (ErrSignatureDoesNotMatch through a *sigv4.SignatureMismatchError carrying
// the string to sign, ErrInvalidAccessKeyID, ErrRequestTimeTooSkewed,
// ErrMissingDateHeader, ErrExpiredPresignedRequest, ErrMultipleAuth,
// ErrMissingAuth, ErrUnsupportedAuth), or one of this package's
// [ErrMalformedAuthorization] and [ErrInvalidQueryAuth]. Errors carrying an
// AWS message are *sigv4.Error values, so the HTTP layer's existing mapping
// reads their Message. A CredentialStore failure other than
// ErrInvalidAccessKeyID is returned wrapped. No error ever contains a secret.
//
// # Concurrency
//
// A [Verifier] is safe for concurrent use once its fields are set; it holds
// no other state. [Verifier.Now] and the CredentialStore are called
// concurrently. A [Verified] is immutable.
package sigv2
