package target

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// WebhookOptions declares a webhook destination.
type WebhookOptions struct {
	ID      string
	URL     string        // http or https
	Token   string        // sent as "Authorization: Bearer <token>"; never logged
	Timeout time.Duration // per POST; 10s when zero
	Client  *http.Client  // nil: a client of its own
}

// Webhook POSTs each notification as JSON; a 2xx answer means delivered,
// anything else (or no answer within Timeout) means "try again later".
//
// The request carries Content-Type: application/json, the bearer token if
// any, and X-Cairn-Notification-Id: the notification's stable id, for
// receivers that drop redeliveries.
type Webhook struct {
	o WebhookOptions
}

// NewWebhook checks o and returns the destination.
func NewWebhook(o WebhookOptions) (*Webhook, error) {
	if err := CheckID(o.ID); err != nil {
		return nil, err
	}
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("notify: webhook %s: %q is not an http(s) URL", o.ID, o.URL)
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Client == nil {
		o.Client = &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 64,
			IdleConnTimeout: 90 * time.Second}}
	}
	return &Webhook{o: o}, nil
}

// ID implements Target.
func (w *Webhook) ID() string { return w.o.ID }

// ARN implements Target.
func (w *Webhook) ARN() string { return ARN(w.o.ID, KindWebhook) }

// String describes the destination without its token.
func (w *Webhook) String() string { return "webhook " + w.o.ID + " " + redactURL(w.o.URL) }

// Send implements Target.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	ctx, cancel := context.WithTimeout(ctx, w.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.o.URL, bytes.NewReader(m.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Cairn-Notification-Id", m.ID)
	if w.o.Token != "" {
		req.Header.Set("Authorization", "Bearer "+w.o.Token)
	}
	resp, err := w.o.Client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", w.o.ID, scrub(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook %s answered %s", w.o.ID, resp.Status)
	}
	return nil
}

// redactURL drops any userinfo from a URL for logs.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// scrub redacts the URL a client error quotes.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = redactURL(ue.URL)
	}
	return err
}
