package httpapi

import (
	"net/http"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi/s3err"
	"github.com/cairnstore/cairn/httpapi/s3xml"
)

// putBucketReplication replaces a bucket's replication configuration.
func (h *Handler) putBucketReplication(w http.ResponseWriter, r *http.Request, q *request) error {
	var cfg s3xml.ReplicationConfiguration
	found, err := readXMLBody(r, q, &cfg)
	if err != nil {
		return err
	}
	if !found {
		return s3err.New(s3err.MalformedXML, "")
	}
	in := engine.ReplicationConfig{Role: cfg.Role}
	for _, rl := range cfg.Rules {
		in.Rules = append(in.Rules, ruleIn(rl))
	}
	if err := h.o.Engine.PutBucketReplication(r.Context(), q.bucket, q.actor(), in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) getBucketReplication(w http.ResponseWriter, r *http.Request, q *request) error {
	cfg, err := h.o.Engine.GetBucketReplication(r.Context(), q.bucket)
	if err != nil {
		return err
	}
	out := s3xml.ReplicationConfiguration{NS: s3xml.NS, Role: cfg.Role}
	for _, rl := range cfg.Rules {
		out.Rules = append(out.Rules, ruleOut(rl))
	}
	return writeXML(w, http.StatusOK, out)
}

func (h *Handler) deleteBucketReplication(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := h.o.Engine.DeleteBucketReplication(r.Context(), q.bucket, q.actor()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ruleIn is a rule in the engine's terms.
func ruleIn(rl s3xml.ReplicationRule) engine.ReplicationRule {
	out := engine.ReplicationRule{ID: rl.ID, Priority: rl.Priority, Status: rl.Status, Prefix: rl.Prefix,
		DeleteMarkerReplication: statusOf(rl.DeleteMarkerReplication), ExistingObjectReplication: statusOf(rl.ExistingObjectReplication),
		DestinationBucket: rl.Destination.Bucket, StorageClass: rl.Destination.StorageClass}
	if f := rl.Filter; f != nil {
		out.Filter = &engine.ReplicationFilter{}
		if f.Prefix != nil {
			out.Filter.Prefix = *f.Prefix
			out.Filter.Elements++
		}
		if f.Tag != nil {
			out.Filter.Tags = []engine.Tag{{Key: f.Tag.Key, Value: f.Tag.Value}}
			out.Filter.Elements++
		}
		if f.And != nil {
			out.Filter.And = true
			out.Filter.Elements++
			if f.And.Prefix != nil {
				out.Filter.Prefix = *f.And.Prefix
			}
			for _, t := range f.And.Tags {
				out.Filter.Tags = append(out.Filter.Tags, engine.Tag{Key: t.Key, Value: t.Value})
			}
		}
	}
	d, ssc := rl.Destination, rl.SourceSelectionCriteria
	switch {
	case d.AccessControlTranslation != nil:
		out.Unsupported = "AccessControlTranslation"
	case d.EncryptionConfiguration != nil:
		out.Unsupported = "EncryptionConfiguration"
	case ssc != nil && statusOf(ssc.SseKmsEncryptedObjects) == "Enabled":
		out.Unsupported = "SseKmsEncryptedObjects"
	}
	return out
}

func statusOf(s *s3xml.StatusElement) string {
	if s == nil {
		return ""
	}
	return s.Status
}

// ruleOut is a rule as S3's XML shows it.
func ruleOut(rl engine.ReplicationRule) s3xml.ReplicationRule {
	out := s3xml.ReplicationRule{ID: rl.ID, Status: rl.Status, Priority: rl.Priority, Prefix: rl.Prefix,
		Destination: s3xml.ReplicationDestination{Bucket: rl.DestinationBucket, StorageClass: rl.StorageClass}}
	if rl.DeleteMarkerReplication != "" {
		out.DeleteMarkerReplication = &s3xml.StatusElement{Status: rl.DeleteMarkerReplication}
	}
	if rl.ExistingObjectReplication != "" {
		out.ExistingObjectReplication = &s3xml.StatusElement{Status: rl.ExistingObjectReplication}
	}
	if f := rl.Filter; f != nil {
		var tags []s3xml.Tag
		for _, t := range f.Tags {
			tags = append(tags, s3xml.Tag{Key: t.Key, Value: t.Value})
		}
		switch {
		case f.And:
			out.Filter = &s3xml.ReplicationFilter{And: &s3xml.ReplicationAnd{Prefix: &f.Prefix, Tags: tags}}
		case len(tags) == 1:
			out.Filter = &s3xml.ReplicationFilter{Tag: &tags[0]}
		default:
			out.Filter = &s3xml.ReplicationFilter{Prefix: &f.Prefix}
		}
	}
	return out
}
