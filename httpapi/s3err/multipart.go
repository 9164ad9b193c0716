package s3err

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cairnstore/cairn/engine"
	"github.com/cairnstore/cairn/engine/checksum"
)

// multipartDetail words the multipart errors that carry details as S3
// does.
func multipartDetail(e *Error, err error) {
	var te *engine.ChecksumTypeError
	var mm *engine.ChecksumTypeMismatchError
	var mp *engine.MissingPartChecksumError
	var cr *engine.CopyRangeError
	switch {
	case errors.As(err, &te):
		e.Message = checksumTypeMessage(te)
	case errors.As(err, &mm):
		e.Message = fmt.Sprintf("Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
			algName(mm.Expected), algName(mm.Actual))
	case errors.As(err, &mp):
		e.Message = fmt.Sprintf("The upload was created using a %s checksum. The complete request must include the checksum for each part. "+
			"It was missing for part %d in the request.", algName(mp.Algorithm), mp.Part)
	case errors.As(err, &cr):
		e.Message = fmt.Sprintf("Range specified is not valid for source object of size: %d", cr.Size)
	}
}

func checksumTypeMessage(te *engine.ChecksumTypeError) string {
	switch {
	case te.Upload != "":
		return fmt.Sprintf("The upload was created using the %s checksum mode. The complete request must use the same checksum mode.", te.Upload)
	case te.Algorithm == "":
		return "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header."
	case te.Type != engine.ChecksumComposite && te.Type != engine.ChecksumFullObject:
		return "Value for x-amz-checksum-type header is invalid."
	}
	return fmt.Sprintf("The %s checksum type cannot be used with the %s checksum algorithm.", te.Type, algName(te.Algorithm))
}

// algName is an algorithm as S3 names it in these messages.
func algName(a checksum.Algorithm) string {
	if a == "" {
		return "null"
	}
	return strings.ToLower(string(a))
}
