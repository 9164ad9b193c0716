package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
	"github.com/cairnstore/cairn/notify"
	"github.com/cairnstore/cairn/projections/catalog"
	"github.com/cairnstore/cairn/projections/runner"
)

// record is the part of S3's event record the tests look at, decoded with
// the wire names spelt out here independently of notify's types.
type record struct {
	EventVersion string `json:"eventVersion"`
	EventSource  string `json:"eventSource"`
	AWSRegion    string `json:"awsRegion"`
	EventTime    string `json:"eventTime"`
	EventName    string `json:"eventName"`
	UserIdentity struct {
		PrincipalID string `json:"principalId"`
	} `json:"userIdentity"`
	RequestParameters struct {
		SourceIPAddress string `json:"sourceIPAddress"`
	} `json:"requestParameters"`
	ResponseElements struct {
		RequestID string `json:"x-amz-request-id"`
		ID2       string `json:"x-amz-id-2"`
	} `json:"responseElements"`
	S3 struct {
		SchemaVersion   string `json:"s3SchemaVersion"`
		ConfigurationID string `json:"configurationId"`
		Bucket          struct {
			Name          string `json:"name"`
			OwnerIdentity struct {
				PrincipalID string `json:"principalId"`
			} `json:"ownerIdentity"`
			ARN string `json:"arn"`
		} `json:"bucket"`
		Object struct {
			Key       string `json:"key"`
			Size      *int64 `json:"size"`
			ETag      string `json:"eTag"`
			VersionID string `json:"versionId"`
			Sequencer string `json:"sequencer"`
		} `json:"object"`
	} `json:"s3"`
	ReplicationEventData *struct {
		RuleID            string `json:"replicationRuleId"`
		DestinationBucket string `json:"destinationBucket"`
		S3Operation       string `json:"s3Operation"`
		RequestTime       string `json:"requestTime"`
		FailureReason     string `json:"failureReason"`
	} `json:"replicationEventData"`
	Cairn struct {
		Seq     uint64 `json:"seq"`
		EventID string `json:"eventId"`
	} `json:"cairn"`
}

// key is the record's key, URL-decoded as S3 receivers do.
func (r record) key() string {
	k, err := url.QueryUnescape(r.S3.Object.Key)
	if err != nil {
		return "!bad encoding " + r.S3.Object.Key
	}
	return k
}

