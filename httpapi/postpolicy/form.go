package postpolicy

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
)

// DefaultMaxFormBytes bounds the names and values of the fields before the
// file when Parse is given 0: S3's MaxPostPreDataLengthBytes.
const DefaultMaxFormBytes = 20480

// rawSlack is the raw body (boundaries, part headers) allowed before the
// file part beyond twice the field budget; it also covers the multipart
// reader's 4 KiB read-ahead.
const rawSlack = 64 << 10

// filenameVar is the variable S3 expands in field values.
const filenameVar = "${filename}"

// Form is a parsed POST upload form. The file has not been read.
type Form struct {
	// Fields maps lower-case field names to their values, "${filename}"
	// expanded; a repeated field's values are joined with ','.
	Fields map[string]string
	// File streams the file part's content; it is never buffered. After a
	// successful Verify it enforces the policy's content-length-range.
	File io.Reader
	// Filename is the file part's filename without directories ("" when
	// absent); HasFilename tells an empty filename from none.
	Filename    string
	HasFilename bool
	// ContentType is the file part's own Content-Type header, if any (the
	// object's type is the Content-Type field, when sent).
	ContentType string

	order    []string          // lower-case field names, in form order
	spelling map[string]string // lower-case name -> name as first sent
	file     *fileReader
}

// Field returns the value of a field by case-insensitive name.
func (f *Form) Field(name string) (string, bool) {
	v, ok := f.Fields[strings.ToLower(name)]
	return v, ok
}

// Parse reads r's multipart/form-data body up to and including the header
// of the file part, and returns the form with the file ready to stream.
// maxFormBytes bounds the field names and values before the file; 0 means
// DefaultMaxFormBytes. See the package documentation for the rules.
func Parse(r *http.Request, maxFormBytes int) (*Form, error) {
	if maxFormBytes <= 0 {
		maxFormBytes = DefaultMaxFormBytes
	}
	boundary, err := formBoundary(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, err
	}
	body := r.Body
	if body == nil {
		body = http.NoBody
	}
	cr := &capReader{src: body, limit: int64(2*maxFormBytes + rawSlack), close: []byte("--" + boundary + "--")}
	f := &Form{Fields: make(map[string]string), spelling: make(map[string]string)}
	budget := maxFormBytes
	mr := multipart.NewReader(cr, boundary)
	for {
		p, err := mr.NextRawPart()
		if err != nil {
			return nil, partError(err, cr, maxFormBytes)
		}
		disp, params, perr := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		name := params["name"]
		if perr != nil || !strings.EqualFold(disp, "form-data") || name == "" {
			if budget, err = skipPart(p, budget, maxFormBytes, cr); err != nil {
				return nil, err
			}
			continue
		}
		if strings.EqualFold(name, "file") {
			cr.limit = -1 // the file itself is unbounded here
			f.startFile(p, params)
			if err := f.finish(); err != nil {
				return nil, err
			}
			return f, nil
		}
		if budget, err = f.readField(p, name, budget, maxFormBytes, cr); err != nil {
			return nil, err
		}
	}
}

// formBoundary checks the request's Content-Type and returns the boundary.
func formBoundary(ct string) (string, error) {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil && !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "multipart/form-data") {
		return "", newError(ErrNotMultipart, "Bucket POST must be of the enclosure-type multipart/form-data")
	}
	if err == nil && mt != "multipart/form-data" {
		return "", newError(ErrNotMultipart, "Bucket POST must be of the enclosure-type multipart/form-data")
	}
	if err != nil || params["boundary"] == "" {
		return "", malformed(err)
	}
	return params["boundary"], nil
}

// partError maps an error of the multipart reader before the file.
func partError(err error, cr *capReader, maxFormBytes int) error {
	switch {
	case cr.exceeded:
		return preDataTooLarge(maxFormBytes)
	case err == io.EOF && cr.sawClose: //nolint:errorlint // the reader's own end of parts
		e := newError(ErrIncorrectNumberOfFiles, "POST requires exactly one file upload per request.")
		e.ArgumentName, e.ArgumentValue = "file", "0"
		return e
	}
	return malformed(err)
}

// readValue reads a part's content within budget.
func readValue(p *multipart.Part, budget, maxFormBytes int, cr *capReader) ([]byte, int, error) {
	b, err := io.ReadAll(io.LimitReader(p, int64(budget)+1))
	switch {
	case cr.exceeded || len(b) > budget:
		return nil, 0, preDataTooLarge(maxFormBytes)
	case err != nil:
		return nil, 0, malformed(err)
	}
	return b, budget - len(b), nil
}

