package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi/postpolicy"
	"github.com/cairnstore/cairn/httpapi/s3err"
	"github.com/cairnstore/cairn/httpapi/sigv2"
	"github.com/cairnstore/cairn/httpapi/sigv4"
	"github.com/cairnstore/cairn/log/metrics"
	"github.com/gorilla/mux"
)

// Engine is what the HTTP layer needs of the engine.
type Engine interface {
	CreateBucket(ctx context.Context, in engine.CreateBucketInput) error
	DeleteBucket(ctx context.Context, name, actor string) error
	HeadBucket(ctx context.Context, name string) (engine.Bucket, error)
	ListBuckets(ctx context.Context, in engine.ListBucketsInput) ([]engine.Bucket, bool, error)
	PutObject(ctx context.Context, in engine.PutObjectInput) (engine.PutObjectResult, error)
	GetObject(ctx context.Context, in engine.ReadInput) (engine.ObjectInfo, *engine.Content, error)
	HeadObject(ctx context.Context, in engine.ReadInput) (engine.ObjectInfo, engine.Span, error)
	DeleteObject(ctx context.Context, in engine.DeleteInput) (engine.DeleteResult, error)
	DeleteObjects(ctx context.Context, in engine.DeleteObjectsInput) ([]engine.DeleteOutcome, error)
	ListObjects(ctx context.Context, bucket string, in engine.ListInput) (engine.ListResult, error)
	LookupKey(ctx context.Context, accessKey string) (engine.Credential, error)
	Authorize(ctx context.Context, r engine.AuthzRequest) error
	BucketPolicy(ctx context.Context, bucket string) (string, error)
	PutBucketPolicy(ctx context.Context, bucket, actor string, doc io.Reader) error
	BucketPolicyStatus(ctx context.Context, bucket string) (bool, error)
	CreateUser(ctx context.Context, actor, name string) (engine.UserInfo, error)
	ListUsers(ctx context.Context) ([]engine.UserInfo, error)
	SetUserDisabled(ctx context.Context, actor, name string, disabled bool) error
	DeleteUser(ctx context.Context, actor, name string) error
	CreateKey(ctx context.Context, actor, user string) (engine.Credential, error)
	SetKeyActive(ctx context.Context, actor, accessKey string, active bool) error
	DeleteKey(ctx context.Context, actor, accessKey string) error
	BucketACL(ctx context.Context, bucket string) (engine.ACL, error)
	PutBucketACL(ctx context.Context, bucket, actor string, spec *engine.ACLSpec, full *engine.ACL) error
	ObjectACL(ctx context.Context, bucket, key, versionID string) (engine.ACL, string, error)
	PutObjectACL(ctx context.Context, bucket, key, versionID, actor string, spec *engine.ACLSpec, full *engine.ACL) (string, error)
	OwnershipControls(ctx context.Context, bucket string) (string, error)
	PutOwnershipControls(ctx context.Context, bucket, actor, ownership string) error
	PublicAccessBlock(ctx context.Context, bucket string) (*engine.PublicAccessBlock, error)
	PutPublicAccessBlock(ctx context.Context, bucket, actor string, c *engine.PublicAccessBlock) error
	CopyObject(ctx context.Context, in engine.CopyObjectInput) (engine.CopyObjectResult, error)
	PutObjectTagging(ctx context.Context, bucket, key, versionID, actor string, tags []engine.Tag) (string, error)
	PutBucketTagging(ctx context.Context, bucket, actor string, tags []engine.Tag) error

	CreateMultipartUpload(ctx context.Context, in engine.CreateMultipartInput) (engine.MultipartUpload, error)
	UploadPart(ctx context.Context, in engine.UploadPartInput) (engine.PartResult, error)
	UploadPartCopy(ctx context.Context, in engine.UploadPartCopyInput) (engine.PartResult, error)
	CompleteMultipartUpload(ctx context.Context, in engine.CompleteMultipartInput) (engine.CompleteResult, error)
	AbortMultipartUpload(ctx context.Context, bucket, key, uploadID, actor string) error
	ListParts(ctx context.Context, in engine.ListPartsInput) (engine.ListPartsResult, error)
	ListMultipartUploads(ctx context.Context, bucket string, in engine.ListUploadsInput) (engine.ListUploadsResult, error)

	BucketVersioning(ctx context.Context, bucket string) (string, error)
	PutBucketVersioning(ctx context.Context, bucket, actor, status string) error
	ListObjectVersions(ctx context.Context, bucket string, in engine.ListVersionsInput) (engine.ListVersionsResult, error)
	ObjectLockConfig(ctx context.Context, bucket string) (engine.LockConfig, error)
	PutObjectLockConfig(ctx context.Context, bucket, actor string, c engine.LockConfig) error
	ObjectRetention(ctx context.Context, bucket, key, versionID string) (engine.Retention, string, error)
	PutObjectRetention(ctx context.Context, in engine.PutRetentionInput) (string, error)
	ObjectLegalHold(ctx context.Context, bucket, key, versionID string) (bool, string, error)
	PutObjectLegalHold(ctx context.Context, bucket, key, versionID, actor string, on bool) (string, error)
	PutBucketNotification(ctx context.Context, bucket, actor string, rules []engine.NotificationRule) error
	GetBucketNotification(ctx context.Context, bucket string) ([]engine.NotificationRule, error)

	PutBucketReplication(ctx context.Context, bucket, actor string, cfg engine.ReplicationConfig) error
	GetBucketReplication(ctx context.Context, bucket string) (engine.ReplicationConfig, error)
	DeleteBucketReplication(ctx context.Context, bucket, actor string) error
}

