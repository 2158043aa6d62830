package chart_test

import (
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"onestop/internal/chart"
)

// node is a parsed element, enough to read the charts back.
type node struct {
	Name  string
	Attr  map[string]string
	Text  string
	Kids  []*node
	Depth int
}

// parse reads the SVG as XML: a chart that is not well-formed fails here,
// as it would fail an XHTML reader or a print pipeline.
func parse(t *testing.T, s string) *node {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	var stack []*node
	var root *node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not XML: %v\n%s", err, s)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			n := &node{Name: e.Name.Local, Attr: map[string]string{}}
			for _, a := range e.Attr {
				n.Attr[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Kids = append(p.Kids, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(e)
			}
		}
	}
	if root == nil || root.Name != "svg" {
		t.Fatalf("no svg root: %s", s)
	}
	return root
}

func (n *node) all(name string) []*node {
	var out []*node
	for _, k := range n.Kids {
		if k.Name == name {
			out = append(out, k)
		}
		out = append(out, k.all(name)...)
	}
	return out
}

func texts(n *node) []string {
	var out []string
	for _, t := range n.all("text") {
		out = append(out, t.Text)
	}
	return out
}

func attrNum(t *testing.T, n *node, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(n.Attr[name], 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, n.Attr[name], err)
	}
	return v
}

// The bars are as long as their values from a common zero, every bar is
// labelled with its group and its value, and the chart names itself for
// a screen reader.
func TestBarsProportional(t *testing.T) {
	c := chart.Bars{ID: "ontime", Title: "按时办结率", Desc: "各部门按时办结率", Axis: "按时办结率", Max: 1, Format: chart.Percent,
		Bars: []chart.Bar{{"县市场监督管理局", 1}, {"县民政局", 0.5}, {"县自然资源局", 0.25}, {"县公安局", math.NaN()}}}
	root := parse(t, c.SVG())
	if root.Attr["role"] != "img" || root.Attr["aria-labelledby"] != "ontime-t ontime-d" {
		t.Fatalf("not labelled for assistive technology: %v", root.Attr)
	}
	if ts := root.all("title"); len(ts) == 0 || ts[0].Text != "按时办结率" || root.all("desc")[0].Text != "各部门按时办结率" {
		t.Fatal("title or desc missing")
	}
	var bars []*node
	for _, r := range root.all("rect") {
		if r.Attr["class"] == "bar" {
			bars = append(bars, r)
		}
	}
	if len(bars) != 3 {
		t.Fatalf("%d bars, want 3 (the group without a figure has none)", len(bars))
	}
	w0, w1, w2 := attrNum(t, bars[0], "width"), attrNum(t, bars[1], "width"), attrNum(t, bars[2], "width")
	if w0 <= 0 || math.Abs(w1/w0-0.5) > 0.01 || math.Abs(w2/w0-0.25) > 0.01 {
		t.Fatalf("widths %v %v %v are not proportional to 1, 0.5, 0.25", w0, w1, w2)
	}
	if x := attrNum(t, bars[0], "x"); x != attrNum(t, bars[2], "x") {
		t.Fatal("bars do not share a baseline")
	}
	all := strings.Join(texts(root), "|")
	for _, want := range []string{"县市场监督管理局", "100.0%", "50.0%", "25.0%", "县公安局", "—", "0.0%"} {
		if !strings.Contains(all, want) {
			t.Errorf("label %q missing from %s", want, all)
		}
	}
}

// Without a maximum the scale ends on a round number at or above the
// largest value, and the largest bar stays inside the chart.
func TestBarsScaleWithoutMax(t *testing.T) {
	root := parse(t, chart.Bars{ID: "n", Bars: []chart.Bar{{"甲", 37}, {"乙", 12}}}.SVG())
	var bars []*node
	for _, r := range root.all("rect") {
		if r.Attr["class"] == "bar" {
			bars = append(bars, r)
		}
	}
	vb := strings.Fields(root.Attr["viewBox"])
	w, _ := strconv.ParseFloat(vb[2], 64)
	if attrNum(t, bars[0], "x")+attrNum(t, bars[0], "width") > w {
		t.Fatal("the largest bar runs out of the chart")
	}
	if r := attrNum(t, bars[1], "width") / attrNum(t, bars[0], "width"); math.Abs(r-12.0/37) > 0.01 {
		t.Fatalf("ratio %v, want %v", r, 12.0/37)
	}
	if !strings.Contains(strings.Join(texts(root), "|"), "|40|") {
		t.Fatalf("no round tick at 40: %v", texts(root))
	}
}

