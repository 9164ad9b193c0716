package server

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"os"

	"github.com/cairnstore/cairn/engine/peer"
)

// peerClient reads the bytes other gateways sharing the log wrote
// (engine/peer), finding them through the log. When this server speaks
// TLS, its own certificate is trusted too: gateways of one deployment
// usually share one.
func (s *Server) peerClient(masterKey []byte) (*peer.Client, error) {
	o := peer.ClientOptions{Node: s.node, MasterKey: masterKey, Lookup: s.log.Lookup, Metrics: s.reg}
	if s.cfg.TLSCert != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		pem, err := os.ReadFile(s.cfg.TLSCert)
		if err != nil {
			return nil, fmt.Errorf("reading --tls-cert: %w", err)
		}
		pool.AppendCertsFromPEM(pem)
		o.TLS = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return peer.NewClient(o), nil
}

// announce answers other gateways' lookups of this node with the URL they
// read its bytes at.
func (s *Server) announce() error {
	u, err := s.advertiseURL()
	if err != nil {
		return err
	}
	if s.unannounce, err = s.log.Announce(s.node, u); err != nil {
		return err
	}
	s.cfg.Logger.Info("answering other gateways' reads", "node", s.node, "url", u)
	return nil
}

func (s *Server) stopAnnouncing() error {
	if s.unannounce == nil {
		return nil
	}
	err := s.unannounce()
	s.unannounce = nil
	return err
}

// advertiseURL is --advertise, or else the listener's scheme and address
// with the host name in place of an unspecified IP (":9000" listens on
// every interface; "0.0.0.0" is not an address another machine can dial).
func (s *Server) advertiseURL() (string, error) {
	if a := s.cfg.Advertise; a != "" {
		u, err := url.Parse(a)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", fmt.Errorf("--advertise must be an http(s) URL like http://gw1.example:9000, got %q", a)
		}
		return a, nil
	}
	scheme := "http"
	if s.cfg.TLSCert != "" {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(s.ln.Addr().String())
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		if host, err = os.Hostname(); err != nil {
			return "", fmt.Errorf("no --advertise and no host name: %w", err)
		}
	}
	return scheme + "://" + net.JoinHostPort(host, port), nil
}
