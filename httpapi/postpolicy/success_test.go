package postpolicy

import (
	"crypto/md5" //nolint:gosec // the ETag of a single-part object
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSuccess(t *testing.T) {
	cases := []struct {
		fields map[string]string
		want   Success
	}{
		{nil, Success{Status: 204}},
		{map[string]string{"success_action_status": "200"}, Success{Status: 200}},
		{map[string]string{"success_action_status": "201"}, Success{Status: 201}},
		{map[string]string{"success_action_status": "404"}, Success{Status: 204}},
		{map[string]string{"success_action_redirect": "https://e.test/ok", "success_action_status": "201"}, Success{Status: 303, Redirect: "https://e.test/ok"}},
		{map[string]string{"redirect": "http://e.test/ok"}, Success{Status: 303, Redirect: "http://e.test/ok"}},
		{map[string]string{"success_action_redirect": "/wrong/redirect/relative"}, Success{Status: 204}},
		{map[string]string{"success_action_redirect": "ftp://e.test/x", "success_action_status": "200"}, Success{Status: 200}},
		{map[string]string{"success_action_redirect": "https://e.test/a", "redirect": "https://e.test/b"}, Success{Status: 303, Redirect: "https://e.test/a"}},
	}
	for _, c := range cases {
		if got := (&Form{Fields: c.fields}).Success(); got != c.want {
			t.Errorf("%v: got %+v, want %+v", c.fields, got, c.want)
		}
	}
}

func TestSuccessHelpers(t *testing.T) {
	o := Object{Bucket: "omnivore-scratch", Key: "8329/1391639479.7579765/Untitled copy.sketch", ETag: `"47371919f8bdb6e35df40d8744db818a"`}
	got := RedirectURL("https://x.test/upload_complete?md5=1", o)
	want := "https://x.test/upload_complete?md5=1&bucket=omnivore-scratch&key=8329%2F1391639479.7579765%2FUntitled+copy.sketch&etag=%2247371919f8bdb6e35df40d8744db818a%22"
	if got != want {
		t.Fatalf("redirect\n got %s\nwant %s", got, want)
	}
	if got := RedirectURL("https://x.test/done", o); !strings.HasPrefix(got, "https://x.test/done?bucket=") {
		t.Fatal(got)
	}
	if got := RedirectURL("https://x.test/done?", o); !strings.HasPrefix(got, "https://x.test/done?bucket=") {
		t.Fatal(got)
	}
	if got := ObjectURL("https://foobar.s3.amazonaws.com/", "président.jpg"); got != "https://foobar.s3.amazonaws.com/pr%C3%A9sident.jpg" {
		t.Fatal(got)
	}
	if got := ObjectURL("http://s3.amazonaws.com/happybucket2", "prefix/111222"); got != "http://s3.amazonaws.com/happybucket2/prefix%2F111222" {
		t.Fatal(got)
	}
	body := string(PostResponseXML(Object{Location: "l", Bucket: "b", Key: "a&b", ETag: `"e"`}))
	if body != "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse><Location>l</Location><Bucket>b</Bucket><Key>a&amp;b</Key><ETag>&#34;e&#34;</ETag></PostResponse>" {
		t.Fatal(body)
	}
}

// TestHTTPServer runs boto3's forms through a real net/http server that
// stores nothing but answers like S3.
func TestHTTPServer(t *testing.T) {
	v := newTestVerifier(time.Now())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := Parse(r, 0)
		if err == nil {
			_, err = v.Verify(r.Context(), f, strings.TrimPrefix(r.URL.Path, "/"))
		}
		h := md5.New() //nolint:gosec // ETag
		if err == nil {
			_, err = io.Copy(h, f.File)
		}
		if err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, ErrEntityTooLarge) {
				status = http.StatusRequestEntityTooLarge // the test's marker only
			}
			http.Error(w, err.Error(), status)
			return
		}
		key := f.Fields["key"]
		f.Success().Write(w, Object{Location: ObjectURL("http://"+r.Host+"/"+pathBucket(r), key),
			Bucket: pathBucket(r), Key: key, ETag: `"` + hex.EncodeToString(h.Sum(nil)) + `"`})
	}))
	defer srv.Close()
	forms := boto3Post(t, testAK, testSK, time.Now(),
		postCase{SigVersion: "s3v4", Bucket: testBucket, Key: "dir/${filename}"},
		postCase{SigVersion: "s3", Bucket: testBucket, Key: "k", Fields: map[string]string{"success_action_status": "201"},
			Conditions: []any{map[string]string{"success_action_status": "201"}}},
		postCase{SigVersion: "s3v4", Bucket: testBucket, Key: "k", Fields: map[string]string{"success_action_redirect": "http://e.test/ok"},
			Conditions: []any{[]any{"starts-with", "$success_action_redirect", "http://e.test/"}}},
		postCase{SigVersion: "s3v4", Bucket: testBucket, Key: "k", Conditions: []any{[]any{"content-length-range", 0, 1000}}},
	)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(form postForm, size int) (*http.Response, error) {
		r := formRequest(t, form.Fields, &fileSpec{filename: "a b.txt", body: gen(size)}, nil)
		r.URL.Host = strings.TrimPrefix(srv.URL, "http://")
		r.Host = r.URL.Host
		resp, err := client.Do(r)
		if err == nil {
			t.Cleanup(func() { resp.Body.Close() })
		}
		return resp, err
	}
	post := func(form postForm, size int) *http.Response {
		resp, err := do(form, size)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	var wg sync.WaitGroup
	for range 4 { // concurrent uploads share the Verifier
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := do(forms[0], 3<<20)
			if err != nil || resp.StatusCode != 204 || resp.Header.Get("ETag") == "" ||
				resp.Header.Get("Location") != srv.URL+"/"+testBucket+"/dir%2Fa%20b.txt" {
				t.Errorf("204: %v %v", err, resp)
			}
		}()
	}
	wg.Wait()
	resp := post(forms[1], 10)
	var pr postResponse
	if err := xml.NewDecoder(resp.Body).Decode(&pr); err != nil || resp.StatusCode != 201 || pr.Key != "k" ||
		pr.Bucket != testBucket || pr.ETag != resp.Header.Get("ETag") {
		t.Fatalf("201: %d %+v %v", resp.StatusCode, pr, err)
	}
	resp = post(forms[2], 10)
	if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || !strings.HasPrefix(loc, "http://e.test/ok?bucket="+testBucket+"&key=k&etag=%22") {
		t.Fatalf("303: %d %s", resp.StatusCode, loc)
	}
	if resp = post(forms[3], 1001); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("too large: %d", resp.StatusCode)
	}
}

func pathBucket(r *http.Request) string { return strings.TrimPrefix(r.URL.Path, "/") }
