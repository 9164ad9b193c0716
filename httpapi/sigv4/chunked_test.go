package sigv4

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

const testSeed = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

type streamMode int

const (
	modeSigned streamMode = iota
	modeSignedTrailer
	modeUnsignedTrailer
)

func (m streamMode) String() string {
	return [...]string{"signed", "signed-trailer", "unsigned-trailer"}[m]
}

var testTrailers = [][2]string{{"x-amz-checksum-crc32", "AAAAAA=="}, {"x-amz-meta-x", "v"}}

// testStream encodes payload in mode and returns the stream and the options
// to decode it.
func testStream(payload []byte, chunk int, mode streamMode) ([]byte, ChunkedOptions) {
	s := newChainSigner(testSK, testTime, testSeed)
	n := int64(len(payload))
	switch mode {
	case modeSigned:
		opts := s.options(testSeed, false, nil, n)
		return encodeSigned(payload, chunk, s, nil, false), opts
	case modeSignedTrailer:
		opts := s.options(testSeed, true, []string{"X-Amz-Checksum-Crc32", " x-amz-meta-x "}, n)
		return encodeSigned(payload, chunk, s, testTrailers, true), opts
	}
	return encodeUnsigned(payload, chunk, testTrailers),
		ChunkedOptions{Trailers: []string{"x-amz-checksum-crc32", "x-amz-meta-x"}, DecodedLength: n}
}

func testPayload(n int) []byte {
	p := make([]byte, n)
	r := rand.New(rand.NewPCG(uint64(n), 7))
	for i := range p {
		p[i] = byte(r.Uint32())
	}
	return p
}

func TestChunkedRoundTrip(t *testing.T) {
	for _, mode := range []streamMode{modeSigned, modeSignedTrailer, modeUnsignedTrailer} {
		for _, size := range []int{0, 1, 8191, 65536 + 3, 200 << 10} {
			for _, chunk := range []int{8192, 65536, 0} {
				payload := testPayload(size)
				stream, opts := testStream(payload, chunk, mode)
				readers := map[string]func(io.Reader) io.Reader{
					"direct":   func(r io.Reader) io.Reader { return r },
					"one-byte": iotest.OneByteReader,
					"half":     iotest.HalfReader,
					"data-err": iotest.DataErrReader,
					"split":    func(r io.Reader) io.Reader { return &splitReader{r: r, seed: uint64(size), max: 97} },
				}
				for rname, wrap := range readers {
					name := fmt.Sprintf("%v/%d/%d/%s", mode, size, chunk, rname)
					cr := NewChunkedReader(wrap(bytes.NewReader(stream)), opts)
					if err := iotest.TestReader(cr, payload); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					tr := cr.Trailer()
					if mode == modeSigned && tr != nil || mode != modeSigned && (len(tr) != 2 || tr["x-amz-checksum-crc32"] != "AAAAAA==" || tr["x-amz-meta-x"] != "v") {
						t.Fatalf("%s: trailer %v", name, tr)
					}
					if cr.Decoded() != int64(size) {
						t.Fatalf("%s: Decoded() = %d", name, cr.Decoded())
					}
				}
			}
		}
	}
}

// TestChunkedNoOverread: the decoder stops exactly at the end of the body.
func TestChunkedNoOverread(t *testing.T) {
	for _, mode := range []streamMode{modeSigned, modeSignedTrailer, modeUnsignedTrailer} {
		stream, opts := testStream(testPayload(1000), 300, mode)
		src := bytes.NewReader(append(stream, "NEXT REQUEST"...))
		if _, err := io.ReadAll(NewChunkedReader(iotest.HalfReader(src), opts)); err != nil {
			t.Fatalf("%v: %v", mode, err)
		}
		rest, _ := io.ReadAll(src)
		if string(rest) != "NEXT REQUEST" {
			t.Fatalf("%v: left %q", mode, rest)
		}
	}
}

// decode reads everything from a fresh decoder and returns data and error.
func decode(stream []byte, opts ChunkedOptions) ([]byte, error) {
	return io.ReadAll(NewChunkedReader(bytes.NewReader(stream), opts))
}

