package crash

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cairnstore/cairn/projections/catalog"
)

// Small segments and no grace period, so that compaction has work within
// seconds.
var compactFast = []string{"--segment-size=262144", "--compaction-grace=0s", "--compaction-interval=100ms"}

// absent stands for "the key may be absent" in a churn ledger.
var absent = [16]byte{}

// churnLedger records, per key, the contents the server may hold: exactly
// the last acknowledged one, plus those of writes sent but not
// acknowledged (absent for a delete).
type churnLedger struct {
	mu   sync.Mutex
	keys map[string]map[[16]byte]bool
}

func (l *churnLedger) begin(key string, sum [16]byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.keys[key] == nil {
		l.keys[key] = map[[16]byte]bool{absent: true}
	}
	l.keys[key][sum] = true
}

func (l *churnLedger) ack(key string, sum [16]byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.keys[key] = map[[16]byte]bool{sum: true}
}

// churner overwrites and deletes a few keys over and over, so that
// segments fill with garbage, until the server dies or stop closes.
func churner(c *s3.Client, led *churnLedger, r *rand.Rand, prefix string, stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		key := fmt.Sprintf("%s/%02d", prefix, r.IntN(12))
		var err error
		if r.IntN(4) == 0 {
			led.begin(key, absent)
			_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("crash"), Key: aws.String(key)})
			if err == nil {
				led.ack(key, absent)
			}
		} else {
			body := make([]byte, []int{100, 5000, 30000, 70000}[r.IntN(4)])
			for j := range body {
				body[j] = byte(r.Uint32())
			}
			sum := md5.Sum(body)
			led.begin(key, sum)
			_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("crash"), Key: aws.String(key), Body: bytes.NewReader(body)})
			if err == nil {
				led.ack(key, sum)
			}
		}
		if err != nil {
			return // the server is gone
		}
	}
}

// check reads every key of the ledger: its content must be one the ledger
// allows.
func (l *churnLedger) check(t *testing.T, c *s3.Client) int {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for key, allowed := range l.keys {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("crash"), Key: aws.String(key)})
		if err != nil {
			if !allowed[absent] || !strings.Contains(err.Error(), "NoSuchKey") {
				t.Fatalf("%s: %v (allowed: %d contents, absent %v)", key, err, len(allowed), allowed[absent])
			}
			continue
		}
		b, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || !allowed[md5.Sum(b)] {
			t.Fatalf("%s reads back content the server never acknowledged nor was sent (err %v)", key, err)
		}
	}
	return len(l.keys)
}

// startChurners starts 8 churners (streams seed, base+w); the returned
// function stops them and waits for them.
func startChurners(p *proc, led *churnLedger, seed, base uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for w := range uint64(8) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			churner(p.client(), led, rand.New(rand.NewPCG(seed, base+w)), fmt.Sprintf("w%d", w), done)
		}()
	}
	return func() { close(done); wg.Wait() }
}

// churn runs 8 churners for d.
func churn(p *proc, led *churnLedger, seed uint64, d time.Duration) {
	stop := startChurners(p, led, seed, 0)
	time.Sleep(d) // lint:ignore TimeSleep how long the load runs, not a wait
	stop()
}

func segmentFiles(t *testing.T, dir string) (n int, bytes int64) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "segments", "*.seg"))
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			n++
			bytes += st.Size()
		}
	}
	return n, bytes
}

