package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

const (
	testAccess = "AKIDBENCHTEST"
	testSecret = "benchSecretKeyDoNotPrint123"
)

// testOptions returns options for a short run against f with no warm-up, so
// that every request the fake sees after setup is one that was counted.
func testOptions(f *fakeS3, op string) Options {
	o := DefaultOptions()
	o.Endpoint = f.srv.URL
	o.AccessKey, o.SecretKey = testAccess, testSecret
	o.Op = op
	o.Size = 4 << 10
	o.Concurrency = 4
	o.Duration = time.Second
	o.Warmup = 0
	o.Keys = 40
	return o
}

func checkLatencies(t *testing.T, name string, p50, p90, p99, mx time.Duration) {
	t.Helper()
	if !(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= mx) {
		t.Errorf("%s latencies not ordered: p50 %v p90 %v p99 %v max %v", name, p50, p90, p99, mx)
	}
}

func checkStored(t *testing.T, f *fakeS3, keys int, size int64) map[string]int {
	t.Helper()
	st := f.stored()
	for name, n := range st {
		if int64(n) != size {
			t.Errorf("object %s has %d bytes, want %d", name, n, size)
		}
		if !strings.HasPrefix(name, "cairn-bench/bench/"+FormatSize(size)+"/") {
			t.Errorf("unexpected object name %q", name)
		}
	}
	if len(st) > keys {
		t.Errorf("%d objects stored, key space is %d", len(st), keys)
	}
	return st
}

func TestRunPut(t *testing.T) {
	f := newFakeS3(t)
	o := testOptions(f, OpPut)
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if res.Ops <= 0 || res.Errors != 0 {
		t.Fatalf("ops %d errors %d %v", res.Ops, res.Errors, res.ErrorSamples)
	}
	// No warm-up and no pre-population: the fake saw exactly the counted PUTs.
	if got := f.putOK.Load(); got != res.Ops {
		t.Errorf("fake stored %d PUTs, result counts %d", got, res.Ops)
	}
	if got, want := f.bytesIn.Load(), res.Ops*o.Size; got != want || res.Bytes != want {
		t.Errorf("fake received %d bytes, result says %d, want %d", got, res.Bytes, want)
	}
	// Default payload mode: no client hashing, no client checksums.
	if f.unsignedPuts.Load() != res.Ops || f.signedPuts.Load() != 0 || f.crcPuts.Load() != 0 {
		t.Errorf("unsigned %d signed %d crc %d, want all %d unsigned without checksums",
			f.unsignedPuts.Load(), f.signedPuts.Load(), f.crcPuts.Load(), res.Ops)
	}
	st := checkStored(t, f, o.Keys, o.Size)
	if want := min(int64(o.Keys), res.Ops); int64(len(st)) != want {
		t.Errorf("%d distinct objects stored, want %d", len(st), want)
	}
	if res.Op != OpPut || res.Concurrency != 4 || res.Size != 4096 || res.Keys != 40 || len(res.PerOp) != 0 {
		t.Errorf("result header wrong: %+v", res)
	}
	if res.Duration < o.Duration || res.Duration > o.Duration+5*time.Second {
		t.Errorf("measured window %v, want about %v", res.Duration, o.Duration)
	}
	if want := float64(res.Ops) / res.Duration.Seconds(); res.ObjPerSec != want {
		t.Errorf("obj/s %v, want %v", res.ObjPerSec, want)
	}
	if want := float64(res.Bytes) / (1 << 20) / res.Duration.Seconds(); res.MiBPerSec != want {
		t.Errorf("MiB/s %v, want %v", res.MiBPerSec, want)
	}
	checkLatencies(t, "put", res.P50, res.P90, res.P99, res.Max)
}

