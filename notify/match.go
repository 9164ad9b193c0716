package notify

import (
	"strings"

	"github.com/cairnstore/cairn/log/event"
)

// EventName is S3's name for what ev did ("ObjectCreated:Put", ...), or ""
// when it causes no notification. Object events only: bucket events have
// none in S3. Of replication's, cairn sends OperationFailedReplication:
// the others are about S3 Replication Time Control's 15-minute threshold,
// which cairn does not offer.
func EventName(ev *event.Event) string {
	switch p := ev.Payload.(type) {
	case *event.ObjectPut:
		switch {
		case p.UploadID != "":
			return "ObjectCreated:CompleteMultipartUpload"
		case p.CopySource != "":
			return "ObjectCreated:Copy"
		case p.Post:
			return "ObjectCreated:Post"
		}
		return "ObjectCreated:Put"
	case *event.ObjectDeleted: // an object, or a version removed for good
		return "ObjectRemoved:Delete"
	case *event.ObjectMarkerCreated:
		return "ObjectRemoved:DeleteMarkerCreated"
	case *event.ObjectTagged:
		if len(p.Tags) == 0 {
			return "ObjectTagging:Delete"
		}
		return "ObjectTagging:Put"
	case *event.ObjectACLSet:
		return "ObjectAcl:Put"
	case *event.ObjectReplicated: // recorded once per reason while retries go on
		if p.Status == event.ReplicationFailed {
			return "Replication:OperationFailedReplication"
		}
	}
	return ""
}

// Filter selects events: by S3 event name pattern ("s3:ObjectCreated:*",
// "s3:ObjectRemoved:Delete"; none selects every event) and by key prefix
// and suffix. It is a notification rule's filter, and a listen request's.
type Filter struct {
	Events []string
	Prefix string
	Suffix string
}

// Match says whether the event named name (as EventName gives it) on key
// passes the filter.
func (f Filter) Match(name, key string) bool {
	if !strings.HasPrefix(key, f.Prefix) || !strings.HasSuffix(key, f.Suffix) {
		return false
	}
	if len(f.Events) == 0 {
		return true
	}
	full := "s3:" + name
	for _, p := range f.Events {
		if p == full || (strings.HasSuffix(p, ":*") && strings.HasPrefix(full, strings.TrimSuffix(p, "*"))) {
			return true
		}
	}
	return false
}

// ruleFilter is a notification rule's filter.
func ruleFilter(r event.NotificationRule) Filter {
	return Filter{Events: r.Events, Prefix: r.Prefix, Suffix: r.Suffix}
}
