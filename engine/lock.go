package engine

import (
	"context"
	"time"

	"github.com/cairnstore/cairn/log/event"
)

// Object Lock: a bucket created with it (or a versioned bucket that turns
// it on) keeps every version it protects. A version's retention (a mode
// and a date) and legal hold are set when it is made, from the request's
// x-amz-object-lock-* headers or the bucket's default retention, and can
// be changed later. Deleting a version by id is refused while it is
// protected: by a legal hold, by COMPLIANCE retention (anyone, root
// included, until the date passes), by GOVERNANCE retention (unless the
// request bypasses it and may). A DELETE without a version id still makes
// a delete marker, which protects nothing and removes nothing.

// Retention modes.
const (
	LockGovernance = event.LockGovernance
	LockCompliance = event.LockCompliance
)

// LockSpec is the Object Lock a write asks for.
type LockSpec struct {
	Mode      string    // GOVERNANCE, COMPLIANCE, or "" (none asked)
	Until     time.Time // with Mode
	LegalHold string    // ON, OFF, or "" (none asked)
}

func (s *LockSpec) asked() bool { return s != nil && (s.Mode != "" || s.LegalHold != "") }

// LockConfig is a bucket's Object Lock configuration: its default
// retention, DefaultMode with DefaultDays or DefaultYears ("" for none).
type LockConfig = event.BucketObjectLockSet

// askLock checks what a write asks for against b before any byte is read:
// Object Lock settings need a bucket with Object Lock and a date in the
// future, and an upload that will be locked (by the request or the
// bucket's default retention) needs a digest of its body.
func (e *Engine) askLock(b Bucket, spec *LockSpec, hasDigest bool) error {
	switch {
	case spec.asked() && b.lock == nil:
		return ErrBucketNotLocked
	case spec != nil && spec.Mode != "" && !spec.Until.After(e.o.Now()):
		return ErrRetainDatePast
	case !hasDigest && (spec.asked() || b.lock != nil && b.lock.DefaultMode != ""):
		return ErrLockNeedsContentDigest
	}
	return nil
}

// lockFor resolves the lock of a version made at t in b: the retention
// asked for, else the bucket's default; the legal hold asked for.
func lockFor(b Bucket, spec *LockSpec, t time.Time) event.Lock {
	var l event.Lock
	if b.lock == nil {
		return l
	}
	switch {
	case spec != nil && spec.Mode != "":
		until := spec.Until.UTC()
		l.LockMode, l.RetainUntil = spec.Mode, &until
	case b.lock.DefaultMode != "":
		until := t.AddDate(b.lock.DefaultYears, 0, b.lock.DefaultDays).UTC()
		l.LockMode, l.RetainUntil = b.lock.DefaultMode, &until
	}
	l.LegalHold = spec != nil && spec.LegalHold == "ON"
	return l
}

// protected says why version o cannot be removed now, or nil. bypass is
// x-amz-bypass-governance-retention: true, which counts only for a
// principal allowed s3:BypassGovernanceRetention.
func (e *Engine) protected(ctx context.Context, b Bucket, o ObjectInfo, bypass bool) error {
	if o.LegalHold {
		return ErrObjectLocked
	}
	if o.RetainUntil == nil || !o.RetainUntil.After(e.o.Now()) {
		return nil
	}
	if o.LockMode == LockCompliance {
		return ErrObjectLocked
	}
	return e.bypassGovernance(ctx, b, o.Key, bypass)
}

// bypassGovernance lets a request past GOVERNANCE retention if it asks to
// and may.
func (e *Engine) bypassGovernance(ctx context.Context, b Bucket, key string, bypass bool) error {
	if !bypass || e.authorize(ctx, "BypassGovernanceRetention", b.Name, key) != nil {
		return ErrObjectLocked
	}
	return nil
}

// ObjectLockConfig returns a bucket's Object Lock configuration;
// ErrNoLockConfiguration when it has none.
func (e *Engine) ObjectLockConfig(ctx context.Context, bucket string) (LockConfig, error) {
	b, err := e.bucket(ctx, bucket)
	if err == nil && b.lock == nil {
		err = ErrNoLockConfiguration
	}
	if err != nil {
		return LockConfig{}, err
	}
	return *b.lock, nil
}

// PutObjectLockConfig turns Object Lock on (for good: a bucket with
// versioning Enabled only) and sets its default retention.
func (e *Engine) PutObjectLockConfig(ctx context.Context, bucket, actor string, c LockConfig) error {
	if c.DefaultMode != "" && (c.DefaultDays > 0) == (c.DefaultYears > 0) || c.DefaultDays < 0 || c.DefaultYears < 0 ||
		c.DefaultMode == "" && c.DefaultDays+c.DefaultYears != 0 {
		return ErrInvalidRetention
	}
	rec, err := e.bucketRecord(ctx, bucket)
	if err != nil {
		return err
	}
	if rec.Versioning != VersioningEnabled {
		return ErrLockNeedsVersioning
	}
	if err := e.bucketConfigEvent(ctx, rec, actor, &c); err != nil {
		return err
	}
	// Racing a suspension, the projection keeps whichever came first.
	if b, err := e.bucket(ctx, bucket); err != nil || b.lock == nil {
		return ErrLockNeedsVersioning
	}
	return nil
}

