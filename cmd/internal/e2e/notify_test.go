package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/notify"
	"github.com/nats-io/nats.go"
)

const (
	hookARN = "arn:cairn:sqs::hook:webhook"
	busARN  = "arn:cairn:sqs::bus:nats"
)

func requestID(t *testing.T, md middleware.Metadata) string {
	t.Helper()
	id, ok := awsmiddleware.GetRequestIDMetadata(md)
	if !ok || id == "" {
		t.Fatal("response without a request id")
	}
	return id
}

// completeUpload makes key by a one-part multipart upload: the event
// notifications report as ObjectCreated:CompleteMultipartUpload.
func completeUpload(t *testing.T, c *s3.Client, bucket, key string) {
	t.Helper()
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("multipart body"))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: part.ETag}}}}); err != nil {
		t.Fatal(err)
	}
}

// A webhook and a NATS subscriber receive S3's records for put, copy,
// delete, tagging and multipart completion, each by its own rules, and
// the configuration reads back as it was written.
func TestNotificationsReachWebhookAndNATS(t *testing.T) {
	ns, err := stream.StartEmbedded(stream.EmbeddedOptions{Dir: t.TempDir(), SyncAlways: true, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	h := newHook(t, "s3cr3t")
	ts := testserver.Start(t, fastNotify, withWebhook("hook", h.srv.URL, "s3cr3t"), func(c *server.Config) {
		c.NATSURL = ns.ClientURL()
		c.Notify.NATS = append(c.Notify.NATS, notify.NATSSpec{ID: "bus", Subject: "events.docs"})
	})
	bus := subscribeNATS(t, ns.ClientURL(), "events.docs")

	c := ts.S3(t)
	mkBucket(t, c, "photos")
	cfg := &types.NotificationConfiguration{
		QueueConfigurations: []types.QueueConfiguration{queueConfig("images", hookARN, "img/", "s3:ObjectCreated:*", "s3:ObjectRemoved:*")},
		TopicConfigurations: []types.TopicConfiguration{{Id: aws.String("docs"), TopicArn: aws.String(busARN),
			Events: []types.Event{"s3:ObjectCreated:*", "s3:ObjectRemoved:Delete", "s3:ObjectTagging:*"},
			Filter: &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: []types.FilterRule{
				{Name: types.FilterRuleNamePrefix, Value: aws.String("doc/")}, {Name: types.FilterRuleNameSuffix, Value: aws.String(".txt")}}}}}},
	}
	putNotification(t, c, "photos", cfg)
	// Each destination hears S3's s3:TestEvent for the configuration.
	waitFor(t, "the test events", 20*time.Second, func() bool { return len(h.testEvents()) > 0 && len(bus.testEvents()) > 0 })
	for _, te := range append(h.testEvents(), bus.testEvents()...) {
		if te.Service != "Amazon S3" || te.Bucket != "photos" || te.RequestID == "" || te.HostID == "" ||
			!strings.HasSuffix(te.Time, "Z") {
			t.Fatalf("test event %+v", te)
		}
	}
	got, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("photos")})
	if err != nil || len(got.QueueConfigurations) != 1 || len(got.TopicConfigurations) != 1 ||
		aws.ToString(got.QueueConfigurations[0].QueueArn) != hookARN || aws.ToString(got.TopicConfigurations[0].Id) != "docs" ||
		len(got.TopicConfigurations[0].Filter.Key.FilterRules) != 2 || len(got.TopicConfigurations[0].Events) != 3 {
		t.Fatalf("configuration reads back as %+v (%v)", got, err)
	}

	put := putBytes(t, c, "photos", "img/a b+c.jpg", []byte("hello"))
	putID := requestID(t, put.ResultMetadata)
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("photos"), Key: aws.String("img/copy.jpg"),
		CopySource: aws.String("photos/img/a b+c.jpg")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("photos"), Key: aws.String("img/a b+c.jpg")}); err != nil {
		t.Fatal(err)
	}
	completeUpload(t, c, "photos", "img/big.bin")
	putBytes(t, c, "photos", "doc/x.txt", []byte("doc"))
	putBytes(t, c, "photos", "doc/x.pdf", []byte("not a .txt"))
	putBytes(t, c, "photos", "other/z.txt", []byte("no rule"))
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("photos"), Key: aws.String("doc/x.txt"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("photos"), Key: aws.String("doc/x.txt")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("photos"), Key: aws.String("doc/x.txt")}); err != nil {
		t.Fatal(err)
	}

	wantHook := "ObjectCreated:Put img/a b+c.jpg\nObjectCreated:Copy img/copy.jpg\nObjectRemoved:Delete img/a b+c.jpg\n" +
		"ObjectCreated:CompleteMultipartUpload img/big.bin\n"
	wantNATS := "ObjectCreated:Put doc/x.txt\nObjectTagging:Put doc/x.txt\nObjectTagging:Delete doc/x.txt\nObjectRemoved:Delete doc/x.txt\n"
	waitFor(t, "the webhook's records", 20*time.Second, func() bool { return summary(h.records()) == wantHook })
	waitFor(t, "the NATS records", 20*time.Second, func() bool { return summary(bus.records()) == wantNATS })
	checkKeyOrder(t, h.records())
	checkKeyOrder(t, bus.records())

	for _, r := range distinct(h.records()) {
		if r.key() == "img/a b+c.jpg" && r.EventName == "ObjectCreated:Put" {
			checkPutRecord(t, r, ts.Cfg.Root.AccessKey, aws.ToString(put.ETag), putID)
		}
	}
	for _, r := range distinct(h.records()) {
		if r.EventName == "ObjectRemoved:Delete" && (r.S3.Object.Size != nil || r.S3.Object.ETag != "") {
			t.Errorf("a delete record carries size or ETag: %+v", r.S3.Object)
		}
	}
	// A delivery is counted once the destination acknowledged it, which
	// may be just after the subscriber saw the record.
	for _, want := range []string{`cairn_notify_deliveries_total{target="hook"} 4`, `cairn_notify_deliveries_total{target="bus"} 4`,
		`cairn_notify_delivery_seconds_count{target="hook"} 4`} {
		waitFor(t, want, 5*time.Second, func() bool {
			var metrics bytes.Buffer
			ts.Metrics().Write(&metrics)
			return strings.Contains(metrics.String(), want)
		})
	}
}

