package postpolicy

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestParseContentType(t *testing.T) {
	body := bytesForm(t, [][2]string{{"key", "k"}}, sized(1), nil)
	for ct, want := range map[string]error{
		"":                                   ErrNotMultipart,
		"text/html":                          ErrNotMultipart,
		"application/x-www-form-urlencoded":  ErrNotMultipart,
		"multipart/mixed; boundary=x":        ErrNotMultipart,
		"multipart/form-data":                ErrMalformedPOSTRequest,
		"multipart/form-data; boundary=":     ErrMalformedPOSTRequest,
		"multipart/form-data; boundary=\"":   ErrMalformedPOSTRequest,
		"multipart/form-data; boundary=nope": ErrMalformedPOSTRequest, // no delimiter at all
	} {
		r, _ := http.NewRequest(http.MethodPost, "http://h/b", bytes.NewReader(body))
		r.Header.Set("Content-Type", ct)
		_, err := Parse(r, 0)
		if !errors.Is(err, want) {
			t.Errorf("%q: got %v, want %v", ct, err, want)
		}
	}
	r := rawFormRequest(body)
	r.Header.Set("Content-Type", `Multipart/Form-Data; BOUNDARY="`+testBoundary+`"`)
	if _, err := Parse(r, 0); err != nil {
		t.Fatalf("case-insensitive, quoted boundary: %v", err)
	}
}

func TestParseFields(t *testing.T) {
	fields := [][2]string{{"Key", "a/${filename}/${filename}"}, {"X-Amz-Meta-Tag", "Ninja"}, {"x-amz-meta-tag", "Stallman"},
		{"Content-Type", "text/plain"}, {"x-note", "${filename}"}}
	f, err := Parse(formRequest(t, fields, &fileSpec{filename: "dir/sub/f.txt", body: strings.NewReader("hello")}, nil), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"key": "a/f.txt/f.txt", "x-amz-meta-tag": "Ninja,Stallman", "content-type": "text/plain", "x-note": "f.txt"}
	for k, v := range want {
		if f.Fields[k] != v {
			t.Errorf("%s = %q, want %q", k, f.Fields[k], v)
		}
	}
	if len(f.Fields) != len(want) || f.spelling["x-amz-meta-tag"] != "X-Amz-Meta-Tag" {
		t.Fatalf("fields %v spelling %v", f.Fields, f.spelling)
	}
	if v, ok := f.Field("CONTENT-type"); !ok || v != "text/plain" {
		t.Fatalf("Field: %q %v", v, ok)
	}
	b, err := io.ReadAll(f.File)
	if err != nil || string(b) != "hello" {
		t.Fatalf("file %q %v", b, err)
	}
	if n, err := f.File.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("read after EOF: %d %v", n, err)
	}
}

func TestParseFileRules(t *testing.T) {
	// The file is the part named "file" in any case; a part with another
	// name and a filename is a field.
	f, err := Parse(formRequest(t, [][2]string{{"key", "k"}}, &fileSpec{name: "FILE", filename: "x", body: gen(5)}, nil), 0)
	if err != nil || f.Filename != "x" {
		t.Fatalf("%v %+v", err, f)
	}
	body := bytesForm(t, [][2]string{{"key", "k"}}, &fileSpec{name: "upload", filename: "x", body: gen(5)}, nil)
	_, err = Parse(rawFormRequest(body), 0)
	wantErr(t, err, ErrIncorrectNumberOfFiles)
	var e *Error
	if !errors.As(err, &e) || e.ArgumentName != "file" || e.ArgumentValue != "0" ||
		e.Message != "POST requires exactly one file upload per request." {
		t.Fatalf("%+v", e)
	}
	// Fields after the file are not seen; a key after the file is missing.
	_, err = Parse(formRequest(t, nil, sized(3), [][2]string{{"key", "k"}}), 0)
	wantErr(t, err, ErrInvalidArgument)
	// An empty key is no key.
	_, err = Parse(formRequest(t, [][2]string{{"key", ""}}, sized(3), nil), 0)
	wantErr(t, err, ErrInvalidArgument)
	// A part that is not form-data, or has no name, is skipped.
	raw := "--" + testBoundary + "\r\nContent-Disposition: attachment; name=\"x\"\r\n\r\nzzz\r\n" +
		"--" + testBoundary + "\r\nContent-Disposition: form-data\r\n\r\nyyy\r\n" +
		"--" + testBoundary + "\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n" +
		"--" + testBoundary + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\ndata\r\n" +
		"--" + testBoundary + "--\r\n"
	f, err = Parse(rawFormRequest([]byte(raw)), 0)
	if err != nil || len(f.Fields) != 1 || f.HasFilename {
		t.Fatalf("%v %+v", err, f)
	}
	if b, _ := io.ReadAll(f.File); string(b) != "data" {
		t.Fatalf("file %q", b)
	}
}

// failAfter yields data and then fails: it proves nothing past the file's
// closing delimiter is read.
type failAfter struct {
	data []byte
}

var errReadTooFar = errors.New("read past the file part")