// TestCompactionCrashPoints kills the real binary (os.Exit from the
// hidden --test-crash-at flag, so nothing is flushed or closed) right
// after compaction copied live records, right after its relocation event
// was applied, and right before it deletes a retired segment. Nothing
// acknowledged is lost, and the next run reclaims what the crash left
// (cairn verify passes and reports little garbage).
func TestCompactionCrashPoints(t *testing.T) {
	for _, step := range []string{"after-copy", "after-event", "before-delete"} {
		t.Run(step, func(t *testing.T) {
			dir := t.TempDir()
			led := &churnLedger{keys: map[string]map[[16]byte]bool{}}
			p := startProc(t, dir, "--segment-size=262144", "--compaction-rate=0")
			if _, err := p.client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("crash")}); err != nil {
				t.Fatal(err)
			}
			churn(p, led, 7, 1500*time.Millisecond)
			p.stop(t)
			_, before := segmentFiles(t, dir)

			p = startProc(t, dir, append(compactFast, "--test-crash-at="+step)...)
			exited := make(chan error, 1)
			go func() { exited <- p.cmd.Wait() }()
			select {
			case err := <-exited:
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() != 86 {
					t.Fatalf("server exited with %v, want the crash point's 86:\n%s", err, p.stderr.String())
				}
			case <-time.After(60 * time.Second):
				p.kill(t)
				t.Fatalf("compaction never reached %s:\n%s", step, p.stderr.String())
			}

			p = startProc(t, dir, "--compaction-rate=0")
			n := led.check(t, p.client())
			p.stop(t)

			p = startProc(t, dir, compactFast...)
			// Until compaction has finished: half the bytes gone and the
			// segment files unchanged for a second (a stop in the middle
			// of a pass would leave work for the next start).
			last, same := "", 0
			waitUntil(t, 60*time.Second, func() bool {
				n, b := segmentFiles(t, dir)
				now := fmt.Sprint(n, b)
				if now == last {
					same++
				} else {
					last, same = now, 0
				}
				return b < before/2 && same >= 20
			})
			led.check(t, p.client())
			p.stop(t)
			out, err := exec.Command(binary, "verify", "--data", dir).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "OK:") {
				t.Fatalf("cairn verify after recovery: %v\n%s", err, out)
			}
			_, after := segmentFiles(t, dir)
			noRetiredFiles(t, dir)
			t.Logf("%d keys intact; segments %d -> %d bytes; verify:\n%s", n, before, after, out)
		})
	}
}

// noRetiredFiles checks that no segment the index says retired is still
// on disk.
func noRetiredFiles(t *testing.T, dir string) {
	t.Helper()
	node, err := os.ReadFile(filepath.Join(dir, "node"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Open(catalog.Options{Dir: filepath.Join(dir, "index")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "segments", "*.seg"))
	for _, f := range files {
		id, err := strconv.ParseUint(strings.TrimSuffix(filepath.Base(f), ".seg"), 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		u, err := c.SegmentUsage(strings.TrimSpace(string(node)), 0, id)
		if err != nil || u.State == catalog.SegmentRetired {
			t.Fatalf("segment %d is retired but its file is still there (%v)", id, err)
		}
	}
}

func waitUntil(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(50 * time.Millisecond) // lint:ignore TimeSleep polls a child process's data directory
	}
}

// TestKill9DuringCompaction: writers overwrite and delete a few keys as
// fast as they can while compaction (small segments, no grace) rewrites
// segments under them; the server is SIGKILLed at random moments. Every
// key holds what was last acknowledged (or what a write in flight at the
// kill sent), and compaction did run.
func TestKill9DuringCompaction(t *testing.T) {
	cycles := envInt("CAIRN_KILL_CYCLES", 3)
	seed := uint64(envInt("CAIRN_KILL_SEED", int(time.Now().UnixNano()%1e9)))
	t.Logf("seed %d (rerun with CAIRN_KILL_SEED=%d), %d cycles", seed, seed, cycles)
	r := rand.New(rand.NewPCG(seed, seed))
	dir := t.TempDir()
	led := &churnLedger{keys: map[string]map[[16]byte]bool{}}
	flags := append([]string{"--compaction-threshold=0.3"}, compactFast...)
	p := startProc(t, dir, flags...)
	if _, err := p.client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("crash")}); err != nil {
		t.Fatal(err)
	}
	compacted := 0
	for cycle := range cycles {
		stop := startChurners(p, led, seed, uint64(cycle*100))
		time.Sleep(time.Duration(1000+r.IntN(2000)) * time.Millisecond) // lint:ignore TimeSleep the random moment of the kill, not a wait
		p.kill(t)
		stop()
		compacted += strings.Count(p.stderr.String(), "compacted segment")
		p = startProc(t, dir, flags...)
		n := led.check(t, p.client())
		t.Logf("cycle %d: %d keys hold acknowledged content after kill -9; %d segments compacted so far", cycle, n, compacted)
	}
	p.stop(t)
	if compacted == 0 {
		t.Fatal("compaction never ran under the load")
	}
}
