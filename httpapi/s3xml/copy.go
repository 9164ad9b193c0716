package s3xml

import "encoding/xml"

// CopyObjectResult answers CopyObject.
type CopyObjectResult struct {
	XMLName           xml.Name `xml:"CopyObjectResult"`
	NS                string   `xml:"xmlns,attr"`
	LastModified      string   `xml:"LastModified"`
	ETag              string   `xml:"ETag"`
	ChecksumType      string   `xml:"ChecksumType,omitempty"`
	ChecksumCRC32     string   `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string   `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string   `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string   `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string   `xml:"ChecksumSHA256,omitempty"`
}

// SetChecksum fills the element of algorithm alg.
func (r *CopyObjectResult) SetChecksum(alg, value string) {
	switch alg {
	case "CRC32":
		r.ChecksumCRC32 = value
	case "CRC32C":
		r.ChecksumCRC32C = value
	case "CRC64NVME":
		r.ChecksumCRC64NVME = value
	case "SHA1":
		r.ChecksumSHA1 = value
	case "SHA256":
		r.ChecksumSHA256 = value
	}
}
