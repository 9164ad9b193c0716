package postpolicy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cairnstore/cairn/httpapi/sigv4"
)

// scenario is a boto3-generated form, possibly altered, and what S3 answers.
type scenario struct {
	name       string
	key        string
	fields     map[string]string
	conditions []any
	akid       string                               // signing access key; "" = testAK
	mutate     func(fields [][2]string) [][2]string // applied to boto3's fields
	file       *fileSpec                            // nil: "data.bin" with 1 KiB
	after      [][2]string                          // fields after the file
	bucket     string                               // the request's bucket; "" = testBucket
	now        time.Duration                        // Verify's clock, after testTime
	region     string                               // Verifier.Region; "" = testRegion
	v4only     bool

	parseErr, verifyErr, readErr error
	msg                          string // the *Error message of the expected error, if any
	check                        func(t *testing.T, f *Form, vr *Verified)
}

func setField(name, value string) func([][2]string) [][2]string {
	return func(fs [][2]string) [][2]string { return withField(fs, name, value, false) }
}

func dropField(name string) func([][2]string) [][2]string {
	return func(fs [][2]string) [][2]string { return withField(fs, name, "", true) }
}

func sized(n int) *fileSpec { return &fileSpec{filename: "data.bin", body: gen(n)} }

func scenarios() []scenario {
	return []scenario{
		{name: "plain", key: "obj.txt", check: func(t *testing.T, f *Form, vr *Verified) {
			if f.Fields["key"] != "obj.txt" || vr.AccessKey != testAK || vr.MaxLength != -1 || f.Filename != "data.bin" {
				t.Fatalf("form %+v verified %+v", f.Fields, vr)
			}
		}},
		{name: "filename", key: "user/${filename}", file: &fileSpec{filename: `C:\dir\photo one.jpg`, contentType: "image/jpeg", body: gen(10)},
			check: func(t *testing.T, f *Form, _ *Verified) {
				if f.Fields["key"] != "user/photo one.jpg" || f.Filename != "photo one.jpg" || f.ContentType != "image/jpeg" {
					t.Fatalf("key %q filename %q type %q", f.Fields["key"], f.Filename, f.ContentType)
				}
			}},
		{name: "no filename parameter", key: "user/${filename}", file: &fileSpec{noFilename: true, body: gen(3)},
			check: func(t *testing.T, f *Form, _ *Verified) {
				if f.Fields["key"] != "user/${filename}" || f.HasFilename {
					t.Fatalf("key %q", f.Fields["key"])
				}
			}},
		{name: "empty filename", key: "user/${filename}", file: &fileSpec{filename: "", body: gen(3)},
			check: func(t *testing.T, f *Form, _ *Verified) {
				if f.Fields["key"] != "user/" || !f.HasFilename {
					t.Fatalf("key %q", f.Fields["key"])
				}
			}},
		{name: "exact pass", key: "k", fields: map[string]string{"acl": "public-read"}, conditions: []any{map[string]string{"acl": "public-read"}}},
		{name: "exact fail", key: "k", fields: map[string]string{"acl": "public-read"}, conditions: []any{map[string]string{"acl": "public-read"}},
			mutate: setField("acl", "private"), verifyErr: ErrConditionFailed,
			msg: `Invalid according to Policy: Policy Condition failed: ["eq", "$acl", "public-read"]`},
		{name: "eq pass", key: "k", fields: map[string]string{"x-amz-meta-tag": "blue"}, conditions: []any{[]any{"eq", "$x-amz-meta-tag", "blue"}}},
		{name: "eq fail", key: "k", fields: map[string]string{"x-amz-meta-tag": "blue"}, conditions: []any{[]any{"eq", "$x-amz-meta-tag", "blue"}},
			mutate: setField("x-amz-meta-tag", "Blue"), verifyErr: ErrConditionFailed,
			msg: `Invalid according to Policy: Policy Condition failed: ["eq", "$x-amz-meta-tag", "blue"]`},
		{name: "starts-with list pass", key: "k", fields: map[string]string{"Content-Type": "image/jpg,image/png"},
			conditions: []any{[]any{"starts-with", "$Content-Type", "image/"}}},
		{name: "starts-with list fail", key: "k", fields: map[string]string{"Content-Type": "image/jpg,text/plain"},
			conditions: []any{[]any{"starts-with", "$Content-Type", "image/"}}, verifyErr: ErrConditionFailed,
			msg: `Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]`},
		{name: "starts-with key fail", key: "other/k", conditions: []any{[]any{"starts-with", "$key", "user/"}},
			verifyErr: ErrConditionFailed},
		{name: "any value", key: "k", fields: map[string]string{"success_action_redirect": "anything"},
			conditions: []any{[]any{"starts-with", "$success_action_redirect", ""}}},
		{name: "any value but absent", key: "k", conditions: []any{[]any{"starts-with", "$success_action_redirect", ""}},
			verifyErr: ErrConditionFailed},
		{name: "range inside", key: "k", conditions: []any{[]any{"content-length-range", 10, 100}}, file: sized(50),
			check: func(t *testing.T, _ *Form, vr *Verified) {
				if vr.MinLength != 10 || vr.MaxLength != 100 {
					t.Fatalf("range %d..%d", vr.MinLength, vr.MaxLength)
				}
			}},
		{name: "range low edge", key: "k", conditions: []any{[]any{"content-length-range", 10, 100}}, file: sized(10)},
		{name: "range high edge", key: "k", conditions: []any{[]any{"content-length-range", 10, 100}}, file: sized(100)},
		{name: "range too small", key: "k", conditions: []any{[]any{"content-length-range", 10, 100}}, file: sized(9), readErr: ErrEntityTooSmall},
		{name: "range too large", key: "k", conditions: []any{[]any{"content-length-range", 10, 100}}, file: sized(101), readErr: ErrEntityTooLarge},
		{name: "range strings", key: "k", conditions: []any{[]any{"content-length-range", "5", "10"}}, file: sized(5)},
		{name: "range not a number", key: "k", conditions: []any{[]any{"content-length-range", "test", "10"}}, verifyErr: ErrConditionFailed,
			msg: `Invalid according to Policy: Policy Condition failed: ["content-length-range", "test", "10"]`},
		{name: "ranges intersect", key: "k", conditions: []any{[]any{"content-length-range", 0, 100}, []any{"content-length-range", 20, 200}},
			file: sized(19), readErr: ErrEntityTooSmall},
		{name: "names any case", key: "k", fields: map[string]string{"x-amz-meta-foo": "bar"},
			conditions: []any{[]any{"StArTs-WiTh", "$X-AMZ-META-Foo", "b"}},
			mutate: func(fs [][2]string) [][2]string {
				out := [][2]string{}
				for _, f := range fs {
					switch f[0] {
					case "x-amz-meta-foo":
						f[0] = "X-Amz-Meta-FOO"
					case "policy":
						f[0] = "Policy"
					case "key":
						f[0] = "KEY"
					case "x-amz-signature":
						f[0] = "X-Amz-Signature"
					case "x-amz-credential":
						f[0] = "X-Amz-Credential"
					case "AWSAccessKeyId":
						f[0] = "awsaccesskeyid"
					case "signature":
						f[0] = "Signature"
					}
					out = append(out, f)
				}
				return out
			}},
		{name: "extra field", key: "k", mutate: setField("X-Amz-Meta-Extra", "1"), verifyErr: ErrExtraFields,
			msg: "Invalid according to Policy: Extra input fields: X-Amz-Meta-Extra"},
		{name: "x-ignore field", key: "k", mutate: setField("x-ignore-flash", "1")},
		{name: "fields after the file", key: "k", after: [][2]string{{"x-amz-meta-late", "1"}, {"submit", "Upload"}}},
		{name: "expired", key: "k", now: 2 * time.Hour, verifyErr: ErrPolicyExpired, msg: "Invalid according to Policy: Policy expired."},
		{name: "other bucket", key: "k", bucket: "other", verifyErr: ErrConditionFailed,
			msg: `Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "` + testBucket + `"]`},
		{name: "tampered policy", key: "k", mutate: tamperPolicy, verifyErr: sigv4.ErrSignatureDoesNotMatch},
		{name: "tampered signature", key: "k", mutate: tamperSignature, verifyErr: sigv4.ErrSignatureDoesNotMatch},
		{name: "unknown access key", key: "k", akid: "AKUNKNOWN", verifyErr: sigv4.ErrInvalidAccessKeyID},
		{name: "missing key", key: "k", mutate: dropField("key"), parseErr: ErrInvalidArgument,
			msg: "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields."},
		{name: "missing v4 signature", key: "k", v4only: true, mutate: dropField("x-amz-signature"), verifyErr: ErrInvalidArgument,
			msg: "Bucket POST must contain a field named 'X-Amz-Signature'.  If it is specified, please check the order of the fields."},
		{name: "missing v4 algorithm", key: "k", v4only: true, mutate: func(fs [][2]string) [][2]string {
			return withField(withField(fs, "x-amz-algorithm", "", true), "x-amz-credential", "", true)
		}, verifyErr: ErrInvalidArgument,
			msg: "Bucket POST must contain a field named 'X-Amz-Algorithm'.  If it is specified, please check the order of the fields."},
		{name: "wrong region", key: "k", v4only: true, region: "eu-west-1", verifyErr: ErrInvalidArgument,
			msg: "the region 'us-east-1' is wrong; expecting 'eu-west-1'"},
		{name: "status 201", key: "k", fields: map[string]string{"success_action_status": "201"},
			conditions: []any{map[string]string{"success_action_status": "201"}},
			check: func(t *testing.T, f *Form, _ *Verified) {
				if s := f.Success(); s.Status != 201 {
					t.Fatalf("success %+v", s)
				}
			}},
		{name: "redirect", key: "k", fields: map[string]string{"success_action_redirect": "https://example.test/done?x=1"},
			conditions: []any{[]any{"eq", "$success_action_redirect", "https://example.test/done?x=1"}},
			check: func(t *testing.T, f *Form, _ *Verified) {
				if s := f.Success(); s.Status != 303 || s.Redirect != "https://example.test/done?x=1" {
					t.Fatalf("success %+v", s)
				}
			}},
	}
}