// A destination that is down for a while receives every event once it is
// back, each key's events in order, and its backlog drains to zero.
func TestWebhookOutageLosesNothingAndKeepsKeyOrder(t *testing.T) {
	h := newHook(t, "")
	ts := testserver.Start(t, fastNotify, withWebhook("hook", h.srv.URL, ""))
	c := ts.S3(t)
	mkBucket(t, c, "out")
	putNotification(t, c, "out", &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
		queueConfig("all", hookARN, "", "s3:ObjectCreated:*", "s3:ObjectRemoved:*")}})
	// The configuration's s3:TestEvent is delivered before the outage.
	waitFor(t, "the test event", 20*time.Second, func() bool { return len(h.testEvents()) > 0 })
	h.setDown(true)
	const keys, versions = 12, 6
	var wg sync.WaitGroup
	for k := 0; k < keys; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			for v := 0; v < versions; v++ {
				key := fmt.Sprintf("k%02d", k)
				if v == versions-1 && k%3 == 0 {
					if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("out"), Key: aws.String(key)}); err != nil {
						t.Error(err)
					}
					continue
				}
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("out"), Key: aws.String(key),
					Body: strings.NewReader(fmt.Sprint(v))}); err != nil {
					t.Error(err)
				}
			}
		}(k)
	}
	wg.Wait()
	// The destination is retried while it is down (and keeps refusing).
	waitFor(t, "retries against the dead webhook", 20*time.Second, func() bool { return h.attempts() > 3*keys })
	if n := len(h.records()); n != 0 {
		t.Fatalf("%d records accepted while down", n)
	}
	backlog, err := ts.Notify().Backlog(ctx, "hook")
	if err != nil || backlog != keys*versions {
		t.Fatalf("backlog %d (%v) while down, want %d", backlog, err, keys*versions)
	}
	h.setDown(false)
	waitFor(t, "every event after the outage", 30*time.Second, func() bool { return len(distinct(h.records())) == keys*versions })
	checkKeyOrder(t, h.records())
	waitFor(t, "the backlog to drain", 20*time.Second, func() bool {
		b, err := ts.Notify().Backlog(ctx, "hook")
		return err == nil && b == 0
	})
	var metrics bytes.Buffer
	ts.Metrics().Write(&metrics)
	if !strings.Contains(metrics.String(), `cairn_notify_failures_total{target="hook"}`) ||
		strings.Contains(metrics.String(), `cairn_notify_failures_total{target="hook"} 0`) {
		t.Fatalf("failures not counted:\n%s", metrics.String())
	}
}

