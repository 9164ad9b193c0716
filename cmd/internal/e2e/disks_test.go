package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
)

// faults injects errno into the operations of one kind on segment files
// of the disks it wraps, while on.
type faults struct {
	errorfs.Toggle
	dirs map[string]bool // disk directories to wrap
}

func newFaults(kind errorfs.OpKind, errno error, dirs ...string) *faults {
	f := &faults{dirs: map[string]bool{}}
	for _, d := range dirs {
		f.dirs[d] = true
	}
	f.Injector = errorfs.InjectorFunc(func(op errorfs.Op) error {
		if op.Kind == kind && (strings.HasSuffix(op.Path, ".open") || strings.HasSuffix(op.Path, ".seg")) {
			return errno
		}
		return nil
	})
	return f
}

func (f *faults) fs(dir string) vfs.FS {
	if f.dirs[dir] {
		return errorfs.Wrap(vfs.Default, &f.Toggle)
	}
	return vfs.Default
}

// putRandom creates bucket bkt with n objects of size random bytes.
func putRandom(t *testing.T, c *s3.Client, n, size int) map[string][]byte {
	t.Helper()
	mkBucket(t, c, "bkt")
	objs := map[string][]byte{}
	for i := range n {
		k := fmt.Sprint("k", i)
		objs[k] = randBytes(t, size)
		putBytes(t, c, "bkt", k, objs[k])
	}
	return objs
}

// wantStatus checks an S3 error's HTTP status, code and request id.
func wantStatus(t *testing.T, err error, status int, code string) {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status || apiCode(err) != code || re.ServiceRequestID() == "" {
		t.Fatalf("error %v: want %d %s with a request id", err, status, code)
	}
}

// When no disk has room, a PUT fails with 503 ServiceUnavailable and
// stores nothing; every acknowledged object still reads back and the
// server keeps serving.
func TestFullDisksRefusePutsAndKeepServing(t *testing.T) {
	disk := filepath.Join(t.TempDir(), "disk")
	f := newFaults(errorfs.OpFileWriteAt, syscall.ENOSPC, disk)
	ts := testserver.Start(t, func(c *server.Config) { c.Disks, c.DiskFS = []string{disk}, f.fs })
	t.Cleanup(f.Off) // runs before the server stops: sealing needs the space back
	c := ts.S3(t)
	mkBucket(t, c, "bkt")
	acked := map[string][]byte{}
	for i := range 5 {
		k := fmt.Sprint("before-", i)
		acked[k] = randBytes(t, 10000*(i+1))
		putBytes(t, c, "bkt", k, acked[k])
	}
	f.On()
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("refused"), Body: bytes.NewReader(randBytes(t, 5000))})
	wantStatus(t, err, 503, "ServiceUnavailable")
	for k, data := range acked {
		if got := getBytes(t, c, "bkt", k); !bytes.Equal(got, data) {
			t.Fatalf("%s changed after the disk filled", k)
		}
	}
	if _, err := c.HeadObject(ctx, headInput("bkt", "refused")); apiCode(err) != "NotFound" {
		t.Fatalf("the refused PUT left an object: %v", err)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt")})
	if err != nil || len(list.Contents) != len(acked) {
		t.Fatalf("list while full: %v", err)
	}
	var m bytes.Buffer
	ts.Metrics().Write(&m)
	if !strings.Contains(m.String(), `cairn_disk_online{disk="1"} 0`) {
		t.Fatalf("metrics do not show the full disk offline:\n%s", m.String())
	}
}

// A disk whose reads fail makes GETs of its objects fail with a clean 503;
// objects on the other disk read back, and new PUTs go there.
func TestFailedDiskFailsOnlyItsReads(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	f := newFaults(errorfs.OpFileReadAt, syscall.EIO, a)
	ts := testserver.Start(t, func(c *server.Config) { c.Disks, c.DiskFS = []string{a, b}, f.fs })
	c := ts.S3(t)
	objs := putRandom(t, c, 40, 3000)
	f.On()
	failed, served := 0, 0
	for k, data := range objs {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String(k)})
		if err != nil {
			wantStatus(t, err, 503, "ServiceUnavailable")
			failed++
			continue
		}
		got, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s from the healthy disk: %v", k, err)
		}
		served++
	}
	if failed == 0 || served == 0 {
		t.Fatalf("%d reads failed, %d served: objects did not spread over both disks", failed, served)
	}
	for i := range 10 {
		k := fmt.Sprint("after-", i)
		data := randBytes(t, 2000)
		putBytes(t, c, "bkt", k, data)
		if !bytes.Equal(getBytes(t, c, "bkt", k), data) {
			t.Fatalf("%s written after the failure reads back wrong", k)
		}
	}
}

// Restarting with the --disk flags in another order changes nothing.
func TestDiskOrderDoesNotMatter(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	ts := testserver.Start(t, func(c *server.Config) { c.Disks = []string{a, b} })
	c := ts.S3(t)
	objs := putRandom(t, c, 20, 5000)
	cfg := ts.Cfg
	ts.Stop(t)
	cfg.Disks = []string{b, a}
	ts = testserver.StartConfig(t, cfg)
	c = ts.S3(t)
	for k, data := range objs {
		if !bytes.Equal(getBytes(t, c, "bkt", k), data) {
			t.Fatalf("%s reads back different bytes after reordering the disks", k)
		}
	}
}

// corruptPayload flips one byte of data[off] where data is stored in one
// of the segment files of dir.
func corruptPayload(t *testing.T, dir string, data []byte, off int) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.*"))
	needle := data[off : off+32]
	for _, f := range files {
		if !strings.HasSuffix(f, ".seg") && !strings.HasSuffix(f, ".open") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if i := bytes.Index(b, needle); i >= 0 {
			fh, err := os.OpenFile(f, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			if _, err := fh.WriteAt([]byte{b[i] ^ 0x40}, int64(i)); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatal("payload not found in any segment")
}

// An index written with another key layout (an older binary's) is rebuilt
// from the log at start: the data directory keeps working.
func TestIndexOfAnotherLayoutIsRebuilt(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "bkt")
	data := randBytes(t, 70000)
	putBytes(t, c, "bkt", "k", data)
	cfg := ts.Cfg
	ts.Stop(t)
	db, err := pebble.Open(filepath.Join(cfg.DataDir, "index"), &pebble.Options{Logger: quiet{t}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Set([]byte("\x00format"), []byte{0, 0, 0, 0, 0, 0, 0, 1}, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ts = testserver.StartConfig(t, cfg)
	if !bytes.Equal(getBytes(t, ts.S3(t), "bkt", "k"), data) {
		t.Fatal("object reads back wrong after the index was rebuilt")
	}
}

// quiet sends Pebble's log lines to the test log.
type quiet struct{ t *testing.T }

func (q quiet) Infof(format string, args ...any)  { q.t.Logf(format, args...) }
func (q quiet) Errorf(format string, args ...any) { q.t.Logf(format, args...) }
func (q quiet) Fatalf(format string, args ...any) { q.t.Fatalf(format, args...) }
