package e2e

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
	"github.com/cairnstore/cairn/log/segment"
)

// gibObjects is 1 GiB in objects of 4 MiB.
const (
	gibObjectSize = 4 << 20
	gibObjects    = 256
)

// objectBody is the content of object i: a shared random base with i and
// the chunk number stamped every 4 KiB, so that every object (and every
// place in it) differs.
func objectBody(base []byte, i int) []byte {
	b := bytes.Clone(base)
	for off := 0; off < len(b); off += 4096 {
		binary.LittleEndian.PutUint32(b[off:], uint32(i))
		binary.LittleEndian.PutUint32(b[off+4:], uint32(off/4096))
	}
	return b
}

// put8 runs fn(i) for i in [0, n) on 8 goroutines.
func put8(t testing.TB, n int, fn func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// Compaction at scale: 1 GiB of objects is written, four in five are then
// overwritten (by small objects) or deleted, and compaction brings the
// segments on disk to within 10% of the live bytes while every live object
// reads back identical. It runs in the default suite, under -race too
// (the data path is copies and assembly hashes, little instrumented code):
// NoSync durability ("process") keeps it from measuring this machine's
// fdatasync instead.
func TestCompactionReclaimsOneGiB(t *testing.T) {
	start := time.Now()
	ts := testserver.Start(t, func(c *server.Config) {
		c.Durability, c.SegmentSize = server.DurabilityProcess, 32<<20
		c.Compaction = server.CompactionConfig{Threshold: 0.5, Rate: -1, Interval: time.Hour}
	})
	c := ts.S3(t)
	mkBucket(t, c, "bkt")
	base := randBytes(t, gibObjectSize)
	key := func(i int) string { return fmt.Sprintf("obj%04d", i) }
	put8(t, gibObjects, func(i int) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key(i)), Body: bytes.NewReader(objectBody(base, i))})
		return err
	})
	written := segmentBytes(ts)
	wrote := time.Since(start)
	small := func(i int) []byte { return objectBody(base[:64<<10], -i) }
	put8(t, gibObjects, func(i int) error {
		var err error
		switch i % 5 {
		case 1, 2:
			_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key(i)), Body: bytes.NewReader(small(i))})
		case 3, 4:
			_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key(i))})
		}
		return err
	})
	var live int64
	for i := range gibObjects {
		switch i % 5 {
		case 0:
			live += segment.RecordFootprint(gibObjectSize)
		case 1, 2:
			live += segment.RecordFootprint(64 << 10)
		}
	}
	res, err := ts.Compactor().Pass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after := segmentBytes(ts)
	t.Logf("wrote %d MiB in %v; compaction retired %d segments (%d MiB), copied %d MiB: segments %d -> %d MiB for %d MiB live",
		written>>20, wrote.Round(time.Millisecond), res.Segments, res.Reclaimed>>20, res.Copied>>20, written>>20, after>>20, live>>20)
	if written < 1<<30 || float64(after) > 1.1*float64(live) {
		t.Fatalf("segments take %d bytes for %d live bytes (more than 10%% over)", after, live)
	}
	put8(t, gibObjects, func(i int) error {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key(i))})
		switch {
		case i%5 >= 3:
			if apiCode(err) != "NoSuchKey" {
				return fmt.Errorf("deleted %s: %v", key(i), err)
			}
			return nil
		case err != nil:
			return err
		}
		defer out.Body.Close()
		want := small(i)
		if i%5 == 0 {
			want = objectBody(base, i)
		}
		var got bytes.Buffer
		if _, err := got.ReadFrom(out.Body); err != nil || !bytes.Equal(got.Bytes(), want) {
			return fmt.Errorf("%s reads back %d bytes, want %d identical (err %v)", key(i), got.Len(), len(want), err)
		}
		return nil
	})
	t.Logf("total %v", time.Since(start).Round(time.Millisecond))
}

func segmentBytes(ts *testserver.TS) int64 {
	var n int64
	for _, d := range ts.Blobs().Disks() {
		for _, si := range d.Segments {
			n += si.Size
		}
	}
	return n
}