// tamperPolicy re-encodes the policy with a looser key condition.
func tamperPolicy(fs [][2]string) [][2]string {
	for _, f := range fs {
		if f[0] == "policy" {
			doc, _ := base64.StdEncoding.DecodeString(f[1])
			doc = bytes.Replace(doc, []byte(`{"key": "k"}`), []byte(`["starts-with", "$key", ""]`), 1)
			return withField(fs, "policy", base64.StdEncoding.EncodeToString(doc), false)
		}
	}
	panic("no policy")
}

func tamperSignature(fs [][2]string) [][2]string {
	for _, f := range fs {
		if f[0] == "x-amz-signature" || f[0] == "signature" {
			b := []byte(f[1])
			b[2] ^= 1
			return withField(fs, f[0], string(b), false)
		}
	}
	panic("no signature")
}

// versions are the signature versions boto3 signs POST policies with.
var versions = []struct{ name, config string }{{"v4", "s3v4"}, {"v2", "s3"}}

func TestOracleBoto3Forms(t *testing.T) {
	scs := scenarios()
	var cases []postCase
	for _, ver := range versions {
		for _, sc := range scs {
			cases = append(cases, postCase{SigVersion: ver.config, Bucket: testBucket, Key: sc.key, Fields: sc.fields, Conditions: sc.conditions})
		}
	}
	// Then forms signed by an access key the server does not know.
	cases = append(cases, postCase{SigVersion: "s3v4", Bucket: testBucket, Key: "k", AccessKey: "AKUNKNOWN", SecretKey: "x"},
		postCase{SigVersion: "s3", Bucket: testBucket, Key: "k", AccessKey: "AKUNKNOWN", SecretKey: "x"})
	forms := boto3Post(t, testAK, testSK, testTime, cases...)
	unknown := forms[len(forms)-2:]
	for vi, ver := range versions {
		scs := scenarios() // fresh file readers for each version
		for si, sc := range scs {
			form := forms[vi*len(scs)+si]
			if sc.akid != "" {
				form = unknown[vi]
			}
			if sc.v4only && ver.name != "v4" {
				continue // the scenario's fields exist in SigV4 forms only: no SigV2 case to run
			}
			t.Run(ver.name+"/"+sc.name, func(t *testing.T) { runScenario(t, sc, form) })
		}
	}
}

