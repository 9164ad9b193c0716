package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
)

// writeXML renders a success body.
func writeXML(w http.ResponseWriter, status int, v any) error {
	b, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
	return nil
}

// ownerID is the canonical user id S3 shows for an access key: 64 hex
// digits, stable, and revealing nothing of the key itself.
func ownerID(accessKey string) string {
	sum := sha256.Sum256([]byte("cairn-owner:" + accessKey))
	return hex.EncodeToString(sum[:])
}