// Each event is delivered under the configuration in force at its own
// sequence, even when it is delivered after the configuration changed; the
// changes are events, and the index rebuilt from the log equals the live one.
func TestConfigurationInForceAtEachEvent(t *testing.T) {
	h := newHook(t, "")
	ts := testserver.Start(t, fastNotify, withWebhook("hook", h.srv.URL, ""))
	c := ts.S3(t)
	mkBucket(t, c, "cfg")
	putBytes(t, c, "cfg", "a/0", []byte("before any configuration"))
	h.setDown(true) // everything below is delivered after the last change
	putNotification(t, c, "cfg", &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
		queueConfig("a", hookARN, "a/", "s3:ObjectCreated:*")}})
	putBytes(t, c, "cfg", "a/1", []byte("x"))
	putBytes(t, c, "cfg", "b/1", []byte("x"))
	putNotification(t, c, "cfg", &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
		queueConfig("b", hookARN, "b/", "s3:ObjectCreated:Put")}})
	putBytes(t, c, "cfg", "a/2", []byte("x"))
	putBytes(t, c, "cfg", "b/2", []byte("x"))
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cfg"), Key: aws.String("b/3"), CopySource: aws.String("cfg/b/2")}); err != nil {
		t.Fatal(err)
	}
	putNotification(t, c, "cfg", &types.NotificationConfiguration{}) // removes it
	putBytes(t, c, "cfg", "b/4", []byte("x"))
	out, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("cfg")})
	if err != nil || len(out.QueueConfigurations)+len(out.TopicConfigurations)+len(out.LambdaFunctionConfigurations) != 0 {
		t.Fatalf("removed configuration reads back as %+v (%v)", out, err)
	}
	h.setDown(false)
	want := "ObjectCreated:Put a/1\nObjectCreated:Put b/2\n"
	waitFor(t, "the records", 20*time.Second, func() bool { return summary(h.records()) == want })
	waitFor(t, "the backlog to drain", 20*time.Second, func() bool {
		b, err := ts.Notify().Backlog(ctx, "hook")
		return err == nil && b == 0
	})
	if got := summary(h.records()); got != want {
		t.Fatalf("records:\n%s\nwant:\n%s", got, want)
	}
	for _, r := range distinct(h.records()) {
		if want := strings.TrimSuffix(r.key(), r.key()[1:]); r.S3.ConfigurationID != want {
			t.Errorf("%s delivered under configuration %q, want %q", r.key(), r.S3.ConfigurationID, want)
		}
	}
	if live := checkRebuildEqualsLive(t, ts); !strings.Contains(live, fmt.Sprintf("%x", 'N')) {
		t.Fatalf("no notification configuration in the index:\n%s", live)
	}
}