func TestRunGet(t *testing.T) {
	f := newFakeS3(t)
	o := testOptions(f, OpGet)
	o.Size = 100000 // not a power of two, larger than one read buffer
	o.Keys = 20
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if res.Ops <= 0 || res.Errors != 0 {
		t.Fatalf("ops %d errors %d %v", res.Ops, res.Errors, res.ErrorSamples)
	}
	// Pre-population wrote each key once; every GET the fake served was counted.
	if got := f.putOK.Load(); got != int64(o.Keys) {
		t.Errorf("%d PUTs, want %d (pre-population only)", got, o.Keys)
	}
	if got := f.getOK.Load(); got != res.Ops {
		t.Errorf("fake served %d GETs, result counts %d", got, res.Ops)
	}
	if res.Bytes != res.Ops*o.Size {
		t.Errorf("bytes %d, want %d", res.Bytes, res.Ops*o.Size)
	}
	if st := checkStored(t, f, o.Keys, o.Size); len(st) != o.Keys {
		t.Errorf("%d objects stored, want %d", len(st), o.Keys)
	}
	checkLatencies(t, "get", res.P50, res.P90, res.P99, res.Max)
}

func TestRunMixed(t *testing.T) {
	f := newFakeS3(t)
	o := testOptions(f, OpMixed)
	o.GetRatio = 0.7
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if res.Ops <= 0 || res.Errors != 0 {
		t.Fatalf("ops %d errors %d %v", res.Ops, res.Errors, res.ErrorSamples)
	}
	if len(res.PerOp) != 2 || res.PerOp[0].Op != OpGet || res.PerOp[1].Op != OpPut {
		t.Fatalf("per-op breakdown %+v", res.PerOp)
	}
	get, put := res.PerOp[0], res.PerOp[1]
	if get.Ops <= 0 || put.Ops <= 0 || get.Ops+put.Ops != res.Ops || get.Errors+put.Errors != res.Errors {
		t.Errorf("breakdown get %d put %d does not add up to %d", get.Ops, put.Ops, res.Ops)
	}
	if got := f.getOK.Load(); got != get.Ops {
		t.Errorf("fake served %d GETs, result counts %d", got, get.Ops)
	}
	if got := f.putOK.Load(); got != put.Ops+int64(o.Keys) {
		t.Errorf("fake stored %d PUTs, want %d counted + %d pre-populated", got, put.Ops, o.Keys)
	}
	// The GET share is binomial around 0.7: allow five standard deviations.
	tol := 5 * math.Sqrt(0.7*0.3/float64(res.Ops))
	if ratio := float64(get.Ops) / float64(res.Ops); math.Abs(ratio-0.7) > tol {
		t.Errorf("GET share %.3f of %d operations, want 0.7 ± %.3f", ratio, res.Ops, tol)
	}
	if get.Bytes != get.Ops*o.Size || put.Bytes != put.Ops*o.Size || res.Bytes != get.Bytes+put.Bytes {
		t.Errorf("bytes get %d put %d total %d", get.Bytes, put.Bytes, res.Bytes)
	}
	checkStored(t, f, o.Keys, o.Size)
	checkLatencies(t, "mixed", res.P50, res.P90, res.P99, res.Max)
	checkLatencies(t, "mixed get", get.P50, get.P90, get.P99, get.Max)
	checkLatencies(t, "mixed put", put.P50, put.P90, put.P99, put.Max)
	if res.Max != max(get.Max, put.Max) {
		t.Errorf("max %v, want the larger of %v and %v", res.Max, get.Max, put.Max)
	}
}

func TestRunSignedPayloadWithChecksums(t *testing.T) {
	f := newFakeS3(t)
	o := testOptions(f, OpMixed)
	o.Payload = PayloadSigned
	o.Checksum = ChecksumWhenSupported
	o.Duration = 500 * time.Millisecond
	o.Size = 64 << 10
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ops <= 0 || res.Errors != 0 {
		t.Fatalf("ops %d errors %d %v", res.Ops, res.Errors, res.ErrorSamples)
	}
	// The fake verified the SHA-256 and CRC32 of every body against the
	// headers, so every stored object is byte-for-byte what was sent.
	puts := f.putOK.Load()
	if f.signedPuts.Load() != puts || f.unsignedPuts.Load() != 0 {
		t.Errorf("signed %d unsigned %d of %d PUTs, want all signed", f.signedPuts.Load(), f.unsignedPuts.Load(), puts)
	}
	if f.crcPuts.Load() != puts {
		t.Errorf("%d of %d PUTs had a verified CRC32", f.crcPuts.Load(), puts)
	}
	checkStored(t, f, o.Keys, o.Size)
}

