package e2e

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
	"github.com/cairnstore/cairn/engine/checksum"
)

// streamingClient builds STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]
// uploads as the Java SDK and others send them (no Go SDK does): the
// request is signed with the SDK's signer, each chunk's signature chains
// from the previous one, and the trailer is signed last.
type streamingClient struct {
	ts   *testserver.TS
	when time.Time
	key  []byte // signing key
}

func newStreamingClient(ts *testserver.TS) *streamingClient {
	when := time.Now().UTC()
	k := hmacSHA([]byte("AWS4"+ts.Cfg.Root.SecretKey), when.Format("20060102"))
	for _, s := range []string{ts.Cfg.Region, "s3", "aws4_request"} {
		k = hmacSHA(k, s)
	}
	return &streamingClient{ts: ts, when: when, key: k}
}

func hmacSHA(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

func hexSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func (c *streamingClient) scope() string {
	return c.when.Format("20060102") + "/" + c.ts.Cfg.Region + "/s3/aws4_request"
}

func (c *streamingClient) sign(prev, kind, hash string) string {
	sts := kind + "\n" + c.when.Format("20060102T150405Z") + "\n" + c.scope() + "\n" + prev + "\n" + hash
	return hex.EncodeToString(hmacSHA(c.key, sts))
}

// upload PUTs payload in chunks; with trailer set, a CRC32 trailer carries
// crc (base64) and the trailer is signed. tamper flips one payload byte
// after signing.
func (c *streamingClient) upload(t *testing.T, path string, payload []byte, chunk int, trailer bool, crc string, tamper bool) *http.Response {
	t.Helper()
	mode := "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	if trailer {
		mode += "-TRAILER"
	}
	req, err := http.NewRequest("PUT", c.ts.Endpoint+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Content-Sha256", mode)
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(payload)))
	req.Header.Set("Content-Encoding", "aws-chunked")
	if trailer {
		req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	}
	creds := aws.Credentials{AccessKeyID: c.ts.Cfg.Root.AccessKey, SecretAccessKey: c.ts.Cfg.Root.SecretKey}
	// The encoded length is part of the signed request; compute the body
	// with a placeholder seed first to learn it (signatures have fixed size).
	body := c.body(payload, chunk, trailer, crc, "0000000000000000000000000000000000000000000000000000000000000000")
	req.ContentLength = int64(len(body))
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, mode, "s3", c.ts.Cfg.Region, c.when); err != nil {
		t.Fatal(err)
	}
	auth := req.Header.Get("Authorization")
	seed := auth[len(auth)-64:]
	body = c.body(payload, chunk, trailer, crc, seed)
	if tamper {
		i := bytes.Index(body, []byte("\r\n")) + 2
		body[i] ^= 1
	}
	req.Body = http.NoBody
	if len(body) > 0 {
		req.Body = readCloser{bytes.NewReader(body)}
	}
	resp, err := c.ts.HTTPClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func (c *streamingClient) body(payload []byte, chunk int, trailer bool, crc, seed string) []byte {
	var b bytes.Buffer
	prev := seed
	emptyHash := hexSHA(nil)
	for off := 0; ; off += chunk {
		off = min(off, len(payload))
		data := payload[off:min(off+chunk, len(payload))]
		sig := c.sign(prev, "AWS4-HMAC-SHA256-PAYLOAD", emptyHash+"\n"+hexSHA(data))
		fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n", len(data), sig)
		b.Write(data)
		if len(data) > 0 {
			b.WriteString("\r\n")
		}
		prev = sig
		if len(data) == 0 {
			break
		}
	}
	if !trailer {
		b.WriteString("\r\n")
		return b.Bytes()
	}
	line := "x-amz-checksum-crc32:" + crc
	tsig := c.sign(prev, "AWS4-HMAC-SHA256-TRAILER", hexSHA([]byte(line+"\n")))
	b.WriteString(line + "\r\n")
	b.WriteString("x-amz-trailer-signature:" + tsig + "\r\n\r\n")
	return b.Bytes()
}

func crc32of(b []byte) string {
	h := crc32.NewIEEE()
	h.Write(b)
	return checksum.Encode(h.Sum(nil))
}

func TestSignedStreamingUploads(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "stream")
	sc := newStreamingClient(ts)
	payload := randBytes(t, 200_000)
	good := crc32of(payload)

	for _, trailer := range []bool{false, true} {
		name := fmt.Sprintf("signed/trailer=%v", trailer)
		t.Run(name, func(t *testing.T) {
			key := "/stream/" + name
			resp := sc.upload(t, key, payload, 64<<10, trailer, good, false)
			if resp.StatusCode != 200 {
				t.Fatalf("upload: %d", resp.StatusCode)
			}
			if got := getBytes(t, c, "stream", key[len("/stream/"):]); !bytes.Equal(got, payload) {
				t.Fatal("streamed object reads back different bytes")
			}
			head, err := c.HeadObject(ctx, headInput("stream", key[len("/stream/"):]))
			if err != nil || aws.ToString(head.ContentEncoding) != "" {
				t.Fatalf("aws-chunked stored as Content-Encoding %q (err %v)", aws.ToString(head.ContentEncoding), err)
			}
		})
	}
	t.Run("tampered chunk is refused", func(t *testing.T) {
		resp := sc.upload(t, "/stream/tampered", payload, 64<<10, false, "", true)
		if resp.StatusCode != 403 {
			t.Fatalf("tampered chunk: %d, want 403 SignatureDoesNotMatch", resp.StatusCode)
		}
	})
	t.Run("wrong trailing checksum is refused", func(t *testing.T) {
		resp := sc.upload(t, "/stream/badcrc", payload, 64<<10, true, crc32of([]byte("other")), false)
		if resp.StatusCode != 400 {
			t.Fatalf("bad trailing checksum: %d, want 400 BadDigest", resp.StatusCode)
		}
	})
	for _, k := range []string{"tampered", "badcrc"} {
		if _, err := c.HeadObject(ctx, headInput("stream", k)); apiCode(err) != "NotFound" {
			t.Fatalf("refused upload %s left an object (err %v)", k, err)
		}
	}
}
