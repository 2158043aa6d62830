package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Row is one line of the report. Raw and Ratio are set where the figure
// is a durable write rate, so it can be read against the physical limit
// of the same database measured in the same run (docs/ARCHITECTURE.md §8).
type Row struct {
	What   string  `json:"what"`
	Engine string  `json:"engine"`
	Size   int     `json:"size"` // cases in the database when measured
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	// Target is the target for this figure, if it has one, and Met
	// whether this run reached it (targets are reported, not asserted).
	Target string `json:"target,omitempty"`
	Met    *bool  `json:"met,omitempty"`
	// Raw is the raw durable single-row commit rate of this run (commits/s)
	// and Ratio = Value / Raw, for rows where that comparison applies. A
	// row without Raw may set Ratio against another row of the run, which
	// its Note names (the bundle row: bundle time / one case's lifecycle).
	Raw   float64 `json:"raw,omitempty"`
	Ratio float64 `json:"ratio,omitempty"`
	// Skipped rows were not measured; Note says why (or adds a remark).
	Skipped bool   `json:"skipped,omitempty"`
	Note    string `json:"note,omitempty"`
}

// withRaw fills Raw and Ratio.
func (r Row) withRaw(raw float64) Row {
	r.Raw = raw
	if raw > 0 {
		r.Ratio = r.Value / raw
	}
	return r
}

// target sets Target and Met.
func (r Row) target(text string, met bool) Row {
	r.Target, r.Met = text, &met
	return r
}

// Report is a whole run.
type Report struct {
	Started  time.Time `json:"started"`
	Host     string    `json:"host"`
	CPUs     int       `json:"cpus"`
	Go       string    `json:"go"`
	Command  string    `json:"command"`
	Rows     []Row     `json:"rows"`
	Failures []string  `json:"failures,omitempty"`
}

// WriteJSON writes the report to a file.
func (r *Report) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// FormatValue prints a figure with the precision its unit deserves: rates
// and counts as integers, latencies with two decimals below 100.
func FormatValue(v float64, unit string) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "—"
	case strings.HasSuffix(unit, "/s") || strings.HasSuffix(unit, "/min") || unit == "MB" || unit == "rows":
		if v >= 100 || v == math.Trunc(v) {
			return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
		}
		return strconv.FormatFloat(v, 'f', 1, 64)
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// WriteTable prints the rows as an aligned text table whose last column is
// the ratio to the raw limit (docs/ARCHITECTURE.md §5), then the notes.
func WriteTable(w io.Writer, rows []Row) error {
	head := []string{"what", "engine", "size", "value", "unit", "target", "met", "raw commits/s", "ratio"}
	lines := [][]string{head}
	var notes []string
	noteNo := map[string]int{}
	for _, r := range rows {
		value, met, raw, ratio := FormatValue(r.Value, r.Unit), "", "", ""
		if r.Skipped {
			value = "skipped"
		}
		if r.Met != nil {
			met = map[bool]string{true: "yes", false: "NO"}[*r.Met]
		}
		if r.Raw > 0 {
			raw = FormatValue(r.Raw, "/s")
		}
		// A ratio without a raw figure is against another row of the same
		// run (the bundle row: its time over one case's lifecycle).
		if r.Raw > 0 || r.Ratio > 0 {
			ratio = strconv.FormatFloat(r.Ratio, 'f', 2, 64)
		}
		what := r.What
		if r.Note != "" {
			// Rows with the same remark share its number.
			n, ok := noteNo[r.Note]
			if !ok {
				notes = append(notes, fmt.Sprintf("[%d] %s", len(notes)+1, r.Note))
				n = len(notes)
				noteNo[r.Note] = n
			}
			what += fmt.Sprintf(" [%d]", n)
		}
		size := ""
		if r.Size > 0 {
			size = strconv.Itoa(r.Size)
		}
		lines = append(lines, []string{what, r.Engine, size, value, r.Unit, r.Target, met, raw, ratio})
	}
	widths := make([]int, len(head))
	for _, l := range lines {
		for i, c := range l {
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	var sb strings.Builder
	for n, l := range lines {
		for i, c := range l {
			pad := widths[i] - displayWidth(c)
			// Numbers right-aligned, text left-aligned.
			numeric := i == 2 || i == 3 || i == 7 || i == 8
			if numeric && n > 0 {
				sb.WriteString(strings.Repeat(" ", pad) + c)
			} else {
				sb.WriteString(c + strings.Repeat(" ", pad))
			}
			if i < len(l)-1 {
				sb.WriteString("  ")
			}
		}
		sb.WriteString("\n")
		if n == 0 {
			total := len(widths)*2 - 2
			for _, x := range widths {
				total += x
			}
			sb.WriteString(strings.Repeat("-", total) + "\n")
		}
	}
	for _, n := range notes {
		sb.WriteString(n + "\n")
	}
	// Trailing spaces would only make diffs noisy.
	out := strings.ReplaceAll(sb.String(), " \n", "\n")
	for strings.Contains(out, " \n") {
		out = strings.ReplaceAll(out, " \n", "\n")
	}
	_, err := io.WriteString(w, out)
	return err
}

// displayWidth counts East Asian characters (登记) as two columns, so the
// table stays aligned in a terminal.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) ||
			(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) || (r >= 0xffe0 && r <= 0xffe6)):
			n += 2
		default:
			n++
		}
	}
	return n
}

// Percentile is the nearest-rank percentile (p in 0..100) of durations; it
// sorts its argument. Zero for an empty slice.
func Percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	if !sort.SliceIsSorted(d, func(i, j int) bool { return d[i] < d[j] }) {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	}
	rank := int(math.Ceil(p / 100 * float64(len(d))))
	rank = min(max(rank, 1), len(d))
	return d[rank-1]
}

// Median of floats (the middle of repeated measurements; docs/ARCHITECTURE.md §8
// asks for medians because these machines are noisy).
func Median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
