package httpapi

import (
	"net/http"
	"net/url"
	"sort"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi/s3err"
	"github.com/cairnstore/cairn/httpapi/s3xml"
)

// readTagging parses a Tagging request body.
func readTagging(r *http.Request, q *request) ([]engine.Tag, error) {
	var t s3xml.Tagging
	found, err := readXMLBody(r, q, &t)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, s3err.New(s3err.MalformedXML, "")
	}
	tags := make([]engine.Tag, len(t.TagSet))
	for i, tg := range t.TagSet {
		tags[i] = engine.Tag{Key: tg.Key, Value: tg.Value}
	}
	return tags, nil
}

// headerTags parses x-amz-tagging (a URL query string) on PUT and copy.
func headerTags(h http.Header) ([]engine.Tag, bool, error) {
	v, ok := h["X-Amz-Tagging"]
	if !ok {
		return nil, false, nil
	}
	q, err := url.ParseQuery(v[0])
	if err != nil {
		return nil, true, &engine.TagError{Reason: "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates."}
	}
	var tags []engine.Tag
	for k, vals := range q {
		for _, val := range vals {
			tags = append(tags, engine.Tag{Key: k, Value: val})
		}
	}
	return tags, true, nil
}

func writeTagging(w http.ResponseWriter, tags map[string]string) error {
	out := s3xml.Tagging{NS: s3xml.NS, TagSet: []s3xml.Tag{}}
	for k, v := range tags {
		out.TagSet = append(out.TagSet, s3xml.Tag{Key: k, Value: v})
	}
	sort.Slice(out.TagSet, func(i, j int) bool { return out.TagSet[i].Key < out.TagSet[j].Key })
	return writeXML(w, http.StatusOK, out)
}

func (h *Handler) putObjectTagging(w http.ResponseWriter, r *http.Request, q *request) error {
	tags, err := readTagging(r, q)
	if err != nil {
		return err
	}
	vid, err := h.o.Engine.PutObjectTagging(r.Context(), q.bucket, q.key, q.versionID, q.actor(), tags)
	if err != nil {
		return err
	}
	setVersionID(w, vid)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) getObjectTagging(w http.ResponseWriter, r *http.Request, q *request) error {
	o, _, err := h.o.Engine.HeadObject(r.Context(), engine.ReadInput{Bucket: q.bucket, Key: q.key, VersionID: q.versionID})
	if err != nil {
		return err
	}
	setVersionID(w, o.VersionID)
	return writeTagging(w, o.Tags)
}

func (h *Handler) deleteObjectTagging(w http.ResponseWriter, r *http.Request, q *request) error {
	vid, err := h.o.Engine.PutObjectTagging(r.Context(), q.bucket, q.key, q.versionID, q.actor(), nil)
	if err != nil {
		return err
	}
	setVersionID(w, vid)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) putBucketTagging(w http.ResponseWriter, r *http.Request, q *request) error {
	tags, err := readTagging(r, q)
	if err != nil {
		return err
	}
	if err := h.o.Engine.PutBucketTagging(r.Context(), q.bucket, q.actor(), tags); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) getBucketTagging(w http.ResponseWriter, r *http.Request, q *request) error {
	b, err := h.o.Engine.HeadBucket(r.Context(), q.bucket)
	if err != nil {
		return err
	}
	if len(b.Tags) == 0 {
		return s3err.New(s3err.NoSuchTagSet, "")
	}
	return writeTagging(w, b.Tags)
}

func (h *Handler) deleteBucketTagging(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := h.o.Engine.PutBucketTagging(r.Context(), q.bucket, q.actor(), nil); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