// skipPart discards a part that is not a named form-data field, counting
// its bytes against the budget.
func skipPart(p *multipart.Part, budget, maxFormBytes int, cr *capReader) (int, error) {
	_, budget, err := readValue(p, budget, maxFormBytes, cr)
	return budget, err
}

func (f *Form) readField(p *multipart.Part, name string, budget, maxFormBytes int, cr *capReader) (int, error) {
	if budget -= len(name); budget < 0 {
		return 0, preDataTooLarge(maxFormBytes)
	}
	v, budget, err := readValue(p, budget, maxFormBytes, cr)
	if err != nil {
		return 0, err
	}
	lower := strings.ToLower(name)
	if old, ok := f.Fields[lower]; ok {
		f.Fields[lower] = old + "," + string(v)
		return budget, nil
	}
	f.Fields[lower] = string(v)
	f.order = append(f.order, lower)
	f.spelling[lower] = name
	return budget, nil
}

// startFile records the file part.
func (f *Form) startFile(p *multipart.Part, params map[string]string) {
	name, ok := params["filename"]
	if ok {
		if i := strings.LastIndexAny(name, `/\`); i >= 0 {
			name = name[i+1:]
		}
		f.Filename, f.HasFilename = name, true
	}
	f.ContentType = p.Header.Get("Content-Type")
	f.file = &fileReader{src: p, hi: -1}
	f.File = f.file
}

// finish expands ${filename} and checks that a key was given.
func (f *Form) finish() error {
	if f.HasFilename {
		for k, v := range f.Fields {
			f.Fields[k] = strings.ReplaceAll(v, filenameVar, f.Filename)
		}
	}
	if f.Fields["key"] == "" {
		return missingField("key")
	}
	return nil
}

// capReader fails once more than limit bytes have been read (limit < 0:
// no limit). While limited it also watches for the close delimiter
// "--<boundary>--", so that a body that merely stops is told apart from
// one that ends properly without a file.
type capReader struct {
	src      io.Reader
	n, limit int64
	exceeded bool

	close    []byte // "--" + boundary + "--"
	tail     []byte // the last len(close)-1 bytes seen
	sawClose bool
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.limit < 0 {
		return c.src.Read(p)
	}
	if c.n >= c.limit {
		c.exceeded = true
		return 0, ErrMaxPostPreDataLengthExceeded
	}
	if rest := c.limit - c.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := c.src.Read(p)
	c.n += int64(n)
	c.watch(p[:n])
	return n, err
}

func (c *capReader) watch(b []byte) {
	if c.sawClose || len(c.close) == 0 || len(b) == 0 {
		return
	}
	window := append(c.tail, b...)
	c.sawClose = bytes.Contains(window, c.close)
	keep := min(len(window), len(c.close)-1)
	c.tail = append(c.tail[:0], window[len(window)-keep:]...)
}

// fileReader streams the file part and enforces the length range once set.
type fileReader struct {
	src    io.Reader
	n      int64
	lo, hi int64 // inclusive; hi < 0: no upper bound
	err    error // sticky
}

func (r *fileReader) setRange(lo, hi int64) { r.lo, r.hi = lo, hi }

// Read reads file bytes. It returns ErrEntityTooLarge as soon as the file
// passes max (the bytes beyond max are withheld), ErrEntityTooSmall instead
// of io.EOF below min, and ErrMalformedPOSTRequest (wrapping the cause) when
// the body breaks before the part's closing boundary.
func (r *fileReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.hi >= 0 {
		if room := r.hi - r.n + 1; int64(len(p)) > room {
			p = p[:room] // at most one byte past the bound
		}
	}
	n, err := r.src.Read(p)
	r.n += int64(n)
	switch {
	case r.hi >= 0 && r.n > r.hi:
		n -= int(r.n - r.hi)
		r.err = tooLarge(r.n, r.hi)
		return n, r.err
	case err == io.EOF && r.n < r.lo:
		r.err = tooSmall(r.n, r.lo)
		return n, r.err
	case err != nil && err != io.EOF:
		r.err = malformed(err)
		return n, r.err
	}
	if err == io.EOF {
		r.err = io.EOF
	}
	return n, err
}
