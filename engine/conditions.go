package engine

import (
	"strings"
	"time"
)

// Conditions are a request's preconditions on the current object, as S3
// applies RFC 9110: If-Match (else If-Unmodified-Since) can fail with 412;
// then If-None-Match (else If-Modified-Since) can answer 304 on reads.
type Conditions struct {
	IfMatch           string    // entity tags, comma separated, or "*"
	IfNoneMatch       string    // entity tags, comma separated, or "*"
	IfModifiedSince   time.Time // zero when absent
	IfUnmodifiedSince time.Time // zero when absent
}

// any reports whether some condition is set.
func (c Conditions) any() bool {
	return c.IfMatch != "" || c.IfNoneMatch != "" || !c.IfModifiedSince.IsZero() || !c.IfUnmodifiedSince.IsZero()
}

// checkRead evaluates c against the object o for GET and HEAD: nil,
// ErrPreconditionFailed or ErrNotModified.
func (c Conditions) checkRead(o ObjectInfo) error {
	// HTTP dates have second precision; so has the comparison.
	mod := o.Modified.Truncate(time.Second)
	switch {
	case c.IfMatch != "":
		if !etagMatches(c.IfMatch, o.ETag) {
			return ErrPreconditionFailed
		}
	case !c.IfUnmodifiedSince.IsZero() && mod.After(c.IfUnmodifiedSince):
		return ErrPreconditionFailed
	}
	switch {
	case c.IfNoneMatch != "":
		if etagMatches(c.IfNoneMatch, o.ETag) {
			return ErrNotModified
		}
	case !c.IfModifiedSince.IsZero() && !mod.After(c.IfModifiedSince):
		return ErrNotModified
	}
	return nil
}

// etagMatches reports whether list (entity tags separated by commas,
// quoted or not, weak or strong, or "*") names etag.
func etagMatches(list, etag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		t = strings.Trim(strings.TrimPrefix(t, "W/"), `"`)
		if t == etag {
			return true
		}
	}
	return false
}

// WriteConditions are the preconditions of a write on the current object:
// If-None-Match: * (the key must not exist) and If-Match (its ETag must be
// one of these).
type WriteConditions struct {
	IfMatch     string
	IfNoneMatch string // "*" only
}

func (c WriteConditions) set() bool { return c.IfMatch != "" || c.IfNoneMatch != "" }

// check evaluates c against the current object (found false: there is
// none). If-Match on a missing key is NoSuchKey, as in S3.
func (c WriteConditions) check(o ObjectInfo, found bool) error {
	if c.IfNoneMatch != "" && found {
		return ErrPreconditionFailed
	}
	if c.IfMatch != "" {
		if !found {
			return ErrNoSuchKey
		}
		if !etagMatches(c.IfMatch, o.ETag) {
			return ErrPreconditionFailed
		}
	}
	return nil
}