func runScenario(t *testing.T, sc scenario, form postForm) {
	fields := form.Fields
	if sc.mutate != nil {
		fields = sc.mutate(fields)
	}
	file := sc.file
	if file == nil {
		file = sized(1024)
	}
	v := newTestVerifier(testTime.Add(sc.now))
	if sc.region != "" {
		v.Region = sc.region
	}
	bucket := sc.bucket
	if bucket == "" {
		bucket = testBucket
	}
	f, err := Parse(formRequest(t, fields, file, sc.after), 0)
	if sc.parseErr != nil {
		wantErr(t, err, sc.parseErr)
		checkMessage(t, err, sc.msg)
		return
	}
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	vr, err := v.Verify(context.Background(), f, bucket)
	if sc.verifyErr != nil {
		wantErr(t, err, sc.verifyErr)
		checkMessage(t, err, sc.msg)
		return
	}
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	_, err = io.Copy(io.Discard, f.File)
	if sc.readErr != nil {
		wantErr(t, err, sc.readErr)
		return
	}
	if err != nil {
		t.Fatalf("reading the file: %v", err)
	}
	if sc.check != nil {
		sc.check(t, f, vr)
	}
}

func checkMessage(t *testing.T, err error, msg string) {
	t.Helper()
	if msg != "" {
		wantMessage(t, err, msg)
	}
}