// Retention is a version's retention: a mode and a date (Mode "" for
// none).
type Retention struct {
	Mode  string
	Until time.Time
}

// ObjectRetention returns the retention of a version ("": the current
// one) and the version's id; ErrNoObjectLock when it has none.
func (e *Engine) ObjectRetention(ctx context.Context, bucket, key, vid string) (Retention, string, error) {
	b, o, err := e.objectAt(ctx, bucket, key, vid)
	if err == nil && b.lock == nil {
		err = ErrBucketNotLocked
	}
	if err == nil && o.RetainUntil == nil {
		err = ErrNoObjectLock
	}
	if err != nil {
		return Retention{}, "", err
	}
	return Retention{Mode: o.LockMode, Until: *o.RetainUntil}, o.VersionID, nil
}

// PutRetentionInput changes the retention of a version.
type PutRetentionInput struct {
	Bucket, Key, VersionID string // VersionID "": the current version
	Actor                  string
	Retention                   // Mode "" removes it
	Bypass                 bool // x-amz-bypass-governance-retention: true
}

// PutObjectRetention sets a version's retention, as S3 allows: a
// COMPLIANCE retention can only be kept or extended; a GOVERNANCE one can
// be extended or made COMPLIANCE, and shortened or removed only with a
// bypass. It returns the version's id.
func (e *Engine) PutObjectRetention(ctx context.Context, in PutRetentionInput) (string, error) {
	// A replica write applies what the source decided: its checks are done.
	replica := replicaOf(ctx) != nil
	if in.Mode != "" && !in.Until.After(e.o.Now()) && !replica {
		return "", ErrRetainDatePast
	}
	var shown string
	b, err := e.bucket(ctx, in.Bucket)
	if err != nil {
		return "", err
	}
	err = e.guardedAppend(ctx, b, in.Key, func() (*event.Event, error) {
		b, o, err := e.objectAt(ctx, in.Bucket, in.Key, in.VersionID)
		if err == nil && b.lock == nil {
			err = ErrBucketNotLocked
		}
		if err == nil && !replica {
			err = e.mayChangeRetention(ctx, b, o, in)
		}
		if err != nil {
			return nil, err
		}
		p := &event.ObjectRetentionSet{Mode: in.Mode}
		if in.Mode != "" {
			until := in.Until.UTC()
			p.RetainUntil = &until
		}
		shown = o.VersionID
		ev := &event.Event{Header: e.header(ctx, in.Actor), Payload: p}
		ev.Bucket, ev.BucketID, ev.Key, ev.VersionID = in.Bucket, b.id, in.Key, o.VersionID
		return ev, nil
	})
	return shown, err
}

// mayChangeRetention checks a retention change against the one in force.
func (e *Engine) mayChangeRetention(ctx context.Context, b Bucket, o ObjectInfo, in PutRetentionInput) error {
	if o.RetainUntil == nil || !o.RetainUntil.After(e.o.Now()) {
		return nil // none in force: anything goes
	}
	weaker := in.Mode == "" || in.Until.Before(*o.RetainUntil)
	switch {
	case o.LockMode == LockCompliance && (weaker || in.Mode != LockCompliance):
		return ErrObjectLocked
	case o.LockMode == LockGovernance && weaker:
		return e.bypassGovernance(ctx, b, o.Key, in.Bypass)
	}
	return nil
}

// ObjectLegalHold returns whether a version ("": the current one) is
// under legal hold. A version whose legal hold was never set is not
// (cairn answers OFF where S3 may answer NoSuchObjectLockConfiguration).
func (e *Engine) ObjectLegalHold(ctx context.Context, bucket, key, vid string) (bool, string, error) {
	b, o, err := e.objectAt(ctx, bucket, key, vid)
	if err == nil && b.lock == nil {
		err = ErrBucketNotLocked
	}
	return o.LegalHold, o.VersionID, err
}

// PutObjectLegalHold turns a version's legal hold on or off and returns
// the version's id.
func (e *Engine) PutObjectLegalHold(ctx context.Context, bucket, key, vid, actor string, on bool) (string, error) {
	b, o, err := e.objectAt(ctx, bucket, key, vid)
	if err == nil && b.lock == nil {
		err = ErrBucketNotLocked
	}
	if err != nil {
		return "", err
	}
	return o.VersionID, e.appendVersionEvent(ctx, b, key, o.VersionID, actor, &event.ObjectLegalHoldSet{On: on})
}
