package server

import (
	"net"
	"os"
	"testing"
)

func TestAdvertiseURL(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		listen, advertise, cert, want string
	}{
		{"127.0.0.1:0", "", "", "http://127.0.0.1:"},
		{"0.0.0.0:0", "", "", "http://" + host + ":"},
		{"127.0.0.1:0", "", "cert.pem", "https://127.0.0.1:"},
		{"127.0.0.1:0", "http://gw1.example:9000", "", "http://gw1.example:9000"},
	} {
		ln, err := net.Listen("tcp", c.listen)
		if err != nil {
			t.Fatal(err)
		}
		s := &Server{cfg: Config{Advertise: c.advertise, TLSCert: c.cert}, ln: ln}
		got, err := s.advertiseURL()
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		ln.Close()
		want := c.want
		if c.advertise == "" {
			want += port
		}
		if err != nil || got != want {
			t.Errorf("listen %s advertise %q: %q %v, want %q", c.listen, c.advertise, got, err, want)
		}
	}
	for _, bad := range []string{"gw1:9000", "ftp://gw1", "http://"} {
		s := &Server{cfg: Config{Advertise: bad}}
		if _, err := s.advertiseURL(); err == nil {
			t.Errorf("--advertise %q accepted", bad)
		}
	}
}