func TestRunCountsServerErrorsWithoutRetrying(t *testing.T) {
	f := newFakeS3(t)
	f.failPutEvery = 3
	o := testOptions(f, OpPut)
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if res.Ops <= 0 || res.Errors <= 0 {
		t.Fatalf("ops %d errors %d: want both > 0", res.Ops, res.Errors)
	}
	// Each attempt the fake saw is one counted operation: nothing retried.
	attempts := f.putAttempts.Load()
	if attempts != res.Ops+res.Errors {
		t.Errorf("fake saw %d attempts, result has %d ops + %d errors", attempts, res.Ops, res.Errors)
	}
	if want := attempts / 3; res.Errors != want {
		t.Errorf("errors %d, want every third of %d attempts = %d", res.Errors, attempts, want)
	}
	if len(res.ErrorSamples) != 1 {
		t.Fatalf("error samples %+v, want one distinct message", res.ErrorSamples)
	}
	s := res.ErrorSamples[0]
	if s.Count != res.Errors || !strings.Contains(s.Message, "HTTP 500") ||
		!strings.Contains(s.Message, "InternalError") || !strings.Contains(s.Message, "PutObject") {
		t.Errorf("error sample %+v", s)
	}
	if strings.Contains(s.Message, "req-500") {
		t.Errorf("error sample keeps the request ID: %q", s.Message)
	}
}

func TestRunInterrupted(t *testing.T) {
	f := newFakeS3(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.onPut = func(n int64) {
		if n == 50 {
			cancel()
		}
	}
	o := testOptions(f, OpPut)
	o.Duration = time.Minute
	res, err := Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted {
		t.Error("not marked interrupted")
	}
	// The 50th PUT cancels the run before its response is sent, so up to
	// Concurrency requests in flight at that moment are neither operations
	// nor errors.
	if res.Ops < 50-int64(o.Concurrency) || res.Ops > f.putOK.Load() || res.Errors != 0 {
		t.Errorf("ops %d (fake stored %d) errors %d: want >= %d and no errors (cancelled requests are not failures)",
			res.Ops, f.putOK.Load(), res.Errors, 50-o.Concurrency)
	}
	if res.Duration >= 30*time.Second {
		t.Errorf("window %v: the run did not stop when cancelled", res.Duration)
	}
}

func TestRunSetupErrors(t *testing.T) {
	f := newFakeS3(t)
	f.denyCreate = true
	_, err := Run(context.Background(), testOptions(f, OpPut))
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("err = %v, want AccessDenied", err)
	}
	if strings.Contains(err.Error(), testAccess) {
		t.Errorf("error shows the access key: %v", err)
	}

	o := testOptions(f, OpPut)
	o.Endpoint = ""
	if _, err := Run(context.Background(), o); err == nil {
		t.Error("missing endpoint accepted")
	}
	o = testOptions(f, "delete")
	if _, err := Run(context.Background(), o); err == nil {
		t.Error("bad op accepted")
	}
}

