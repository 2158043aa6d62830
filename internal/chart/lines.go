package chart

import "math"

// Series is one line: a value per point of the chart's axis.
type Series struct {
	Name   string
	Values []float64 // NaN: no figure at that point (the line breaks)
}

// Lines is a line chart of one or more series over the same points (the
// months of a trend), with a legend when there is more than one series.
type Lines struct {
	ID, Title, Desc string
	Points          []string // the labels along the bottom, in order
	Series          []Series
	Max             float64 // the top of the scale; 0 takes a round number
	Format          Format
	Empty           string
}

const lineHeight = 220.0

// SVG draws the chart: the scale starts at zero, each point is marked and
// labelled with its value so the chart reads in print without a legend
// to decode colours alone.
func (c Lines) SVG() string {
	f := c.Format
	if f == nil {
		f = Number
	}
	var s svg
	n := len(c.Points)
	has := false
	top := 0.0
	for _, se := range c.Series {
		for _, v := range se.Values {
			if !math.IsNaN(v) {
				has = true
				top = max(top, v)
			}
		}
	}
	if n == 0 || !has {
		s.open(c.ID, c.Title, c.Desc, 60)
		s.empty(c.Empty)
		return s.close()
	}
	var ts []float64
	if c.Max > 0 {
		top = max(top, c.Max)
		ts = []float64{0, top / 4, top / 2, top * 3 / 4, top}
	} else {
		ts = ticks(top)
		top = ts[len(ts)-1]
	}
	tickW := 0.0
	for _, t := range ts {
		tickW = max(tickW, textWidth(f(t)))
	}
	x0 := pad + tickW + pad
	x1 := width - 2*pad
	y0 := pad + fontSize
	y1 := y0 + lineHeight
	legend := len(c.Series) > 1
	h := y1 + 2*fontSize + 2*pad
	if legend {
		h += fontSize + 2*pad
	}
	s.open(c.ID, c.Title, c.Desc, h)
	scale := (y1 - y0) / top
	for _, t := range ts {
		y := y1 - t*scale
		s.raw(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#ddd"/>`, num(x0), num(y), num(x1), num(y))
		s.label(x0-pad/2, y+fontSize/3, "end", "#333", f(t))
	}
	s.raw(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333"/>`, num(x0), num(y1), num(x1), num(y1))
	step := (x1 - x0) / float64(max(n, 1))
	xAt := func(i int) float64 { return x0 + step*(float64(i)+0.5) }
	for i, p := range c.Points {
		s.label(xAt(i), y1+fontSize+pad/2, "middle", "#333", p)
	}
	for k, se := range c.Series {
		colour := Palette[k%len(Palette)]
		var path []byte
		pen := false
		for i := 0; i < n && i < len(se.Values); i++ {
			v := se.Values[i]
			if math.IsNaN(v) {
				pen = false
				continue
			}
			cmd := "L"
			if !pen {
				cmd = "M"
			}
			path = append(path, (cmd + num(xAt(i)) + " " + num(y1-max(0, v)*scale) + " ")...)
			pen = true
		}
		if len(path) > 0 {
			s.raw(`<path class="line" d="%s" fill="none" stroke="%s" stroke-width="2"/>`, string(path[:len(path)-1]), colour)
		}
		for i := 0; i < n && i < len(se.Values); i++ {
			v := se.Values[i]
			if math.IsNaN(v) {
				continue
			}
			x, y := xAt(i), y1-max(0, v)*scale
			s.raw(`<circle class="point" cx="%s" cy="%s" r="3" fill="%s"><title>`, num(x), num(y), colour)
			s.text(se.Name + " " + c.Points[i] + ": " + f(v))
			s.raw(`</title></circle>`)
			if len(c.Series) == 1 {
				s.label(x, y-pad/2-2, "middle", "#111", f(v))
			}
		}
	}
	if legend {
		x := x0
		y := h - pad
		for k, se := range c.Series {
			s.raw(`<rect x="%s" y="%s" width="12" height="4" fill="%s"/>`, num(x), num(y-fontSize/2), Palette[k%len(Palette)])
			s.label(x+16, y, "start", "#111", se.Name)
			x += 16 + textWidth(se.Name) + 3*pad
		}
	}
	return s.close()
}
