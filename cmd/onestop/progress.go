package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress writes a status line to stderr for verify, backup, restore and
// gen: rewritten in place on a terminal, and in a log file (or a CI job, a
// systemd journal) one plain line at most every progressEvery, never a
// carriage return.
var progressEvery = 10 * time.Second

type progress struct {
	w     io.Writer
	tty   bool
	last  time.Time
	shown bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, last: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

// show writes s as the status, unless one was written a moment ago.
func (p *progress) show(s string) {
	switch {
	case p.tty && time.Since(p.last) >= 200*time.Millisecond:
		fmt.Fprintf(p.w, "\r\033[K%s", s)
		p.shown = true
	case !p.tty && time.Since(p.last) >= progressEvery:
		fmt.Fprintln(p.w, s)
	default:
		return
	}
	p.last = time.Now()
}

// final writes s as the last status, always, and ends the line.
func (p *progress) final(s string) {
	p.clear()
	fmt.Fprintln(p.w, s)
	p.last = time.Now()
}

// clear removes a status line before other output.
func (p *progress) clear() {
	if p.tty && p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}

func (p *progress) done() { p.clear() }

// counter shows done of total units with a bar and the time left, as the
// callback of a long loop.
func (p *progress) counter(unit string) func(done, total int) {
	start := time.Now()
	return func(done, total int) {
		const width = 30
		filled := width * done / max(total, 1)
		eta := ""
		if el := time.Since(start); done > 0 && done < total {
			eta = fmt.Sprintf(", about %s left", (time.Duration(float64(el) * float64(total-done) / float64(done))).Round(time.Second))
		}
		s := fmt.Sprintf("[%s%s] %d/%d %s (%.0f%%)%s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total, unit,
			100*float64(done)/float64(max(total, 1)), eta)
		if done >= total {
			p.final(s)
		} else {
			p.show(s)
		}
	}
}

// steps reports a job's steps: each one's start on a line of its own,
// and "done of total" while a step counts.
func (p *progress) steps(job string) func(step string, done, total int) {
	return func(step string, done, total int) {
		if total == 0 {
			p.final(job + ": " + step)
			return
		}
		s := fmt.Sprintf("%s: %s %d of %d", job, step, done, total)
		if done >= total {
			p.final(s)
		} else {
			p.show(s)
		}
	}
}