func TestEffectiveKeys(t *testing.T) {
	for _, c := range []struct {
		keys        int
		size        int64
		conc, want  int
		description string
	}{
		{1000, 4 << 10, 16, 1000, "small objects: as asked"},
		{1000, 16 << 20, 16, 128, "2GiB / 16MiB"},
		{1000, 1 << 30, 16, 16, "never below concurrency"},
		{1000, 1 << 30, 1, 2, "2GiB / 1GiB"},
		{5, 4 << 10, 16, 5, "fewer keys than workers when asked"},
		{1000, 5 << 30, 1, 1, "at least one"},
	} {
		if got := effectiveKeys(c.keys, c.size, c.conc); got != c.want {
			t.Errorf("%s: effectiveKeys(%d, %d, %d) = %d, want %d", c.description, c.keys, c.size, c.conc, got, c.want)
		}
	}
}

func TestMainJSON(t *testing.T) {
	f := newFakeS3(t)
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{
		"--endpoint", f.srv.URL, "--op", "mixed", "--size", "8KiB", "-c", "3", "-d", "700ms",
		"--warmup", "200ms", "--keys", "30", "--access-key", testAccess, "--secret-key", testSecret, "--json",
	}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	var j JSONResult
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		t.Fatalf("stdout is not one JSON result: %v\n%s", err, stdout.String())
	}
	if dec.More() {
		t.Error("more than one JSON value on stdout")
	}
	if j.Op != "mixed" || j.Size != 8192 || j.SizeHuman != "8KiB" || j.Concurrency != 3 || j.Keys != 30 ||
		j.Payload != PayloadUnsigned || j.Checksum != ChecksumWhenRequired || j.Endpoint != f.srv.URL {
		t.Errorf("JSON header %+v", j)
	}
	if j.Ops <= 0 || j.Errors != 0 || j.ObjPerSec <= 0 || j.MiBPerSec <= 0 || j.P50ms <= 0 || j.MaxMs < j.P99ms {
		t.Errorf("JSON totals %+v", j.JSONOpStats)
	}
	if j.DurationSec < 0.7 || j.WarmupSec != 0.2 {
		t.Errorf("duration %v warmup %v", j.DurationSec, j.WarmupSec)
	}
	if len(j.PerOp) != 2 || j.PerOp[0].Ops+j.PerOp[1].Ops != j.Ops {
		t.Errorf("per-op %+v", j.PerOp)
	}
	// Warm-up operations reached the server but were not counted.
	if served := f.getOK.Load() + f.putOK.Load() - 30; served <= j.Ops {
		t.Errorf("fake served %d operations after pre-population, %d counted: warm-up was counted", served, j.Ops)
	}
	for _, out := range []string{stdout.String(), stderr.String()} {
		if strings.Contains(out, testSecret) || strings.Contains(out, testAccess) {
			t.Errorf("output shows credentials:\n%s", out)
		}
	}
}

func TestMainTable(t *testing.T) {
	f := newFakeS3(t)
	f.failPutEvery = 4
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{
		"--endpoint=" + f.srv.URL, "--size=1KiB", "--concurrency=2", "--duration=500ms", "--warmup=0s",
	}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	out := stdout.String()
	t.Logf("stdout:\n%s\nstderr:\n%s", out, stderr.String())
	lines := strings.Split(strings.TrimSpace(out), "\n")
	header := strings.Fields(lines[0])
	want := []string{"op", "size", "conc", "duration", "ops", "errors", "obj/s", "MiB/s", "p50", "p90", "p99", "max"}
	if strings.Join(header, " ") != strings.Join(want, " ") {
		t.Errorf("header %q", lines[0])
	}
	row := strings.Fields(lines[1])
	if len(row) != len(want) || row[0] != "put" || row[1] != "1KiB" || row[2] != "2" || row[5] == "0" {
		t.Errorf("row %q", lines[1])
	}
	if !strings.Contains(out, "errors:") || !strings.Contains(out, "HTTP 500 InternalError: injected failure") {
		t.Errorf("no error sample in output")
	}
}

