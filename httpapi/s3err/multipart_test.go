package s3err

import (
	"fmt"
	"testing"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/engine/checksum"
)

// Multipart errors carry S3's codes and, where S3 words them with details,
// S3's wording.
func TestMultipartErrorsAreWordedAsS3(t *testing.T) {
	cases := []struct {
		err  error
		code Code
		msg  string
	}{
		{engine.ErrNoSuchUpload, NoSuchUpload, NoSuchUpload.Message},
		{engine.ErrInvalidPart, InvalidPart, InvalidPart.Message},
		{engine.ErrInvalidPartOrder, InvalidPartOrder, InvalidPartOrder.Message},
		{engine.ErrEntityTooSmall, EntityTooSmall, EntityTooSmall.Message},
		{engine.ErrNoParts, MalformedXML, MalformedXML.Message},
		{engine.ErrPartNumberRange, InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive"},
		{engine.ErrObjectSizeMismatch, InvalidRequest, "The provided 'x-amz-mp-object-size' header value does not match the size of the completed object."},
		{engine.ErrCopySourceTooLarge, InvalidRequest, "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120"},
		{engine.ErrTooManyExtents, InvalidRequest, "The object would be made of too many ranges of other objects; copy fewer, larger ranges."},
		{&engine.ChecksumTypeMismatchError{Expected: checksum.SHA256}, InvalidRequest,
			"Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: null"},
		{&engine.ChecksumTypeMismatchError{Expected: checksum.CRC32, Actual: checksum.CRC32C}, InvalidRequest,
			"Checksum Type mismatch occurred, expected checksum Type: crc32, actual checksum Type: crc32c"},
		{&engine.ChecksumTypeError{Type: "FULL_OBJECT", Algorithm: checksum.SHA256}, InvalidRequest,
			"The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm."},
		{&engine.ChecksumTypeError{Type: "COMPOSITE"}, InvalidRequest,
			"The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header."},
		{&engine.ChecksumTypeError{Type: "BOTH", Algorithm: checksum.CRC32}, InvalidRequest, "Value for x-amz-checksum-type header is invalid."},
		{&engine.ChecksumTypeError{Type: "FULL_OBJECT", Algorithm: checksum.CRC32, Upload: "COMPOSITE"}, InvalidRequest,
			"The upload was created using the COMPOSITE checksum mode. The complete request must use the same checksum mode."},
		{&engine.MissingPartChecksumError{Algorithm: checksum.CRC32C, Part: 2}, InvalidRequest,
			"The upload was created using a crc32c checksum. The complete request must include the checksum for each part. It was missing for part 2 in the request."},
		{&engine.CopyRangeError{Size: 10}, InvalidArgument, "Range specified is not valid for source object of size: 10"},
	}
	for _, c := range cases {
		e := FromError(fmt.Errorf("wrapped: %w", c.err))
		if e.Code != c.code || e.message() != c.msg {
			t.Errorf("%v: %s %q, want %s %q", c.err, e.Code.Name, e.message(), c.code.Name, c.msg)
		}
	}
}