func (f *failAfter) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, errReadTooFar
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestFileStopsAtItsBoundary(t *testing.T) {
	head := bytesForm(t, [][2]string{{"key", "k"}}, &fileSpec{filename: "f", body: strings.NewReader("content")}, nil)
	// Cut right after the delimiter that ends the file part, before the
	// "--" or CRLF that would follow it.
	end := bytes.LastIndex(head, []byte("\r\n--"+testBoundary))
	r, _ := http.NewRequest(http.MethodPost, "http://h/b", &failAfter{data: head[:end+len("\r\n--"+testBoundary)+2]})
	r.Header.Set("Content-Type", "multipart/form-data; boundary="+testBoundary)
	f, err := Parse(r, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(f.File)
	if err != nil || string(b) != "content" {
		t.Fatalf("file %q: %v", b, err)
	}
}

func TestTruncatedFile(t *testing.T) {
	body := bytesForm(t, [][2]string{{"key", "k"}}, sized(10000), nil)
	f, err := Parse(rawFormRequest(body[:len(body)-5000]), 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(io.Discard, f.File)
	wantErr(t, err, ErrMalformedPOSTRequest)
	wantErr(t, err, io.ErrUnexpectedEOF)
	// The error is sticky.
	_, err2 := f.File.Read(make([]byte, 10))
	if err2 != err {
		t.Fatalf("second read: %v", err2)
	}
	// Truncated before the file: malformed, wherever it stops.
	for _, n := range []int{10, 60, 120, bytes.Index(body, []byte("name=\"file\""))} {
		_, err = Parse(rawFormRequest(body[:n]), 0)
		wantErr(t, err, ErrMalformedPOSTRequest)
	}
	// A well-formed body without a file (close delimiter split across
	// reads) is the missing-file error.
	noFile := bytesForm(t, [][2]string{{"key", "k"}}, nil, nil)
	r := rawFormRequest(nil)
	r.Body = io.NopCloser(&oneByteReader{data: noFile})
	_, err = Parse(r, 0)
	wantErr(t, err, ErrIncorrectNumberOfFiles)
}

func TestFormLimits(t *testing.T) {
	// The budget counts names and values.
	big := strings.Repeat("v", DefaultMaxFormBytes-len("key")-1-len("x"))
	_, err := Parse(formRequest(t, [][2]string{{"key", "k"}, {"x", big}}, sized(1), nil), 0)
	if err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	_, err = Parse(formRequest(t, [][2]string{{"key", "k"}, {"x", big + "vv"}}, sized(1), nil), 0)
	wantErr(t, err, ErrMaxPostPreDataLengthExceeded)
	var e *Error
	if !errors.As(err, &e) || e.SizeLimit != DefaultMaxFormBytes {
		t.Fatalf("%+v", e)
	}
	_, err = Parse(formRequest(t, [][2]string{{"key", "k"}, {"x", "0123456789"}}, sized(1), nil), 10)
	wantErr(t, err, ErrMaxPostPreDataLengthExceeded)
	// Skipped parts count too.
	skipped := "--" + testBoundary + "\r\nContent-Disposition: form-data\r\n\r\n" + strings.Repeat("z", DefaultMaxFormBytes+1) + "\r\n"
	_, err = Parse(rawFormRequest(append([]byte(skipped), bytesForm(t, [][2]string{{"key", "k"}}, sized(1), nil)...)), 0)
	wantErr(t, err, ErrMaxPostPreDataLengthExceeded)
	// A huge part header is cut off by the raw cap, not buffered.
	hdr := "--" + testBoundary + "\r\nContent-Disposition: form-data; name=\"key\"\r\nX-Pad: " +
		strings.Repeat("p", 1<<20) + "\r\n\r\nk\r\n"
	_, err = Parse(rawFormRequest([]byte(hdr)), 0)
	wantErr(t, err, ErrMaxPostPreDataLengthExceeded)
	// Many empty fields: the raw cap bounds the part count as well.
	var many bytes.Buffer
	for range 5000 {
		many.WriteString("--" + testBoundary + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n")
	}
	_, err = Parse(rawFormRequest(many.Bytes()), 0)
	wantErr(t, err, ErrMaxPostPreDataLengthExceeded)
}

// TestRangeEnforcedWhileStreaming checks that the file reader stops right
// after the bound, before the rest of the body is read.
func TestRangeEnforcedWhileStreaming(t *testing.T) {
	f, err := Parse(formRequest(t, [][2]string{{"key", "k"}}, sized(1<<20), nil), 0)
	if err != nil {
		t.Fatal(err)
	}
	f.file.setRange(0, 1000)
	n, err := io.Copy(io.Discard, f.File)
	wantErr(t, err, ErrEntityTooLarge)
	var e *Error
	if n != 1000 || !errors.As(err, &e) || e.ProposedSize != 1001 || e.SizeLimit != 1000 {
		t.Fatalf("n %d err %+v", n, e)
	}
	f, _ = Parse(formRequest(t, [][2]string{{"key", "k"}}, sized(5), nil), 0)
	f.file.setRange(6, -1)
	_, err = io.Copy(io.Discard, f.File)
	if !errors.As(err, &e) || e.Kind != ErrEntityTooSmall || e.ProposedSize != 5 || e.SizeLimit != 6 {
		t.Fatalf("%v", err)
	}
}

type oneByteReader struct{ data []byte }

func (o *oneByteReader) Read(p []byte) (int, error) {
	if len(o.data) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = o.data[0]
	o.data = o.data[1:]
	return 1, nil
}
