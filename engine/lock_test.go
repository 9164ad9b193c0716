package engine

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cairnstore/cairn/engine/checksum"
)

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (te *testEngine) putLocked(t *testing.T, key string, spec *LockSpec) string {
	t.Helper()
	res, err := te.PutObject(ctx, PutObjectInput{Bucket: "locked", Key: key, Actor: "AK", Size: 1, Body: bytes.NewReader([]byte("x")),
		Checksum: Checksum{Algorithm: checksum.CRC32}, Lock: spec})
	if err != nil {
		t.Fatal(err)
	}
	return res.VersionID
}

// Retention ends when its date passes: a COMPLIANCE version nobody could
// remove becomes removable, and a GOVERNANCE one needs no bypass.
func TestRetentionEndsWhenItsDatePasses(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	te := newTestEngineWith(t, 0, false, func(o *Options) { o.Now = clk.Now })
	if err := te.CreateBucket(ctx, CreateBucketInput{Name: "locked", ObjectLock: true}); err != nil {
		t.Fatal(err)
	}
	until := clk.Now().Add(24 * time.Hour)
	comp := te.putLocked(t, "c", &LockSpec{Mode: LockCompliance, Until: until})
	gov := te.putLocked(t, "g", &LockSpec{Mode: LockGovernance, Until: until})
	for key, vid := range map[string]string{"c": comp, "g": gov} {
		if _, err := te.DeleteObject(ctx, DeleteInput{Bucket: "locked", Key: key, VersionID: vid, Actor: "AK"}); !errors.Is(err, ErrObjectLocked) {
			t.Fatalf("%s before the date: %v", key, err)
		}
	}
	clk.add(24*time.Hour + time.Second)
	for key, vid := range map[string]string{"c": comp, "g": gov} {
		if _, err := te.DeleteObject(ctx, DeleteInput{Bucket: "locked", Key: key, VersionID: vid, Actor: "AK"}); err != nil {
			t.Fatalf("%s after the date: %v", key, err)
		}
		if _, _, err := te.ObjectRetention(ctx, "locked", key, vid); !errors.Is(err, ErrNoSuchVersion) {
			t.Fatalf("%s is still there: %v", key, err)
		}
	}
}

// A version's time never goes back from its key's newest version, so a
// write after the clock stepped back is still the current one.
func TestNewVersionsStayNewestWhenTheClockStepsBack(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	te := newTestEngineWith(t, 0, false, func(o *Options) { o.Now = clk.Now })
	if err := te.PutBucketVersioning(ctx, "bkt", "AK", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	put := func(body string) string {
		res, err := te.PutObject(ctx, PutObjectInput{Bucket: "bkt", Key: "k", Actor: "AK", Size: int64(len(body)), Body: bytes.NewReader([]byte(body))})
		if err != nil {
			t.Fatal(err)
		}
		return res.VersionID
	}
	put("first")
	clk.add(-time.Hour)
	second := put("second")
	o, _, err := te.HeadObject(ctx, ReadInput{Bucket: "bkt", Key: "k"})
	if err != nil || o.VersionID != second || o.Size != 6 {
		t.Fatalf("current %+v %v, want the second write", o, err)
	}
	if err := te.PutBucketVersioning(ctx, "bkt", "AK", VersioningSuspended); err != nil {
		t.Fatal(err)
	}
	clk.add(-time.Hour)
	if vid := put("null!"); vid != NullVersion {
		t.Fatalf("suspended PUT made %q", vid)
	}
	if o, _, err := te.HeadObject(ctx, ReadInput{Bucket: "bkt", Key: "k"}); err != nil || o.VersionID != NullVersion {
		t.Fatalf("current %+v %v, want the null version", o, err)
	}
}
