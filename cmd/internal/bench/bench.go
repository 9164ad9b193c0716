// Package bench is a small S3 load driver ("cairn bench"). It speaks plain S3
// through aws-sdk-go-v2, so the same run can be pointed at cairn, MinIO or
// AWS and the results compared side by side.
package bench

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Operation kinds.
const (
	OpPut   = "put"
	OpGet   = "get"
	OpMixed = "mixed"
)

// Checksum modes (--checksum).
const (
	ChecksumWhenRequired  = "when_required"
	ChecksumWhenSupported = "when_supported"
)

// Payload signing modes (--payload).
const (
	PayloadUnsigned = "unsigned"
	PayloadSigned   = "signed"
)

// MaxKeySpaceBytes bounds Keys*Size: the bytes a run pre-populates (get,
// mixed) or can leave behind (put). Keys is lowered to fit, but never below
// Concurrency, so concurrent workers need not share keys.
const MaxKeySpaceBytes int64 = 2 << 30

// maxErrorSamples is how many distinct error messages a Result keeps.
const maxErrorSamples = 5

// Options configures a run. Start from DefaultOptions: Run fills in the
// defaults only for fields whose zero value is meaningless (Region, Bucket,
// Op, Size, Concurrency, Duration, Keys, Checksum, Payload); a zero Warmup
// means no warm-up, a zero GetRatio means a mixed run does only PUTs and a
// false PathStyle means virtual-hosted-style addressing.
type Options struct {
	Endpoint    string        // --endpoint (required), e.g. http://127.0.0.1:9000
	Region      string        // --region, default us-east-1
	AccessKey   string        // --access-key, default env CAIRN_ROOT_ACCESS_KEY, then AWS_ACCESS_KEY_ID
	SecretKey   string        // --secret-key, default env CAIRN_ROOT_SECRET_KEY, then AWS_SECRET_ACCESS_KEY
	Bucket      string        // --bucket, default "cairn-bench"; created if missing
	Op          string        // --op put|get|mixed, default put
	Size        int64         // --size, object size in bytes, default 4KiB
	Concurrency int           // --concurrency / -c, default 16
	Duration    time.Duration // --duration / -d, default 10s
	Keys        int           // --keys, key space (pre-populated for get/mixed), default 1000, capped by MaxKeySpaceBytes
	GetRatio    float64       // --get-ratio, fraction of GETs in a mixed run, default 0.5
	Checksum    string        // --checksum when_required (default) | when_supported
	Payload     string        // --payload unsigned (default) | signed
	PathStyle   bool          // --path-style, default true
	Warmup      time.Duration // --warmup, default 1s; operations started during warm-up are not counted
	JSON        bool          // --json: Main prints one JSON object instead of the table

	Timeout  time.Duration // --timeout, per-request limit including the body, default 1m; 0 = none
	Insecure bool          // --insecure, skip TLS certificate verification

	// Progress, if set, receives a line per setup step (bucket, pre-population).
	Progress io.Writer
}

// DefaultOptions returns the options the command line starts from, with the
// credentials taken from the environment.
func DefaultOptions() Options {
	return Options{
		Region:      "us-east-1",
		AccessKey:   firstEnv("CAIRN_ROOT_ACCESS_KEY", "AWS_ACCESS_KEY_ID"),
		SecretKey:   firstEnv("CAIRN_ROOT_SECRET_KEY", "AWS_SECRET_ACCESS_KEY"),
		Bucket:      "cairn-bench",
		Op:          OpPut,
		Size:        4 << 10,
		Concurrency: 16,
		Duration:    10 * time.Second,
		Keys:        1000,
		GetRatio:    0.5,
		Checksum:    ChecksumWhenRequired,
		Payload:     PayloadUnsigned,
		PathStyle:   true,
		Warmup:      time.Second,
		Timeout:     time.Minute,
	}
}

// OpResult is the outcome for one kind of operation.
type OpResult struct {
	Op        string
	Ops       int64 // successful operations started in the measured window
	Errors    int64 // failed operations started in the measured window
	Bytes     int64 // payload bytes moved by the successful operations
	ObjPerSec float64
	MiBPerSec float64
	// Latencies of the successful operations (request start to last body byte).
	P50, P90, P99, Max, Mean time.Duration
}

// ErrorSample is one distinct error message and how often it occurred.
type ErrorSample struct {
	Message string
	Count   int64
}

