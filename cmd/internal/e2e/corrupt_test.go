package e2e

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

// getFails asserts that a GET (of a range, if rng is set) of key does not
// deliver its bytes: a 500 InternalError before the body, or a response
// cut short (before or after its headers reached the client).
func getFails(t *testing.T, c *s3.Client, key string, rng *string) {
	t.Helper()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key), Range: rng})
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != 0 {
		wantStatus(t, err, 500, "InternalError")
		return
	}
	if err != nil {
		return // the connection was cut before the headers were flushed
	}
	defer out.Body.Close()
	if _, err := io.ReadAll(out.Body); err == nil {
		t.Fatalf("GET %s range %v of corrupt data delivered a whole body", key, aws.ToString(rng))
	}
}

func getRange(t *testing.T, c *s3.Client, key, rng string) []byte {
	t.Helper()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key), Range: aws.String(rng)})
	if err != nil {
		t.Fatalf("GET %s %s: %v", key, rng, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("GET %s %s: %v", key, rng, err)
	}
	return b
}

// metric returns the value of one series in the server's metrics.
func metric(t *testing.T, ts *testserver.TS, series string) int {
	t.Helper()
	var b bytes.Buffer
	ts.Metrics().Write(&b)
	m := regexp.MustCompile(regexp.QuoteMeta(series) + ` (\d+)`).FindStringSubmatch(b.String())
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// A flipped byte in a stored object is never served: GETs whose range
// touches the damaged block fail (500 before the body, or a cut body),
// other ranges and objects read fine, every failure is counted; the scrub
// and cairn verify both report the damaged record.
func TestCorruptDataIsNeverServed(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "bkt")
	data, other := randBytes(t, 300<<10), randBytes(t, 100<<10)
	putBytes(t, c, "bkt", "victim", data)
	putBytes(t, c, "bkt", "healthy", other)
	corruptPayload(t, filepath.Join(ts.Cfg.DataDir, "segments"), data, 140<<10) // block 2 of 64 KiB blocks
	getFails(t, c, "victim", nil)
	getFails(t, c, "victim", aws.String("bytes=139000-141000"))
	getFails(t, c, "victim", aws.String("bytes=100-200000"))
	getFails(t, c, "victim", aws.String("bytes=-200000"))
	if got := getRange(t, c, "victim", "bytes=0-131071"); !bytes.Equal(got, data[:128<<10]) {
		t.Fatal("an undamaged range reads back wrong")
	}
	if got := getRange(t, c, "victim", "bytes=200000-"); !bytes.Equal(got, data[200000:]) {
		t.Fatal("an undamaged tail reads back wrong")
	}
	if !bytes.Equal(getBytes(t, c, "bkt", "healthy"), other) {
		t.Fatal("an undamaged object reads back wrong")
	}
	if n := metric(t, ts, `cairn_read_checksum_failures_total{disk="0"}`); n < 4 {
		t.Fatalf("%d checksum failures counted, want at least 4", n)
	}
	res, err := ts.Scrubber().Pass(ctx)
	if err != nil || len(res.Corrupt) != 1 || !res.Corrupt[0].Referenced || res.Records != 2 {
		t.Fatalf("scrub: %+v %v", res, err)
	}
	if n := metric(t, ts, `cairn_scrub_corrupt_records_total{disk="0"}`); n != 1 {
		t.Fatalf("scrub counted %d corrupt records", n)
	}
	cfg := ts.Cfg
	ts.Stop(t)
	var out bytes.Buffer
	problems, err := server.Verify(ctx, cfg, &out)
	if err != nil || problems != 1 || !strings.Contains(out.String(), "corrupt data: disk 0 segment 1: record") {
		t.Fatalf("verify found %d problems (%v):\n%s", problems, err, out.String())
	}
}
