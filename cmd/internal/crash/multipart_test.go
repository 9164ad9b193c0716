package crash

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"io"
	"math/rand/v2"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// minPart is the part size the crash test's server accepts (hidden flag).
const minPart = 64 << 10

var smallParts = "--test-min-part-size=65536"

// openUpload is an upload whose end was not attempted: its acknowledged
// parts must survive.
type openUpload struct {
	key, id string
	parts   map[int][]byte // acknowledged parts
}

// mpLedger records what the server acknowledged of multipart uploads.
type mpLedger struct {
	mu        sync.Mutex
	done      map[string][16]byte // acknowledged completions: key -> md5 of the object
	uncertain map[string][16]byte // completion sent, not acknowledged: absent or whole
	aborted   map[string]string   // acknowledged aborts: key -> upload id
	open      map[string]*openUpload
}

func newMPLedger() *mpLedger {
	return &mpLedger{done: map[string][16]byte{}, uncertain: map[string][16]byte{}, aborted: map[string]string{},
		open: map[string]*openUpload{}}
}

func (l *mpLedger) with(f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f()
}

// mpWriter runs multipart uploads of three parts (two of minPart bytes and
// a short last one), completing three in four and aborting the fourth,
// until the server dies or stop closes.
func mpWriter(c *s3.Client, led *mpLedger, r *rand.Rand, prefix string, stop chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		key := fmt.Sprintf("%s/%04d", prefix, i)
		cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("crash-mp"), Key: aws.String(key)})
		if err != nil {
			return
		}
		up := &openUpload{key: key, id: aws.ToString(cr.UploadId), parts: map[int][]byte{}}
		led.with(func() { led.open[key] = up })
		var done []types.CompletedPart
		var whole []byte
		for n, size := range []int{minPart, minPart, 1 + r.IntN(5000)} {
			body := make([]byte, size)
			for j := range body {
				body[j] = byte(r.Uint32())
			}
			p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("crash-mp"), Key: aws.String(key), UploadId: cr.UploadId,
				PartNumber: aws.Int32(int32(n + 1)), Body: bytes.NewReader(body)})
			if err != nil {
				return
			}
			led.with(func() { up.parts[n+1] = body })
			done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(n + 1)), ETag: p.ETag, ChecksumCRC32: p.ChecksumCRC32})
			whole = append(whole, body...)
		}
		sum := md5.Sum(whole)
		if i%4 == 3 {
			led.with(func() { delete(led.open, key) })
			if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("crash-mp"), Key: aws.String(key),
				UploadId: cr.UploadId}); err != nil {
				return
			}
			led.with(func() { led.aborted[key] = up.id })
			continue
		}
		led.with(func() { delete(led.open, key); led.uncertain[key] = sum })
		if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("crash-mp"), Key: aws.String(key),
			UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
			return
		}
		led.with(func() { delete(led.uncertain, key); led.done[key] = sum })
	}
}