// Result is the outcome of a run. Ops through Mean cover all operations of
// the measured window; PerOp breaks a mixed run down by kind.
type Result struct {
	Op          string
	Size        int64
	Concurrency int
	Duration    time.Duration // measured window: end of warm-up until the last counted operation finished
	Ops         int64
	Errors      int64
	Bytes       int64
	ObjPerSec   float64
	MiBPerSec   float64
	P50, P90    time.Duration
	P99, Max    time.Duration
	Mean        time.Duration

	PerOp         []OpResult    // mixed only: "get" then "put"
	Keys          int           // key space actually used
	KeysRequested int           // Options.Keys before capping
	ErrorSamples  []ErrorSample // first distinct error messages, credentials removed
	Interrupted   bool          // ctx was cancelled before the duration ran out
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// normalize fills defaults and validates.
func (o *Options) normalize() error {
	d := DefaultOptions()
	if o.Region == "" {
		o.Region = d.Region
	}
	if o.Bucket == "" {
		o.Bucket = d.Bucket
	}
	if o.Op == "" {
		o.Op = d.Op
	}
	if o.Size == 0 {
		o.Size = d.Size
	}
	if o.Concurrency == 0 {
		o.Concurrency = d.Concurrency
	}
	if o.Duration == 0 {
		o.Duration = d.Duration
	}
	if o.Keys == 0 {
		o.Keys = d.Keys
	}
	if o.Checksum == "" {
		o.Checksum = d.Checksum
	}
	if o.Payload == "" {
		o.Payload = d.Payload
	}
	o.Op = strings.ToLower(o.Op)
	o.Checksum = strings.ToLower(o.Checksum)
	o.Payload = strings.ToLower(o.Payload)

	if o.Endpoint == "" {
		return errors.New("--endpoint is required (e.g. --endpoint http://127.0.0.1:9000)")
	}
	u, err := url.Parse(o.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--endpoint %q: want http://host:port or https://host:port", redactURL(o.Endpoint))
	}
	if u.User != nil {
		return errors.New("--endpoint must not contain credentials; use --access-key/--secret-key")
	}
	switch o.Op {
	case OpPut, OpGet, OpMixed:
	default:
		return fmt.Errorf("--op %q: want put, get or mixed", o.Op)
	}
	switch o.Checksum {
	case ChecksumWhenRequired, ChecksumWhenSupported:
	default:
		return fmt.Errorf("--checksum %q: want when_required or when_supported", o.Checksum)
	}
	switch o.Payload {
	case PayloadUnsigned, PayloadSigned:
	default:
		return fmt.Errorf("--payload %q: want unsigned or signed", o.Payload)
	}
	if o.Size < 1 {
		return fmt.Errorf("--size must be at least 1 byte")
	}
	if o.Size > 5<<30 {
		return fmt.Errorf("--size %s: larger than the 5GiB single-PUT limit", FormatSize(o.Size))
	}
	if o.Concurrency < 1 || o.Concurrency > 4096 {
		return fmt.Errorf("--concurrency %d: want 1..4096", o.Concurrency)
	}
	if o.Duration < 0 || o.Warmup < 0 || o.Timeout < 0 {
		return errors.New("--duration, --warmup and --timeout must not be negative")
	}
	if o.Keys < 1 {
		return fmt.Errorf("--keys %d: want at least 1", o.Keys)
	}
	if !(o.GetRatio >= 0 && o.GetRatio <= 1) {
		return fmt.Errorf("--get-ratio %v: want 0..1", o.GetRatio)
	}
	if (o.AccessKey == "") != (o.SecretKey == "") {
		return errors.New("give both an access key and a secret key, or neither (anonymous requests)")
	}
	return nil
}

// effectiveKeys caps the key space so that keys*size stays within
// MaxKeySpaceBytes, but not below concurrency (nor below 1), and never above
// what was asked for.
func effectiveKeys(keys int, size int64, concurrency int) int {
	limit := MaxKeySpaceBytes / max(size, 1)
	limit = max(limit, int64(concurrency), 1)
	return int(min(int64(keys), limit))
}

// newClient builds the one client all workers share.
func newClient(o Options) *s3.Client {
	tr := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:          2 * o.Concurrency,
		MaxIdleConnsPerHost:   2 * o.Concurrency,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second, // as the SDK's own transport
		DisableCompression:    true,
		WriteBufferSize:       64 << 10,
		ReadBufferSize:        64 << 10,
	}
	// HTTP/1.1 only: S3 clients and servers are measured over HTTP/1.1, and
	// one connection per worker keeps the workers independent.
	var protos http.Protocols
	protos.SetHTTP1(true)
	tr.Protocols = &protos
	if o.Insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // opt-in via --insecure
	}
	hc := &http.Client{Transport: tr, Timeout: o.Timeout}

	var creds aws.CredentialsProvider = aws.AnonymousCredentials{}
	if o.AccessKey != "" {
		creds = credentials.NewStaticCredentialsProvider(o.AccessKey, o.SecretKey, "")
	}
	so := s3.Options{
		Region:           o.Region,
		BaseEndpoint:     aws.String(o.Endpoint),
		UsePathStyle:     o.PathStyle,
		Credentials:      creds,
		HTTPClient:       hc,
		Retryer:          aws.NopRetryer{},
		RetryMaxAttempts: 1, // no retries: every failure is counted
	}
	if o.Checksum == ChecksumWhenSupported {
		so.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
		so.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
	} else {
		so.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		so.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}
	var fns []func(*s3.Options)
	if o.Payload == PayloadUnsigned {
		fns = append(fns, s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
	}
	return s3.New(so, fns...)
}

