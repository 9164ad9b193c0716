// Package watch is "cairn watch": it prints a bucket's events as they are
// committed, from cairn's live subscribe API (ListenBucketNotification),
// and resumes after a dropped connection from the last sequence it printed.
//
// Requests are signed with aws-sdk-go-v2's SigV4 signer (allowed in
// cmd/internal like the load driver): the server side keeps its own
// verifier, so the SDK is also an independent check of it here.
package watch

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const usageHead = `usage: cairn watch BUCKET --endpoint URL [flags]

Prints the bucket's events, one S3 notification document ({"Records":[...]})
per line, as they are committed. Starts with the next event, or from a
stream sequence (--from-seq) or a time (--since); after a dropped
connection it resumes after the last event printed.

flags:
`

// Options is what watch needs.
type Options struct {
	Endpoint  string
	Bucket    string
	Region    string
	AccessKey string
	SecretKey string
	Events    []string
	Prefix    string
	Suffix    string
	FromSeq   uint64
	Since     string // RFC 3339
	Brief     bool   // "seq eventName key size" instead of JSON
	Count     int    // stop after this many events; 0: never
	Client    *http.Client
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

func parseArgs(args []string, stderr io.Writer) (Options, error) {
	o := Options{Region: "us-east-1"}
	fs := flag.NewFlagSet("cairn watch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usageHead); fs.PrintDefaults() }
	events := fs.String("events", "", "comma-separated event names, e.g. s3:ObjectCreated:*,s3:ObjectRemoved:* (default: all)")
	fs.StringVar(&o.Endpoint, "endpoint", "", "S3 endpoint URL, e.g. http://127.0.0.1:9000 (required)")
	fs.StringVar(&o.Region, "region", o.Region, "signing region")
	fs.StringVar(&o.AccessKey, "access-key", "", "access key (default $CAIRN_ROOT_ACCESS_KEY, then $AWS_ACCESS_KEY_ID)")
	fs.StringVar(&o.SecretKey, "secret-key", "", "secret key (default $CAIRN_ROOT_SECRET_KEY, then $AWS_SECRET_ACCESS_KEY)")
	fs.StringVar(&o.Prefix, "prefix", "", "only keys with this prefix")
	fs.StringVar(&o.Suffix, "suffix", "", "only keys with this suffix")
	fs.Uint64Var(&o.FromSeq, "from-seq", 0, "start at this stream sequence (a record's cairn.seq)")
	fs.StringVar(&o.Since, "since", "", "start at the first event at or after this RFC 3339 time")
	fs.BoolVar(&o.Brief, "brief", false, `print "seq eventName key size" lines instead of JSON`)
	fs.IntVar(&o.Count, "count", 0, "exit after this many events (0: run until interrupted)")
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		o.Bucket, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.Bucket == "" && fs.NArg() > 0 {
		o.Bucket = fs.Arg(0)
	}
	if o.Bucket == "" || o.Endpoint == "" {
		fs.Usage()
		return o, errors.New("a bucket and --endpoint are required")
	}
	if *events != "" {
		o.Events = strings.Split(*events, ",")
	}
	if o.AccessKey == "" {
		o.AccessKey = firstEnv("CAIRN_ROOT_ACCESS_KEY", "AWS_ACCESS_KEY_ID")
	}
	if o.SecretKey == "" {
		o.SecretKey = firstEnv("CAIRN_ROOT_SECRET_KEY", "AWS_SECRET_ACCESS_KEY")
	}
	return o, nil
}

// Main runs "cairn watch" with the arguments after the subcommand and
// returns the exit code: 0 after --count events or an interrupt, 1 when
// the server refuses the subscription, 2 for bad usage.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "cairn watch:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	if err := Run(ctx, o, stdout, stderr); err != nil && ctx.Err() == nil {
		fmt.Fprintln(stderr, "cairn watch:", err)
		return 1
	}
	return 0
}

// refusedError is an answer other than 200: retrying will not help.
type refusedError struct{ msg string }

func (e *refusedError) Error() string { return e.msg }

