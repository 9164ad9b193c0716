package s3xml

import "encoding/xml"

// NotificationConfiguration is the body of Put and
// GetBucketNotificationConfiguration. Each configuration names one
// destination by ARN, the events it wants and an optional key filter.
type NotificationConfiguration struct {
	XMLName                     xml.Name                     `xml:"NotificationConfiguration"`
	NS                          string                       `xml:"xmlns,attr,omitempty"`
	TopicConfigurations         []TopicConfiguration         `xml:"TopicConfiguration"`
	QueueConfigurations         []QueueConfiguration         `xml:"QueueConfiguration"`
	CloudFunctionConfigurations []CloudFunctionConfiguration `xml:"CloudFunctionConfiguration"`
	// EventBridgeConfiguration is only read: cairn refuses it.
	EventBridgeConfiguration *struct{} `xml:"EventBridgeConfiguration"`
}

// TopicConfiguration sends events to a topic.
type TopicConfiguration struct {
	ID     string              `xml:"Id,omitempty"`
	Topic  string              `xml:"Topic"`
	Events []string            `xml:"Event"`
	Filter *NotificationFilter `xml:"Filter,omitempty"`
}

// QueueConfiguration sends events to a queue.
type QueueConfiguration struct {
	ID     string              `xml:"Id,omitempty"`
	Queue  string              `xml:"Queue"`
	Events []string            `xml:"Event"`
	Filter *NotificationFilter `xml:"Filter,omitempty"`
}

// CloudFunctionConfiguration sends events to a function.
type CloudFunctionConfiguration struct {
	ID            string              `xml:"Id,omitempty"`
	CloudFunction string              `xml:"CloudFunction"`
	Events        []string            `xml:"Event"`
	Filter        *NotificationFilter `xml:"Filter,omitempty"`
}

// NotificationFilter selects keys by prefix and suffix.
type NotificationFilter struct {
	Rules []FilterRule `xml:"S3Key>FilterRule"`
}

// FilterRule is one prefix or suffix rule.
type FilterRule struct {
	Name  string `xml:"Name"`
	Value string `xml:"Value"`
}