// Options configures the handler.
type Options struct {
	Engine Engine
	Region string
	// Domains enable virtual-host style: a request to <bucket>.<domain>
	// addresses that bucket. Path style always works.
	Domains []string
	Logger  *slog.Logger
	Now     func() time.Time
	Metrics *metrics.Registry // nil: not measured
	// SpoolDir holds browser POST uploads too large to keep in memory
	// while their length is learnt; the OS temp dir when empty.
	SpoolDir string
	// Listener serves ListenBucketNotification; nil answers NotImplemented.
	Listener Listener
	// ListenKeepAlive is how often an idle listen stream gets an empty
	// line; 10s when zero.
	ListenKeepAlive time.Duration
	// Replication reports replication's state on the admin API; nil
	// answers NotImplemented.
	Replication ReplicationReporter
	// Peer answers other gateways' reads of this node's bytes, at
	// /_cairn/peer/ (engine/peer authenticates them); nil: not served.
	Peer http.Handler
}

// ReplicationReporter reports how replication to each declared site
// stands, as a JSON document (the replication consumers implement it;
// cmd wires it in).
type ReplicationReporter interface {
	Status(ctx context.Context) (any, error)
}

// Handler serves the S3 API.
type Handler struct {
	o        Options
	verifier *sigv4.Verifier
	v2       *sigv2.Verifier
	post     *postpolicy.Verifier
	router   *mux.Router
	hostID   string
	requests *metrics.CounterVec   // by operation and status
	latency  *metrics.HistogramVec // by operation
}

// New returns the S3 API handler.
func New(o Options) *Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ListenKeepAlive <= 0 {
		o.ListenKeepAlive = 10 * time.Second
	}
	creds := credentials{o.Engine}
	h := &Handler{o: o, verifier: &sigv4.Verifier{Region: o.Region, Creds: creds, Now: o.Now},
		v2: &sigv2.Verifier{Creds: creds, Now: o.Now}, post: &postpolicy.Verifier{Creds: creds, Region: o.Region, Now: o.Now}}
	var id [24]byte
	_, _ = rand.Read(id[:])
	h.hostID = base64.StdEncoding.EncodeToString(id[:])
	h.router = h.routes()
	if o.Metrics == nil {
		o.Metrics = metrics.New()
	}
	h.requests = o.Metrics.Counter("cairn_http_requests_total", "S3 requests answered, by operation and HTTP status.", "op", "status")
	h.latency = o.Metrics.Histogram("cairn_http_request_seconds", "Time to answer an S3 request (body included), by operation.", nil, "op")
	return h
}

