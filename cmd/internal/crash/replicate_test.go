package crash

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestKill9SourceLosesNoReplica: a real source server replicating to a
// real destination is SIGKILLed while writes (versions, multipart uploads,
// delete markers) pour in and replication runs behind; after a restart on
// the same data, the destination converges to exactly the source's
// version listing: every version and marker, by id, ETag for ETag (each
// replica was checked by Content-MD5 on arrival).
func TestKill9SourceLosesNoReplica(t *testing.T) {
	cycles := envInt("CAIRN_KILL_CYCLES", 2)
	seed := uint64(envInt("CAIRN_KILL_SEED", int(time.Now().UnixNano()%1e9)))
	t.Logf("seed %d (rerun with CAIRN_KILL_SEED=%d), %d cycles", seed, seed, cycles)
	r := rand.New(rand.NewPCG(seed, seed))
	dst := startProc(t, t.TempDir(), "--test-min-part-size", "1024")
	defer dst.stop(t)
	env := []string{"CAIRN_REPLICATION_DST_ACCESS_KEY=" + accessKey, "CAIRN_REPLICATION_DST_SECRET_KEY=" + secretKey}
	args := []string{"--replication-target", "dst=" + dst.endpoint, "--test-min-part-size", "1024"}
	srcDir := t.TempDir()
	src := startProcEnv(t, srcDir, env, args...)
	setUpReplication(t, src.client(), dst.client())
	for cycle := 0; cycle < cycles; cycle++ {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() { replWriter(src.client(), rand.New(rand.NewPCG(seed, uint64(cycle*100+w))), w, stop) })
		}
		time.Sleep(time.Duration(800+r.IntN(1500)) * time.Millisecond) // lint:ignore the random moment
		behind := len(diff(listing(t, src.client(), true), listing(t, dst.client(), false)))
		src.kill(t)
		close(stop)
		wg.Wait()
		src = startProcEnv(t, srcDir, env, args...)
		got := converge(t, src.client(), dst.client())
		t.Logf("cycle %d: killed with about %d versions not yet replicated; %d versions and markers converged", cycle, behind, got)
	}
	src.stop(t)
}

func setUpReplication(t *testing.T, src, dst *s3.Client) {
	t.Helper()
	for _, c := range []*s3.Client{src, dst} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("repl")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("repl"),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := src.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: aws.String("repl"),
		ReplicationConfiguration: &types.ReplicationConfiguration{Role: aws.String("r"), Rules: []types.ReplicationRule{{
			ID: aws.String("all"), Priority: aws.Int32(1), Status: types.ReplicationRuleStatusEnabled,
			Filter:                  &types.ReplicationRuleFilter{Prefix: aws.String("")},
			DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: types.DeleteMarkerReplicationStatusEnabled},
			Destination:             &types.Destination{Bucket: aws.String("arn:cairn:s3::dst:repl")}}}}}); err != nil {
		t.Fatal(err)
	}
}

// replWriter writes a few keys of its own many times, now and then with a
// multipart upload or a delete marker, until the server dies or stop
// closes.
func replWriter(c *s3.Client, r *rand.Rand, w int, stop chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		key := fmt.Sprintf("w%d/k%d", w, i%6)
		body := make([]byte, 2049+r.IntN(48<<10))
		for j := range body {
			body[j] = byte(r.Uint32())
		}
		var err error
		switch {
		case i%9 == 8:
			err = multipartPut(c, key, [][]byte{body[:1024], body[1024:2048], body[2048:]})
		case i%7 == 6:
			_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("repl"), Key: aws.String(key)})
		default:
			_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("repl"), Key: aws.String(key), Body: bytes.NewReader(body)})
		}
		if err != nil {
			return
		}
	}
}

func multipartPut(c *s3.Client, key string, parts [][]byte) error {
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("repl"), Key: aws.String(key)})
	if err != nil {
		return err
	}
	done := &types.CompletedMultipartUpload{}
	for i, p := range parts {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("repl"), Key: aws.String(key), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			return err
		}
		done.Parts = append(done.Parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("repl"), Key: aws.String(key),
		UploadId: up.UploadId, MultipartUpload: done})
	return err
}

// listing maps each version and marker of bucket repl ("key@id") to its
// ETag ("marker" for a marker) and whether it is the latest; lenient
// ignores a server that is gone.
func listing(t *testing.T, c *s3.Client, lenient bool) map[string]string {
	t.Helper()
	out := map[string]string{}
	p := s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: aws.String("repl")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if lenient {
				return out
			}
			t.Fatal(err)
		}
		for _, v := range page.Versions {
			out[aws.ToString(v.Key)+"@"+aws.ToString(v.VersionId)] = fmt.Sprint(aws.ToString(v.ETag), aws.ToBool(v.IsLatest))
		}
		for _, m := range page.DeleteMarkers {
			out[aws.ToString(m.Key)+"@"+aws.ToString(m.VersionId)] = fmt.Sprint("marker", aws.ToBool(m.IsLatest))
		}
	}
	return out
}

// diff lists the entries that differ between two listings.
func diff(a, b map[string]string) []string {
	var out []string
	keys := maps.Clone(a)
	maps.Copy(keys, b)
	for k := range keys {
		if a[k] != b[k] {
			out = append(out, k)
		}
	}
	return out
}

// converge waits until the destination lists exactly what the source
// does, and returns the number of entries.
func converge(t *testing.T, src, dst *s3.Client) int {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		want := listing(t, src, false)
		d := diff(want, listing(t, dst, false))
		if len(d) == 0 {
			return len(want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d versions never converged, e.g. %v", len(d), d[:min(len(d), 5)])
		}
		<-time.After(50 * time.Millisecond)
	}
}