// TestKill9KeepsMultipartUploads: multipart writers (and plain PUT
// writers) run against the real server, which is SIGKILLed at a random
// moment and restarted. Every acknowledged completion reads back
// byte-identical, every acknowledged abort stays aborted, an unacknowledged
// completion is all or nothing, and acknowledged parts of uploads still in
// progress survive and complete after the restart. Finally the index
// rebuilt from the log equals the live one. CAIRN_KILL_CYCLES and
// CAIRN_KILL_SEED as for TestKill9KeepsEveryAcknowledgedWrite.
func TestKill9KeepsMultipartUploads(t *testing.T) {
	cycles := envInt("CAIRN_KILL_CYCLES", 2)
	seed := uint64(envInt("CAIRN_KILL_SEED", int(time.Now().UnixNano()%1e9)))
	t.Logf("seed %d (rerun with CAIRN_KILL_SEED=%d), %d cycles", seed, seed, cycles)
	r := rand.New(rand.NewPCG(seed, seed))
	dir := t.TempDir()
	led := newMPLedger()
	puts := &ledger{objects: map[string][16]byte{}, deleted: map[string]bool{}, uncertain: map[string][16]byte{}}
	p := startProc(t, dir, smallParts)
	for _, b := range []string{"crash", "crash-mp"} {
		if _, err := p.client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	for cycle := 0; cycle < cycles; cycle++ {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < 12; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				wr := rand.New(rand.NewPCG(seed, uint64(cycle*100+w)))
				if w < 8 {
					mpWriter(p.client(), led, wr, fmt.Sprintf("c%d/w%02d", cycle, w), stop)
				} else {
					writer(p.client(), puts, wr, fmt.Sprintf("c%d/w%02d", cycle, w), stop)
				}
			}(w)
		}
		time.Sleep(time.Duration(300+r.IntN(1500)) * time.Millisecond) // lint:ignore TimeSleep the random moment of the kill, not a wait
		p.kill(t)
		close(stop)
		wg.Wait()
		p = startProc(t, dir, smallParts)
		open := len(led.open)
		n := verifyMultipart(t, p.client(), led)
		verify(t, p.client(), puts)
		t.Logf("cycle %d: %d acknowledged completions, %d aborts and %d uploads in progress verified after kill -9",
			cycle, n, len(led.aborted), open)
	}
	p.stop(t)
	rebuildEqualsLive(t, dir)
}

// verifyMultipart checks the ledger against the restarted server and
// completes the uploads left open (so later cycles check them as done).
func verifyMultipart(t *testing.T, c *s3.Client, led *mpLedger) int {
	t.Helper()
	for key, sum := range led.done {
		if b, err := readObject(c, key); err != nil || md5.Sum(b) != sum {
			t.Fatalf("acknowledged completion %s lost or changed after kill -9: %v", key, err)
		}
	}
	for key, sum := range led.uncertain {
		b, err := readObject(c, key)
		if err == nil && md5.Sum(b) != sum {
			t.Fatalf("unacknowledged completion %s is visible but not whole", key)
		}
		delete(led.uncertain, key)
		if err == nil {
			led.done[key] = sum
		}
	}
	for key, id := range led.aborted {
		_, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("crash-mp"), Key: aws.String(key), UploadId: aws.String(id)})
		if err == nil || !strings.Contains(err.Error(), "NoSuchUpload") {
			t.Fatalf("acknowledged abort of %s undone after kill -9: %v", key, err)
		}
	}
	for key, up := range led.open {
		completeOpen(t, c, up)
		delete(led.open, key)
	}
	return len(led.done)
}

// completeOpen checks that an open upload kept its acknowledged parts,
// completes it from them and reads the object back.
func completeOpen(t *testing.T, c *s3.Client, up *openUpload) {
	t.Helper()
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("crash-mp"), Key: aws.String(up.key), UploadId: aws.String(up.id)})
	if err != nil {
		t.Fatalf("upload %s (acknowledged) lost after kill -9: %v", up.key, err)
	}
	stored := map[int32]string{}
	for _, p := range lp.Parts {
		stored[aws.ToInt32(p.PartNumber)] = aws.ToString(p.ETag)
	}
	var done []types.CompletedPart
	var whole []byte
	for n := 1; n <= 3; n++ {
		body, ok := up.parts[n]
		if !ok {
			continue
		}
		if want := fmt.Sprintf(`"%x"`, md5.Sum(body)); stored[int32(n)] != want {
			t.Fatalf("acknowledged part %d of %s: stored %q, want %s", n, up.key, stored[int32(n)], want)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(n)), ETag: aws.String(stored[int32(n)])})
		whole = append(whole, body...)
	}
	if len(done) == 0 {
		return
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("crash-mp"), Key: aws.String(up.key),
		UploadId: aws.String(up.id), MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
		t.Fatalf("completing %s after the restart: %v", up.key, err)
	}
	if b, err := readObject(c, up.key); err != nil || !bytes.Equal(b, whole) {
		t.Fatalf("%s completed after the restart reads back wrong (%v)", up.key, err)
	}
}

