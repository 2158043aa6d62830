// Package chart draws the supervision pages' charts on the server as SVG:
// a horizontal bar chart of one figure by group and a line chart of series
// over months. Pages must read without JavaScript and without anything
// fetched from elsewhere (docs/ARCHITECTURE.md §5), so a chart is plain
// markup with presentation attributes (the pages' Content-Security-Policy
// allows no inline style), a <title> and <desc> for screen readers, and
// the generic sans-serif family so Chinese labels use the reader's own
// fonts.
package chart

import (
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Format writes a value as the chart shows it (a rate as "95.2%").
type Format func(float64) string

// Number formats a plain count or average with at most one decimal.
func Number(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// Percent formats a share (0..1) as a percentage with one decimal.
func Percent(v float64) string { return strconv.FormatFloat(v*100, 'f', 1, 64) + "%" }

// Palette is the series colours: distinguishable in greyscale print and
// for the common colour-vision deficiencies (Okabe–Ito order).
var Palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"}

const (
	width    = 720.0
	fontSize = 13.0
	pad      = 8.0
)

// svg collects the markup of one chart. Every piece of text passes
// through text or attr, which escape it, so a department named
// "<script>" stays words.
type svg struct{ b strings.Builder }

func (s *svg) raw(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

func (s *svg) text(v string) { _ = xml.EscapeText(&s.b, []byte(v)) }

func attr(v string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(v))
	return strings.ReplaceAll(b.String(), `"`, "&#34;")
}

// open starts the chart with its accessible name and description; id
// makes the two references unique when several charts share a page.
// The title is also written above the chart, so it reads in print.
func (s *svg) open(id, title, desc string, h float64) {
	id = attr(id)
	top := 0.0
	if title != "" {
		top = fontSize + 2*pad
	}
	s.raw(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 %s %s" width="100%%" preserveAspectRatio="xMinYMin meet" aria-labelledby="%s-t %s-d" font-family="sans-serif" font-size="%s">`,
		num(width), num(h+top), id, id, num(fontSize))
	s.raw(`<title id="%s-t">`, id)
	s.text(title)
	s.raw(`</title><desc id="%s-d">`, id)
	s.text(desc)
	s.raw(`</desc>`)
	if title != "" {
		s.raw(`<text x="%s" y="%s" font-weight="bold" fill="#111" aria-hidden="true">`, num(pad), num(fontSize+pad/2))
		s.text(title)
		s.raw(`</text>`)
	}
	s.raw(`<g transform="translate(0 %s)">`, num(top))
}

// label writes a text element at (x, y).
func (s *svg) label(x, y float64, anchor, fill, v string) {
	s.raw(`<text x="%s" y="%s" text-anchor="%s" fill="%s">`, num(x), num(y), anchor, fill)
	s.text(v)
	s.raw(`</text>`)
}

// empty draws the chart's frame with a sentence instead of data.
func (s *svg) empty(msg string) {
	s.raw(`<rect x="0.5" y="0.5" width="%s" height="59" fill="none" stroke="#999"/>`, num(width-1))
	s.label(width/2, 35, "middle", "#555", msg)
}

func (s *svg) close() string {
	s.raw(`</g></svg>`)
	return s.b.String()
}

// num writes a coordinate compactly.
func num(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// textWidth estimates a label's width: a Chinese character takes about
// one em, a Latin letter or digit about 0.6.
func textWidth(v string) float64 {
	w := 0.0
	for _, r := range v {
		if r < 0x2E80 {
			w += 0.6
		} else {
			w++
		}
	}
	return w * fontSize
}

// clip shortens a label to at most n characters with an ellipsis, so one
// very long name cannot squeeze the bars to nothing; the full name stays
// in the table beside the chart.
func clip(v string, n int) string {
	if utf8.RuneCountInString(v) <= n {
		return v
	}
	return string([]rune(v)[:n-1]) + "…"
}

// ticks chooses about four round steps from 0 to at least top.
func ticks(top float64) []float64 {
	if top <= 0 {
		return []float64{0, 1}
	}
	raw := top / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []float64
	for v := 0.0; ; v += step {
		out = append(out, v)
		if v >= top-step*1e-9 {
			return out
		}
	}
}
