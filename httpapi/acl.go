package httpapi

import (
	"net/http"
	"strings"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi/s3err"
	"github.com/cairnstore/cairn/httpapi/s3xml"
)

// grantHeaders are the x-amz-grant-* headers and the permission each gives.
var grantHeaders = map[string]string{
	"X-Amz-Grant-Read": "READ", "X-Amz-Grant-Write": "WRITE", "X-Amz-Grant-Read-Acp": "READ_ACP",
	"X-Amz-Grant-Write-Acp": "WRITE_ACP", "X-Amz-Grant-Full-Control": "FULL_CONTROL",
}

// aclSpec reads x-amz-acl or the x-amz-grant-* headers (nil: neither).
func aclSpec(h http.Header) (*engine.ACLSpec, error) {
	canned := h.Get("X-Amz-Acl")
	var grants []engine.Grant
	for name, perm := range grantHeaders {
		for _, v := range h.Values(name) {
			gs, err := parseGrantees(v, perm)
			if err != nil {
				return nil, err
			}
			grants = append(grants, gs...)
		}
	}
	switch {
	case canned != "" && len(grants) > 0:
		return nil, s3err.New(s3err.InvalidRequest, "Specifying both Canned ACLs and Header Grants is not allowed")
	case canned == "" && len(grants) == 0:
		return nil, nil
	}
	return &engine.ACLSpec{Canned: canned, Grants: grants}, nil
}

// parseGrantees reads `id="...", uri="..."` lists.
func parseGrantees(v, perm string) ([]engine.Grant, error) {
	var out []engine.Grant
	for _, part := range strings.Split(v, ",") {
		kind, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		val = strings.Trim(strings.TrimSpace(val), `"`)
		switch strings.ToLower(strings.TrimSpace(kind)) {
		case "id":
			out = append(out, engine.Grant{ID: val, Permission: perm})
		case "uri":
			out = append(out, engine.Grant{URI: val, Permission: perm})
		case "emailaddress":
			return nil, s3err.New(s3err.UnresolvableGrantByEmailAddress, "")
		default:
			if !ok || val == "" {
				return nil, s3err.New(s3err.InvalidArgument, "Invalid grant header: "+part)
			}
			return nil, s3err.New(s3err.InvalidArgument, "Argument format not recognized: "+kind)
		}
	}
	return out, nil
}

func renderACL(acl engine.ACL) s3xml.AccessControlPolicy {
	out := s3xml.AccessControlPolicy{NS: s3xml.NS, Owner: &s3xml.Owner{ID: acl.Owner}}
	for _, g := range acl.Grants {
		ge := s3xml.Grantee{XMLNSXSI: s3xml.XSI, Type: "CanonicalUser", ID: g.ID}
		if g.URI != "" {
			ge = s3xml.Grantee{XMLNSXSI: s3xml.XSI, Type: "Group", URI: g.URI}
		}
		out.Grants = append(out.Grants, s3xml.Grant{Grantee: ge, Permission: g.Permission})
	}
	return out
}

// readACL reads a Put*Acl request: headers, or an AccessControlPolicy body.
func readACL(r *http.Request, q *request) (*engine.ACLSpec, *engine.ACL, error) {
	spec, err := aclSpec(r.Header)
	if err != nil {
		return nil, nil, err
	}
	var doc s3xml.AccessControlPolicy
	found, err := readXMLBody(r, q, &doc)
	if err != nil || !found {
		if err == nil && spec == nil {
			err = s3err.New(s3err.MissingSecurityHeader, "Your request was missing a required header: x-amz-acl")
		}
		return spec, nil, err
	}
	acl := &engine.ACL{}
	if doc.Owner != nil {
		acl.Owner = doc.Owner.ID
	}
	for _, g := range doc.Grants {
		switch {
		case !validPermission(g.Permission):
			return nil, nil, s3err.New(s3err.MalformedACLError, "")
		case g.Grantee.EmailAddress != "":
			return nil, nil, s3err.New(s3err.UnresolvableGrantByEmailAddress, "")
		case g.Grantee.URI != "":
			acl.Grants = append(acl.Grants, engine.Grant{URI: g.Grantee.URI, Permission: g.Permission})
		case g.Grantee.ID != "":
			acl.Grants = append(acl.Grants, engine.Grant{ID: g.Grantee.ID, Permission: g.Permission})
		default:
			return nil, nil, s3err.New(s3err.MalformedACLError, "")
		}
	}
	return spec, acl, nil
}

