package e2e

import (
	"crypto/md5"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
	"github.com/cairnstore/cairn/log/stream"
)

func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestConditionalReadsFollowS3Precedence(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "cond")
	put := putBytes(t, c, "cond", "k", []byte("hello"))
	etag := aws.ToString(put.ETag)
	head, _ := c.HeadObject(ctx, headInput("cond", "k"))
	mod := aws.ToTime(head.LastModified)
	past, future := mod.Add(-time.Hour), mod.Add(time.Hour)
	cases := []struct {
		name   string
		in     s3.GetObjectInput
		status int // 0: 200 OK
	}{
		{"if-match hit", s3.GetObjectInput{IfMatch: aws.String(etag)}, 0},
		{"if-match miss", s3.GetObjectInput{IfMatch: aws.String(`"nope"`)}, 412},
		{"if-match star", s3.GetObjectInput{IfMatch: aws.String("*")}, 0},
		{"if-none-match hit", s3.GetObjectInput{IfNoneMatch: aws.String(etag)}, 304},
		{"if-none-match miss", s3.GetObjectInput{IfNoneMatch: aws.String(`"other"`)}, 0},
		{"if-modified-since past", s3.GetObjectInput{IfModifiedSince: aws.Time(past)}, 0},
		{"if-modified-since future", s3.GetObjectInput{IfModifiedSince: aws.Time(future)}, 304},
		{"if-unmodified-since past", s3.GetObjectInput{IfUnmodifiedSince: aws.Time(past)}, 412},
		{"if-unmodified-since future", s3.GetObjectInput{IfUnmodifiedSince: aws.Time(future)}, 0},
		// S3: If-Match true + If-Unmodified-Since false => 200.
		{"if-match wins over unmodified-since", s3.GetObjectInput{IfMatch: aws.String(etag), IfUnmodifiedSince: aws.Time(past)}, 0},
		// S3: If-None-Match false + If-Modified-Since true => 304.
		{"if-none-match wins over modified-since", s3.GetObjectInput{IfNoneMatch: aws.String(etag), IfModifiedSince: aws.Time(past)}, 304},
		// 412 is decided before 304.
		{"412 before 304", s3.GetObjectInput{IfMatch: aws.String(`"nope"`), IfNoneMatch: aws.String(etag)}, 412},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket, in.Key = aws.String("cond"), aws.String("k")
			out, err := c.GetObject(ctx, &in)
			if tc.status == 0 {
				if err != nil {
					t.Fatalf("GET: %v", err)
				}
				out.Body.Close()
				return
			}
			if httpStatus(err) != tc.status {
				t.Fatalf("GET: %v, want HTTP %d", err, tc.status)
			}
			hin := &s3.HeadObjectInput{Bucket: in.Bucket, Key: in.Key, IfMatch: in.IfMatch, IfNoneMatch: in.IfNoneMatch,
				IfModifiedSince: in.IfModifiedSince, IfUnmodifiedSince: in.IfUnmodifiedSince}
			if _, err := c.HeadObject(ctx, hin); httpStatus(err) != tc.status {
				t.Fatalf("HEAD: %v, want HTTP %d", err, tc.status)
			}
		})
	}
	// A 304 carries the validators and no body.
	r := newRaw(t, ts)
	resp, body := r.do(rawReq{method: "GET", path: "/cond/k", header: map[string]string{"If-None-Match": etag}})
	if resp.StatusCode != 304 || len(body) != 0 || resp.Header.Get("ETag") != etag || resp.Header.Get("Last-Modified") == "" {
		t.Fatalf("304: %d %q etag %q", resp.StatusCode, body, resp.Header.Get("ETag"))
	}
	resp, body = r.do(rawReq{method: "GET", path: "/cond/k", header: map[string]string{"If-Match": `"nope"`}})
	wantError(t, resp, body, 412, "PreconditionFailed")
}