// An invalid configuration is refused with S3's code and message, and
// changes nothing.
func TestNotificationConfigurationErrors(t *testing.T) {
	ts := testserver.Start(t, withWebhook("hook", "http://127.0.0.1:1/", ""))
	c := ts.S3(t)
	mkBucket(t, c, "errs")
	r := newRaw(t, ts)
	cases := []struct {
		name, body, msg string
		fields          []string
	}{
		{"overlap", `<NotificationConfiguration>
			<QueueConfiguration><Queue>` + hookARN + `</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration>
			<QueueConfiguration><Queue>` + hookARN + `</Queue><Event>s3:ObjectCreated:Put</Event>
			  <Filter><S3Key><FilterRule><Name>prefix</Name><Value>img/</Value></FilterRule></S3Key></Filter></QueueConfiguration>
			</NotificationConfiguration>`,
			"Configurations overlap. Configurations on the same bucket cannot share a common event type.",
			[]string{"<ArgumentName>Event</ArgumentName>"}},
		{"unknown arn", `<NotificationConfiguration><TopicConfiguration><Topic>arn:cairn:sqs::nope:webhook</Topic>
			<Event>s3:ObjectRemoved:*</Event></TopicConfiguration></NotificationConfiguration>`,
			"Unable to validate the following destination configurations",
			[]string{"<ArgumentName1>arn:cairn:sqs::nope:webhook</ArgumentName1>", "<ArgumentValue1>The destination topic does not exist</ArgumentValue1>"}},
		{"bad event", `<NotificationConfiguration><QueueConfiguration><Queue>` + hookARN + `</Queue>
			<Event>s3:ObjectCreated:Teleport</Event></QueueConfiguration></NotificationConfiguration>`,
			"The event is not supported for notifications", []string{"<ArgumentValue>s3:ObjectCreated:Teleport</ArgumentValue>"}},
		{"two prefixes", `<NotificationConfiguration><QueueConfiguration><Queue>` + hookARN + `</Queue><Event>s3:ObjectCreated:*</Event>
			<Filter><S3Key><FilterRule><Name>Prefix</Name><Value>a</Value></FilterRule><FilterRule><Name>prefix</Name><Value>b</Value></FilterRule></S3Key></Filter>
			</QueueConfiguration></NotificationConfiguration>`, "Cannot specify more than one prefix rule in a filter.", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := r.do(rawReq{method: "PUT", path: "/errs?notification", body: []byte(tc.body)})
			e := wantError(t, resp, body, 400, "InvalidArgument")
			if e.Message != tc.msg {
				t.Errorf("message %q, want %q", e.Message, tc.msg)
			}
			for _, f := range tc.fields {
				if !strings.Contains(string(body), f) {
					t.Errorf("error body lacks %s:\n%s", f, body)
				}
			}
		})
	}
	resp, body := r.do(rawReq{method: "PUT", path: "/errs?notification", body: []byte("<NotificationConfiguration><Queue")})
	wantError(t, resp, body, 400, "MalformedXML")
	resp, body = r.do(rawReq{method: "GET", path: "/nobucket?notification"})
	wantError(t, resp, body, 404, "NoSuchBucket")
	// The SDK sees the same codes.
	_, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("errs"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			queueConfig("x", "arn:aws:sqs:us-east-1:123456789012:q", "", "s3:ObjectCreated:*")}}})
	wantCode(t, err, "InvalidArgument")
	resp, body = r.do(rawReq{method: "GET", path: "/errs?notification"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></NotificationConfiguration>") {
		t.Fatalf("refused configurations changed the bucket's: %d %s", resp.StatusCode, body)
	}
}

// jsonLine decodes one streamed line.
func jsonLine(t *testing.T, line string) record {
	t.Helper()
	var doc struct{ Records []record }
	if err := json.Unmarshal([]byte(line), &doc); err != nil || len(doc.Records) != 1 {
		t.Fatalf("line %q: %v", line, err)
	}
	return doc.Records[0]
}

// A key whose events the destination refuses is retried on its own: the
// other keys, even those sharing its worker, are delivered meanwhile.
func TestRefusedKeyDoesNotHoldOthers(t *testing.T) {
	h := newHook(t, "")
	h.refuse = func(r record) bool { return r.key() == "poison" }
	ts := testserver.Start(t, fastNotify, withWebhook("hook", h.srv.URL, ""))
	c := ts.S3(t)
	mkBucket(t, c, "mixed")
	putNotification(t, c, "mixed", &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
		queueConfig("all", hookARN, "", "s3:ObjectCreated:*")}})
	putBytes(t, c, "mixed", "poison", []byte("refused"))
	putBytes(t, c, "mixed", "poison", []byte("refused again"))
	const others = 40 // with 4 workers, many share the poisoned key's worker
	for i := 0; i < others; i++ {
		putBytes(t, c, "mixed", fmt.Sprintf("ok-%02d", i), []byte("fine"))
	}
	waitFor(t, "every other key", 20*time.Second, func() bool { return len(distinct(h.records())) == others })
	for _, r := range h.records() {
		if r.key() == "poison" {
			t.Fatal("a refused record was counted as delivered")
		}
	}
	waitFor(t, "the poisoned key's retries", 20*time.Second, func() bool { return h.attempts() >= others+5 })
	waitFor(t, "a backlog of the two refused events", 20*time.Second, func() bool {
		b, err := ts.Notify().Backlog(ctx, "hook")
		return err == nil && b == 2
	})
	h.mu.Lock()
	h.refuse = nil
	h.mu.Unlock()
	waitFor(t, "the poisoned key once accepted", 20*time.Second, func() bool { return len(distinct(h.records())) == others+2 })
	checkKeyOrder(t, h.records())
}

func deliveries(ts *testserver.TS) string {
	var b bytes.Buffer
	ts.Metrics().Write(&b)
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(l, `cairn_notify_deliveries_total{target="hook"}`) {
			return strings.Fields(l)[1]
		}
	}
	return "0"
}

