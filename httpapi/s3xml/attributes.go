package s3xml

import "encoding/xml"

// GetObjectAttributesResponse answers GetObjectAttributes. Elements the
// client did not ask for are left out.
type GetObjectAttributesResponse struct {
	XMLName      xml.Name     `xml:"GetObjectAttributesResponse"`
	NS           string       `xml:"xmlns,attr"`
	ETag         string       `xml:"ETag,omitempty"` // unquoted, unlike everywhere else
	Checksum     *Checksum    `xml:"Checksum,omitempty"`
	ObjectParts  *ObjectParts `xml:"ObjectParts,omitempty"`
	StorageClass string       `xml:"StorageClass,omitempty"`
	ObjectSize   *int64       `xml:"ObjectSize,omitempty"`
}

// Checksum holds an object's (or a part's) checksum.
type Checksum struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}

// Set fills the element of algorithm alg.
func (c *Checksum) Set(alg, value string) {
	switch alg {
	case "CRC32":
		c.ChecksumCRC32 = value
	case "CRC32C":
		c.ChecksumCRC32C = value
	case "CRC64NVME":
		c.ChecksumCRC64NVME = value
	case "SHA1":
		c.ChecksumSHA1 = value
	case "SHA256":
		c.ChecksumSHA256 = value
	}
}

// ObjectParts pages through a multipart object's parts.
type ObjectParts struct {
	TotalPartsCount      int          `xml:"TotalPartsCount"`
	PartNumberMarker     int          `xml:"PartNumberMarker"`
	NextPartNumberMarker int          `xml:"NextPartNumberMarker"`
	MaxParts             int          `xml:"MaxParts"`
	IsTruncated          bool         `xml:"IsTruncated"`
	Parts                []ObjectPart `xml:"Part"`
}

// ObjectPart is one part of an object.
type ObjectPart struct {
	PartNumber int   `xml:"PartNumber"`
	Size       int64 `xml:"Size"`
	Checksum
}