// request is what the chain learned about a request before its handler.
type request struct {
	id        string
	op        string
	bucket    string
	key       string
	level     level
	vhost     bool            // the bucket came from the Host header
	auth      *sigv4.Verified // nil for an anonymous request
	sigV2     bool            // signed with Signature Version 2
	principal engine.Principal
	versionID string // ?versionId= of an object operation that takes one
}

// actor is the access key the request was signed with ("" if anonymous).
func (q *request) actor() string { return q.principal.AccessKey }

// credentials lets the signature verifiers look keys up in the engine.
type credentials struct{ e Engine }

func (c credentials) Lookup(ctx context.Context, accessKey string) (sigv4.Credential, error) {
	cr, err := c.e.LookupKey(ctx, accessKey)
	if errors.Is(err, engine.ErrInvalidAccessKeyID) {
		return sigv4.Credential{}, sigv4.ErrInvalidAccessKeyID
	}
	return sigv4.Credential{AccessKey: cr.AccessKey, SecretKey: cr.SecretKey}, err
}

type ctxKey struct{}

func reqOf(r *http.Request) *request { return r.Context().Value(ctxKey{}).(*request) }

// ServeHTTP is the chain described in the package comment.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := &request{id: newRequestID()}
	rw := &responseWriter{ResponseWriter: w}
	hdr := w.Header()
	hdr.Set("x-amz-request-id", q.id)
	hdr.Set("x-amz-id-2", h.hostID)
	hdr.Set("Server", "cairn")
	start := time.Now()
	defer h.recoverPanic(rw, r, q)
	q.bucket, q.key, q.level, q.vhost = h.target(r)
	ctx := context.WithValue(r.Context(), ctxKey{}, q)
	ctx = engine.WithRequestInfo(ctx, engine.RequestInfo{ID: q.id, SourceIP: sourceIP(r)})
	h.router.ServeHTTP(rw, r.WithContext(ctx))
	h.requests.With(q.op, strconv.Itoa(rw.status)).Inc()
	h.latency.With(q.op).Since(start)
	h.o.Logger.Debug("request", "id", q.id, "op", q.op, "method", r.Method, "bucket", q.bucket,
		"status", rw.status, "dur", time.Since(start))
}

// sourceIP is the client's address as this server sees it.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (h *Handler) recoverPanic(rw *responseWriter, r *http.Request, q *request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler { //nolint:errorlint // sentinel passed to panic
		panic(v) // deliberate abort of a response already under way
	}
	h.o.Logger.Error("panic serving request", "id", q.id, "op", q.op, "panic", v, "stack", string(debug.Stack()))
	if !rw.wrote {
		h.writeError(rw, r, q, s3err.New(s3err.InternalError, ""))
		return
	}
	panic(http.ErrAbortHandler)
}

// handlerFunc is a route's handler: it writes a success response or
// returns an error for writeError.
type handlerFunc func(w http.ResponseWriter, r *http.Request, q *request) error

// wrap authenticates, runs hf and renders its error.
func (h *Handler) wrap(op string, hf handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := reqOf(r)
		q.op = op
		err := h.authenticate(r, q)
		if err == nil {
			err = q.takeVersion(r)
		}
		if err == nil {
			r, err = h.authorize(r, q)
		}
		if err == nil {
			err = hf(w, r, q)
		}
		if err != nil {
			h.writeError(w, r, q, err)
		}
	})
}

