package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
	"github.com/cairnstore/cairn/cmd/internal/watch"
)

// lines reads a streaming response line by line in the background.
type lines struct {
	ch chan string
}

func readLines(resp *http.Response) *lines {
	l := &lines{ch: make(chan string, 1024)}
	go func() {
		defer close(l.ch)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			l.ch <- sc.Text()
		}
	}()
	return l
}

// next returns the next non-blank line; blank ones are counted.
func (l *lines) next(t *testing.T, blanks *int) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case s, ok := <-l.ch:
			if !ok {
				t.Fatal("stream ended")
			}
			if strings.TrimSpace(s) == "" {
				*blanks++
				continue
			}
			return s
		case <-timeout:
			t.Fatal("no line within 10s")
		}
	}
}

func listenPath(bucket string, q url.Values) string { return "/" + bucket + "?" + q.Encode() }

// The live subscribe API streams matching events as they are committed,
// with keep-alive lines, and resumes from a sequence or a time.
func TestListenStreamsAndResumes(t *testing.T) {
	ts := testserver.Start(t, fastNotify)
	c := ts.S3(t)
	mkBucket(t, c, "live")
	putBytes(t, c, "live", "p/history", []byte("before the subscription"))
	startTime := time.Now().UTC()

	q := url.Values{"events": {"s3:ObjectCreated:*"}, "prefix": {"p/"}, "suffix": {".txt"}}
	resp := signedGet(t, ts, listenPath("live", q))
	if resp.StatusCode != 200 || resp.Header.Get("x-amz-request-id") == "" {
		t.Fatalf("listen: %d %s", resp.StatusCode, bodyOf(resp))
	}
	l := readLines(resp)
	blanks := 0
	putBytes(t, c, "live", "p/1.txt", []byte("one"))
	putBytes(t, c, "live", "q/1.txt", []byte("other prefix"))
	putBytes(t, c, "live", "p/1.bin", []byte("other suffix"))
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("live"), Key: aws.String("p/1.txt")}); err != nil {
		t.Fatal(err)
	}
	putBytes(t, c, "live", "p/2.txt", []byte("two"))
	first, second := jsonLine(t, l.next(t, &blanks)), jsonLine(t, l.next(t, &blanks))
	if first.key() != "p/1.txt" || second.key() != "p/2.txt" || first.EventName != "ObjectCreated:Put" ||
		first.S3.ConfigurationID != "cairn-listen" || second.Cairn.Seq <= first.Cairn.Seq {
		t.Fatalf("streamed %+v then %+v", first, second)
	}
	waitFor(t, "a keep-alive line", 10*time.Second, func() bool {
		select {
		case s := <-l.ch:
			if strings.TrimSpace(s) != "" {
				t.Fatalf("unexpected record %s", s)
			}
			blanks++
		default:
		}
		return blanks > 0
	})

	// Resume from the first record's sequence: history, then live.
	q.Set("x-cairn-start-seq", fmt.Sprint(first.Cairn.Seq))
	q.Set("events", "s3:ObjectCreated:*")
	q["events"] = append(q["events"], "s3:ObjectRemoved:*")
	r2 := readLines(signedGet(t, ts, listenPath("live", q)))
	var got []string
	for i := 0; i < 3; i++ {
		r := jsonLine(t, r2.next(t, &blanks))
		got = append(got, r.EventName+" "+r.key())
	}
	if want := "[ObjectCreated:Put p/1.txt ObjectRemoved:Delete p/1.txt ObjectCreated:Put p/2.txt]"; fmt.Sprint(got) != want {
		t.Fatalf("resumed from seq %d: %v, want %s", first.Cairn.Seq, got, want)
	}

	// Resume from a time, every event type and key.
	r3 := readLines(signedGet(t, ts, listenPath("live", url.Values{"events": {""}, "x-cairn-start-time": {startTime.Format(time.RFC3339Nano)}})))
	if r := jsonLine(t, r3.next(t, &blanks)); r.key() != "p/1.txt" {
		t.Fatalf("from %s the first event is %s, want p/1.txt", startTime, r.key())
	}

	// Refusals are S3 errors.
	for _, tc := range []struct {
		path   string
		status int
		code   string
	}{
		{listenPath("live", url.Values{"events": {"s3:ObjectCreated:Nope"}}), 400, "InvalidArgument"},
		{listenPath("live", url.Values{"events": {""}, "x-cairn-start-seq": {"soon"}}), 400, "InvalidArgument"},
		{listenPath("live", url.Values{"events": {""}, "x-cairn-start-time": {"yesterday"}}), 400, "InvalidArgument"},
		{listenPath("nobucket", url.Values{"events": {""}}), 404, "NoSuchBucket"},
	} {
		resp := signedGet(t, ts, tc.path)
		b := bodyOf(resp)
		wantError(t, resp, []byte(b), tc.status, tc.code)
	}
	r := newRaw(t, ts)
	resp, body := r.do(rawReq{method: "GET", path: listenPath("live", url.Values{"events": {""}}), anonymous: true})
	wantError(t, resp, body, 403, "AccessDenied")
}

// cairn watch prints the events, from a sequence, and stops after --count.
func TestWatchCommand(t *testing.T) {
	ts := testserver.Start(t, fastNotify)
	c := ts.S3(t)
	mkBucket(t, c, "watched")
	putBytes(t, c, "watched", "a/x y", []byte("12345"))
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("watched"), Key: aws.String("a/x y")}); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := watch.Main(ctx, []string{"watched", "--endpoint", ts.Endpoint, "--access-key", ts.Cfg.Root.AccessKey,
		"--secret-key", ts.Cfg.Root.SecretKey, "--from-seq", "1", "--brief", "--count", "2"}, &out, &errOut)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasSuffix(lines[0], " ObjectCreated:Put a/x y 5") ||
		!strings.HasSuffix(lines[1], " ObjectRemoved:Delete a/x y -") {
		t.Fatalf("cairn watch exited %d:\n%s\nstderr: %s", code, out.String(), errOut.String())
	}
	// Live, JSON: it sees an event committed after it started.
	var mu sync.Mutex
	var live bytes.Buffer
	done := make(chan int, 1)
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	go func() {
		done <- watch.Main(wctx, []string{"watched", "--endpoint", ts.Endpoint, "--access-key", ts.Cfg.Root.AccessKey,
			"--secret-key", ts.Cfg.Root.SecretKey, "--events", "s3:ObjectCreated:*", "--count", "1"}, lockedWriter{&mu, &live}, &errOut)
	}()
	deadline := time.Now().Add(15 * time.Second)
	for i := 0; ; i++ {
		putBytes(t, c, "watched", fmt.Sprintf("live-%d", i), []byte("x")) // until the watcher has subscribed and seen one
		select {
		case code := <-done:
			mu.Lock()
			defer mu.Unlock()
			if code != 0 || !strings.Contains(live.String(), `"eventName":"ObjectCreated:Put"`) {
				t.Fatalf("live watch exited %d: %s %s", code, live.String(), errOut.String())
			}
			return
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("live watch printed nothing: %s", errOut.String())
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
