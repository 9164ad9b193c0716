package crash

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// versionWorkload writes a version history: versioned, suspended and
// Object Lock buckets; versions, delete markers, version deletions
// (markers included, restoring what they hid), suspended null overwrites
// and null markers, version tags, retention and legal holds, and a
// versioned bucket emptied and deleted.
func versionWorkload(t *testing.T, c *s3.Client) {
	t.Helper()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	put := func(bucket, key, body string) string {
		t.Helper()
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.VersionId)
	}
	del := func(bucket, key, vid string) string {
		t.Helper()
		in := &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
		if vid != "" {
			in.VersionId = aws.String(vid)
		}
		out, err := c.DeleteObject(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.VersionId)
	}
	versioning := func(bucket string, s types.BucketVersioningStatus) {
		must(c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
			VersioningConfiguration: &types.VersioningConfiguration{Status: s}}))
	}
	for _, b := range []string{"hist", "gone"} {
		must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}))
	}
	for i := 0; i < 20; i++ {
		put("hist", fmt.Sprintf("k%02d", i), "before versioning") // null versions
	}
	versioning("hist", types.BucketVersioningStatusEnabled)
	for i := 0; i < 20; i++ {
		key := fmt.Sprintf("k%02d", i)
		v := put("hist", key, strings.Repeat("v", i))
		put("hist", key, "newer")
		switch i % 4 {
		case 0:
			del("hist", key, del("hist", key, "")) // a marker, then the marker removed
		case 1:
			del("hist", key, "") // hidden behind a marker
		case 2:
			del("hist", key, v) // an old version removed
			must(c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("hist"), Key: aws.String(key),
				VersionId: aws.String("null"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("t"), Value: aws.String(key)}}}}))
		}
	}
	versioning("hist", types.BucketVersioningStatusSuspended)
	for i := 0; i < 20; i += 3 {
		key := fmt.Sprintf("k%02d", i)
		put("hist", key, "suspended") // replaces the null version
		if i%2 == 0 {
			del("hist", key, "") // a null marker in its place
		}
	}
	lockedWorkload(t, c, put)
	versioning("gone", types.BucketVersioningStatusEnabled)
	v := put("gone", "x", "y")
	del("gone", "x", del("gone", "x", ""))
	del("gone", "x", v)
	must(c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("gone")}))
}

func lockedWorkload(t *testing.T, c *s3.Client, put func(bucket, key, body string) string) {
	t.Helper()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vault"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("vault"),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
			Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(1)}}}}); err != nil {
		t.Fatal(err)
	}
	v := put("vault", "doc", "kept")
	until := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	if _, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String("vault"), Key: aws.String("doc"), VersionId: aws.String(v),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeCompliance, RetainUntilDate: &until}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("vault"), Key: aws.String("doc"),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}}); err != nil {
		t.Fatal(err)
	}
}

