package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/httpapi/s3err"
)

// The admin API manages users and access keys. Its paths start with
// /_cairn/admin/v1/ ("_cairn" is not a valid bucket name, so they never
// collide with S3's), requests are signed like any other, and only root
// may call it. Bodies are JSON:
//
//	POST   /_cairn/admin/v1/users               {"name":"alice"}       -> 201 user
//	GET    /_cairn/admin/v1/users                                      -> 200 {"users":[user...]}
//	GET    /_cairn/admin/v1/users/NAME                                 -> 200 user
//	PUT    /_cairn/admin/v1/users/NAME          {"disabled":true}      -> 200 user
//	DELETE /_cairn/admin/v1/users/NAME          (and its keys)         -> 204
//	POST   /_cairn/admin/v1/users/NAME/keys                            -> 201 {"accessKey","secretKey"}
//	PUT    /_cairn/admin/v1/keys/ACCESSKEY      {"active":false}       -> 204
//	DELETE /_cairn/admin/v1/keys/ACCESSKEY                             -> 204
//	GET    /_cairn/admin/v1/replication                                -> 200 replication status
//
// A key's secret appears in the answer that creates it and nowhere else.
const adminBucket = "_cairn"

// AdminUser is a user as the admin API shows it.
type AdminUser struct {
	Name        string     `json:"name"`
	CanonicalID string     `json:"canonicalId"`
	Disabled    bool       `json:"disabled"`
	Created     time.Time  `json:"created"`
	Keys        []AdminKey `json:"keys"`
}

// AdminKey is an access key as the admin API shows it.
type AdminKey struct {
	AccessKey string    `json:"accessKey"`
	SecretKey string    `json:"secretKey,omitempty"` // only when created
	Active    bool      `json:"active"`
	Created   time.Time `json:"created,omitzero"`
}

func adminUser(u engine.UserInfo) AdminUser {
	out := AdminUser{Name: u.Name, CanonicalID: u.CanonicalID, Disabled: u.Disabled, Created: u.Created, Keys: []AdminKey{}}
	for _, k := range u.Keys {
		out.Keys = append(out.Keys, AdminKey{AccessKey: k.AccessKey, Active: k.Active, Created: k.Created})
	}
	return out
}

func isAdmin(r *http.Request) bool { return reqOf(r).bucket == adminBucket }

// isPeer matches another gateway's read (engine/peer): signed with the
// gateways' own key, not SigV4, so it skips S3 authentication.
func isPeer(r *http.Request) bool {
	q := reqOf(r)
	return q.bucket == adminBucket && !q.vhost && strings.HasPrefix(q.key, "peer/")
}

func (h *Handler) peer() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqOf(r).op = "PeerRead"
		h.o.Peer.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

func readJSON(r *http.Request, q *request, v any) error {
	body, err := q.auth.Body(r)
	if err != nil {
		return err
	}
	defer body.Close()
	if err := json.NewDecoder(io.LimitReader(body, 1<<16)).Decode(v); err != nil {
		return s3err.New(s3err.InvalidRequest, "malformed JSON body")
	}
	return nil
}

// admin dispatches /_cairn/admin/v1/... requests.
func (h *Handler) admin(w http.ResponseWriter, r *http.Request, q *request) error {
	parts := strings.Split(strings.TrimPrefix(q.key, "admin/v1/"), "/")
	if !strings.HasPrefix(q.key, "admin/v1/") {
		return s3err.New(s3err.InvalidRequest, "unknown admin API path")
	}
	switch {
	case parts[0] == "users" && len(parts) == 1:
		return h.adminUsers(w, r, q)
	case parts[0] == "users" && len(parts) == 2:
		return h.adminUser(w, r, q, parts[1])
	case parts[0] == "users" && len(parts) == 3 && parts[2] == "keys" && r.Method == http.MethodPost:
		cred, err := h.o.Engine.CreateKey(r.Context(), q.actor(), parts[1])
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusCreated, AdminKey{AccessKey: cred.AccessKey, SecretKey: cred.SecretKey, Active: true})
	case parts[0] == "keys" && len(parts) == 2:
		return h.adminKey(w, r, q, parts[1])
	case parts[0] == "replication" && len(parts) == 1 && r.Method == http.MethodGet:
		if h.o.Replication == nil {
			return s3err.New(s3err.NotImplemented, "This server does not run replication.")
		}
		st, err := h.o.Replication.Status(r.Context())
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, st)
	}
	return s3err.New(s3err.InvalidRequest, "unknown admin API path")
}

func (h *Handler) adminUsers(w http.ResponseWriter, r *http.Request, q *request) error {
	switch r.Method {
	case http.MethodGet:
		users, err := h.o.Engine.ListUsers(r.Context())
		if err != nil {
			return err
		}
		out := struct {
			Users []AdminUser `json:"users"`
		}{Users: []AdminUser{}}
		for _, u := range users {
			out.Users = append(out.Users, adminUser(u))
		}
		return writeJSON(w, http.StatusOK, out)
	case http.MethodPost:
		var in struct{ Name string }
		if err := readJSON(r, q, &in); err != nil {
			return err
		}
		u, err := h.o.Engine.CreateUser(r.Context(), q.actor(), in.Name)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusCreated, adminUser(u))
	}
	return s3err.New(s3err.MethodNotAllowed, "")
}

func (h *Handler) adminUser(w http.ResponseWriter, r *http.Request, q *request, name string) error {
	switch r.Method {
	case http.MethodPut:
		var in struct{ Disabled bool }
		if err := readJSON(r, q, &in); err != nil {
			return err
		}
		if err := h.o.Engine.SetUserDisabled(r.Context(), q.actor(), name, in.Disabled); err != nil {
			return err
		}
		fallthrough
	case http.MethodGet:
		users, err := h.o.Engine.ListUsers(r.Context())
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.Name == name {
				return writeJSON(w, http.StatusOK, adminUser(u))
			}
		}
		return engine.ErrNoSuchUser
	case http.MethodDelete:
		if err := h.o.Engine.DeleteUser(r.Context(), q.actor(), name); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return s3err.New(s3err.MethodNotAllowed, "")
}

func (h *Handler) adminKey(w http.ResponseWriter, r *http.Request, q *request, ak string) error {
	var err error
	switch r.Method {
	case http.MethodPut:
		var in struct{ Active bool }
		if err = readJSON(r, q, &in); err == nil {
			err = h.o.Engine.SetKeyActive(r.Context(), q.actor(), ak, in.Active)
		}
	case http.MethodDelete:
		err = h.o.Engine.DeleteKey(r.Context(), q.actor(), ak)
	default:
		return s3err.New(s3err.MethodNotAllowed, "")
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
