package engine

import (
	"context"
	"fmt"
	"regexp"
	"unicode/utf8"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
)

// Tag limits, as in S3.
const (
	MaxObjectTags = 10
	MaxBucketTags = 50
	maxTagKey     = 128
	maxTagValue   = 256
)

// Tag is one key and value.
type Tag struct{ Key, Value string }

// tagChars is S3's pattern for tag keys and values.
var tagChars = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// TagError says why a tag set is refused; it matches ErrInvalidTag.
type TagError struct{ Reason string }

func (e *TagError) Error() string { return "engine: invalid tag: " + e.Reason }

// Is makes errors.Is(err, ErrInvalidTag) hold.
func (e *TagError) Is(target error) bool { return target == ErrInvalidTag }

// TagSet checks tags against S3's rules (at most limit tags, unique keys of
// 1 to 128 characters, values up to 256, S3's character set, no "aws:"
// prefix) and returns them as a map; nil for an empty set.
func TagSet(tags []Tag, limit int) (map[string]string, error) {
	if len(tags) > limit {
		return nil, &TagError{fmt.Sprintf("at most %d tags are allowed", limit)}
	}
	var m map[string]string
	for _, t := range tags {
		switch {
		case utf8.RuneCountInString(t.Key) < 1 || utf8.RuneCountInString(t.Key) > maxTagKey || !tagChars.MatchString(t.Key):
			return nil, &TagError{"The TagKey you have provided is invalid"}
		case utf8.RuneCountInString(t.Value) > maxTagValue || !tagChars.MatchString(t.Value):
			return nil, &TagError{"The TagValue you have provided is invalid"}
		case len(t.Key) >= 4 && (t.Key[:4] == "aws:" || t.Key[:4] == "AWS:"):
			return nil, &TagError{"Your TagKey cannot be prefixed with aws:"}
		}
		if m == nil {
			m = make(map[string]string, len(tags))
		}
		if _, dup := m[t.Key]; dup {
			return nil, &TagError{"Cannot provide multiple Tags with the same key"}
		}
		m[t.Key] = t.Value
	}
	return m, nil
}

// PutObjectTagging replaces the tags of a version of key ("": the current
// object; an empty set removes them) and returns the version's id.
func (e *Engine) PutObjectTagging(ctx context.Context, bucket, key, vid, actor string, tags []Tag) (string, error) {
	set, err := TagSet(tags, MaxObjectTags)
	if err != nil {
		return "", err
	}
	b, o, err := e.objectAt(ctx, bucket, key, vid)
	if err != nil {
		return "", err
	}
	return o.VersionID, e.appendVersionEvent(ctx, b, key, o.VersionID, actor, &event.ObjectTagged{Tags: set})
}

// PutBucketTagging replaces a bucket's tags (an empty set removes them).
func (e *Engine) PutBucketTagging(ctx context.Context, bucket, actor string, tags []Tag) error {
	set, err := TagSet(tags, MaxBucketTags)
	if err != nil {
		return err
	}
	b, err := e.bucket(ctx, bucket)
	if err != nil {
		return err
	}
	ev := &event.Event{Header: e.header(ctx, actor), Payload: &event.BucketTagged{Tags: set}}
	ev.Bucket, ev.BucketID = bucket, b.id
	_, err = e.appendEvent(ctx, stream.BucketConfigSubject(b.id), ev, nil)
	return err
}
