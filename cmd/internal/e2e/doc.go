// Package e2e holds end-to-end tests: a whole cairn server in process
// (testserver), driven by aws-sdk-go-v2, raw HTTP, boto3 and the aws CLI.
package e2e
