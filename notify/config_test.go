package notify

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairnstore/cairn/notify/target"
)

func TestParseFlags(t *testing.T) {
	w, err := ParseWebhookFlag("hook-1=https://h.example/s3?x=1,token=t0k=en,timeout=3s")
	if err != nil || w != (WebhookSpec{ID: "hook-1", URL: "https://h.example/s3?x=1", Token: "t0k=en", Timeout: "3s"}) {
		t.Fatalf("%+v %v", w, err)
	}
	for _, bad := range []string{"nourl", "=http://x", "id=", "id=http://x,color=red"} {
		if _, err := ParseWebhookFlag(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	_, err = ParseWebhookFlag("x=http://h,tokn=supersecret")
	if err == nil || strings.Contains(err.Error(), "supersecret") {
		t.Fatalf("error %v", err)
	}
	_, err = ParseWebhookFlag("=http://h,token=supersecret")
	if err == nil || strings.Contains(err.Error(), "supersecret") {
		t.Fatalf("an error quotes the token: %v", err)
	}
	n, err := ParseNATSFlag("bus=cairn.events")
	if err != nil || n != (NATSSpec{ID: "bus", Subject: "cairn.events"}) {
		t.Fatalf("%+v %v", n, err)
	}
}

func TestTokenNeverLogged(t *testing.T) {
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "spec", WebhookSpec{ID: "h", URL: "http://h", Token: "supersecret"})
	wh, err := target.NewWebhook(target.WebhookOptions{ID: "h", URL: "http://user:pw@h/x", Token: "supersecret"})
	if err != nil {
		t.Fatal(err)
	}
	buf.WriteString(wh.String())
	if strings.Contains(buf.String(), "supersecret") || strings.Contains(buf.String(), "pw@") {
		t.Fatalf("secret in %s", buf.String())
	}
}

func TestDeclarationsFileAndTargets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify.json")
	if err := os.WriteFile(path, []byte(`{"webhooks":[{"id":"a","url":"http://127.0.0.1:1/","token":"t","timeout":"2s"}],
		"nats":[{"id":"b","subject":"events.x"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := LoadDeclarations(path)
	if err != nil {
		t.Fatal(err)
	}
	check := func(s string) error {
		if strings.HasPrefix(s, "s3.") {
			return errors.New("log subject")
		}
		return nil
	}
	ts, err := d.Targets(nil, check)
	if err != nil || len(ts) != 2 || ts[0].ARN() != "arn:cairn:sqs::a:webhook" || ts[1].ARN() != "arn:cairn:sqs::b:nats" {
		t.Fatalf("targets %v %v", ts, err)
	}
	bad := []Declarations{
		{Webhooks: []WebhookSpec{{ID: "a", URL: "http://x"}}, NATS: []NATSSpec{{ID: "a", Subject: "x"}}}, // duplicate id
		{Webhooks: []WebhookSpec{{ID: "a b", URL: "http://x"}}},                                          // bad id
		{Webhooks: []WebhookSpec{{ID: "a", URL: "ftp://x"}}},                                             // not http
		{Webhooks: []WebhookSpec{{ID: "a", URL: "http://x", Timeout: "soon"}}},
		{NATS: []NATSSpec{{ID: "n", Subject: "s3.ev.x"}}}, // the event log's own subjects
	}
	for _, b := range bad {
		if _, err := b.Targets(nil, check); err == nil {
			t.Errorf("accepted %+v", b)
		}
	}
	if err := os.WriteFile(path, []byte(`{"webhook":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDeclarations(path); err == nil {
		t.Fatal("a misspelt field was ignored")
	}
}

func TestBackoffDoublesToTheCapWithJitter(t *testing.T) {
	s := &Service{o: Options{Tuning: Tuning{RetryMin: 100 * time.Millisecond, RetryMax: time.Second}}}
	w := &worker{d: &deliverer{s: s}}
	for n, base := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond,
		5: time.Second, 30: time.Second} {
		for i := 0; i < 50; i++ {
			if d := w.backoff(n); d < base*8/10 || d > base*12/10 {
				t.Fatalf("backoff after %d failures = %s, want %s ±20%%", n, d, base)
			}
		}
	}
}
