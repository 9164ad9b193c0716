package e2e

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

// BenchmarkMultipartUpload1GiB uploads a 1 GiB object in 16 MiB parts
// with the SDK upload manager at concurrency 4 and 8 to an in-process
// server in its default (power) durability. "lean" clients send
// UNSIGNED-PAYLOAD and no checksum, as cairn bench does, so that the
// server is what is measured; "sdk-default" clients sign every part's
// SHA-256 and add CRC32s, as the SDK does by default. Client and server
// share the machine's cores. Run with -benchtime 1x (each op is 1 GiB).
func BenchmarkMultipartUpload1GiB(b *testing.B) {
	ts := testserver.Start(b)
	data := randBytes(b, 1<<30)
	mkBucket(b, ts.S3(b), "bench-mp")
	b.Run("lean/single-put", func(b *testing.B) { // the baseline: one PutObject of 1 GiB
		c := ts.S3(b, lean)
		b.SetBytes(int64(len(data)))
		start := time.Now()
		for i := 0; i < b.N; i++ {
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench-mp"), Key: aws.String(fmt.Sprint("single-", i)),
				Body: bytes.NewReader(data)}); err != nil {
				b.Fatal(err)
			}
		}
		secs := time.Since(start).Seconds() / float64(b.N)
		b.ReportMetric(secs, "s/upload")
		b.ReportMetric(float64(len(data))/(1<<20)/secs, "MiB/s")
	})
	for _, mode := range []string{"lean", "sdk-default"} {
		for _, c := range []int{4, 8} {
			b.Run(fmt.Sprintf("%s/c=%d", mode, c), func(b *testing.B) {
				var opts []func(*s3.Options)
				if mode == "lean" {
					opts = append(opts, lean)
				}
				up := manager.NewUploader(ts.S3(b, opts...), func(u *manager.Uploader) {
					u.PartSize, u.Concurrency = 16<<20, c
					if mode == "lean" { // the manager adds CRC32s unless told not to
						u.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
					}
				})
				b.SetBytes(int64(len(data)))
				b.ResetTimer()
				start := time.Now()
				for i := 0; i < b.N; i++ {
					if _, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("bench-mp"),
						Key: aws.String(fmt.Sprintf("%s-%d-%d", mode, c, i)), Body: bytes.NewReader(data)}); err != nil {
						b.Fatal(err)
					}
				}
				secs := time.Since(start).Seconds() / float64(b.N)
				b.ReportMetric(secs, "s/upload")
				b.ReportMetric(float64(len(data))/(1<<20)/secs, "MiB/s")
			})
		}
	}
}
