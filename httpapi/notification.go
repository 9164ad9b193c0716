package httpapi

import (
	"net/http"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi/s3err"
	"github.com/cairnstore/cairn/httpapi/s3xml"
)

// putBucketNotification replaces the configuration; an empty
// NotificationConfiguration removes it, as in S3.
func (h *Handler) putBucketNotification(w http.ResponseWriter, r *http.Request, q *request) error {
	var cfg s3xml.NotificationConfiguration
	found, err := readXMLBody(r, q, &cfg)
	if err != nil {
		return err
	}
	if !found {
		return s3err.New(s3err.MalformedXML, "")
	}
	if cfg.EventBridgeConfiguration != nil {
		return s3err.New(s3err.NotImplemented, "cairn does not deliver to Amazon EventBridge.")
	}
	var rules []engine.NotificationRule
	for _, c := range cfg.TopicConfigurations {
		rules = append(rules, engine.NotificationRule{ID: c.ID, Kind: engine.RuleTopic, ARN: c.Topic, Events: c.Events, Filter: filterIn(c.Filter)})
	}
	for _, c := range cfg.QueueConfigurations {
		rules = append(rules, engine.NotificationRule{ID: c.ID, Kind: engine.RuleQueue, ARN: c.Queue, Events: c.Events, Filter: filterIn(c.Filter)})
	}
	for _, c := range cfg.CloudFunctionConfigurations {
		rules = append(rules, engine.NotificationRule{ID: c.ID, Kind: engine.RuleFunction, ARN: c.CloudFunction, Events: c.Events, Filter: filterIn(c.Filter)})
	}
	if err := h.o.Engine.PutBucketNotification(r.Context(), q.bucket, q.actor(), rules); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func filterIn(f *s3xml.NotificationFilter) []engine.FilterRule {
	if f == nil {
		return nil
	}
	out := make([]engine.FilterRule, len(f.Rules))
	for i, fr := range f.Rules {
		out[i] = engine.FilterRule{Name: fr.Name, Value: fr.Value}
	}
	return out
}

func filterOut(rules []engine.FilterRule) *s3xml.NotificationFilter {
	if len(rules) == 0 {
		return nil
	}
	f := &s3xml.NotificationFilter{}
	for _, fr := range rules {
		f.Rules = append(f.Rules, s3xml.FilterRule{Name: fr.Name, Value: fr.Value})
	}
	return f
}

func (h *Handler) getBucketNotification(w http.ResponseWriter, r *http.Request, q *request) error {
	rules, err := h.o.Engine.GetBucketNotification(r.Context(), q.bucket)
	if err != nil {
		return err
	}
	out := s3xml.NotificationConfiguration{NS: s3xml.NS}
	for _, rl := range rules {
		switch rl.Kind {
		case engine.RuleTopic:
			out.TopicConfigurations = append(out.TopicConfigurations, s3xml.TopicConfiguration{ID: rl.ID, Topic: rl.ARN, Events: rl.Events, Filter: filterOut(rl.Filter)})
		case engine.RuleFunction:
			out.CloudFunctionConfigurations = append(out.CloudFunctionConfigurations,
				s3xml.CloudFunctionConfiguration{ID: rl.ID, CloudFunction: rl.ARN, Events: rl.Events, Filter: filterOut(rl.Filter)})
		default:
			out.QueueConfigurations = append(out.QueueConfigurations, s3xml.QueueConfiguration{ID: rl.ID, Queue: rl.ARN, Events: rl.Events, Filter: filterOut(rl.Filter)})
		}
	}
	return writeXML(w, http.StatusOK, out)
}