// Two gateways on one NATS declare the same destination: one delivers at
// a time, and when it stops with events held back by an outage, the other
// takes over and delivers them, keys in order.
func TestTwoGatewaysShareADestination(t *testing.T) {
	ns, err := stream.StartEmbedded(stream.EmbeddedOptions{Dir: t.TempDir(), SyncAlways: true, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	h := newHook(t, "")
	gw := func(root ...server.RootCredentials) *testserver.TS {
		return testserver.Start(t, fastNotify, withWebhook("hook", h.srv.URL, ""), func(c *server.Config) {
			c.NATSURL = ns.ClientURL()
			if len(root) > 0 {
				c.Root = root[0]
			}
		})
	}
	a := gw()
	b := gw(a.Cfg.Root)
	ca, cb := a.S3(t), b.S3(t)
	mkBucket(t, ca, "shared")
	putNotification(t, ca, "shared", &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
		queueConfig("all", hookARN, "", "s3:ObjectCreated:*", "s3:ObjectRemoved:*")}})
	for i := 0; i < 10; i++ {
		putBytes(t, ca, "shared", fmt.Sprintf("k%d", i%3), []byte("a"))
		putBytes(t, cb, "shared", fmt.Sprintf("k%d", i%3), []byte("b"))
	}
	waitFor(t, "the first 20 events", 20*time.Second, func() bool { return len(distinct(h.records())) == 20 })
	active, standby := a, b
	if deliveries(a) == "0" {
		active, standby = b, a
	}
	if deliveries(standby) != "0" {
		t.Fatalf("both gateways delivered: %s and %s", deliveries(a), deliveries(b))
	}
	h.setDown(true)
	for i := 0; i < 10; i++ {
		putBytes(t, standby.S3(t), "shared", fmt.Sprintf("k%d", i%3), []byte("held"))
	}
	before := h.attempts()
	waitFor(t, "the active gateway to retry", 20*time.Second, func() bool { return h.attempts() > before+10 })
	active.Stop(t)
	h.setDown(false)
	for i := 0; i < 5; i++ {
		putBytes(t, standby.S3(t), "shared", fmt.Sprintf("k%d", i%3), []byte("after"))
	}
	waitFor(t, "every event through the standby", 30*time.Second, func() bool { return len(distinct(h.records())) == 35 })
	checkKeyOrder(t, h.records())
	if deliveries(standby) == "0" {
		t.Fatal("the standby delivered nothing")
	}
}

