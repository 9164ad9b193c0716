package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/cairnstore/cairn/notify/target"
)

// Declarations are the destinations a server delivers to, from flags
// (--notify-webhook, --notify-nats) and a JSON file (--notify-config):
//
//	{
//	  "webhooks": [{"id": "thumbs", "url": "https://hooks.example/s3", "token": "s3cr3t", "timeout": "5s"}],
//	  "nats":     [{"id": "bus", "subject": "cairn.events"}]
//	}
//
// A webhook is referenced as arn:cairn:sqs::<id>:webhook and a NATS
// subject as arn:cairn:sqs::<id>:nats. Ids are unique across both.
type Declarations struct {
	Webhooks []WebhookSpec `json:"webhooks,omitempty"`
	NATS     []NATSSpec    `json:"nats,omitempty"`
}

// WebhookSpec declares a webhook.
type WebhookSpec struct {
	ID      string `json:"id"`
	URL     string `json:"url"`
	Token   string `json:"token,omitempty"`   // bearer token; never logged
	Timeout string `json:"timeout,omitempty"` // per POST, a Go duration ("5s"); 10s when empty
}

// LogValue keeps the token out of logs.
func (w WebhookSpec) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", w.ID), slog.String("url", w.URL), slog.Bool("token", w.Token != ""))
}

// NATSSpec declares a NATS subject.
type NATSSpec struct {
	ID      string `json:"id"`
	Subject string `json:"subject"`
}

// ParseWebhookFlag parses "ID=URL[,token=T][,timeout=D]". (A URL with a
// comma goes in the config file instead.)
func ParseWebhookFlag(v string) (WebhookSpec, error) {
	id, rest, ok := strings.Cut(v, "=")
	if !ok || id == "" || rest == "" {
		return WebhookSpec{}, fmt.Errorf("--notify-webhook %q: want ID=URL[,token=T]", redactFlag(v))
	}
	parts := strings.Split(rest, ",")
	w := WebhookSpec{ID: id, URL: parts[0]}
	for _, p := range parts[1:] {
		k, val, _ := strings.Cut(p, "=")
		switch k {
		case "token":
			w.Token = val
		case "timeout":
			w.Timeout = val
		default:
			return WebhookSpec{}, fmt.Errorf("--notify-webhook %s: unknown option %q (token, timeout)", id, k)
		}
	}
	return w, nil
}

// redactFlag hides a token in a flag value quoted in an error.
func redactFlag(v string) string {
	if i := strings.Index(v, "token="); i >= 0 {
		return v[:i] + "token=REDACTED"
	}
	return v
}

// ParseNATSFlag parses "ID=SUBJECT".
func ParseNATSFlag(v string) (NATSSpec, error) {
	id, subject, ok := strings.Cut(v, "=")
	if !ok || id == "" || subject == "" {
		return NATSSpec{}, fmt.Errorf("--notify-nats %q: want ID=SUBJECT", v)
	}
	return NATSSpec{ID: id, Subject: subject}, nil
}

// LoadDeclarations reads a --notify-config file. Unknown fields are
// refused, so that a misspelt one is not silently ignored.
func LoadDeclarations(path string) (Declarations, error) {
	var d Declarations
	b, err := os.ReadFile(path)
	if err != nil {
		return d, fmt.Errorf("--notify-config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, fmt.Errorf("--notify-config %s: %w", path, err)
	}
	return d, nil
}

// Targets builds the declared destinations; NATS ones publish with pub,
// whose subject rules check enforces. Ids must be unique.
func (d Declarations) Targets(pub target.Publisher, check func(string) error) ([]target.Target, error) {
	var out []target.Target
	seen := map[string]bool{}
	claim := func(id string) error {
		if seen[id] {
			return fmt.Errorf("notify: destination id %q declared twice", id)
		}
		seen[id] = true
		return nil
	}
	for _, w := range d.Webhooks {
		if err := claim(w.ID); err != nil {
			return nil, err
		}
		var timeout time.Duration
		if w.Timeout != "" {
			var err error
			if timeout, err = time.ParseDuration(w.Timeout); err != nil || timeout <= 0 {
				return nil, fmt.Errorf("notify: webhook %s: timeout %q is not a positive duration", w.ID, w.Timeout)
			}
		}
		t, err := target.NewWebhook(target.WebhookOptions{ID: w.ID, URL: w.URL, Token: w.Token, Timeout: timeout})
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	for _, n := range d.NATS {
		if err := claim(n.ID); err != nil {
			return nil, err
		}
		t, err := target.NewNATS(n.ID, n.Subject, pub, check)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}
