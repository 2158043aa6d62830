package chart

import "math"

// Bar is one group's value.
type Bar struct {
	Label string
	Value float64 // NaN: no figure (drawn as "—", no bar)
}

// Bars is a horizontal bar chart of one figure by group, one bar a row,
// in the order given.
type Bars struct {
	ID, Title, Desc string
	Axis            string // the figure's name, under the axis
	Bars            []Bar
	// Max is the value of a full-width bar (1 for a rate); 0 takes a round
	// number at or above the largest value.
	Max    float64
	Format Format // values and ticks; Number when nil
	Empty  string // the sentence shown when there are no bars
}

const (
	barRow    = 24.0
	barHeight = 16.0
	valueRoom = 72.0
	maxLabel  = 16 // characters
)

// SVG draws the chart. Bar lengths are proportional to the values from a
// zero baseline; a negative value draws no bar.
func (c Bars) SVG() string {
	f := c.Format
	if f == nil {
		f = Number
	}
	var s svg
	if len(c.Bars) == 0 {
		s.open(c.ID, c.Title, c.Desc, 60)
		s.empty(c.Empty)
		return s.close()
	}
	labelW := 0.0
	top := 0.0
	for _, b := range c.Bars {
		labelW = max(labelW, textWidth(clip(b.Label, maxLabel)))
		if !math.IsNaN(b.Value) {
			top = max(top, b.Value)
		}
	}
	var ts []float64
	if c.Max > 0 {
		top = c.Max
		ts = []float64{0, c.Max / 4, c.Max / 2, c.Max * 3 / 4, c.Max}
	} else {
		ts = ticks(top)
		top = ts[len(ts)-1]
	}
	x0 := pad + labelW + pad
	x1 := width - valueRoom
	scale := (x1 - x0) / top
	y0 := pad
	plotH := float64(len(c.Bars)) * barRow
	h := y0 + plotH + 2*fontSize + 3*pad
	if c.Axis != "" {
		h += fontSize + pad
	}
	s.open(c.ID, c.Title, c.Desc, h)
	// Grid and ticks first, so the bars lie on top.
	for _, t := range ts {
		x := x0 + t*scale
		s.raw(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#ddd"/>`, num(x), num(y0), num(x), num(y0+plotH))
		s.label(x, y0+plotH+fontSize+pad, "middle", "#333", f(t))
	}
	s.raw(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333"/>`, num(x0), num(y0), num(x0), num(y0+plotH))
	s.raw(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333"/>`, num(x0), num(y0+plotH), num(x1), num(y0+plotH))
	if c.Axis != "" {
		s.label((x0+x1)/2, h-pad, "middle", "#333", c.Axis)
	}
	for i, b := range c.Bars {
		y := y0 + float64(i)*barRow
		mid := y + barRow/2 + fontSize/3
		s.label(x0-pad, mid, "end", "#111", clip(b.Label, maxLabel))
		if math.IsNaN(b.Value) {
			s.label(x0+pad, mid, "start", "#555", "—")
			continue
		}
		w := max(0, b.Value) * scale
		s.raw(`<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s">`, num(x0), num(y+(barRow-barHeight)/2), num(w), num(barHeight), Palette[0])
		s.raw(`<title>`)
		s.text(b.Label + ": " + f(b.Value))
		s.raw(`</title></rect>`)
		s.label(x0+w+pad/2, mid, "start", "#111", f(b.Value))
	}
	return s.close()
}