// authorize asks the engine whether q's principal may do q.op, and returns
// r carrying the principal for the operations that check a second
// resource.
func (h *Handler) authorize(r *http.Request, q *request) (*http.Request, error) {
	r = r.WithContext(engine.WithPrincipal(r.Context(), q.principal))
	return r, h.o.Engine.Authorize(r.Context(), engine.AuthzRequest{Op: q.op, Bucket: q.bucket, Key: q.key,
		VersionID: q.versionID, Principal: q.principal, Context: policyContext(r, q)})
}

// takeVersion reads ?versionId= of an operation that takes one: the
// operation is then its version form (GetObject is GetObjectVersion).
func (q *request) takeVersion(r *http.Request) error {
	v, ok := r.URL.Query()["versionId"]
	vop, versioned := versionOps[q.op]
	if !ok || !versioned {
		return nil
	}
	if v[0] == "" {
		return s3err.New(s3err.InvalidArgument, "Version id cannot be the empty string")
	}
	q.versionID, q.op = v[0], vop
	return nil
}

// authenticate verifies the request's signature (V4, or V2) and finds its
// principal. An unsigned request is anonymous; authorization decides what
// it may do.
func (h *Handler) authenticate(r *http.Request, q *request) error {
	if sigv2.IsV2(r) {
		return h.authenticateV2(r, q)
	}
	auth, err := h.verifier.Verify(r)
	if errors.Is(err, sigv4.ErrMissingAuth) {
		q.principal = engine.Anonymous
		return nil
	}
	if err != nil {
		return err
	}
	return h.signedBy(r, q, auth, false)
}

func (h *Handler) authenticateV2(r *http.Request, q *request) error {
	bucket := ""
	if q.vhost {
		bucket = q.bucket
	}
	v, err := h.v2.Verify(r, bucket)
	if err != nil {
		return err
	}
	return h.signedBy(r, q, &sigv4.Verified{AccessKey: v.AccessKey, Mode: sigv4.PayloadUnsigned, Presigned: v.Presigned}, true)
}

// signedBy records the verified signer of q.
func (h *Handler) signedBy(r *http.Request, q *request, auth *sigv4.Verified, v2 bool) error {
	cred, err := h.o.Engine.LookupKey(r.Context(), auth.AccessKey)
	if err != nil {
		return err
	}
	q.auth, q.principal, q.sigV2 = auth, cred.Principal, v2
	return nil
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, q *request, err error) {
	e := s3err.FromError(err)
	deleteMarkerHeaders(w, err)
	if rw, ok := w.(*responseWriter); ok && rw.wrote {
		// The status line is gone: abort so the client sees a broken
		// response, never a complete-looking wrong one.
		h.o.Logger.Warn("error after response started", "id", q.id, "op", q.op, "err", err)
		panic(http.ErrAbortHandler)
	}
	if e.Code.Status >= 500 && e.Code.Status != http.StatusNotImplemented {
		h.o.Logger.Error("request failed", "id", q.id, "op", q.op, "code", e.Code.Name, "err", err)
	} else {
		h.o.Logger.Debug("request refused", "id", q.id, "op", q.op, "code", e.Code.Name, "err", err)
	}
	if q.key != "" {
		e.With("Key", q.key)
	}
	if q.bucket != "" {
		e.With("BucketName", q.bucket)
	}
	s3err.Write(w, r, e, q.id, h.hostID)
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// responseWriter remembers whether the status line went out.
type responseWriter struct {
	http.ResponseWriter
	wrote  bool
	status int
}

func (w *responseWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote, w.status = true, code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.wrote, w.status = true, http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ReadFrom keeps io.Copy's fast path (sendfile or large writes).
func (w *responseWriter) ReadFrom(r io.Reader) (int64, error) {
	if !w.wrote {
		w.wrote, w.status = true, http.StatusOK
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(w.ResponseWriter, r)
}

// Flush lets streaming responses flush.
func (w *responseWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