// TestChunkedTruncated: every strict prefix of a valid stream is incomplete.
func TestChunkedTruncated(t *testing.T) {
	for _, mode := range []streamMode{modeSigned, modeSignedTrailer, modeUnsignedTrailer} {
		stream, opts := testStream(testPayload(300), 100, mode)
		for n := 0; n < len(stream); n++ {
			_, err := decode(stream[:n], opts)
			if !errors.Is(err, ErrIncompleteBody) {
				t.Fatalf("%v: prefix %d/%d: got %v", mode, n, len(stream), err)
			}
		}
	}
}

// TestChunkedSignatureChain: tampering anywhere in a signed stream is caught
// before any byte of the tampered chunk is released.
func TestChunkedSignatureChain(t *testing.T) {
	payload := testPayload(300)
	stream, opts := testStream(payload, 100, modeSignedTrailer)
	chunkLen := len(fmt.Sprintf("64;chunk-signature=%s\r\n", testSeed)) + 100 + 2
	for i := range stream {
		mut := bytes.Clone(stream)
		mut[i] ^= 0x01
		got, err := decode(mut, opts)
		if err == nil {
			if !bytes.Equal(got, payload) {
				t.Fatalf("byte %d: wrong payload accepted", i)
			}
			continue // e.g. hex case or trailer-name case: harmless
		}
		if !bytes.Equal(got, payload[:len(got)]) || len(got)%100 != 0 || len(got) > (i/chunkLen)*100 {
			t.Fatalf("byte %d (%q): released %d unverified bytes before %v", i, stream[i], len(got), err)
		}
	}
	// Data corruption is a signature error, and so is a wrong seed.
	mut := bytes.Clone(stream)
	mut[150] ^= 0xff // inside the first chunk's data
	_, err := decode(mut, opts)
	wantErr(t, err, ErrSignatureDoesNotMatch)
	bad := opts
	bad.SeedSignature = strings.Repeat("0", 64)
	_, err = decode(stream, bad)
	var sm *SignatureMismatchError
	if !errors.As(err, &sm) || !strings.HasPrefix(sm.StringToSign, "AWS4-HMAC-SHA256-PAYLOAD\n") {
		t.Fatalf("got %v", err)
	}
	// Swapping two whole chunks breaks the chain.
	a, b := stream[:chunkLen], stream[chunkLen:2*chunkLen]
	swapped := append(append(append([]byte{}, b...), a...), stream[2*chunkLen:]...)
	_, err = decode(swapped, opts)
	wantErr(t, err, ErrSignatureDoesNotMatch)
	// Dropping a chunk breaks the chain.
	_, err = decode(append(append([]byte{}, a...), stream[2*chunkLen:]...), opts)
	wantErr(t, err, ErrSignatureDoesNotMatch)
}

func TestChunkedTrailerSignature(t *testing.T) {
	stream, opts := testStream(testPayload(10), 0, modeSignedTrailer)
	for _, tc := range []struct{ old, new string }{
		{"AAAAAA==", "AAAAAB=="},
		{"x-amz-meta-x:v", "x-amz-meta-x:w"},
		{"x-amz-trailer-signature:", "x-amz-trailer-signature:0"},
	} {
		mut := bytes.Replace(stream, []byte(tc.old), []byte(tc.new), 1)
		if tc.new == "x-amz-trailer-signature:0" {
			mut = bytes.Replace(stream, []byte("x-amz-trailer-signature:"), []byte("x-amz-trailer-signature:0"), 1)
			i := bytes.Index(mut, []byte("x-amz-trailer-signature:")) + len("x-amz-trailer-signature:") + 64
			mut = append(mut[:i], mut[i+1:]...) // keep 64 digits, shifted by one
		}
		_, err := decode(mut, opts)
		wantErr(t, err, ErrSignatureDoesNotMatch)
	}
	// Benign canonicalisation: spaces around the value and upper-case names.
	mut := bytes.Replace(stream, []byte("x-amz-meta-x:v"), []byte("X-Amz-Meta-X:  v "), 1)
	if _, err := decode(mut, opts); err != nil {
		t.Fatalf("canonical trailer rejected: %v", err)
	}
}