// errorLog collects error counts and the first distinct messages.
type errorLog struct {
	mu      sync.Mutex
	secrets []string
	order   []string
	counts  map[string]int64
}

func newErrorLog(secrets ...string) *errorLog {
	l := &errorLog{counts: map[string]int64{}}
	for _, s := range secrets {
		if s != "" {
			l.secrets = append(l.secrets, s)
		}
	}
	return l
}

func (l *errorLog) add(op string, err error) {
	msg := l.redact(describeError(op, err))
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.counts[msg]; !ok {
		if len(l.order) >= maxErrorSamples {
			l.counts[otherErrors]++
			return
		}
		l.order = append(l.order, msg)
	}
	l.counts[msg]++
}

const otherErrors = "(other errors)"

func (l *errorLog) redact(s string) string {
	for _, sec := range l.secrets {
		s = strings.ReplaceAll(s, sec, "[REDACTED]")
	}
	return s
}

func (l *errorLog) samples() []ErrorSample {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []ErrorSample
	for _, m := range l.order {
		out = append(out, ErrorSample{Message: m, Count: l.counts[m]})
	}
	if c := l.counts[otherErrors]; c > 0 {
		out = append(out, ErrorSample{Message: otherErrors, Count: c})
	}
	return out
}

// localAddr matches the client side of "read tcp 127.0.0.1:54321->...", which
// would otherwise make every connection error distinct.
var localAddr = regexp.MustCompile(`(tcp6?|udp) \S+->`)

// describeError renders err without request IDs or other per-request noise.
func describeError(op string, err error) string {
	var ae smithy.APIError
	var re *smithyhttp.ResponseError
	status := 0
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	switch {
	case errors.As(err, &ae):
		msg := ae.ErrorCode()
		if m := ae.ErrorMessage(); m != "" {
			msg += ": " + m
		}
		if status != 0 {
			return fmt.Sprintf("%s: HTTP %d %s", op, status, msg)
		}
		return fmt.Sprintf("%s: %s", op, msg)
	case status != 0:
		return fmt.Sprintf("%s: HTTP %d %s", op, status, http.StatusText(status))
	}
	var oe *smithy.OperationError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err
	}
	return op + ": " + localAddr.ReplaceAllString(err.Error(), "$1 ")
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = url.User("REDACTED")
	return u.String()
}

func (o Options) progressf(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format+"\n", args...)
	}
}

// ensureBucket makes sure the bucket exists, creating it if needed.
func ensureBucket(ctx context.Context, c *s3.Client, o Options, el *errorLog) error {
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &o.Bucket}); err == nil {
		return nil
	}
	in := &s3.CreateBucketInput{Bucket: &o.Bucket}
	if o.Region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(o.Region),
		}
	}
	_, err := c.CreateBucket(ctx, in)
	if err == nil {
		o.progressf("created bucket %s", o.Bucket)
		return nil
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "BucketAlreadyOwnedByYou", "BucketAlreadyExists":
			return nil
		}
	}
	return fmt.Errorf("bucket %s: %s", o.Bucket, el.redact(describeError("CreateBucket", err)))
}

