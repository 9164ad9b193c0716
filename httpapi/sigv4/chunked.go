package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Limits of the aws-chunked decoder.
const (
	// DefaultMaxChunkSize bounds one signed chunk, which is buffered until its
	// signature is verified. Unsigned chunks are streamed and not bounded.
	DefaultMaxChunkSize = 16 << 20
	// DefaultMaxTrailerSize bounds the trailer section, CRLFs included.
	DefaultMaxTrailerSize = 16 << 10
	// maxChunkSizeDigits bounds the hex chunk-size field.
	maxChunkSizeDigits = 16
	// initialChunkBuffer is the first allocation for a signed chunk; the
	// buffer then doubles as data arrives.
	initialChunkBuffer = 64 << 10
)

const (
	chunkSigPrefix       = "chunk-signature="
	trailerSignatureName = "x-amz-trailer-signature"
	payloadAlgorithm     = "AWS4-HMAC-SHA256-PAYLOAD"
	trailerAlgorithm     = "AWS4-HMAC-SHA256-TRAILER"
)

// ChunkedOptions configures a ChunkedReader.
type ChunkedOptions struct {
	// SigningKey selects signed mode (STREAMING-AWS4-HMAC-SHA256-PAYLOAD and
	// ...-TRAILER): every chunk carries ";chunk-signature=" and is verified
	// against the chain seeded by SeedSignature. nil selects unsigned mode
	// (STREAMING-UNSIGNED-PAYLOAD-TRAILER).
	SigningKey    []byte
	AmzDate       string // request X-Amz-Date, e.g. "20130524T000000Z"
	Scope         string // credential scope, e.g. "20130524/us-east-1/s3/aws4_request"
	SeedSignature string // request signature, 64 hex digits

	// SignedTrailer requires the trailer section to end with a valid
	// x-amz-trailer-signature (signed mode only).
	SignedTrailer bool
	// Trailers are the declared trailer names (x-amz-trailer), matched
	// case-insensitively; any other trailer is ErrTrailerNotDeclared and
	// every declared one must be present.
	Trailers []string
	// DecodedLength is the required total payload length
	// (x-amz-decoded-content-length). Negative disables the check; note
	// that 0 requires an empty payload.
	DecodedLength int64
	// MaxChunkSize bounds signed chunks; 0 means DefaultMaxChunkSize.
	MaxChunkSize int64
	// MaxTrailerSize bounds the trailer section; 0 means DefaultMaxTrailerSize.
	MaxTrailerSize int
}

// ChunkedReader decodes an aws-chunked body, verifying chunk and trailer
// signatures in signed mode. In signed mode the bytes of a chunk are returned
// only after its signature has been verified. It never reads past the end of
// the aws-chunked body. It is not safe for concurrent use.
type ChunkedReader struct {
	src      io.Reader
	br       io.ByteReader // src, when it is one
	opts     ChunkedOptions
	declared []string // lower-case

	mac         hash.Hash // HMAC-SHA256 keyed with the signing key
	sum         hash.Hash // SHA-256 of chunk data
	chunkPrefix []byte    // "AWS4-HMAC-SHA256-PAYLOAD\n<date>\n<scope>\n"
	chunkMid    []byte    // "\n<hex sha256 of empty string>\n"
	prevSig     [64]byte  // hex signature of the previous chunk
	sumBuf      [sha256.Size]byte
	macBuf      [sha256.Size]byte
	hexBuf      [2 * sha256.Size]byte

	data     []byte // signed: buffer of the current chunk
	pending  []byte // signed: verified bytes not yet returned
	remain   int64  // unsigned: data bytes of the current chunk not yet read
	needCRLF bool   // unsigned: chunk data read, its CRLF not yet
	decoded  int64
	trailer  map[string]string
	err      error // sticky; io.EOF once the body has been decoded and verified

	one     [1]byte
	scratch [len(chunkSigPrefix) + 64 + 2]byte
}

