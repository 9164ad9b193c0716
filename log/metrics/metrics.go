// Package metrics is a small registry of counters, gauges and histograms
// with the Prometheus text exposition format (version 0.0.4), standard
// library only, so every package can report without a global registry or
// a third-party client: a Registry is created by the composition root and
// passed down in Options.
//
// Names follow Prometheus conventions (cairn_<area>_<what>_<unit>);
// labels are fixed per metric at registration. Never put a bucket name,
// key or credential in a label.
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds metrics and writes them out.
type Registry struct {
	mu      sync.Mutex
	metrics map[string]metric
}

// New returns an empty registry.
func New() *Registry { return &Registry{metrics: map[string]metric{}} }

type metric interface {
	write(w io.Writer, name string)
}

// family is the shared part of a metric: help text, label names and the
// series by label values.
type family[T any] struct {
	help   string
	typ    string
	labels []string
	mu     sync.Mutex
	series map[string]*T
	mk     func() *T
}

func (f *family[T]) with(values ...string) *T {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("metrics: %d label values for %d labels", len(values), len(f.labels)))
	}
	k := strings.Join(values, "\xff")
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.series[k]
	if !ok {
		s = f.mk()
		f.series[k] = s
	}
	return s
}

// each calls fn for every series in label order.
func (f *family[T]) each(fn func(labels string, s *T)) {
	f.mu.Lock()
	keys := make([]string, 0, len(f.series))
	for k := range f.series {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	series := make([]*T, len(keys))
	for i, k := range keys {
		series[i] = f.series[k]
	}
	f.mu.Unlock()
	for i, k := range keys {
		fn(f.labelString(k), series[i])
	}
}

func (f *family[T]) labelString(k string) string {
	if len(f.labels) == 0 {
		return ""
	}
	vals := strings.Split(k, "\xff")
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = fmt.Sprintf("%s=%q", f.labels[i], v)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func (f *family[T]) header(w io.Writer, name string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, f.help, name, f.typ)
}

func register[T any](r *Registry, name, help, typ string, labels []string, mk func() *T) *family[T] {
	r.mu.Lock()
	defer r.mu.Unlock()
	if m, ok := r.metrics[name]; ok {
		if f, ok := m.(*family[T]); ok {
			return f // the same metric registered twice (e.g. two stores) is shared
		}
		panic("metrics: " + name + " registered with another type")
	}
	f := &family[T]{help: help, typ: typ, labels: labels, series: map[string]*T{}, mk: mk}
	r.metrics[name] = f
	return f
}

// Write writes every metric in the text exposition format.
func (r *Registry) Write(w io.Writer) {
	r.mu.Lock()
	names := make([]string, 0, len(r.metrics))
	for n := range r.metrics {
		names = append(names, n)
	}
	sort.Strings(names)
	ms := make([]metric, len(names))
	for i, n := range names {
		ms[i] = r.metrics[n]
	}
	r.mu.Unlock()
	for i, m := range ms {
		m.write(w, names[i])
	}
}

// Counter is a value that only goes up.
type Counter struct{ v atomic.Uint64 }

// Add adds n.
func (c *Counter) Add(n uint64) { c.v.Add(n) }

// Inc adds 1.
func (c *Counter) Inc() { c.v.Add(1) }

// Value is the current count.
func (c *Counter) Value() uint64 { return c.v.Load() }

// CounterVec is a counter family.
type CounterVec struct{ f *family[Counter] }

// Counter registers (or finds) a counter family.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	return &CounterVec{register(r, name, help, "counter", labels, func() *Counter { return &Counter{} })}
}

// With returns the series of these label values.
func (v *CounterVec) With(values ...string) *Counter { return v.f.with(values...) }

func (f *family[T]) write(w io.Writer, name string) {
	f.header(w, name)
	f.each(func(labels string, s *T) {
		switch m := any(s).(type) {
		case *Counter:
			fmt.Fprintf(w, "%s%s %d\n", name, labels, m.Value())
		case *Gauge:
			fmt.Fprintf(w, "%s%s %s\n", name, labels, fmtFloat(m.Value()))
		case *Histogram:
			m.write(w, name, labels)
		}
	})
}

// Gauge is a value that goes up and down.
type Gauge struct{ bits atomic.Uint64 }

// Set sets the value.
func (g *Gauge) Set(v float64) { g.bits.Store(math.Float64bits(v)) }

// Add adds d (CAS loop).
func (g *Gauge) Add(d float64) {
	for {
		old := g.bits.Load()
		if g.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+d)) {
			return
		}
	}
}

// Value is the current value.
func (g *Gauge) Value() float64 { return math.Float64frombits(g.bits.Load()) }

// GaugeVec is a gauge family.
type GaugeVec struct{ f *family[Gauge] }

// Gauge registers (or finds) a gauge family.
func (r *Registry) Gauge(name, help string, labels ...string) *GaugeVec {
	return &GaugeVec{register(r, name, help, "gauge", labels, func() *Gauge { return &Gauge{} })}
}

// With returns the series of these label values.
func (v *GaugeVec) With(values ...string) *Gauge { return v.f.with(values...) }

func fmtFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return fmt.Sprintf("%g", v)
}
