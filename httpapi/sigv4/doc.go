// Package sigv4 verifies AWS Signature Version 4 (SigV4) on incoming S3
// requests and decodes request bodies according to the payload mode announced
// in x-amz-content-sha256. It is the server-side counterpart of the AWS SDK
// signers; it uses the standard library only.
//
// # Entry points
//
// A [Verifier] authenticates a request without reading its body:
//
//	vr, err := v.Verify(r)         // header or presigned-query authentication
//	body, err := vr.Body(r)        // decodes/verifies the payload while it is read
//	n, err := io.Copy(dst, body)   // the payload is authentic only once Read returned io.EOF
//	sums := body.Trailer()         // e.g. {"x-amz-checksum-crc32": "..."}
//
// [HasAuth] tells the anonymous path whether a request carries any
// authentication attempt at all. [NewChunkedReader] exposes the aws-chunked
// decoder on its own.
//
// # Authorization header
//
//	Authorization: AWS4-HMAC-SHA256 Credential=<AK>/<YYYYMMDD>/<region>/s3/aws4_request,
//	               SignedHeaders=<h1>;<h2>;..., Signature=<64 hex>
//
// Components may be separated by commas and/or blanks and may appear in any
// order; each must appear exactly once. The access key may itself contain '/'
// (the scope is taken from the right). The service must be "s3", the
// terminator "aws4_request", the scope date must equal the date part of the
// request time and the region must equal [Verifier.Region]. SignedHeaders must
// contain "host", and every x-amz-* header present in the request must be
// signed (else [ErrHeadersNotSigned]). The request time is X-Amz-Date
// (20060102T150405Z) or, when absent, the Date header (RFC 1123/850, ANSI C);
// it must be within [Verifier.MaxSkew] of the server clock.
// x-amz-content-sha256 is mandatory and is one of
//
//	UNSIGNED-PAYLOAD                             PayloadUnsigned
//	<64 hex digits>                              PayloadSHA256
//	STREAMING-AWS4-HMAC-SHA256-PAYLOAD           PayloadStreamingSigned
//	STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER   PayloadStreamingSignedTrailer
//	STREAMING-UNSIGNED-PAYLOAD-TRAILER           PayloadStreamingUnsignedTrailer
//
// # Canonical request and string to sign
//
//	CanonicalRequest =
//	    <HTTP method> "\n"
//	    <CanonicalURI> "\n"
//	    <CanonicalQuery> "\n"
//	    <CanonicalHeaders>          one "name:value\n" per signed header
//	    "\n"
//	    <SignedHeaders> "\n"        as sent, e.g. "host;x-amz-content-sha256;x-amz-date"
//	    <payload hash>              the x-amz-content-sha256 value as sent
//	                                (UNSIGNED-PAYLOAD by default when presigned)
//
//	StringToSign =
//	    "AWS4-HMAC-SHA256" "\n" <YYYYMMDDTHHMMSSZ> "\n"
//	    <YYYYMMDD>/<region>/s3/aws4_request "\n" hex(sha256(CanonicalRequest))
//
//	SigningKey = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, YYYYMMDD), region), "s3"), "aws4_request")
//	Signature  = hex(HMAC(SigningKey, StringToSign))
//
// S3 neither normalises nor double-encodes paths: CanonicalURI is the escaped
// request path, percent-decoded once and re-encoded with every byte outside
// A-Z a-z 0-9 - . _ ~ and '/' written as %XX (upper-case hex); an empty path is
// "/". CanonicalQuery splits the raw query on '&' only (a ';' is data), decodes
// each name and value ('+' is a space; a malformed %-escape is kept
// literally), re-encodes them with the same rule as the path but with '/'
// encoded too, sorts the encoded pairs by name then value and joins them as
// "name=value" with '&'; a parameter without '=' has an empty value.
// CanonicalHeaders lists the names exactly as in SignedHeaders (the SDKs send
// them lower-case and sorted), in that order; each value is
// trimmed, internal runs of spaces are collapsed to one, and repeated headers
// are joined with ','. "host" comes from r.Host; "content-length" comes from
// the header when present, else from r.ContentLength when it is >= 0.
// Signatures are compared in constant time (hmac.Equal).
//
// # Presigned URLs
//
//	?X-Amz-Algorithm=AWS4-HMAC-SHA256
//	&X-Amz-Credential=<AK>%2F<YYYYMMDD>%2F<region>%2Fs3%2Faws4_request
//	&X-Amz-Date=<YYYYMMDDTHHMMSSZ>&X-Amz-Expires=<1..604800>
//	&X-Amz-SignedHeaders=host[;...]&X-Amz-Signature=<64 hex>
//
// The canonical query is built from every parameter except X-Amz-Signature.
// The payload hash is UNSIGNED-PAYLOAD unless an X-Amz-Content-Sha256 query
// parameter or an x-amz-content-sha256 header carries one. The request is
// valid from X-Amz-Date - MaxSkew ([ErrRequestNotYetValid] before) until
// X-Amz-Date + X-Amz-Expires ([ErrExpiredPresignedRequest] after). Header and
// query authentication together is [ErrMultipleAuth]; SigV2 in either form
// and algorithms other than AWS4-HMAC-SHA256 are [ErrUnsupportedAuth].
//
// # aws-chunked bodies
//
// The streaming modes wrap the payload in aws-chunked framing. The chunk size
// is in hex, without leading sign or "0x". Signed modes:
//
//	+--------------------------------------------------------------+
//	| <hex size>;chunk-signature=<64 hex>\r\n                      | chunk 1
//	| <size bytes of data>\r\n                                     |
//	+--------------------------------------------------------------+
//	| ...                                                          | chunk n
//	+--------------------------------------------------------------+
//	| 0;chunk-signature=<64 hex>\r\n                               | final chunk
//	+--------------------------------------------------------------+
//	| \r\n                                  (no-trailer mode), or  | trailer
//	| <name>:<value>\r\n ...                                       | section
//	| x-amz-trailer-signature:<64 hex>\r\n  (signed-trailer mode)  |
//	| \r\n                                                         |
//	+--------------------------------------------------------------+
//
// STREAMING-UNSIGNED-PAYLOAD-TRAILER is the same without signatures, exactly
// as the AWS SDK for Go v2 writes it (a single chunk when the length is known):
//
//	<hex size>\r\n<data>\r\n ... 0\r\n <name>:<value>\r\n ... \r\n
//
// Chunk i (the final zero-length chunk included) is signed with
//
//	"AWS4-HMAC-SHA256-PAYLOAD" "\n" <amz date> "\n" <scope> "\n"
//	<previous signature> "\n" hex(sha256("")) "\n" hex(sha256(chunk data))
//
// where the previous signature of chunk 1 is the seed signature (the request
// signature) and the chain continues through the final chunk. The trailer
// section is signed with
//
//	"AWS4-HMAC-SHA256-TRAILER" "\n" <amz date> "\n" <scope> "\n"
//	<final chunk signature> "\n" hex(sha256(<trailers>))
//
// where <trailers> is every trailer except the signature, in wire order, each
// written "lower-case-name:trimmed-value\n" (LF, not CRLF), matching the AWS
// documentation example and the AWS SDKs. Only trailers named in the
// x-amz-trailer request header are accepted ([ErrTrailerNotDeclared]); a
// declared trailer that is absent, a duplicate, or a line without ':' is
// [ErrMalformedTrailer]. The decoded length must equal
// x-amz-decoded-content-length ([ErrDecodedLengthMismatch]; a missing header
// is [ErrMissingDecodedContentLength]). The final CRLF is mandatory: the AWS
// SDK for Go v2 always writes it, so a body that stops before it is
// [ErrIncompleteBody].
//
// The decoder never reads past the end of the aws-chunked body. In signed
// modes it buffers each chunk and releases its bytes only after the chunk
// signature has been verified, so a caller never sees unauthenticated data;
// the trailer signature is checked before io.EOF is returned. In
// PayloadSHA256 mode bytes are passed through as they arrive and a mismatch is
// reported instead of io.EOF, so in every mode the payload is authentic only
// once Read has returned io.EOF.
//
// # Limits
//
//	chunk-size field                 at most 16 hex digits ([ErrInvalidChunk])
//	signed chunk size                DefaultMaxChunkSize = 16 MiB (buffered; the
//	                                 buffer grows as data arrives, not up front)
//	unsigned chunk size              bounded only by x-amz-decoded-content-length
//	                                 (the Go SDK sends one chunk of the whole object)
//	trailer section                  DefaultMaxTrailerSize = 16 KiB, lines included
//	X-Amz-Expires                    1..604800 seconds
//	clock skew                       Verifier.MaxSkew, default 15 minutes
//	signing-key cache                1024 entries, random eviction
//
// # Concurrency
//
// A [Verifier] is safe for concurrent use by multiple goroutines once its
// exported fields are set; they must not be changed afterwards and the
// Verifier must not be copied after first use (it holds a mutex-guarded
// signing-key cache). [Verifier.Now] and the [CredentialStore] are called
// concurrently. A [Verified] is immutable and may be shared. A [Body] or
// [ChunkedReader] is an io.Reader for one goroutine at a time.
//
// # Errors
//
// Every failure matches exactly one Err* sentinel with errors.Is (or is an
// I/O error of the underlying body, or of the CredentialStore, wrapped). When
// AWS returns a specific message the error is an [*Error] whose Message holds
// it; signature mismatches are [*SignatureMismatchError], carrying the
// string to sign and canonical request that AWS echoes in its XML error body.
// No error or message ever contains a secret key or signing key.
package sigv4