// TestOracleLargeFileStreams sends a 50 MiB file through Parse, Verify and
// the file reader and checks that it is neither buffered nor altered.
func TestOracleLargeFileStreams(t *testing.T) {
	const size = 50 << 20
	var cases []postCase
	for _, ver := range versions {
		cases = append(cases, postCase{SigVersion: ver.config, Bucket: testBucket,
			Key: "big/${filename}", Conditions: []any{[]any{"content-length-range", 1, size}}})
	}
	forms := boto3Post(t, testAK, testSK, testTime, cases...)
	for vi, ver := range versions {
		form := forms[vi]
		t.Run(ver.name, func(t *testing.T) {
			want := sha256.New()
			_, _ = io.Copy(want, gen(size))

			base := heapInuse()
			var peak uint64
			r := formRequest(t, form.Fields, &fileSpec{filename: "big.bin", body: gen(size)}, nil)
			f, vr, err := parseVerify(t, newTestVerifier(testTime), r, testBucket)
			if err != nil {
				t.Fatal(err)
			}
			got := sha256.New()
			n, err := io.Copy(got, &sampler{r: f.File, peak: &peak})
			if err != nil || n != size {
				t.Fatalf("copied %d: %v", n, err)
			}
			if !bytes.Equal(got.Sum(nil), want.Sum(nil)) || f.Fields["key"] != "big/big.bin" || vr.MaxLength != size {
				t.Fatalf("content or form differs: key %q, range %d", f.Fields["key"], vr.MaxLength)
			}
			if grow := int64(peak) - int64(base); grow > 8<<20 {
				t.Fatalf("heap grew by %d bytes while streaming %d", grow, size)
			}
			t.Logf("heap in use: base %d, peak %d", base, peak)
		})
	}
}

func heapInuse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// sampler records the peak HeapInuse every 4 MiB read.
type sampler struct {
	r    io.Reader
	n    int64
	next int64
	peak *uint64
}

func (s *sampler) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.n += int64(n)
	if s.n >= s.next {
		s.next = s.n + 4<<20
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > *s.peak {
			*s.peak = ms.HeapInuse
		}
	}
	return n, err
}

func TestUnknownVsMalformedSignature(t *testing.T) {
	// A signature that is not hex/base64 is a mismatch, not a crash.
	forms := boto3Post(t, testAK, testSK, testTime, postCase{SigVersion: "s3v4", Bucket: testBucket, Key: "k"},
		postCase{SigVersion: "s3", Bucket: testBucket, Key: "k"})
	for vi, ver := range versions {
		form := forms[vi]
		name := "x-amz-signature"
		if ver.name == "v2" {
			name = "signature"
		}
		fs := withField(form.Fields, name, "!!not-a-signature!!", false)
		_, _, err := parseVerify(t, newTestVerifier(testTime), formRequest(t, fs, sized(1), nil), testBucket)
		var sm *sigv4.SignatureMismatchError
		if !errors.As(err, &sm) || sm.SignatureProvided != "!!not-a-signature!!" || !strings.HasPrefix(sm.StringToSign, "eyJ") {
			t.Fatalf("%s: %v", ver.name, err)
		}
	}
}