func parseDoc(t testing.TB, b []byte) record {
	t.Helper()
	var doc struct {
		Records []record `json:"Records"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Records) != 1 {
		t.Errorf("notification %q: %v, %d records (want 1)", b, err, len(doc.Records))
		return record{}
	}
	return doc.Records[0]
}

// hook is an httptest webhook that records what it accepts and can be
// taken down (it then answers 503).
type hook struct {
	t     testing.TB
	srv   *httptest.Server
	token string
	mu    sync.Mutex
	down  bool
	// refuse, when set, makes the hook answer 500 to the records it
	// selects (a destination that chokes on some events).
	refuse func(record) bool
	got    []record
	tests  []testEvent          // s3:TestEvent messages received
	tried  int                  // requests received, refused ones included
	at     map[string]time.Time // first receipt per object key
}

func newHook(t testing.TB, token string) *hook {
	h := &hook{t: t, token: token, at: map[string]time.Time{}}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tried++
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" ||
		r.Header.Get("X-Cairn-Notification-Id") == "" || (h.token != "" && r.Header.Get("Authorization") != "Bearer "+h.token) {
		h.t.Errorf("webhook got %s with headers %v", r.Method, r.Header)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if h.down {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if te, ok := testEventOf(b); ok {
		h.tests = append(h.tests, te)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	rec := parseDoc(h.t, b)
	if h.refuse != nil && h.refuse(rec) {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	h.got = append(h.got, rec)
	if _, ok := h.at[rec.key()]; !ok {
		h.at[rec.key()] = now
	}
	w.WriteHeader(http.StatusNoContent)
}

// testEvent is S3's s3:TestEvent message, spelt out independently of
// notify's type.
type testEvent struct {
	Service   string `json:"Service"`
	Event     string `json:"Event"`
	Time      string `json:"Time"`
	Bucket    string `json:"Bucket"`
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
}

// testEventOf decodes b if it is an s3:TestEvent message.
func testEventOf(b []byte) (testEvent, bool) {
	var te testEvent
	err := json.Unmarshal(b, &te)
	return te, err == nil && te.Event == "s3:TestEvent"
}

func (h *hook) testEvents() []testEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]testEvent(nil), h.tests...)
}

func (h *hook) setDown(down bool) {
	h.mu.Lock()
	h.down = down
	h.mu.Unlock()
}

func (h *hook) records() []record {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]record(nil), h.got...)
}

func (h *hook) attempts() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.tried
}

// waitFor polls until cond holds of what the hook received.
func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		<-time.After(10 * time.Millisecond)
	}
}

// distinct keeps the first record of each sequence: delivery is
// at-least-once.
func distinct(recs []record) []record {
	seen := map[uint64]bool{}
	var out []record
	for _, r := range recs {
		if !seen[r.Cairn.Seq] {
			seen[r.Cairn.Seq] = true
			out = append(out, r)
		}
	}
	return out
}

// checkKeyOrder fails if, for some key, a record arrived for the first
// time after a later record of the same key had arrived (what a receiver
// that keeps the greatest sequencer would lose). Repeats are allowed.
func checkKeyOrder(t testing.TB, recs []record) {
	t.Helper()
	last := map[string]string{} // key -> greatest sequencer seen
	seen := map[uint64]bool{}
	for _, r := range recs {
		k, s := r.key(), r.S3.Object.Sequencer
		if seen[r.Cairn.Seq] {
			continue
		}
		seen[r.Cairn.Seq] = true
		if len(s) != 16 || fmt.Sprintf("%016X", r.Cairn.Seq) != s {
			t.Fatalf("record of seq %d has sequencer %q", r.Cairn.Seq, s)
		}
		if prev, ok := last[k]; ok && s < prev {
			t.Fatalf("key %q: first delivery of sequencer %s after %s", k, s, prev)
		}
		last[k] = s
	}
}

// bySeq is recs without repeats, in sequence order.
func bySeq(recs []record) []record {
	recs = distinct(recs)
	sort.Slice(recs, func(i, j int) bool { return recs[i].Cairn.Seq < recs[j].Cairn.Seq })
	return recs
}

// summary renders records as "eventName key" lines sorted by sequence.
func summary(recs []record) string {
	var b strings.Builder
	for _, r := range bySeq(recs) {
		fmt.Fprintf(&b, "%s %s\n", r.EventName, r.key())
	}
	return b.String()
}

// fastNotify makes retries and redeliveries quick enough for tests.
func fastNotify(c *server.Config) {
	c.NotifyTuning = notify.Tuning{Workers: 4, RetryMin: 20 * time.Millisecond, RetryMax: 300 * time.Millisecond,
		AckWait: 3 * time.Second, PinnedTTL: 2 * time.Second}
	c.ListenKeepAlive = 100 * time.Millisecond
}

func withWebhook(id, url, token string) func(*server.Config) {
	return func(c *server.Config) {
		c.Notify.Webhooks = append(c.Notify.Webhooks, notify.WebhookSpec{ID: id, URL: url, Token: token})
	}
}

func queueConfig(id, arn, prefix string, events ...types.Event) types.QueueConfiguration {
	qc := types.QueueConfiguration{Id: aws.String(id), QueueArn: aws.String(arn), Events: events}
	if prefix != "" {
		qc.Filter = &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: []types.FilterRule{
			{Name: types.FilterRuleNamePrefix, Value: aws.String(prefix)}}}}
	}
	return qc
}

func putNotification(t testing.TB, c *s3.Client, bucket string, cfg *types.NotificationConfiguration) {
	t.Helper()
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket), NotificationConfiguration: cfg}); err != nil {
		t.Fatalf("put notification configuration: %v", err)
	}
}

// signedGet sends a signed GET and returns the response unread (for
// streaming answers).
func signedGet(t testing.TB, ts *testserver.TS, path string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ts.Endpoint+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(nil)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	creds := aws.Credentials{AccessKeyID: ts.Cfg.Root.AccessKey, SecretAccessKey: ts.Cfg.Root.SecretKey}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hash, "s3", ts.Cfg.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := ts.HTTPClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func bodyOf(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(bytes.TrimSpace(b))
}

// checkRebuildEqualsLive rebuilds the index from the log into a fresh
// store, compares it with the live one, and returns the live dump.
func checkRebuildEqualsLive(t *testing.T, ts *testserver.TS) string {
	t.Helper()
	fresh, err := catalog.Open(catalog.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if _, err := runner.Rebuild(ctx, ts.Log(), fresh, time.Hour, func(runner.Progress) {}); err != nil {
		t.Fatal(err)
	}
	var live, rebuilt bytes.Buffer
	if err := ts.Catalog().Dump(&live); err != nil {
		t.Fatal(err)
	}
	if err := fresh.Dump(&rebuilt); err != nil {
		t.Fatal(err)
	}
	if live.String() != rebuilt.String() {
		t.Fatalf("rebuilt index differs from the live one:\nlive:\n%s\nrebuilt:\n%s", live.String(), rebuilt.String())
	}
	return live.String()
}

func decodeJSON(r *http.Request, v any) error {
	return json.NewDecoder(r.Body).Decode(v)
}