func TestMainExitCodes(t *testing.T) {
	f := newFakeS3(t)
	run := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), args, &stdout, &stderr)
		return code, stdout.String() + stderr.String()
	}
	base := []string{"--endpoint", f.srv.URL, "-d", "200ms", "--warmup", "0s", "-c", "2"}

	if code, out := run("--help"); code != 0 || !strings.Contains(out, "--endpoint") && !strings.Contains(out, "-endpoint") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{
		{},                       // no endpoint
		{"--size", "4XB"},        // bad size
		{"--op", "delete"},       // bad op
		{"--checksum", "always"}, // bad checksum
		{"--get-ratio", "2"},     // bad ratio
		{"extra-arg"},
		{"--no-such-flag"},
	} {
		a := args
		if len(args) > 0 {
			a = append(append([]string{}, base...), args...)
		}
		if code, out := run(a...); code != 2 {
			t.Errorf("%q: exit %d, want 2\n%s", args, code, out)
		}
	}

	// Setup failure: exit 1, credentials not shown even though the server
	// echoes the Authorization header.
	f.denyCreate = true
	code, out := run(append(base, "--access-key", testAccess, "--secret-key", testSecret)...)
	if code != 1 || !strings.Contains(out, "AccessDenied") {
		t.Errorf("denied bucket: exit %d\n%s", code, out)
	}
	if strings.Contains(out, testAccess) || strings.Contains(out, testSecret) {
		t.Errorf("output shows credentials:\n%s", out)
	}

	// Every operation fails: exit 1.
	f2 := newFakeS3(t)
	f2.failPutEvery = 1
	code, out = run("--endpoint", f2.srv.URL, "-d", "200ms", "--warmup", "0s", "-c", "2")
	if code != 1 || !strings.Contains(out, "no operation succeeded") {
		t.Errorf("all failing: exit %d\n%s", code, out)
	}
}

func TestCredentialsFromEnvironment(t *testing.T) {
	t.Setenv("CAIRN_ROOT_ACCESS_KEY", "")
	t.Setenv("CAIRN_ROOT_SECRET_KEY", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "aws-ak")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "aws-sk")
	var stderr bytes.Buffer
	o, err := parseArgs([]string{"--endpoint", "http://127.0.0.1:1"}, &stderr)
	if err != nil || o.AccessKey != "aws-ak" || o.SecretKey != "aws-sk" {
		t.Errorf("AWS env: %q %q %v", o.AccessKey, o.SecretKey, err)
	}
	t.Setenv("CAIRN_ROOT_ACCESS_KEY", "cairn-ak")
	t.Setenv("CAIRN_ROOT_SECRET_KEY", "cairn-sk")
	o, err = parseArgs([]string{"--endpoint", "http://127.0.0.1:1"}, &stderr)
	if err != nil || o.AccessKey != "cairn-ak" || o.SecretKey != "cairn-sk" {
		t.Errorf("cairn env: %q %q %v", o.AccessKey, o.SecretKey, err)
	}
	o, err = parseArgs([]string{"--endpoint", "http://127.0.0.1:1", "--access-key", "flag-ak", "--secret-key", "flag-sk"}, &stderr)
	if err != nil || o.AccessKey != "flag-ak" || o.SecretKey != "flag-sk" {
		t.Errorf("flags: %q %q %v", o.AccessKey, o.SecretKey, err)
	}
	// Defaults.
	if o.Region != "us-east-1" || o.Bucket != "cairn-bench" || o.Op != OpPut || o.Size != 4096 ||
		o.Concurrency != 16 || o.Duration != 10*time.Second || o.Keys != 1000 || o.GetRatio != 0.5 ||
		o.Checksum != ChecksumWhenRequired || o.Payload != PayloadUnsigned || !o.PathStyle ||
		o.Warmup != time.Second || o.JSON {
		t.Errorf("defaults: %+v", o)
	}
	// The usage text never prints credentials from the environment.
	stderr.Reset()
	parseArgs([]string{"--help"}, &stderr)
	if strings.Contains(stderr.String(), "cairn-sk") || strings.Contains(stderr.String(), "cairn-ak") {
		t.Errorf("usage shows credentials:\n%s", stderr.String())
	}
}