// objectKey names the n-th object of the run's key space.
func objectKey(size int64, n int) string {
	return "bench/" + FormatSize(size) + "/" + strconv.Itoa(n)
}

func putObject(ctx context.Context, c *s3.Client, bucket, key string, body []byte) error {
	_, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        &bucket,
		Key:           &key,
		Body:          bytes.NewReader(body), // fresh reader; the buffer is only read
		ContentLength: aws.Int64(int64(len(body))),
	})
	return err
}

func getObject(ctx context.Context, c *s3.Client, bucket, key string, size int64, buf []byte) error {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return err
	}
	defer out.Body.Close()
	var n int64
	for {
		m, err := out.Body.Read(buf)
		n += int64(m)
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading body after %d bytes: %w", n, err)
		}
	}
	if n != size {
		return fmt.Errorf("body has %d bytes, want %d", n, size)
	}
	return nil
}

// payloads returns one random buffer per worker, or one shared by all when
// per-worker buffers would take more than 1 GiB. Buffers are only read.
func payloads(size int64, workers int) [][]byte {
	distinct := workers
	if size*int64(workers) > 1<<30 {
		distinct = 1
	}
	bufs := make([][]byte, workers)
	for i := range distinct {
		b := make([]byte, size)
		rand.NewChaCha8(seed(uint64(i))).Read(b)
		bufs[i] = b
	}
	for i := distinct; i < workers; i++ {
		bufs[i] = bufs[0]
	}
	return bufs
}

func seed(i uint64) (s [32]byte) {
	for j := range s {
		s[j] = byte(rand.Uint64()) ^ byte(i>>(8*(j%8)))
	}
	return s
}

