package attendance

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"time"

	"onestop/internal/clock"
)

// The ZKTeco push protocol (ADMS, "iclock"), as docs/INTEGRATIONS.md §1
// (from the vendor's 考勤PUSH协议) describes it: the terminal calls, the
// server answers plain text; fields are TAB-separated, records
// LF-separated.

// IclockOptions is the handshake's answer to GET /iclock/cdata?SN=…&
// options=all: stamps 0 (send what you have; a re-upload is merged as
// duplicates), the poll and retry delays, real-time upload of punches only
// (TransFlag AttLog: OneStop reads no users, photos or fingerprints), and
// the county's zone (UTC+8) so the device's local time is Shanghai's.
func IclockOptions(sn string) string {
	lines := []string{
		"GET OPTION FROM: " + sn,
		"ATTLOGStamp=0",
		"OPERLOGStamp=9999",
		"ATTPHOTOStamp=9999",
		"ErrorDelay=30",
		"Delay=10",
		"TransTimes=00:00;14:05",
		"TransInterval=1",
		"TransFlag=TransData AttLog",
		"TimeZone=8",
		"Realtime=1",
		"Encrypt=0",
		"ServerVer=2.4.1",
		"PushProtVer=2.4.1",
	}
	return strings.Join(lines, "\n") + "\n"
}

// iclockTime is the device's local time, with no zone.
const iclockTime = "2006-01-02 15:04:05"

// maxIclockLines bounds one ATTLOG post (a terminal sends its log in
// pieces; ZKTeco firmware uses a few hundred lines per post).
const maxIclockLines = MaxPunches

// ParseAttlog reads an ATTLOG body: one punch per line,
// PIN\tTime\tStatus\tVerify\tWorkcode\tReserved\tReserved and, on newer
// firmware, MaskFlag\tTemperature\t… after them (ignored). The time is
// the device's local time, read as Shanghai's (IclockOptions sets
// TimeZone=8). lines counts every non-empty line, malformed ones
// included: the reply OK:<lines> tells the terminal they were taken, so
// it does not send a line that can never be read again and again.
// Malformed lines become a Punch with a zero At, which CheckPunch refuses.
func ParseAttlog(body []byte) (punches []Punch, lines int) {
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		lines++
		if lines > maxIclockLines {
			break
		}
		f := strings.Split(line, "\t")
		p := Punch{PIN: strings.TrimSpace(f[0])}
		if len(f) >= 2 {
			if t, err := time.ParseInLocation(iclockTime, strings.TrimSpace(f[1]), clock.Shanghai); err == nil {
				p.At = t.UTC()
			}
		}
		if len(f) >= 3 {
			p.Direction = iclockDirection(strings.TrimSpace(f[2]))
		}
		if len(f) >= 4 {
			if v, err := strconv.Atoi(strings.TrimSpace(f[3])); err == nil {
				p.Verify = iclockVerify(v)
			}
		}
		punches = append(punches, p)
	}
	return punches, lines
}

// iclockDirection maps the Status field: 0 check-in, 1 check-out,
// 2 break-out, 3 break-in, 4 overtime-in, 5 overtime-out (the common
// convention; one library swaps 2 and 3, which changes nothing here as
// sheets read the first and last punch of a day). Anything else (255 on
// terminals without a status key) says nothing.
func iclockDirection(status string) string {
	switch status {
	case "0", "3", "4":
		return "in"
	case "1", "2", "5":
		return "out"
	}
	return ""
}

// iclockVerify names the verification mode (spec appendix 7); codes are
// model-dependent, so an unknown one is kept as its number.
func iclockVerify(v int) string {
	switch v {
	case 1:
		return "fingerprint"
	case 3:
		return "password"
	case 4:
		return "card"
	case 15:
		return "face"
	case 25:
		return "palm"
	}
	return "code" + strconv.Itoa(v)
}