func TestConditionalWrites(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "cwr")
	in := func(body string) *s3.PutObjectInput {
		return &s3.PutObjectInput{Bucket: aws.String("cwr"), Key: aws.String("k"), Body: stringsReader(body)}
	}
	p := in("v1")
	p.IfNoneMatch = aws.String("*")
	first, err := c.PutObject(ctx, p)
	if err != nil {
		t.Fatalf("create-if-absent on a new key: %v", err)
	}
	p = in("v2")
	p.IfNoneMatch = aws.String("*")
	_, err = c.PutObject(ctx, p)
	wantCode(t, err, "PreconditionFailed")
	p = in("v2")
	p.IfMatch = aws.String(`"0123"`)
	_, err = c.PutObject(ctx, p)
	wantCode(t, err, "PreconditionFailed")
	p = in("v2")
	p.IfMatch = first.ETag
	second, err := c.PutObject(ctx, p)
	if err != nil {
		t.Fatalf("compare-and-swap with the current ETag: %v", err)
	}
	if got := getBytes(t, c, "cwr", "k"); string(got) != "v2" {
		t.Fatalf("object is %q", got)
	}
	p = in("v3")
	p.IfMatch = aws.String(`"whatever"`)
	p.Key = aws.String("absent")
	_, err = c.PutObject(ctx, p)
	wantCode(t, err, "NoSuchKey")
	// DeleteObject If-Match.
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("cwr"), Key: aws.String("k"), IfMatch: first.ETag})
	wantCode(t, err, "PreconditionFailed")
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("cwr"), Key: aws.String("k"), IfMatch: second.ETag}); err != nil {
		t.Fatalf("delete with the current ETag: %v", err)
	}
	// After a delete the key is absent again: create-if-absent works.
	p = in("v4")
	p.IfNoneMatch = aws.String("*")
	if _, err := c.PutObject(ctx, p); err != nil {
		t.Fatalf("create-if-absent after delete: %v", err)
	}
	r := newRaw(t, ts)
	resp, body := r.do(rawReq{method: "PUT", path: "/cwr/k", body: []byte("x"), header: map[string]string{"If-None-Match": `"etag"`}})
	wantError(t, resp, body, 501, "NotImplemented")
}

// Two gateways on one NATS race create-if-absent on one key: exactly one
// wins; every loser gets 412 or 409, never a silent overwrite.
func TestConditionalCreateRaceAcrossGateways(t *testing.T) {
	ns, err := stream.StartEmbedded(stream.EmbeddedOptions{Dir: t.TempDir(), SyncAlways: true, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	a := testserver.Start(t, func(c *server.Config) { c.NATSURL = ns.ClientURL() })
	b := testserver.Start(t, func(c *server.Config) { c.NATSURL = ns.ClientURL(); c.Root = a.Cfg.Root })
	clients := []*s3.Client{a.S3(t), b.S3(t)}
	mkBucket(t, clients[0], "race")
	for round := 0; round < 10; round++ {
		key := fmt.Sprintf("k%d", round)
		var mu sync.Mutex
		var wg sync.WaitGroup
		wins, losses := 0, 0
		var winner string
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				body := fmt.Sprintf("writer %d", i)
				_, err := clients[i%2].PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("race"), Key: aws.String(key),
					Body: stringsReader(body), IfNoneMatch: aws.String("*")})
				mu.Lock()
				defer mu.Unlock()
				var ae smithy.APIError
				switch {
				case err == nil:
					wins++
					winner = body
				case errors.As(err, &ae) && (ae.ErrorCode() == "PreconditionFailed" || ae.ErrorCode() == "ConditionalRequestConflict"):
					losses++
				default:
					t.Errorf("writer %d: %v", i, err)
				}
			}(i)
		}
		wg.Wait()
		if wins != 1 || losses != 7 {
			t.Fatalf("round %d: %d winners, %d refused; want exactly 1 and 7", round, wins, losses)
		}
		want := fmt.Sprintf(`"%x"`, md5.Sum([]byte(winner)))
		for gw, c := range clients {
			head, err := c.HeadObject(ctx, headInput("race", key))
			if err != nil || aws.ToString(head.ETag) != want {
				t.Fatalf("round %d, gateway %d: ETag %s (err %v), the winner's is %s", round, gw, aws.ToString(head.ETag), err, want)
			}
		}
	}
}

