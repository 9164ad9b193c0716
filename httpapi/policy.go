package httpapi

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/cairnstore/cairn/httpapi/s3err"
)

type policyStatus struct {
	XMLName  xml.Name `xml:"PolicyStatus"`
	NS       string   `xml:"xmlns,attr"`
	IsPublic bool     `xml:"IsPublic"`
}

func (h *Handler) getBucketPolicy(w http.ResponseWriter, r *http.Request, q *request) error {
	doc, err := h.o.Engine.BucketPolicy(r.Context(), q.bucket)
	if err != nil {
		return err
	}
	if doc == "" {
		return s3err.New(s3err.NoSuchBucketPolicy, "")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(doc))
	return nil
}

func (h *Handler) putBucketPolicy(w http.ResponseWriter, r *http.Request, q *request) error {
	body, err := q.auth.Body(r)
	if err != nil {
		return err
	}
	defer body.Close()
	if body.Size() == 0 {
		return s3err.New(s3err.MalformedPolicy, "Policies must be valid JSON and the first byte must be '{'")
	}
	if err := h.o.Engine.PutBucketPolicy(r.Context(), q.bucket, q.actor(), body); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) deleteBucketPolicy(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := h.o.Engine.PutBucketPolicy(r.Context(), q.bucket, q.actor(), strings.NewReader("")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) getBucketPolicyStatus(w http.ResponseWriter, r *http.Request, q *request) error {
	public, err := h.o.Engine.BucketPolicyStatus(r.Context(), q.bucket)
	if err != nil {
		return err
	}
	return writeXML(w, http.StatusOK, policyStatus{NS: "http://s3.amazonaws.com/doc/2006-03-01/", IsPublic: public})
}
