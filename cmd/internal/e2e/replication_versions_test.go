package e2e

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

// versionListing renders every version and marker of bucket, in S3's
// order, with what must be the same on two converged sites: key, id,
// marker, latest, ETag, size, time and owner.
func versionListing(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	var out []string
	p := s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var entries []string
		for _, v := range page.Versions {
			entries = append(entries, fmt.Sprintf("%s@%s latest=%v etag=%s size=%d t=%s owner=%s", aws.ToString(v.Key),
				aws.ToString(v.VersionId), aws.ToBool(v.IsLatest), aws.ToString(v.ETag), aws.ToInt64(v.Size),
				v.LastModified.Format(time.RFC3339Nano), aws.ToString(v.Owner.ID)))
		}
		for _, m := range page.DeleteMarkers {
			entries = append(entries, fmt.Sprintf("%s@%s latest=%v marker t=%s owner=%s", aws.ToString(m.Key),
				aws.ToString(m.VersionId), aws.ToBool(m.IsLatest), m.LastModified.Format(time.RFC3339Nano), aws.ToString(m.Owner.ID)))
		}
		slices.Sort(entries) // the SDK parses versions and markers apart
		out = append(out, entries...)
	}
	return out
}

func without(list []string, prefix string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(s string) bool { return strings.HasPrefix(s, prefix) })
}

// Versions keep their ids and times, delete markers follow their rule's
// DeleteMarkerReplication, and deleting a version by id stays local, as in
// S3.
func TestReplicationKeepsVersionsAndMarkers(t *testing.T) {
	src, dst := replicatedPair(t, rule("all", 1, "", "dst", "bkt", true), rule("nomarkers", 2, "nomk/", "dst", "bkt", false))
	sc, dc := src.S3(t), dst.S3(t)
	putBytes(t, sc, "bkt", "k", []byte("one"))
	putBytes(t, sc, "bkt", "k", []byte("two"))
	deleteKey(t, sc, "bkt", "k", "")
	gone := aws.ToString(putBytes(t, sc, "bkt", "k2", []byte("first")).VersionId)
	putBytes(t, sc, "bkt", "k2", []byte("second"))
	putBytes(t, sc, "bkt", "nomk/x", []byte("x"))
	deleteKey(t, sc, "bkt", "nomk/x", "")
	waitIdle(t, src, "dst")
	deleteKey(t, sc, "bkt", "k2", gone) // a version delete: not replicated
	waitIdle(t, src, "dst")
	s, d := versionListing(t, sc, "bkt"), versionListing(t, dc, "bkt")
	if !slices.Equal(without(s, "nomk/"), without(without(d, "nomk/"), "k2@"+gone)) || len(d) != len(s) {
		t.Fatalf("listings differ beyond what stays local:\nsource:\n%s\ndestination:\n%s", strings.Join(s, "\n"), strings.Join(d, "\n"))
	}
	if _, err := dc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k2"), VersionId: aws.String(gone)}); err != nil {
		t.Fatalf("the version deleted at the source is gone at the destination: %v", err)
	}
	if got := getBytes(t, dc, "bkt", "nomk/x"); string(got) != "x" {
		t.Fatalf("a marker crossed a rule without DeleteMarkerReplication: %q", got)
	}
	if _, err := dc.HeadObject(ctx, headInput("bkt", "k")); apiCode(err) != "NotFound" {
		t.Fatalf("the replicated marker does not hide k: %v", err)
	}
	// Configurations, outcomes and replicas rebuild from each log alone.
	if live := checkRebuildEqualsLive(t, src); !strings.Contains(live, `\"status\":\"COMPLETED\"`) {
		t.Fatalf("no replication outcome in the source's index:\n%s", live)
	}
	if live := checkRebuildEqualsLive(t, dst); !strings.Contains(live, `\"replica\":true`) {
		t.Fatalf("no replica in the destination's index:\n%s", live)
	}
}

// Object Lock retention and legal hold travel with a version and follow
// its later changes.
func TestReplicationKeepsObjectLock(t *testing.T) {
	dst := testserver.Start(t, fastReplication)
	src := testserver.Start(t, replicatingTo("dst", dst))
	sc, dc := src.S3(t), dst.S3(t)
	mkLockedBucket(t, sc, "bkt")
	mkLockedBucket(t, dc, "bkt")
	putReplication(t, sc, "bkt", rule("all", 1, "", "dst", "bkt", false))
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	vid := putLocked(t, sc, "bkt", "k", func(in *s3.PutObjectInput) {
		in.ObjectLockMode, in.ObjectLockRetainUntilDate = types.ObjectLockModeGovernance, &until
		in.ObjectLockLegalHoldStatus = types.ObjectLockLegalHoldStatusOn
	})
	waitStatus(t, sc, "bkt", "k", "COMPLETED")
	checkLock(t, dc, "bkt", "k", vid, types.ObjectLockModeGovernance, until, true)
	later := until.Add(24 * time.Hour)
	if err := retain(sc, "bkt", "k", vid, types.ObjectLockRetentionModeCompliance, &later, false); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("bkt"), Key: aws.String("k"),
		VersionId: aws.String(vid), LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, src, "dst")
	checkLock(t, dc, "bkt", "k", vid, types.ObjectLockModeCompliance, later, false)
}

