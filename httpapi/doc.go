// Package httpapi is cairn's S3 wire protocol: routing (gorilla/mux), SigV4
// authentication, request parsing into engine inputs, XML in and out, and
// the mapping of errors to S3 codes. It holds no state of its own.
//
// Every request goes through one chain: a request id (x-amz-request-id on
// every response), panic containment (a fault in one request answers
// InternalError and never takes the server down), target parsing (path or
// virtual-host style), authentication, then the route's handler. Handlers
// return an error instead of writing one; a single renderer turns it into
// S3's XML error body (no body for HEAD).
package httpapi