// NewChunkedReader returns a decoder of the aws-chunked stream r.
func NewChunkedReader(r io.Reader, opts ChunkedOptions) *ChunkedReader {
	c := &ChunkedReader{src: r, opts: opts}
	c.br, _ = r.(io.ByteReader)
	for _, t := range opts.Trailers {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
			c.declared = append(c.declared, t)
		}
	}
	if opts.MaxChunkSize <= 0 {
		c.opts.MaxChunkSize = DefaultMaxChunkSize
	}
	if opts.MaxTrailerSize <= 0 {
		c.opts.MaxTrailerSize = DefaultMaxTrailerSize
	}
	switch {
	case opts.SigningKey == nil && opts.SignedTrailer:
		c.err = errors.New("sigv4: ChunkedOptions.SignedTrailer requires a SigningKey")
	case opts.SigningKey != nil && !isHexSignature(opts.SeedSignature):
		c.err = errors.New("sigv4: ChunkedOptions.SeedSignature must be 64 hex digits")
	case opts.SigningKey != nil:
		c.mac = hmac.New(sha256.New, opts.SigningKey)
		c.sum = sha256.New()
		c.chunkPrefix = []byte(payloadAlgorithm + "\n" + opts.AmzDate + "\n" + opts.Scope + "\n")
		c.chunkMid = []byte("\n" + emptySHA256 + "\n")
		copy(c.prevSig[:], strings.ToLower(opts.SeedSignature))
	}
	return c
}

func (c *ChunkedReader) signed() bool { return c.opts.SigningKey != nil }

// Read returns decoded payload bytes. It returns io.EOF only after the whole
// body, trailers included, has been decoded and verified.
func (c *ChunkedReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if len(c.pending) > 0 {
			n := copy(p, c.pending)
			c.pending = c.pending[n:]
			return n, nil
		}
		if c.err != nil {
			return 0, c.err
		}
		if c.remain > 0 {
			return c.readUnsigned(p)
		}
		c.err = c.advance()
	}
}

// Trailer returns the trailers (lower-case names) once Read has returned
// io.EOF; nil before that or when there are none.
func (c *ChunkedReader) Trailer() map[string]string {
	if c.err != io.EOF {
		return nil
	}
	return c.trailer
}

// Decoded returns the number of payload bytes decoded so far.
func (c *ChunkedReader) Decoded() int64 { return c.decoded }

func invalidChunk(msg string) error { return newError(ErrInvalidChunk, msg) }

func readErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return newError(ErrIncompleteBody, "The request body terminated unexpectedly")
	}
	return fmt.Errorf("sigv4: reading body: %w", err)
}

func (c *ChunkedReader) readByte() (byte, error) {
	if c.br != nil {
		b, err := c.br.ReadByte()
		if err != nil {
			return 0, readErr(err)
		}
		return b, nil
	}
	if _, err := io.ReadFull(c.src, c.one[:]); err != nil {
		return 0, readErr(err)
	}
	return c.one[0], nil
}

func (c *ChunkedReader) expectCRLF() error {
	b := c.scratch[:2]
	if _, err := io.ReadFull(c.src, b); err != nil {
		return readErr(err)
	}
	if b[0] != '\r' || b[1] != '\n' {
		return invalidChunk("chunk data is not followed by CRLF")
	}
	return nil
}

// advance reads the next chunk header and, in signed mode, the chunk data.
// At the final chunk it reads the trailer section and returns io.EOF.
func (c *ChunkedReader) advance() error {
	if c.needCRLF {
		if err := c.expectCRLF(); err != nil {
			return err
		}
		c.needCRLF = false
	}
	size, sig, err := c.readChunkHeader()
	if err != nil {
		return err
	}
	if size == 0 {
		return c.finish(sig)
	}
	if c.opts.DecodedLength >= 0 && size > c.opts.DecodedLength-c.decoded {
		return c.lengthMismatch(c.decoded + size)
	}
	if !c.signed() {
		c.remain = size
		return nil
	}
	if size > c.opts.MaxChunkSize {
		return invalidChunk("chunk size " + strconv.FormatInt(size, 10) + " exceeds the limit of " + strconv.FormatInt(c.opts.MaxChunkSize, 10) + " bytes")
	}
	if err := c.readSignedData(int(size)); err != nil {
		return err
	}
	if err := c.expectCRLF(); err != nil {
		return err
	}
	if err := c.verifyChunk(sig, c.data); err != nil {
		return err
	}
	c.decoded += size
	c.pending = c.data
	return nil
}

func (c *ChunkedReader) lengthMismatch(got int64) error {
	return newError(ErrDecodedLengthMismatch, "decoded "+strconv.FormatInt(got, 10)+
		" bytes, x-amz-decoded-content-length is "+strconv.FormatInt(c.opts.DecodedLength, 10))
}

