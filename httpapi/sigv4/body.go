package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Body is a request body decoded and verified according to the payload mode.
// It is not safe for concurrent use.
type Body struct {
	r       io.Reader
	closer  io.Closer
	size    int64
	chunked *ChunkedReader
}

// Body wraps r.Body for the payload mode:
//
//   - PayloadUnsigned: the bytes pass through unchanged.
//   - PayloadSHA256: the bytes pass through while being hashed; at the end
//     ErrContentSHA256Mismatch is returned instead of io.EOF on mismatch.
//   - streaming modes: the aws-chunked body is decoded by a ChunkedReader
//     configured from the request (x-amz-decoded-content-length,
//     x-amz-trailer) and the verified signature chain.
//
// The payload is authentic only once Read has returned io.EOF.
func (vr *Verified) Body(r *http.Request) (*Body, error) {
	if vr == nil {
		return nil, errors.New("sigv4: Body called on a nil *Verified")
	}
	src := r.Body
	if src == nil {
		src = http.NoBody
	}
	b := &Body{r: src, closer: src, size: r.ContentLength}
	switch vr.Mode {
	case PayloadUnsigned:
	case PayloadSHA256:
		b.r = &sha256Reader{src: src, h: sha256.New(), want: vr.payloadHash}
	case PayloadStreamingSigned, PayloadStreamingSignedTrailer, PayloadStreamingUnsignedTrailer:
		n, err := decodedContentLength(r)
		if err != nil {
			return nil, err
		}
		opts := ChunkedOptions{DecodedLength: n}
		if vr.Mode != PayloadStreamingSigned {
			opts.Trailers = declaredTrailers(r)
		}
		if vr.Mode != PayloadStreamingUnsignedTrailer {
			opts.SigningKey = vr.signingKey
			opts.AmzDate = vr.amzDate
			opts.Scope = vr.scope
			opts.SeedSignature = vr.seed
			opts.SignedTrailer = vr.Mode == PayloadStreamingSignedTrailer
		}
		b.chunked = NewChunkedReader(src, opts)
		b.r, b.size = b.chunked, n
	default:
		return nil, errors.New("sigv4: unknown payload mode " + vr.Mode.String())
	}
	return b, nil
}

// decodedContentLength parses x-amz-decoded-content-length.
func decodedContentLength(r *http.Request) (int64, error) {
	vs := r.Header.Values("X-Amz-Decoded-Content-Length")
	if len(vs) == 0 {
		return 0, newError(ErrMissingDecodedContentLength, "You must provide the x-amz-decoded-content-length HTTP header.")
	}
	n, err := strconv.ParseInt(vs[0], 10, 64)
	if len(vs) != 1 || err != nil || vs[0][0] < '0' || vs[0][0] > '9' {
		return 0, newError(ErrMissingDecodedContentLength, "invalid x-amz-decoded-content-length")
	}
	return n, nil
}

// declaredTrailers returns the names listed in x-amz-trailer.
func declaredTrailers(r *http.Request) []string {
	var names []string
	for _, v := range r.Header.Values("X-Amz-Trailer") {
		for _, n := range strings.Split(v, ",") {
			if n = strings.ToLower(strings.TrimSpace(n)); n != "" {
				names = append(names, n)
			}
		}
	}
	return names
}

// Read reads decoded payload bytes.
func (b *Body) Read(p []byte) (int, error) { return b.r.Read(p) }

// Close closes the underlying request body.
func (b *Body) Close() error { return b.closer.Close() }

// Size reports the decoded length: x-amz-decoded-content-length for the
// streaming modes, r.ContentLength otherwise; -1 when unknown.
func (b *Body) Size() int64 { return b.size }

// Trailer returns the trailing headers (lower-case names, e.g.
// "x-amz-checksum-crc32") once Read has returned io.EOF; nil before that or
// when there are none.
func (b *Body) Trailer() map[string]string {
	if b.chunked == nil {
		return nil
	}
	return b.chunked.Trailer()
}

// sha256Reader passes bytes through and checks their SHA-256 at EOF.
type sha256Reader struct {
	src  io.Reader
	h    hash.Hash
	want string // lower-case hex
	err  error  // sticky final error
}

func (s *sha256Reader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.src.Read(p)
	s.h.Write(p[:n])
	if err == io.EOF {
		var sum [sha256.Size]byte
		if got := hex.EncodeToString(s.h.Sum(sum[:0])); got != s.want {
			err = newError(ErrContentSHA256Mismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
		s.err = err
	}
	return n, err
}