// activePair is two sites replicating bucket "bkt" to each other.
func activePair(t *testing.T) (a, b *testserver.TS) {
	t.Helper()
	a = testserver.Start(t, fastReplication)
	b = testserver.Start(t, replicatingTo("a", a))
	cfg := a.Cfg
	cfg.Listen = a.Addr()
	a.Stop(t)
	replicatingTo("b", b)(&cfg) // a restarts declaring b, at the same address
	a = testserver.StartConfig(t, cfg)
	for _, ts := range []*testserver.TS{a, b} {
		mkVersioned(t, ts.S3(t), "bkt")
	}
	putReplication(t, a.S3(t), "bkt", rule("to-b", 1, "", "b", "bkt", true))
	putReplication(t, b.S3(t), "bkt", rule("to-a", 1, "", "a", "bkt", true))
	return a, b
}

// Two sites replicating one bucket to each other, both written to at once
// on the same keys (versions, markers, tags), end with identical version
// listings, current objects and tags; nothing loops: each site holds
// exactly the versions written at either site.
func TestReplicationActiveActiveConverges(t *testing.T) {
	a, b := activePair(t)
	var mu sync.Mutex
	made := 0
	var wg sync.WaitGroup
	for w, c := range []*s3.Client{a.S3(t), b.S3(t), a.S3(t), b.S3(t)} {
		wg.Go(func() {
			n := activeWriter(t, c, rand.New(rand.NewPCG(uint64(w), 7)))
			mu.Lock()
			made += n
			mu.Unlock()
		})
	}
	wg.Wait()
	waitIdle(t, a, "b")
	waitIdle(t, b, "a")
	waitIdle(t, a, "b")
	la, lb := versionListing(t, a.S3(t), "bkt"), versionListing(t, b.S3(t), "bkt")
	if !slices.Equal(la, lb) {
		t.Fatalf("listings differ:\nsite a:\n%s\nsite b:\n%s", strings.Join(la, "\n"), strings.Join(lb, "\n"))
	}
	if len(la) != made {
		t.Fatalf("%d versions and markers on each site, %d written: replication lost some or made more", len(la), made)
	}
	if sent := siteStatus(t, a, "b").Replicated + siteStatus(t, b, "a").Replicated; sent != uint64(made) {
		t.Fatalf("%d replicas sent for %d writes: replicas were sent on", sent, made)
	}
	for i := range 4 {
		key := fmt.Sprintf("k%d", i)
		ga, errA := a.S3(t).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key)})
		gb, errB := b.S3(t).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key)})
		if apiCode(errA) != apiCode(errB) {
			t.Fatalf("%s: %v on a, %v on b", key, errA, errB)
		}
		if errA == nil && (string(readAll(t, ga, nil)) != string(readAll(t, gb, nil)) || tagsIn(t, a, key) != tagsIn(t, b, key)) {
			t.Fatalf("%s: current objects or tags differ", key)
		}
	}
}

// activeWriter puts, deletes (markers) and tags four shared keys at
// random and returns how many versions and markers it made.
func activeWriter(t *testing.T, c *s3.Client, r *rand.Rand) int {
	made := 0
	for i := 0; i < 25; i++ {
		key := fmt.Sprintf("k%d", r.IntN(4))
		var err error
		switch r.IntN(5) {
		case 0:
			_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key)})
			made++
		case 1:
			_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("bkt"), Key: aws.String(key),
				Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("n"), Value: aws.String(fmt.Sprint(i))}}}})
			if apiCode(err) == "NoSuchKey" || apiCode(err) == "MethodNotAllowed" {
				err = nil // nothing current to tag
			}
		default:
			_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key),
				Body: strings.NewReader(fmt.Sprintf("%s %d %d", key, i, r.Uint32()))})
			made++
		}
		if err != nil {
			t.Errorf("%s: %v", key, err)
			return made
		}
	}
	return made
}

func tagsIn(t *testing.T, ts *testserver.TS, key string) string {
	t.Helper()
	return tagsOf(t, ts.S3(t), key)
}

// A site restarted while the other keeps writing to it catches up, and
// the statuses it shows are COMPLETED for its own versions and REPLICA
// for the other's.
func TestReplicationActiveActiveStatuses(t *testing.T) {
	a, b := activePair(t)
	va := aws.ToString(putBytes(t, a.S3(t), "bkt", "from-a", []byte("a")).VersionId)
	vb := aws.ToString(putBytes(t, b.S3(t), "bkt", "from-b", []byte("b")).VersionId)
	waitIdle(t, a, "b")
	waitIdle(t, b, "a")
	for _, c := range []struct {
		ts       *testserver.TS
		key, vid string
		want     string
	}{{a, "from-a", va, "COMPLETED"}, {a, "from-b", vb, "REPLICA"}, {b, "from-a", va, "REPLICA"}, {b, "from-b", vb, "COMPLETED"}} {
		out, err := c.ts.S3(t).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String(c.key)})
		if err != nil || string(out.ReplicationStatus) != c.want || aws.ToString(out.VersionId) != c.vid {
			t.Fatalf("%s on %s: %s %s, want %s %s (%v)", c.key, c.ts.Endpoint, out.ReplicationStatus, aws.ToString(out.VersionId), c.want, c.vid, err)
		}
	}
}