// A label cannot inject markup: "<script>" and "&" come out as text and
// read back as the same words.
func TestLabelsEscaped(t *testing.T) {
	evil := `<script>alert("x")</script> & Co`
	for name, s := range map[string]string{
		"bars":  chart.Bars{ID: `a"b`, Title: evil, Desc: evil, Axis: evil, Bars: []chart.Bar{{evil, 3}}}.SVG(),
		"lines": chart.Lines{ID: "l", Title: evil, Points: []string{evil, "2026-02"}, Series: []chart.Series{{evil, []float64{1, 2}}, {"b", []float64{2, 1}}}}.SVG(),
	} {
		if strings.Contains(s, "<script") {
			t.Fatalf("%s: raw <script> in output", name)
		}
		root := parse(t, s)
		if root.all("script") != nil {
			t.Fatalf("%s: a script element", name)
		}
		found := false
		for _, tx := range append(root.all("title"), root.all("text")...) {
			if strings.Contains(tx.Text, evil[:15]) && strings.Contains(tx.Text, "& Co") {
				found = true
			}
		}
		if !found {
			t.Fatalf("%s: the label does not read back as text", name)
		}
	}
}

// No data is a chart that says so, not an empty or broken image; the
// caller's sentence is shown.
func TestEmpty(t *testing.T) {
	for name, s := range map[string]string{
		"bars":       chart.Bars{ID: "e", Title: "t", Empty: "本期无数据"}.SVG(),
		"lines":      chart.Lines{ID: "e", Title: "t", Empty: "本期无数据"}.SVG(),
		"lines-nans": chart.Lines{ID: "e", Title: "t", Empty: "本期无数据", Points: []string{"1"}, Series: []chart.Series{{"s", []float64{math.NaN()}}}}.SVG(),
		"zeros":      chart.Bars{ID: "z", Bars: []chart.Bar{{"甲", 0}}}.SVG(),
	} {
		root := parse(t, s)
		if name != "zeros" && !strings.Contains(strings.Join(texts(root), ""), "本期无数据") {
			t.Errorf("%s: no sentence for empty data", name)
		}
		if strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
			t.Errorf("%s: NaN or Inf in coordinates: %s", name, s)
		}
	}
}

// A line's points rise with the values over a zero baseline, each month
// is labelled, a missing month breaks the line, and two series get a
// legend.
func TestLines(t *testing.T) {
	c := chart.Lines{ID: "trend", Title: "受理量", Points: []string{"2026-01", "2026-02", "2026-03", "2026-04"},
		Series: []chart.Series{{"受理", []float64{10, 20, math.NaN(), 40}}}}
	root := parse(t, c.SVG())
	pts := root.all("circle")
	if len(pts) != 3 {
		t.Fatalf("%d points, want 3", len(pts))
	}
	ys := []float64{attrNum(t, pts[0], "cy"), attrNum(t, pts[1], "cy"), attrNum(t, pts[2], "cy")}
	if !(ys[0] > ys[1] && ys[1] > ys[2]) {
		t.Fatalf("points do not rise with the values: %v", ys)
	}
	// y is linear in the value: (y10 - y20) * 2 == (y20 - y40).
	if math.Abs((ys[0]-ys[1])*2-(ys[1]-ys[2])) > 0.5 {
		t.Fatalf("not linear: %v", ys)
	}
	d := root.all("path")[0].Attr["d"]
	if strings.Count(d, "M") != 2 {
		t.Fatalf("the missing month should break the line: %s", d)
	}
	tx := strings.Join(texts(root), "|")
	if !strings.HasPrefix(tx, "受理量|") {
		t.Errorf("the title is not written above the chart: %s", tx)
	}
	for _, m := range c.Points {
		if !strings.Contains(tx, m) {
			t.Errorf("month %s not labelled", m)
		}
	}
	two := parse(t, chart.Lines{ID: "x", Points: []string{"a", "b"}, Series: []chart.Series{{"本年", []float64{1, 2}}, {"上年", []float64{2, 3}}}}.SVG())
	if tx := strings.Join(texts(two), "|"); !strings.Contains(tx, "本年") || !strings.Contains(tx, "上年") {
		t.Fatalf("no legend: %s", tx)
	}
}
