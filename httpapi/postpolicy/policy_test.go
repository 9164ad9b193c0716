package postpolicy

import (
	"encoding/base64"
	"errors"
	"testing"
	"time"
)

const exp = `"expiration": "2030-01-01T00:00:00Z"`

func TestParsePolicyErrors(t *testing.T) {
	cases := map[string]string{
		`not json`:                                   "Invalid Policy: Invalid JSON.",
		`[]`:                                         "Invalid Policy: Invalid JSON.",
		`{` + exp + `, "conditions": []} x`:          "Invalid Policy: Invalid JSON.",
		`{` + exp + `, "conditions": [1,]}`:          "Invalid Policy: Invalid JSON.",
		`{"conditions": []}`:                         "Invalid Policy: Policy missing expiration.",
		`{` + exp + `}`:                              "Invalid Policy: Policy missing conditions.",
		`{"EXPIRATION": "x", "conditions": []}`:      "Invalid Policy: Unexpected: 'expiration'",
		`{` + exp + `, "CONDITIONS": []}`:            "Invalid Policy: Unexpected: 'conditions'",
		`{"Version": "2012-10-17", "Statement": []}`: "Invalid Policy: Unexpected: 'version'",
		`{` + exp + `, "conditions": {}}`:            "Invalid Policy: Invalid 'conditions' value: must be a List.",
		`{` + exp + `, "conditions": null}`:          "Invalid Policy: Invalid 'conditions' value: must be a List.",
		`{"expiration": "2011-09-13T07:52:58+02:00", "conditions": []}`:     "Invalid Policy: Invalid 'expiration' value: '2011-09-13T07:52:58+02:00'",
		`{"expiration": "2015-10-17 03:15:59 UTC", "conditions": []}`:       "Invalid Policy: Invalid 'expiration' value: '2015-10-17 03:15:59 UTC'",
		`{"expiration": 5, "conditions": []}`:                               "Invalid Policy: Invalid 'expiration' value: '5'",
		`{` + exp + `, "conditions": [{}]}`:                                 "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.",
		`{` + exp + `, "conditions": [{"a": "1", "b": "2"}]}`:               "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.",
		`{` + exp + `, "conditions": [{"a": "1", "a": "2"}]}`:               "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.",
		`{` + exp + `, "conditions": [{"Content-Length": 6199034}]}`:        "Invalid Policy: Invalid Simple-Condition: value must be a string.",
		`{` + exp + `, "conditions": [{"success_action_redirect": null}]}`:  "Invalid Policy: Invalid JSON.",
		`{` + exp + `, "conditions": [["content-length-range", 0, 512.0]]}`: "Invalid Policy: Invalid JSON.",
		`{` + exp + `, "conditions": [["content-length-range", 0, 1e3]]}`:   "Invalid Policy: Invalid JSON.",
		`{` + exp + `, "conditions": [["content-length-range", -1, 0]]}`:    "Invalid Policy: Invalid content-length-range: the range must not be negative.",
		`{` + exp + `, "conditions": [["content-length-range", 0]]}`:        "Invalid Policy: Invalid content-length-range: wrong number of arguments.",
		`{` + exp + `, "conditions": [[]]}`:                                 "Invalid Policy: Invalid Condition: missing operation identifier.",
		`{` + exp + `, "conditions": [[1, "$a", "b"]]}`:                     "Invalid Policy: Invalid Condition: missing operation identifier.",
		`{` + exp + `, "conditions": [["ends-with", "$key", "x"]]}`:         "Invalid Policy: Invalid Condition: unknown operation 'ends-with'.",
		`{` + exp + `, "conditions": [["eq", "$key"]]}`:                     "Invalid Policy: Invalid eq: wrong number of arguments.",
		`{` + exp + `, "conditions": [["eq", "$key", 5]]}`:                  "Invalid Policy: Invalid JSON.",
		`{` + exp + `, "conditions": ["eq"]}`:                               "Invalid Policy: Invalid condition test: must be a List or Object.",
	}
	for doc, msg := range cases {
		_, err := ParsePolicy([]byte(doc))
		if !errors.Is(err, ErrInvalidPolicyDocument) {
			t.Errorf("%s: got %v", doc, err)
			continue
		}
		var e *Error
		if errors.As(err, &e); e.Message != msg {
			t.Errorf("%s:\n got %q\nwant %q", doc, e.Message, msg)
		}
	}
	for _, b64 := range []string{"!!!", "e30=x"} {
		_, err := DecodePolicy(b64)
		wantMessage(t, err, "Invalid Policy: invalid Base64 encoding.")
	}
}