// readChunkHeader parses "<hex>;chunk-signature=<64 hex>\r\n" (signed) or
// "<hex>\r\n" (unsigned). sig aliases c.scratch.
func (c *ChunkedReader) readChunkHeader() (size int64, sig []byte, err error) {
	digits := 0
	var b byte
	for {
		if b, err = c.readByte(); err != nil {
			return 0, nil, err
		}
		v, ok := unhex(b)
		if !ok {
			break
		}
		if digits == maxChunkSizeDigits || size > math.MaxInt64>>4 {
			return 0, nil, invalidChunk("chunk size is too long")
		}
		digits++
		size = size<<4 | int64(v)
	}
	if digits == 0 {
		return 0, nil, invalidChunk("missing chunk size")
	}
	if !c.signed() {
		if b != '\r' {
			return 0, nil, invalidChunk("chunk size is not followed by CRLF")
		}
		if b, err = c.readByte(); err != nil {
			return 0, nil, err
		}
		if b != '\n' {
			return 0, nil, invalidChunk("chunk size is not followed by CRLF")
		}
		return size, nil, nil
	}
	if b != ';' {
		return 0, nil, invalidChunk("chunk size is not followed by ;chunk-signature=")
	}
	s := c.scratch[:]
	if _, err := io.ReadFull(c.src, s); err != nil {
		return 0, nil, readErr(err)
	}
	sig = s[len(chunkSigPrefix) : len(s)-2]
	if string(s[:len(chunkSigPrefix)]) != chunkSigPrefix || s[len(s)-2] != '\r' || s[len(s)-1] != '\n' ||
		!isHexSignature(string(sig)) {
		return 0, nil, invalidChunk("malformed chunk-signature")
	}
	return size, sig, nil
}

// readSignedData reads n bytes into c.data, growing it as data arrives.
func (c *ChunkedReader) readSignedData(n int) error {
	c.data = c.data[:0]
	for len(c.data) < n {
		if len(c.data) == cap(c.data) {
			grow := min(max(cap(c.data), initialChunkBuffer), n-len(c.data))
			c.data = slices.Grow(c.data, grow)
		}
		end := min(cap(c.data), n)
		k, err := io.ReadFull(c.src, c.data[len(c.data):end])
		c.data = c.data[:len(c.data)+k]
		if err != nil {
			return readErr(err)
		}
	}
	return nil
}

func (c *ChunkedReader) readUnsigned(p []byte) (int, error) {
	if int64(len(p)) > c.remain {
		p = p[:c.remain]
	}
	n, err := c.src.Read(p)
	c.remain -= int64(n)
	c.decoded += int64(n)
	if c.remain == 0 {
		c.needCRLF = true
	}
	if err != nil && (err != io.EOF || c.remain > 0) {
		c.err = readErr(err)
		if n == 0 {
			return 0, c.err
		}
	}
	return n, nil
}

// verifyChunk checks the signature of one chunk and advances the chain.
func (c *ChunkedReader) verifyChunk(sigHex, data []byte) error {
	c.sum.Reset()
	c.sum.Write(data)
	hex.Encode(c.hexBuf[:], c.sum.Sum(c.sumBuf[:0]))
	c.mac.Reset()
	c.mac.Write(c.chunkPrefix)
	c.mac.Write(c.prevSig[:])
	c.mac.Write(c.chunkMid)
	c.mac.Write(c.hexBuf[:])
	want := c.mac.Sum(c.macBuf[:0])
	if err := c.checkSig(want, sigHex); err != nil {
		return &SignatureMismatchError{
			StringToSign:      string(c.chunkPrefix) + string(c.prevSig[:]) + string(c.chunkMid) + string(c.hexBuf[:]),
			SignatureProvided: string(sigHex),
		}
	}
	hex.Encode(c.prevSig[:], want)
	return nil
}

// checkSig compares a computed signature with a provided hex one in
// constant time.
func (c *ChunkedReader) checkSig(want, sigHex []byte) error {
	got := c.sumBuf[:] // free once the data hash has been hex-encoded
	if _, err := hex.Decode(got, sigHex); err != nil || !hmac.Equal(want, got) {
		return ErrSignatureDoesNotMatch
	}
	return nil
}

// finish handles the final zero-length chunk.
func (c *ChunkedReader) finish(sig []byte) error {
	if c.signed() {
		if err := c.verifyChunk(sig, nil); err != nil {
			return err
		}
	}
	if c.opts.DecodedLength >= 0 && c.decoded != c.opts.DecodedLength {
		return c.lengthMismatch(c.decoded)
	}
	return c.readTrailers()
}
