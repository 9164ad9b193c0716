package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi/s3err"
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
	DeleteObject(ctx context.Context, in engine.DeleteInput) error
	DeleteObjects(ctx context.Context, in engine.DeleteObjectsInput) ([]engine.DeleteOutcome, error)
	ListObjects(ctx context.Context, bucket string, in engine.ListInput) (engine.ListResult, error)
	CopyObject(ctx context.Context, in engine.CopyObjectInput) (engine.CopyObjectResult, error)
	PutObjectTagging(ctx context.Context, bucket, key, actor string, tags []engine.Tag) error
	PutBucketTagging(ctx context.Context, bucket, actor string, tags []engine.Tag) error
	PutBucketNotification(ctx context.Context, bucket, actor string, rules []engine.NotificationRule) error
	GetBucketNotification(ctx context.Context, bucket string) ([]engine.NotificationRule, error)
}

// Options configures the handler.
type Options struct {
	Engine      Engine
	Credentials sigv4.CredentialStore
	Region      string
	// Domains enable virtual-host style: a request to <bucket>.<domain>
	// addresses that bucket. Path style always works.
	Domains []string
	Logger  *slog.Logger
	Now     func() time.Time
	Metrics *metrics.Registry // nil: not measured
	// Listener serves ListenBucketNotification; nil answers NotImplemented.
	Listener Listener
	// ListenKeepAlive is how often an idle listen stream gets an empty
	// line; 10s when zero.
	ListenKeepAlive time.Duration
}

// Handler serves the S3 API.
type Handler struct {
	o        Options
	verifier *sigv4.Verifier
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
	h := &Handler{o: o, verifier: &sigv4.Verifier{Region: o.Region, Creds: o.Credentials, Now: o.Now}}
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
	id     string
	op     string
	bucket string
	key    string
	level  level
	auth   *sigv4.Verified
}

// actor is the access key the request was signed with.
func (q *request) actor() string { return q.auth.AccessKey }

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
	q.bucket, q.key, q.level = h.target(r)
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
		auth, err := h.verifier.Verify(r)
		if err == nil {
			q.auth = auth
			err = hf(w, r, q)
		}
		if err != nil {
			h.writeError(w, r, q, err)
		}
	})
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, q *request, err error) {
	e := s3err.FromError(err)
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