func readObject(c *s3.Client, key string) ([]byte, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("crash-mp"), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

// rebuildEqualsLive rebuilds the (stopped) server's index from the log and
// compares it with the live one.
func rebuildEqualsLive(t *testing.T, dir string) {
	t.Helper()
	live := dumpIndex(t, dir)
	if out, err := exec.Command(binary, "rebuild", "--data", dir).CombinedOutput(); err != nil {
		t.Fatalf("cairn rebuild: %v\n%s", err, out)
	}
	if rebuilt := dumpIndex(t, dir); rebuilt != live {
		t.Fatalf("rebuilt index differs from the live one:\nlive:\n%s\nrebuilt:\n%s", live, rebuilt)
	}
}

// TestRebuildMatchesLiveIndexWithMultipart: uploads in progress, replaced
// parts, part copies, completions, aborts, completion/abort races and a
// bucket deleted with uploads in it are all rebuilt from the log into the
// index the live server built.
func TestRebuildMatchesLiveIndexWithMultipart(t *testing.T) {
	dir := t.TempDir()
	p := startProc(t, dir, smallParts)
	c := p.client()
	for _, b := range []string{"keep", "gone"} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("keep"), Key: aws.String("src"),
		Body: bytes.NewReader(bytes.Repeat([]byte("s"), 3*minPart))}); err != nil {
		t.Fatal(err)
	}
	part := func(bucket, key, id string, n int, size int) *string {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
			PartNumber: aws.Int32(int32(n)), Body: bytes.NewReader(bytes.Repeat([]byte{byte(n)}, size))})
		if err != nil {
			t.Fatal(err)
		}
		return out.ETag
	}
	create := func(bucket, key string) string {
		out, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
			Metadata: map[string]string{"k": key}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.UploadId)
	}
	for i := 0; i < 12; i++ {
		key := fmt.Sprintf("mp/%02d", i)
		id := create("keep", key)
		part("keep", key, id, 1, minPart)
		e1 := part("keep", key, id, 1, minPart+i) // replaces the first
		cp, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("keep"), Key: aws.String(key), UploadId: aws.String(id),
			PartNumber: aws.Int32(2), CopySource: aws.String("keep/src"), CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", i, i+minPart))})
		if err != nil {
			t.Fatal(err)
		}
		e3 := part("keep", key, id, 3, 10+i)
		part("keep", key, id, 4, 5) // left out of the completion
		in := &s3.CompleteMultipartUploadInput{Bucket: aws.String("keep"), Key: aws.String(key), UploadId: aws.String(id),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: e1},
				{PartNumber: aws.Int32(2), ETag: cp.CopyPartResult.ETag}, {PartNumber: aws.Int32(3), ETag: e3}}}}
		abort := &s3.AbortMultipartUploadInput{Bucket: in.Bucket, Key: in.Key, UploadId: in.UploadId}
		switch i % 3 {
		case 0:
			_, err = c.CompleteMultipartUpload(ctx, in)
		case 1:
			_, err = c.AbortMultipartUpload(ctx, abort)
		default: // a race: whichever wins, the loser's event may be a no-op in the log
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { defer wg.Done(); _, _ = c.AbortMultipartUpload(ctx, abort) }()
			_, _ = c.CompleteMultipartUpload(ctx, in)
			wg.Wait()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	open := create("keep", "in progress")
	part("keep", "in progress", open, 7, 100)
	gone := create("gone", "orphan")
	part("gone", "orphan", gone, 1, 100)
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("gone")}); err != nil {
		t.Fatalf("DeleteBucket with an upload in progress: %v", err)
	}
	p.stop(t)
	if live := dumpIndex(t, dir); !strings.Contains(live, `\"uploadId\"`) {
		t.Fatalf("the live index holds no upload:\n%s", live)
	}
	rebuildEqualsLive(t, dir)
}