// Run streams events to stdout until ctx ends, o.Count events were
// printed, or the server refuses the subscription.
func Run(ctx context.Context, o Options, stdout, stderr io.Writer) error {
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	printed, next := 0, o.FromSeq
	for pause := time.Second; ; pause = min(2*pause, 30*time.Second) {
		n, last, err := stream(ctx, o, next, stdout, &printed)
		if last > 0 {
			next = last + 1
			o.Since = "" // resume by sequence from now on
		}
		if n > 0 {
			pause = time.Second
		}
		var refused *refusedError
		switch {
		case err == nil, ctx.Err() != nil:
			return nil
		case errors.As(err, &refused):
			return err
		}
		fmt.Fprintf(stderr, "cairn watch: %v; reconnecting in %s\n", err, pause)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pause):
		}
	}
}

// stream runs one request: it returns how many events it printed, the
// last one's sequence, and nil only once o.Count events were printed.
func stream(ctx context.Context, o Options, from uint64, stdout io.Writer, printed *int) (int, uint64, error) {
	req, err := newRequest(ctx, o, from)
	if err != nil {
		return 0, 0, &refusedError{err.Error()}
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		err := fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(b)))
		if resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented {
			return 0, 0, err
		}
		return 0, 0, &refusedError{err.Error()}
	}
	n, last := 0, uint64(0)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue // keep-alive
		}
		seq, out := render(line, o.Brief)
		if seq > 0 && seq <= last {
			continue
		}
		fmt.Fprintln(stdout, out)
		n, last = n+1, seq
		*printed++
		if o.Count > 0 && *printed >= o.Count {
			return n, last, nil
		}
	}
	if err := sc.Err(); err != nil {
		return n, last, err
	}
	return n, last, io.ErrUnexpectedEOF
}

func newRequest(ctx context.Context, o Options, from uint64) (*http.Request, error) {
	u, err := url.Parse(strings.TrimSuffix(o.Endpoint, "/") + "/" + url.PathEscape(o.Bucket))
	if err != nil {
		return nil, err
	}
	q := url.Values{"events": o.Events}
	if len(o.Events) == 0 {
		q.Set("events", "")
	}
	if o.Prefix != "" {
		q.Set("prefix", o.Prefix)
	}
	if o.Suffix != "" {
		q.Set("suffix", o.Suffix)
	}
	if from > 0 {
		q.Set("x-cairn-start-seq", strconv.FormatUint(from, 10))
	} else if o.Since != "" {
		q.Set("x-cairn-start-time", o.Since)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	if o.AccessKey == "" {
		return req, nil // anonymous
	}
	sum := sha256.Sum256(nil)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	creds := aws.Credentials{AccessKeyID: o.AccessKey, SecretAccessKey: o.SecretKey}
	return req, v4.NewSigner().SignHTTP(ctx, creds, req, hash, "s3", o.Region, time.Now())
}

// render returns the event's sequence and the line to print.
func render(line string, brief bool) (uint64, string) {
	var doc struct {
		Records []struct {
			EventName string `json:"eventName"`
			S3        struct {
				Object struct {
					Key  string `json:"key"`
					Size *int64 `json:"size"`
				} `json:"object"`
			} `json:"s3"`
			Cairn struct {
				Seq uint64 `json:"seq"`
			} `json:"cairn"`
		} `json:"Records"`
	}
	if err := json.Unmarshal([]byte(line), &doc); err != nil || len(doc.Records) == 0 {
		return 0, line
	}
	r := doc.Records[0]
	if !brief {
		return r.Cairn.Seq, line
	}
	key, err := url.QueryUnescape(r.S3.Object.Key)
	if err != nil {
		key = r.S3.Object.Key
	}
	size := "-"
	if r.S3.Object.Size != nil {
		size = strconv.FormatInt(*r.S3.Object.Size, 10)
	}
	return r.Cairn.Seq, fmt.Sprintf("%d %s %s %s", r.Cairn.Seq, r.EventName, key, size)
}