// The aws CLI (the README's example) configures notifications and reads
// the configuration back.
func TestNotificationConfigurationWithAWSCLI(t *testing.T) {
	requireTool(t, "aws", "--version")
	h := newHook(t, "")
	ts := testserver.Start(t, fastNotify, withWebhook("thumbs", h.srv.URL, ""))
	mkBucket(t, ts.S3(t), "photos")
	awsCLI(t, ts, nil, "s3api", "put-bucket-notification-configuration", "--bucket", "photos", "--notification-configuration",
		`{"QueueConfigurations":[{"Id":"thumbs","QueueArn":"arn:cairn:sqs::thumbs:webhook","Events":["s3:ObjectCreated:*"],`+
			`"Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"2026/"},{"Name":"suffix","Value":".jpg"}]}}}]}`)
	out := awsCLI(t, ts, nil, "s3api", "get-bucket-notification-configuration", "--bucket", "photos")
	var got struct {
		QueueConfigurations []struct {
			ID       string `json:"Id"`
			QueueArn string
			Events   []string
			Filter   struct {
				Key struct {
					FilterRules []struct{ Name, Value string }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.QueueConfigurations) != 1 ||
		got.QueueConfigurations[0].ID != "thumbs" || len(got.QueueConfigurations[0].Filter.Key.FilterRules) != 2 {
		t.Fatalf("aws CLI reads back %s (%v)", out, err)
	}
	awsCLI(t, ts, []byte("jpeg"), "s3", "cp", "-", "s3://photos/2026/beach.jpg")
	awsCLI(t, ts, []byte("text"), "s3", "cp", "-", "s3://photos/2026/notes.txt")
	waitFor(t, "the record", 20*time.Second, func() bool { return summary(h.records()) == "ObjectCreated:Put 2026/beach.jpg\n" })
}

// checkPutRecord checks every field of the record of the PUT of
// "img/a b+c.jpg" (5 bytes) to the photos bucket.
func checkPutRecord(t *testing.T, r record, actor, etag, reqID string) {
	t.Helper()
	switch {
	case r.EventVersion != "2.1" || r.EventSource != "aws:s3" || r.AWSRegion != "us-east-1" || r.S3.SchemaVersion != "1.0":
		t.Errorf("record header %+v", r)
	case r.S3.Object.Key != "img/a+b%2Bc.jpg":
		t.Errorf("key encoded as %q, want S3's form encoding img/a+b%%2Bc.jpg", r.S3.Object.Key)
	case r.S3.Object.Size == nil || *r.S3.Object.Size != 5 || `"`+r.S3.Object.ETag+`"` != etag:
		t.Errorf("object %+v, want size 5 and ETag %s", r.S3.Object, etag)
	case r.S3.ConfigurationID != "images" || r.S3.Bucket.Name != "photos" || r.S3.Bucket.ARN != "arn:aws:s3:::photos":
		t.Errorf("s3 entity %+v", r.S3)
	case r.UserIdentity.PrincipalID != actor || r.S3.Bucket.OwnerIdentity.PrincipalID != engine.RootCanonicalID:
		t.Errorf("identities %+v / %+v", r.UserIdentity, r.S3.Bucket.OwnerIdentity)
	case r.ResponseElements.RequestID != reqID || r.ResponseElements.ID2 != r.Cairn.EventID || len(r.Cairn.EventID) != 32:
		t.Errorf("response elements %+v, want the PUT's request id %s and the event id", r.ResponseElements, reqID)
	case r.RequestParameters.SourceIPAddress != "127.0.0.1":
		t.Errorf("source IP %q", r.RequestParameters.SourceIPAddress)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", r.EventTime); err != nil {
		t.Errorf("eventTime %q: %v", r.EventTime, err)
	}
}

// natsBox collects the records published on a NATS subject.
type natsBox struct {
	mu    sync.Mutex
	got   []record
	tests []testEvent
}

func (b *natsBox) testEvents() []testEvent {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]testEvent(nil), b.tests...)
}

func (b *natsBox) records() []record {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]record(nil), b.got...)
}

func subscribeNATS(t *testing.T, url, subject string) *natsBox {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	b := &natsBox{}
	if _, err := nc.Subscribe(subject, func(m *nats.Msg) {
		b.mu.Lock()
		defer b.mu.Unlock()
		if te, ok := testEventOf(m.Data); ok {
			b.tests = append(b.tests, te)
			return
		}
		b.got = append(b.got, parseDoc(t, m.Data))
		if m.Header.Get("Nats-Msg-Id") == "" {
			t.Errorf("NATS notification without Nats-Msg-Id")
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := nc.FlushTimeout(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	return b
}

// A browser POST upload is reported as ObjectCreated:Post and an object
// ACL change as ObjectAcl:Put, each only to the rule asking for it.
func TestPostAndACLNotifications(t *testing.T) {
	h := newHook(t, "")
	ts := testserver.Start(t, fastNotify, withWebhook("hook", h.srv.URL, ""))
	c := ts.S3(t)
	mkBucket(t, c, "posts")
	if _, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("posts"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}}}}); err != nil {
		t.Fatal(err)
	}
	arn := "arn:cairn:sqs::hook:webhook"
	putNotification(t, c, "posts", &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
		queueConfig("posted", arn, "", "s3:ObjectCreated:Post"), queueConfig("acl", arn, "", "s3:ObjectAcl:Put")}})
	if status, body := postObject(t, ts, "posts", "form/a.txt", []byte("posted")); status != 204 {
		t.Fatalf("POST: %d %s", status, body)
	}
	putBytes(t, c, "posts", "put/b.txt", []byte("a PUT: no rule"))
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("posts"), Key: aws.String("put/b.txt"),
		ACL: types.ObjectCannedACLBucketOwnerRead}); err != nil {
		t.Fatal(err)
	}
	want := "ObjectCreated:Post form/a.txt\nObjectAcl:Put put/b.txt\n"
	waitFor(t, "the webhook's records", 20*time.Second, func() bool { return summary(distinct(h.records())) == want })
	for _, r := range distinct(h.records()) {
		if wantID := map[string]string{"ObjectCreated:Post": "posted", "ObjectAcl:Put": "acl"}[r.EventName]; r.S3.ConfigurationID != wantID {
			t.Errorf("%s delivered under rule %q, want %q", r.EventName, r.S3.ConfigurationID, wantID)
		}
	}
}
