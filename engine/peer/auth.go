package peer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// Headers of a signed read.
const (
	HeaderFrom      = "X-Cairn-Peer-From"
	HeaderDate      = "X-Cairn-Peer-Date"
	HeaderSignature = "X-Cairn-Peer-Signature"
	HeaderXxh3      = "X-Cairn-Peer-Xxh3"
)

// MaxSkew is how far a read's date may be from the owner's clock (as S3's
// request time).
const MaxSkew = 15 * time.Minute

var errForbidden = errors.New("peer: request not signed by a gateway of this log")

// keyFor derives the signing key of reads from the master key.
func keyFor(masterKey []byte) []byte {
	m := hmac.New(sha256.New, masterKey)
	m.Write([]byte("cairn peer read v1"))
	return m.Sum(nil)
}

func signature(key []byte, r *http.Request, from, date string) []byte {
	m := hmac.New(sha256.New, key)
	for _, s := range []string{"cairn-peer-v1", r.Method, r.URL.Path, r.URL.Query().Encode(), from, date} {
		m.Write([]byte(s))
		m.Write([]byte{'\n'})
	}
	return m.Sum(nil)
}

// sign adds the headers that authenticate r as a read by node from.
func sign(key []byte, r *http.Request, from string, now time.Time) {
	date := strconv.FormatInt(now.Unix(), 10)
	r.Header.Set(HeaderFrom, from)
	r.Header.Set(HeaderDate, date)
	r.Header.Set(HeaderSignature, hex.EncodeToString(signature(key, r, from, date)))
}

// verify checks r's signature (in constant time) and date.
func verify(key []byte, r *http.Request, now time.Time) error {
	from, date := r.Header.Get(HeaderFrom), r.Header.Get(HeaderDate)
	got, err := hex.DecodeString(r.Header.Get(HeaderSignature))
	if err != nil || from == "" || date == "" {
		return errForbidden
	}
	if !hmac.Equal(got, signature(key, r, from, date)) {
		return errForbidden
	}
	sec, err := strconv.ParseInt(date, 10, 64)
	if err != nil {
		return errForbidden
	}
	if d := now.Sub(time.Unix(sec, 0)); d > MaxSkew || d < -MaxSkew {
		return errForbidden
	}
	return nil
}