func TestParsePolicy(t *testing.T) {
	doc := `{ "expiration": "2007-12-01T12:00:00.000Z",
	  "conditions": [
	    {"acl": "public-read" },
	    ["EQ", "$Key", "a\$b\vc"],
	    ["starts-with", "key", ""],
	    ["content-length-range", "1", 10],
	    {"x-note": "\\$literal"}
	  ] }`
	p, err := ParsePolicy([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Expiration.Equal(time.Date(2007, 12, 1, 12, 0, 0, 0, time.UTC)) || len(p.Conditions) != 5 {
		t.Fatalf("%+v", p)
	}
	want := []Condition{
		{Op: "eq", Field: "acl", Ref: true, Value: "public-read", text: `["eq", "$acl", "public-read"]`},
		{Op: "eq", Field: "key", Ref: true, Value: "a$b\vc", text: `["EQ", "$Key", "a$b\u000bc"]`},
		{Op: "starts-with", Field: "key", Ref: false, Value: "", text: `["starts-with", "key", ""]`},
		{Op: "content-length-range", Min: "1", Max: "10", text: `["content-length-range", "1", 10]`},
		{Op: "eq", Field: "x-note", Ref: true, Value: `\$literal`, text: `["eq", "$x-note", "\\$literal"]`},
	}
	for i, c := range p.Conditions {
		if c != want[i] {
			t.Errorf("condition %d:\n got %+v\nwant %+v", i, c, want[i])
		}
	}
	// Padding is optional and white space in the base64 is ignored.
	b64 := base64.RawStdEncoding.EncodeToString([]byte(`{` + exp + `, "conditions": []}`))
	if _, err := DecodePolicy(b64[:10] + "\r\n " + b64[10:]); err != nil {
		t.Fatal(err)
	}
	for _, e := range []string{"2030-01-01T00:00:00Z", "2030-01-01T00:00:00.123Z", "2030-01-01T00:00:00.123456789Z"} {
		if _, ok := parseExpiration(e); !ok {
			t.Errorf("%s refused", e)
		}
	}
}

func TestConditionHolds(t *testing.T) {
	f := &Form{Fields: map[string]string{"content-type": "image/png, image/gif", "key": "user/a", "empty": ""}}
	cases := []struct {
		c    Condition
		want bool
	}{
		{Condition{Op: opStartsWith, Field: "content-type", Ref: true, Value: "image/"}, true},
		{Condition{Op: opStartsWith, Field: "content-type", Ref: true, Value: "image/p"}, false},
		{Condition{Op: opStartsWith, Field: "key", Ref: true, Value: "user/"}, true},
		{Condition{Op: opStartsWith, Field: "key", Ref: true, Value: "User/"}, false},
		{Condition{Op: opStartsWith, Field: "empty", Ref: true, Value: ""}, true},
		{Condition{Op: opEq, Field: "empty", Ref: true, Value: ""}, true},
		{Condition{Op: opStartsWith, Field: "absent", Ref: true, Value: ""}, false},
		{Condition{Op: opEq, Field: "key", Ref: false, Value: "user/a"}, false},
		{Condition{Op: opEq, Field: "bucket", Ref: true, Value: "bkt"}, true},
		{Condition{Op: opStartsWith, Field: "bucket", Ref: true, Value: "b"}, true},
	}
	for _, c := range cases {
		if got := c.c.holds(f, "bkt"); got != c.want {
			t.Errorf("%+v: %v", c.c, got)
		}
	}
}