func TestRangesPartsAndOverrides(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "rng")
	data := []byte("0123456789")
	putBytes(t, c, "rng", "ten", data)
	putBytes(t, c, "rng", "empty", nil)
	r := newRaw(t, ts)
	cases := []struct {
		key, rng string
		status   int
		body     string
		cr       string
	}{
		{"ten", "bytes=0-3", 206, "0123", "bytes 0-3/10"},
		{"ten", "bytes=7-", 206, "789", "bytes 7-9/10"},
		{"ten", "bytes=-3", 206, "789", "bytes 7-9/10"},
		{"ten", "bytes=-30", 206, "0123456789", "bytes 0-9/10"},
		{"ten", "bytes=5-100", 206, "56789", "bytes 5-9/10"},
		{"ten", "bytes=10-", 416, "", "bytes */10"},
		{"ten", "bytes=0-1,4-5", 200, "0123456789", ""}, // several ranges: S3 serves the whole object
		{"ten", "chars=0-1", 200, "0123456789", ""},
		{"empty", "bytes=0-", 416, "", "bytes */0"},
		{"empty", "bytes=-1", 416, "", "bytes */0"},
	}
	for _, tc := range cases {
		resp, body := r.do(rawReq{method: "GET", path: "/rng/" + tc.key, header: map[string]string{"Range": tc.rng}})
		if resp.StatusCode != tc.status || resp.Header.Get("Content-Range") != tc.cr {
			t.Errorf("%s %s: %d Content-Range %q, want %d %q", tc.key, tc.rng, resp.StatusCode, resp.Header.Get("Content-Range"), tc.status, tc.cr)
		}
		if tc.status < 300 && string(body) != tc.body {
			t.Errorf("%s %s: body %q, want %q", tc.key, tc.rng, body, tc.body)
		}
	}
	// partNumber: a single-PUT object is its own part 1.
	one, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rng"), Key: aws.String("ten"), PartNumber: aws.Int32(1)})
	if err != nil || one.PartsCount != nil {
		t.Fatalf("partNumber=1: %v (parts count %v)", err, one.PartsCount)
	}
	one.Body.Close()
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rng"), Key: aws.String("ten"), PartNumber: aws.Int32(2)})
	wantCode(t, err, "InvalidPartNumber")
	resp, body := r.do(rawReq{method: "GET", path: "/rng/ten?partNumber=1", header: map[string]string{"Range": "bytes=0-1"}})
	wantError(t, resp, body, 400, "InvalidRequest")
	// response-* overrides.
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rng"), Key: aws.String("ten"),
		ResponseContentType: aws.String("text/x-over"), ResponseContentDisposition: aws.String(`attachment; filename="t.txt"`),
		ResponseCacheControl: aws.String("no-store"), ResponseContentLanguage: aws.String("fr"),
		ResponseContentEncoding: aws.String("identity"), ResponseExpires: aws.Time(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	if aws.ToString(out.ContentType) != "text/x-over" || aws.ToString(out.ContentDisposition) != `attachment; filename="t.txt"` ||
		aws.ToString(out.CacheControl) != "no-store" || aws.ToString(out.ContentLanguage) != "fr" ||
		aws.ToString(out.ContentEncoding) != "identity" || out.ExpiresString == nil {
		t.Fatalf("overrides not applied: %+v", out)
	}
	if resp, _ := r.do(rawReq{method: "GET", path: "/rng/ten"}); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") == "text/x-over" {
		t.Fatal("an override leaked into the stored object")
	}
}
