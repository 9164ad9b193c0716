package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"
	"strings"
)

func malformedTrailer(msg string) error { return newError(ErrMalformedTrailer, msg) }

// readTrailers reads the trailer section that follows the final chunk, up to
// and including its terminating empty line, and verifies the trailer
// signature when required. It returns io.EOF on success.
func (c *ChunkedReader) readTrailers() error {
	budget := c.opts.MaxTrailerSize
	var canon []byte // "name:value\n" per trailer, the signed form
	var sigHex string
	var trailers map[string]string
	for {
		line, err := c.readLine(&budget)
		if err != nil {
			return err
		}
		if line == "" {
			break
		}
		if sigHex != "" {
			return malformedTrailer("trailer after " + trailerSignatureName)
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.Trim(value, " \t")
		if !ok || !isToken(name) {
			return malformedTrailer("malformed trailer line " + quote(line))
		}
		if c.opts.SignedTrailer && name == trailerSignatureName {
			if !isHexSignature(value) {
				return malformedTrailer("malformed " + trailerSignatureName)
			}
			sigHex = value
			continue
		}
		if !c.isDeclared(name) {
			return newError(ErrTrailerNotDeclared, "trailer "+quote(name)+" is not declared in x-amz-trailer")
		}
		if _, dup := trailers[name]; dup {
			return malformedTrailer("duplicate trailer " + quote(name))
		}
		if trailers == nil {
			trailers = make(map[string]string, len(c.declared))
		}
		trailers[name] = value
		canon = append(append(append(append(canon, name...), ':'), value...), '\n')
	}
	if c.opts.SignedTrailer {
		if sigHex == "" {
			return malformedTrailer("missing " + trailerSignatureName)
		}
		if err := c.verifyTrailer(canon, sigHex); err != nil {
			return err
		}
	}
	for _, d := range c.declared {
		if _, ok := trailers[d]; !ok {
			return malformedTrailer("declared trailer " + quote(d) + " is missing")
		}
	}
	c.trailer = trailers
	return io.EOF
}

func (c *ChunkedReader) verifyTrailer(canon []byte, sigHex string) error {
	sum := sha256.Sum256(canon)
	sts := trailerAlgorithm + "\n" + c.opts.AmzDate + "\n" + c.opts.Scope + "\n" +
		string(c.prevSig[:]) + "\n" + hex.EncodeToString(sum[:])
	if err := c.checkSig(hmacSHA256(c.opts.SigningKey, sts), []byte(sigHex)); err != nil {
		return &SignatureMismatchError{StringToSign: sts, SignatureProvided: sigHex}
	}
	return nil
}

func (c *ChunkedReader) isDeclared(name string) bool {
	for _, d := range c.declared {
		if d == name {
			return true
		}
	}
	return false
}

// readLine reads one CRLF-terminated line of the trailer section, charging
// its bytes to *budget.
func (c *ChunkedReader) readLine(budget *int) (string, error) {
	var line []byte
	for {
		b, err := c.readByte()
		if err != nil {
			return "", err
		}
		if *budget--; *budget < 0 {
			return "", invalidChunk("trailer section exceeds " + strconv.Itoa(c.opts.MaxTrailerSize) + " bytes")
		}
		switch b {
		case '\r':
			if b, err = c.readByte(); err != nil {
				return "", err
			}
			if *budget--; *budget < 0 {
				return "", invalidChunk("trailer section exceeds " + strconv.Itoa(c.opts.MaxTrailerSize) + " bytes")
			}
			if b != '\n' {
				return "", invalidChunk("trailer line is not terminated by CRLF")
			}
			return string(line), nil
		case '\n':
			return "", invalidChunk("trailer line is not terminated by CRLF")
		}
		line = append(line, b)
	}
}

// isToken reports whether s is a non-empty RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isUnreserved(c) || strings.IndexByte("!#$%&'*+^`|", c) >= 0) {
			return false
		}
	}
	return true
}