func validPermission(p string) bool {
	switch p {
	case "READ", "WRITE", "READ_ACP", "WRITE_ACP", "FULL_CONTROL":
		return true
	}
	return false
}

func (h *Handler) getBucketACL(w http.ResponseWriter, r *http.Request, q *request) error {
	acl, err := h.o.Engine.BucketACL(r.Context(), q.bucket)
	if err != nil {
		return err
	}
	return writeXML(w, http.StatusOK, renderACL(acl))
}

func (h *Handler) putBucketACL(w http.ResponseWriter, r *http.Request, q *request) error {
	spec, full, err := readACL(r, q)
	if err == nil {
		err = h.o.Engine.PutBucketACL(r.Context(), q.bucket, q.actor(), spec, full)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) getObjectACL(w http.ResponseWriter, r *http.Request, q *request) error {
	acl, vid, err := h.o.Engine.ObjectACL(r.Context(), q.bucket, q.key, q.versionID)
	if err != nil {
		return err
	}
	setVersionID(w, vid)
	return writeXML(w, http.StatusOK, renderACL(acl))
}

func (h *Handler) putObjectACL(w http.ResponseWriter, r *http.Request, q *request) error {
	spec, full, err := readACL(r, q)
	if err == nil {
		_, err = h.o.Engine.PutObjectACL(r.Context(), q.bucket, q.key, q.versionID, q.actor(), spec, full)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) getOwnershipControls(w http.ResponseWriter, r *http.Request, q *request) error {
	o, err := h.o.Engine.OwnershipControls(r.Context(), q.bucket)
	if err != nil {
		return err
	}
	if o == "" {
		return s3err.New(s3err.OwnershipControlsNotFoundError, "")
	}
	out := s3xml.OwnershipControls{NS: s3xml.NS}
	out.Rules = append(out.Rules, struct {
		ObjectOwnership string `xml:"ObjectOwnership"`
	}{o})
	return writeXML(w, http.StatusOK, out)
}

func (h *Handler) putOwnershipControls(w http.ResponseWriter, r *http.Request, q *request) error {
	var in s3xml.OwnershipControls
	found, err := readXMLBody(r, q, &in)
	if err != nil {
		return err
	}
	if !found || len(in.Rules) != 1 {
		return s3err.New(s3err.MalformedXML, "")
	}
	if err := h.o.Engine.PutOwnershipControls(r.Context(), q.bucket, q.actor(), in.Rules[0].ObjectOwnership); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) deleteOwnershipControls(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := h.o.Engine.PutOwnershipControls(r.Context(), q.bucket, q.actor(), ""); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) getPublicAccessBlock(w http.ResponseWriter, r *http.Request, q *request) error {
	c, err := h.o.Engine.PublicAccessBlock(r.Context(), q.bucket)
	if err != nil {
		return err
	}
	if c == nil {
		return s3err.New(s3err.NoSuchPublicAccessBlockConfiguration, "")
	}
	return writeXML(w, http.StatusOK, s3xml.PublicAccessBlockConfiguration{NS: s3xml.NS, BlockPublicAcls: c.BlockPublicAcls,
		IgnorePublicAcls: c.IgnorePublicAcls, BlockPublicPolicy: c.BlockPublicPolicy, RestrictPublicBuckets: c.RestrictPublicBuckets})
}

func (h *Handler) putPublicAccessBlock(w http.ResponseWriter, r *http.Request, q *request) error {
	var in s3xml.PublicAccessBlockConfiguration
	found, err := readXMLBody(r, q, &in)
	if err != nil {
		return err
	}
	if !found {
		return s3err.New(s3err.MalformedXML, "")
	}
	c := &engine.PublicAccessBlock{BlockPublicAcls: in.BlockPublicAcls, IgnorePublicAcls: in.IgnorePublicAcls,
		BlockPublicPolicy: in.BlockPublicPolicy, RestrictPublicBuckets: in.RestrictPublicBuckets}
	if err := h.o.Engine.PutPublicAccessBlock(r.Context(), q.bucket, q.actor(), c); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) deletePublicAccessBlock(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := h.o.Engine.PutPublicAccessBlock(r.Context(), q.bucket, q.actor(), nil); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
