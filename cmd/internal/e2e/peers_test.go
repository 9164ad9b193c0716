package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cairnstore/cairn/cmd/internal/server"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
	"github.com/cairnstore/cairn/log/stream"
)

// twoGateways starts two gateways on one NATS server, sharing root
// credentials and (unless an edit changes it) the master key, as a
// scale-out deployment does.
func twoGateways(t testing.TB, edit ...func(*server.Config)) (a, b *testserver.TS) {
	t.Helper()
	ns, err := stream.StartEmbedded(stream.EmbeddedOptions{Dir: t.TempDir(), SyncAlways: true, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	mk := make([]byte, 32)
	rand.Read(mk)
	shared := func(c *server.Config) {
		c.NATSURL, c.MasterKey = ns.ClientURL(), base64.StdEncoding.EncodeToString(mk)
	}
	a = testserver.Start(t, append([]func(*server.Config){shared}, edit...)...)
	b = testserver.Start(t, append([]func(*server.Config){shared, func(c *server.Config) { c.Root = a.Cfg.Root }}, edit...)...)
	return a, b
}

// A gateway reads the bytes another gateway wrote: whole objects, ranges
// across blocks and parts, multipart objects whose parts went to both,
// and copies made on the one that does not hold the source.
func TestGatewaysReadEachOthersBytes(t *testing.T) {
	a, b := twoGateways(t, smallParts)
	ca, cb := a.S3(t), b.S3(t)
	mkBucket(t, ca, "bkt")
	big := randBytes(t, 3<<20+12345)
	putBytes(t, ca, "bkt", "big", big)
	if got := getBytes(t, cb, "bkt", "big"); !bytes.Equal(got, big) {
		t.Fatalf("B reads %d bytes of A's %d, not the same", len(got), len(big))
	}
	if got := getRange(t, cb, "big", "bytes=65000-1300000"); !bytes.Equal(got, big[65000:1300001]) {
		t.Fatal("B reads a wrong range of A's object")
	}

	// A multipart upload with part 1 on A and part 2 on B, completed on B.
	up, err := ca.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	p1, p2 := randBytes(t, 200000), randBytes(t, 150000)
	var parts []types.CompletedPart
	for i, p := range []struct {
		c    *s3.Client
		data []byte
	}{{ca, p1}, {cb, p2}} {
		out, err := p.c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("bkt"), Key: aws.String("mp"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p.data)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	if _, err := cb.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("mp"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	whole := append(append([]byte{}, p1...), p2...)
	for name, c := range map[string]*s3.Client{"A": ca, "B": cb} {
		if got := getBytes(t, c, "bkt", "mp"); !bytes.Equal(got, whole) {
			t.Fatalf("%s reads the multipart object wrong", name)
		}
		if got := getRange(t, c, "mp", "bytes=199990-200009"); !bytes.Equal(got, whole[199990:200010]) {
			t.Fatalf("%s reads the range across the parts wrong", name)
		}
	}

	// B copies A's object: the copy reads on both.
	if _, err := cb.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bkt"), Key: aws.String("copy"),
		CopySource: aws.String("bkt/big"), MetadataDirective: types.MetadataDirectiveReplace}); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*s3.Client{"A": ca, "B": cb} {
		if got := getBytes(t, c, "bkt", "copy"); !bytes.Equal(got, big) {
			t.Fatalf("%s reads the copy wrong", name)
		}
	}

	if n := metric(t, b, `cairn_peer_reads_total{result="ok"}`); n < 5 {
		t.Fatalf("B counts %d peer reads", n)
	}
	if n := metric(t, b, `cairn_peer_read_bytes_total`); n < len(big) {
		t.Fatalf("B counts %d bytes read from A", n)
	}

	// With A gone, its bytes are a retryable 503 on B; B's own still read.
	putBytes(t, cb, "bkt", "on-b", []byte("B's own"))
	a.Stop(t)
	_, err = cb.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("big")})
	wantCode(t, err, "ServiceUnavailable")
	if n := metric(t, b, `cairn_peer_reads_total{result="unavailable"}`); n != 1 {
		t.Fatalf("B counts %d unavailable peer reads, want 1", n)
	}
	if got := getBytes(t, cb, "bkt", "on-b"); string(got) != "B's own" {
		t.Fatalf("B reads %q", got)
	}
}

// Gateways that do not share the master key cannot read each other's
// bytes (a clean 503, never bytes), and the internal endpoint refuses a
// request that is not signed by a gateway.
func TestPeerReadsNeedTheSharedKey(t *testing.T) {
	a, b := twoGateways(t, func(c *server.Config) {
		key := make([]byte, 32)
		rand.Read(key)
		c.MasterKey = base64.StdEncoding.EncodeToString(key) // a key of its own
	})
	mkBucket(t, a.S3(t), "bkt")
	putBytes(t, a.S3(t), "bkt", "k", []byte("secret bytes"))
	_, err := b.S3(t).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	wantCode(t, err, "ServiceUnavailable")

	resp, err := http.Get(a.Endpoint + "/_cairn/peer/v1/read?node=x&rec=0&disk=0&seg=0&at=0&len=12&from=0&n=12")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || bytes.Contains(body, []byte("secret")) {
		t.Fatalf("unsigned internal read: %d %q", resp.StatusCode, body)
	}
	if got := getBytes(t, a.S3(t), "bkt", "k"); string(got) != "secret bytes" {
		t.Fatalf("A reads %q", got)
	}
}

// Gateways serving HTTPS read from each other over TLS, trusting the
// certificate they share.
func TestPeerReadsOverTLS(t *testing.T) {
	a, b := twoGateways(t, testserver.WithTLS(t))
	mkBucket(t, a.S3(t), "bkt")
	data := randBytes(t, 100000)
	putBytes(t, a.S3(t), "bkt", "k", data)
	if got := getBytes(t, b.S3(t), "bkt", "k"); !bytes.Equal(got, data) {
		t.Fatal("B reads A's object wrong over TLS")
	}
}