// listAllVersions renders every version and marker of a bucket.
func listAllVersions(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	var got []string
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)}
	for {
		out, err := c.ListObjectVersions(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.Versions {
			got = append(got, fmt.Sprintf("%s@%s latest=%v etag=%s", aws.ToString(v.Key), aws.ToString(v.VersionId), aws.ToBool(v.IsLatest), aws.ToString(v.ETag)))
		}
		for _, m := range out.DeleteMarkers {
			got = append(got, fmt.Sprintf("%s@%s latest=%v marker", aws.ToString(m.Key), aws.ToString(m.VersionId), aws.ToBool(m.IsLatest)))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
	slices.Sort(got)
	return got
}

// TestRebuildMatchesLiveIndexWithVersions: a full version history —
// versions, markers, removals, suspended null overwrites, Object Lock —
// is rebuilt from the log into the index the live server built, and the
// server answers the same history after the rebuild.
func TestRebuildMatchesLiveIndexWithVersions(t *testing.T) {
	dir := t.TempDir()
	p := startProc(t, dir)
	versionWorkload(t, p.client())
	before := listAllVersions(t, p.client(), "hist")
	p.stop(t)
	live := dumpIndex(t, dir)
	if !strings.Contains(live, `\"marker\":true`) || !strings.Contains(live, `\"lockMode\":\"COMPLIANCE\"`) || len(before) < 50 {
		t.Fatalf("the workload made no markers or locks (%d versions):\n%s", len(before), live)
	}
	rebuildEqualsLive(t, dir)
	p = startProc(t, dir)
	defer p.stop(t)
	if after := listAllVersions(t, p.client(), "hist"); !slices.Equal(after, before) {
		t.Fatalf("versions after the rebuild:\n%s\nbefore:\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
}

// versionLedger records what a versioned bucket acknowledged.
type versionLedger struct {
	mu       sync.Mutex
	versions map[string][16]byte // key@vid -> md5 of the body
	markers  map[string]bool     // key@vid of acknowledged delete markers
	removed  map[string]bool     // key@vid of acknowledged version deletions
}

func (l *versionLedger) record(m map[string]bool, key, vid string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m[key+"@"+vid] = true
}

// someVersion picks an acknowledged version to delete.
func (l *versionLedger) someVersion(r *rand.Rand) (key, vid string, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for kv := range l.versions {
		if r.IntN(3) == 0 {
			delete(l.versions, kv) // uncertain until acknowledged
			key, vid, _ = strings.Cut(kv, "@")
			return key, vid, true
		}
	}
	return "", "", false
}

// versionWriter makes versions of a few keys, delete markers and version
// deletions until the server dies or stop closes.
func versionWriter(c *s3.Client, led *versionLedger, r *rand.Rand, stop chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		key := fmt.Sprintf("k%d", r.IntN(8))
		in := &s3.DeleteObjectInput{Bucket: aws.String("crash-v"), Key: aws.String(key)}
		switch i % 6 {
		case 4: // a delete marker
			out, err := c.DeleteObject(ctx, in)
			if err != nil {
				return
			}
			led.record(led.markers, key, aws.ToString(out.VersionId))
			continue
		case 5: // a version removed for good
			if k, vid, ok := led.someVersion(r); ok {
				in.Key, in.VersionId = aws.String(k), aws.String(vid)
				if _, err := c.DeleteObject(ctx, in); err != nil {
					return
				}
				led.record(led.removed, k, vid)
				continue
			}
		}
		body := []byte(fmt.Sprintf("%s %d %d", key, i, r.Uint64()))
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("crash-v"), Key: aws.String(key), Body: bytes.NewReader(body)})
		if err != nil {
			return
		}
		led.mu.Lock()
		led.versions[key+"@"+aws.ToString(out.VersionId)] = md5.Sum(body)
		led.mu.Unlock()
	}
}

// TestKill9KeepsEveryAcknowledgedVersion: writers make versions, markers
// and version deletions in a versioned bucket; after kill -9 and a
// restart every acknowledged version reads back by its id, every
// acknowledged marker is listed, every acknowledged deletion holds, and
// the index rebuilt from the log is the live one.
func TestKill9KeepsEveryAcknowledgedVersion(t *testing.T) {
	seed := uint64(envInt("CAIRN_KILL_SEED", int(time.Now().UnixNano()%1e9)))
	t.Logf("seed %d (rerun with CAIRN_KILL_SEED=%d)", seed, seed)
	r := rand.New(rand.NewPCG(seed, seed))
	dir := t.TempDir()
	led := &versionLedger{versions: map[string][16]byte{}, markers: map[string]bool{}, removed: map[string]bool{}}
	p := startProc(t, dir)
	c := p.client()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("crash-v")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("crash-v"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			versionWriter(c, led, rand.New(rand.NewPCG(seed, uint64(w))), stop)
		}(w)
	}
	time.Sleep(time.Duration(300+r.IntN(700)) * time.Millisecond) // lint:ignore TimeSleep the random moment of the kill, not a wait
	p.kill(t)
	close(stop)
	wg.Wait()
	p = startProc(t, dir)
	verifyVersions(t, p.client(), led)
	p.stop(t)
	rebuildEqualsLive(t, dir)
}

func verifyVersions(t *testing.T, c *s3.Client, led *versionLedger) {
	t.Helper()
	for kv, sum := range led.versions {
		key, vid, _ := strings.Cut(kv, "@")
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("crash-v"), Key: aws.String(key), VersionId: aws.String(vid)})
		if err != nil {
			t.Fatalf("acknowledged version %s lost after kill -9: %v", kv, err)
		}
		b, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || md5.Sum(b) != sum {
			t.Fatalf("acknowledged version %s reads back different bytes (err %v)", kv, err)
		}
	}
	listed := map[string]bool{}
	for _, v := range listAllVersions(t, c, "crash-v") {
		kv, _, _ := strings.Cut(v, " ")
		listed[kv] = true
	}
	for kv := range led.markers {
		if !listed[kv] && !led.removed[kv] {
			t.Fatalf("acknowledged delete marker %s lost after kill -9", kv)
		}
	}
	for kv := range led.removed {
		if listed[kv] {
			t.Fatalf("acknowledged removal of %s undone after kill -9", kv)
		}
	}
	t.Logf("%d versions, %d markers and %d removals verified after kill -9", len(led.versions), len(led.markers), len(led.removed))
}