func TestChunkedFraming(t *testing.T) {
	s := newChainSigner(testSK, testTime, testSeed)
	signed := encodeSigned([]byte("hello"), 0, s, nil, false)
	sOpts := newChainSigner(testSK, testTime, testSeed).options(testSeed, false, nil, 5)
	uOpts := ChunkedOptions{DecodedLength: 5, Trailers: []string{"x-amz-checksum-crc32"}}
	unsigned := []byte("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n")
	rep := func(b []byte, old, new string) []byte {
		if !bytes.Contains(b, []byte(old)) {
			t.Fatalf("%q not in %q", old, b)
		}
		return bytes.Replace(b, []byte(old), []byte(new), 1)
	}
	for _, tc := range []struct {
		name   string
		stream []byte
		opts   ChunkedOptions
		want   error
	}{
		{"signed no signature", rep(signed, "5;chunk-signature=", "5;"), sOpts, ErrInvalidChunk},
		{"signed unsigned header", []byte("5\r\nhello\r\n0\r\n\r\n"), sOpts, ErrInvalidChunk},
		{"signed extension name", rep(signed, "5;chunk-signature=", "5;chunk-signaturf="), sOpts, ErrInvalidChunk},
		{"signed space", rep(signed, "5;chunk", "5 ;chunk"), sOpts, ErrInvalidChunk},
		{"signed 0x", rep(signed, "5;chunk", "0x5;chunk"), sOpts, ErrInvalidChunk},
		{"signed bad hex signature", rep(signed, ";chunk-signature=", ";chunk-signature=g"), sOpts, ErrInvalidChunk},
		{"signed LF only", rep(signed, "\r\nhello", "\nhello"), sOpts, ErrInvalidChunk},
		{"signed data not CRLF", rep(signed, "hello\r\n", "hello\n\n"), sOpts, ErrInvalidChunk},
		{"signed too large", signed, ChunkedOptions{SigningKey: sOpts.SigningKey, SeedSignature: testSeed, MaxChunkSize: 4, DecodedLength: -1}, ErrInvalidChunk},
		{"signed trailing garbage line", rep(signed, "\r\n\r\n", "\r\nxx\r\n\r\n"), sOpts, ErrMalformedTrailer},
		{"signed trailer present", rep(signed, "\r\n\r\n", "\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"), sOpts, ErrTrailerNotDeclared},
		{"unsigned empty size", []byte("\r\nhello\r\n0\r\n\r\n"), uOpts, ErrInvalidChunk},
		{"unsigned size too long", []byte("00000000000000005\r\nhello\r\n0\r\n\r\n"), uOpts, ErrInvalidChunk},
		{"unsigned size overflow", []byte("ffffffffffffffff\r\nhello"), ChunkedOptions{DecodedLength: -1}, ErrInvalidChunk},
		{"unsigned extension", rep(unsigned, "5\r\n", "5;x=y\r\n"), uOpts, ErrInvalidChunk},
		{"unsigned CR only", rep(unsigned, "5\r\n", "5\rhello"), uOpts, ErrInvalidChunk},
		{"unsigned data too long", rep(unsigned, "hello\r\n", "hello!\r\n"), uOpts, ErrInvalidChunk},
		{"unsigned chunk beyond length", rep(unsigned, "5\r\nhello", "6\r\nhello!"), uOpts, ErrDecodedLengthMismatch},
		{"unsigned short", rep(unsigned, "5\r\nhello", "4\r\nhell"), uOpts, ErrDecodedLengthMismatch},
		{"undeclared trailer", rep(unsigned, "x-amz-checksum-crc32:", "x-amz-checksum-sha1:"), uOpts, ErrTrailerNotDeclared},
		{"declared trailer missing", rep(unsigned, "x-amz-checksum-crc32:AAAAAA==\r\n", ""), uOpts, ErrMalformedTrailer},
		{"duplicate trailer", rep(unsigned, "\r\n\r\n", "\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"), uOpts, ErrMalformedTrailer},
		{"trailer without colon", rep(unsigned, "x-amz-checksum-crc32:", "x-amz-checksum-crc32="), uOpts, ErrMalformedTrailer},
		{"trailer bad name", rep(unsigned, "x-amz-checksum-crc32:", "x amz:"), uOpts, ErrMalformedTrailer},
		{"trailer bare LF", rep(unsigned, "==\r\n\r\n", "==\n\r\n"), uOpts, ErrInvalidChunk},
		{"trailer CR without LF", rep(unsigned, "==\r\n\r\n", "==\rx\r\n"), uOpts, ErrInvalidChunk},
		{"trailer too large", rep(unsigned, "AAAAAA==", strings.Repeat("A", DefaultMaxTrailerSize)), uOpts, ErrInvalidChunk},
		{"missing final CRLF", unsigned[:len(unsigned)-2], uOpts, ErrIncompleteBody},
		{"no final chunk", []byte("5\r\nhello\r\n"), uOpts, ErrIncompleteBody},
		{"empty body", nil, uOpts, ErrIncompleteBody},
	} {
		got, err := decode(tc.stream, tc.opts)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %q, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	// The trailer size limit is configurable and counts CRLFs.
	small := uOpts
	small.MaxTrailerSize = len("x-amz-checksum-crc32:AAAAAA==\r\n\r\n")
	if _, err := decode(unsigned, small); err != nil {
		t.Fatalf("trailer at the exact limit: %v", err)
	}
	small.MaxTrailerSize--
	_, err := decode(unsigned, small)
	wantErr(t, err, ErrInvalidChunk)
}

func TestChunkedSignedTrailerStructure(t *testing.T) {
	stream, opts := testStream([]byte("abc"), 0, modeSignedTrailer)
	i := bytes.Index(stream, []byte("x-amz-trailer-signature"))
	for _, tc := range []struct {
		name   string
		stream []byte
		want   error
	}{
		{"no signature", append(append([]byte{}, stream[:i]...), "\r\n"...), ErrMalformedTrailer},
		{"trailer after signature", bytes.Replace(stream, []byte("\r\n\r\n"), []byte("\r\nx-amz-meta-x:v\r\n\r\n"), 1), ErrMalformedTrailer},
		{"malformed signature", bytes.Replace(stream, []byte("x-amz-trailer-signature:"), []byte("x-amz-trailer-signature:zz"), 1), ErrMalformedTrailer},
	} {
		_, err := decode(tc.stream, opts)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestChunkedOptionsValidation(t *testing.T) {
	for _, opts := range []ChunkedOptions{
		{SignedTrailer: true},
		{SigningKey: []byte("k"), SeedSignature: "short"},
	} {
		if _, err := decode([]byte("0\r\n\r\n"), opts); err == nil {
			t.Errorf("%+v accepted", opts)
		}
	}
	// DecodedLength < 0 disables the check.
	got, err := decode([]byte("3\r\nabc\r\n0\r\n\r\n"), ChunkedOptions{DecodedLength: -1})
	if err != nil || string(got) != "abc" {
		t.Fatalf("got %q, %v", got, err)
	}
}

// errReader fails with a transport error after its data.
type errReader struct {
	data []byte
	err  error
}

func (e *errReader) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

func TestChunkedTransportError(t *testing.T) {
	boom := errors.New("connection reset")
	for _, mode := range []streamMode{modeSigned, modeUnsignedTrailer} {
		stream, opts := testStream(testPayload(100), 0, mode)
		for _, n := range []int{0, 3, 50, len(stream) - 1} {
			_, err := io.ReadAll(NewChunkedReader(&errReader{stream[:n], boom}, opts))
			if !errors.Is(err, boom) || errors.Is(err, ErrIncompleteBody) {
				t.Fatalf("%v at %d: got %v", mode, n, err)
			}
		}
	}
}
