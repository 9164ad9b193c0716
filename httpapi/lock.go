package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi/s3err"
	"github.com/cairnstore/cairn/httpapi/s3xml"
)

// lockSpec reads the x-amz-object-lock-* headers of a PUT, copy or
// CreateMultipartUpload: a mode and a date (both or neither) and a legal
// hold. nil when there are none.
func lockSpec(h http.Header) (*engine.LockSpec, error) {
	mode, date, hold := h.Get("X-Amz-Object-Lock-Mode"), h.Get("X-Amz-Object-Lock-Retain-Until-Date"), h.Get("X-Amz-Object-Lock-Legal-Hold")
	if mode == "" && date == "" && hold == "" {
		return nil, nil
	}
	spec := &engine.LockSpec{Mode: mode, LegalHold: hold}
	switch {
	case (mode == "") != (date == ""):
		return nil, s3err.New(s3err.InvalidArgument, "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied")
	case mode != "" && mode != engine.LockGovernance && mode != engine.LockCompliance:
		return nil, s3err.New(s3err.InvalidArgument, "Unknown wormMode directive.")
	case hold != "" && hold != "ON" && hold != "OFF":
		return nil, s3err.New(s3err.InvalidArgument, "Legal Hold must be either of 'ON' or 'OFF'")
	}
	if date != "" {
		t, err := time.Parse(time.RFC3339Nano, date)
		if err != nil {
			return nil, s3err.New(s3err.InvalidArgument, "The retain until date must be provided in ISO 8601 format")
		}
		spec.Until = t
	}
	return spec, nil
}

// lockHeaders reports a version's Object Lock state on GET and HEAD.
func lockHeaders(h http.Header, l engine.Lock) {
	if l.LockMode != "" && l.RetainUntil != nil {
		h.Set("x-amz-object-lock-mode", l.LockMode)
		h.Set("x-amz-object-lock-retain-until-date", l.RetainUntil.UTC().Format(s3xml.TimeFormat))
	}
	if l.LegalHold {
		h.Set("x-amz-object-lock-legal-hold", "ON")
	}
}

// bypassGovernance reads x-amz-bypass-governance-retention.
func bypassGovernance(h http.Header) bool {
	return strings.EqualFold(h.Get("X-Amz-Bypass-Governance-Retention"), "true")
}

func (h *Handler) getObjectLockConfig(w http.ResponseWriter, r *http.Request, q *request) error {
	c, err := h.o.Engine.ObjectLockConfig(r.Context(), q.bucket)
	if err != nil {
		return err
	}
	out := s3xml.ObjectLockConfiguration{NS: s3xml.NS, ObjectLockEnabled: "Enabled"}
	if c.DefaultMode != "" {
		d := s3xml.DefaultRetention{Mode: c.DefaultMode}
		if c.DefaultDays > 0 {
			d.Days = &c.DefaultDays
		} else {
			d.Years = &c.DefaultYears
		}
		out.Rule = &s3xml.ObjectLockRule{DefaultRetention: d}
	}
	return writeXML(w, http.StatusOK, out)
}

func (h *Handler) putObjectLockConfig(w http.ResponseWriter, r *http.Request, q *request) error {
	var in s3xml.ObjectLockConfiguration
	found, err := readXMLBody(r, q, &in)
	if err != nil {
		return err
	}
	if !found || in.ObjectLockEnabled != "Enabled" {
		return s3err.New(s3err.MalformedXML, "")
	}
	var c engine.LockConfig
	if in.Rule != nil {
		d := in.Rule.DefaultRetention
		if d.Mode != engine.LockGovernance && d.Mode != engine.LockCompliance || (d.Days == nil) == (d.Years == nil) {
			return s3err.New(s3err.MalformedXML, "")
		}
		c.DefaultMode = d.Mode
		if d.Days != nil {
			c.DefaultDays = *d.Days
		} else {
			c.DefaultYears = *d.Years
		}
		if c.DefaultDays <= 0 && c.DefaultYears <= 0 {
			return engine.ErrInvalidRetention
		}
	}
	if err := h.o.Engine.PutObjectLockConfig(r.Context(), q.bucket, q.actor(), c); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) getObjectRetention(w http.ResponseWriter, r *http.Request, q *request) error {
	ret, vid, err := h.o.Engine.ObjectRetention(r.Context(), q.bucket, q.key, q.versionID)
	if err != nil {
		return err
	}
	setVersionID(w, vid)
	return writeXML(w, http.StatusOK, s3xml.Retention{NS: s3xml.NS, Mode: ret.Mode, RetainUntilDate: s3xml.Time(ret.Until)})
}

// putObjectRetention sets or (with an empty Retention) removes a
// version's retention.
func (h *Handler) putObjectRetention(w http.ResponseWriter, r *http.Request, q *request) error {
	var ret s3xml.Retention
	found, err := readXMLBody(r, q, &ret)
	if err != nil {
		return err
	}
	in := engine.PutRetentionInput{Bucket: q.bucket, Key: q.key, VersionID: q.versionID, Actor: q.actor(),
		Bypass: bypassGovernance(r.Header)}
	switch {
	case !found || (ret.Mode == "") != (ret.RetainUntilDate == ""):
		return s3err.New(s3err.MalformedXML, "")
	case ret.Mode != "" && ret.Mode != engine.LockGovernance && ret.Mode != engine.LockCompliance:
		return s3err.New(s3err.MalformedXML, "")
	case ret.Mode != "":
		if in.Until, err = time.Parse(time.RFC3339Nano, ret.RetainUntilDate); err != nil {
			return s3err.New(s3err.MalformedXML, "")
		}
		in.Mode = ret.Mode
	}
	if _, err := h.o.Engine.PutObjectRetention(r.Context(), in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) getObjectLegalHold(w http.ResponseWriter, r *http.Request, q *request) error {
	on, vid, err := h.o.Engine.ObjectLegalHold(r.Context(), q.bucket, q.key, q.versionID)
	if err != nil {
		return err
	}
	status := "OFF"
	if on {
		status = "ON"
	}
	setVersionID(w, vid)
	return writeXML(w, http.StatusOK, s3xml.LegalHold{NS: s3xml.NS, Status: status})
}

func (h *Handler) putObjectLegalHold(w http.ResponseWriter, r *http.Request, q *request) error {
	var lh s3xml.LegalHold
	found, err := readXMLBody(r, q, &lh)
	if err != nil {
		return err
	}
	if !found || lh.Status != "ON" && lh.Status != "OFF" {
		return s3err.New(s3err.MalformedXML, "")
	}
	if _, err := h.o.Engine.PutObjectLegalHold(r.Context(), q.bucket, q.key, q.versionID, q.actor(), lh.Status == "ON"); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