// prepopulate writes keys 0..keys-1 with the given concurrency.
func prepopulate(ctx context.Context, c *s3.Client, o Options, keys int, bufs [][]byte, el *errorLog) error {
	o.progressf("pre-populating %d objects of %s in bucket %s", keys, FormatSize(o.Size), o.Bucket)
	var next atomic.Int64
	var failed atomic.Pointer[string]
	var wg sync.WaitGroup
	for w := range o.Concurrency {
		wg.Go(func() {
			for {
				n := int(next.Add(1) - 1)
				if n >= keys || failed.Load() != nil || ctx.Err() != nil {
					return
				}
				if err := putObject(ctx, c, o.Bucket, objectKey(o.Size, n), bufs[w]); err != nil {
					msg := el.redact(describeError("PutObject", err))
					failed.CompareAndSwap(nil, &msg)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if m := failed.Load(); m != nil {
		return fmt.Errorf("pre-populating: %s", *m)
	}
	return nil
}

const (
	kindGet = 0
	kindPut = 1
)

var kindNames = [2]string{kindGet: OpGet, kindPut: OpPut}
var kindOps = [2]string{kindGet: "GetObject", kindPut: "PutObject"}

type workerStats struct {
	hist   [2]*histogram
	ops    [2]int64
	errs   [2]int64
	lastAt time.Time // when the worker's last counted operation finished
}

// Run sets up the bucket (and, for get and mixed, the objects), then drives
// o.Concurrency workers for o.Warmup plus o.Duration and reports what was
// measured after the warm-up. An error means setup failed or the options are
// invalid; failed operations are counted in the Result. If ctx is cancelled
// mid-run the Result covers the time until then and has Interrupted set.
func Run(ctx context.Context, o Options) (Result, error) {
	if err := o.normalize(); err != nil {
		return Result{}, err
	}
	res := Result{
		Op:            o.Op,
		Size:          o.Size,
		Concurrency:   o.Concurrency,
		KeysRequested: o.Keys,
		Keys:          effectiveKeys(o.Keys, o.Size, o.Concurrency),
	}
	el := newErrorLog(o.SecretKey, o.AccessKey)
	client := newClient(o)
	if tr, ok := client.Options().HTTPClient.(*http.Client); ok {
		defer tr.CloseIdleConnections()
	}

	setupCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err := ensureBucket(setupCtx, client, o, el)
	cancel()
	if err != nil {
		return res, err
	}
	if res.Keys < res.KeysRequested {
		o.progressf("key space capped at %d objects (%s each, at most %s in total)",
			res.Keys, FormatSize(o.Size), FormatSize(MaxKeySpaceBytes))
	}
	bufs := payloads(o.Size, o.Concurrency)
	if o.Op != OpPut {
		if err := prepopulate(ctx, client, o, res.Keys, bufs, el); err != nil {
			return res, err
		}
	}

	stats := make([]*workerStats, o.Concurrency)
	for i := range stats {
		stats[i] = &workerStats{hist: [2]*histogram{newHistogram(), newHistogram()}}
	}
	var nextKey atomic.Uint64
	keys := uint64(res.Keys)
	start := time.Now()
	measureStart := start.Add(o.Warmup)
	end := measureStart.Add(o.Duration)
	var wg sync.WaitGroup
	for w := range o.Concurrency {
		ws := stats[w]
		body := bufs[w]
		rng := rand.New(rand.NewPCG(rand.Uint64(), uint64(w)))
		var readBuf []byte
		if o.Op != OpPut {
			readBuf = make([]byte, min(o.Size+1, 128<<10))
		}
		wg.Go(func() {
			for ctx.Err() == nil {
				kind := kindPut
				switch o.Op {
				case OpGet:
					kind = kindGet
				case OpMixed:
					if rng.Float64() < o.GetRatio {
						kind = kindGet
					}
				}
				key := objectKey(o.Size, int((nextKey.Add(1)-1)%keys))
				t0 := time.Now()
				if !t0.Before(end) {
					return
				}
				var err error
				if kind == kindGet {
					err = getObject(ctx, client, o.Bucket, key, o.Size, readBuf)
				} else {
					err = putObject(ctx, client, o.Bucket, key, body)
				}
				t1 := time.Now()
				if t0.Before(measureStart) {
					continue
				}
				if err != nil {
					if ctx.Err() != nil {
						return // interrupted: not the server's failure
					}
					ws.errs[kind]++
					el.add(kindOps[kind], err)
				} else {
					ws.ops[kind]++
					ws.hist[kind].Record(t1.Sub(t0))
				}
				ws.lastAt = t1
			}
		})
	}
	wg.Wait()
	finished := time.Now()
	res.Interrupted = ctx.Err() != nil && finished.Before(end)

	// The window runs from the end of warm-up until the last counted
	// operation finished (operations started before the deadline run to
	// completion and are counted).
	last := measureStart
	for _, ws := range stats {
		if ws.lastAt.After(last) {
			last = ws.lastAt
		}
	}
	stop := end
	if res.Interrupted || finished.Before(end) {
		stop = finished
	}
	if stop.After(last) {
		last = stop
	}
	res.Duration = max(last.Sub(measureStart), 0)

	total := newHistogram()
	var perKind [2]OpResult
	for k := range 2 {
		h := newHistogram()
		r := &perKind[k]
		r.Op = kindNames[k]
		for _, ws := range stats {
			h.Merge(ws.hist[k])
			r.Ops += ws.ops[k]
			r.Errors += ws.errs[k]
		}
		r.Bytes = r.Ops * o.Size
		fillStats(r, h, res.Duration)
		total.Merge(h)
	}
	all := OpResult{
		Ops:    perKind[0].Ops + perKind[1].Ops,
		Errors: perKind[0].Errors + perKind[1].Errors,
		Bytes:  perKind[0].Bytes + perKind[1].Bytes,
	}
	fillStats(&all, total, res.Duration)
	res.Ops, res.Errors, res.Bytes = all.Ops, all.Errors, all.Bytes
	res.ObjPerSec, res.MiBPerSec = all.ObjPerSec, all.MiBPerSec
	res.P50, res.P90, res.P99, res.Max, res.Mean = all.P50, all.P90, all.P99, all.Max, all.Mean
	if o.Op == OpMixed {
		res.PerOp = []OpResult{perKind[kindGet], perKind[kindPut]}
	}
	res.ErrorSamples = el.samples()
	return res, nil
}

func fillStats(r *OpResult, h *histogram, window time.Duration) {
	if secs := window.Seconds(); secs > 0 {
		r.ObjPerSec = float64(r.Ops) / secs
		r.MiBPerSec = float64(r.Bytes) / (1 << 20) / secs
	}
	r.P50 = h.Percentile(50)
	r.P90 = h.Percentile(90)
	r.P99 = h.Percentile(99)
	r.Max = h.Max()
	r.Mean = h.Mean()
}
