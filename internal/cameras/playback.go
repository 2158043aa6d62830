package cameras

import (
	"net"
	"strconv"
	"time"
)

// Brands of recorder: each has its own playback address.
const (
	Hikvision = "hikvision"
	Dahua     = "dahua"
	GB28181   = "gb28181"
	Custom    = "custom"
)

// Brands in the order the form offers them.
var Brands = []string{Hikvision, Dahua, GB28181, Custom}

// Hikvision time modes. Hikvision's playback takes ISO 8601 basic times
// ending in Z, which says UTC; bloggers report that devices read the time
// as their own local time all the same (INTEGRATIONS.md §2, UNCONFIRMED).
// Neither can be settled without the county's own NVR, so it is a
// setting of each recorder: "local" (the default, what the reports say,
// the digits are the device's wall clock with a Z appended) or "utc" (the
// Z taken at its word). An operator checks once by opening a link whose
// time shows in the recording's on-screen clock.
const (
	TimeLocal = "local"
	TimeUTC   = "utc"
)

// TimeModes in the order the form offers them.
var TimeModes = []string{TimeLocal, TimeUTC}

// Span is the stretch of recording a link asks for.
type Span struct {
	Start, End time.Time
}

// Address is what a supervisor is shown to open a recording: the
// playback address, and for GB/T 28181 the values the platform's INVITE
// carries, so an operator can check them in its log.
type Address struct {
	URL string `json:"url"`
	// SDPTime is the SDP t= line of a GB/T 28181 playback INVITE
	// ("<start unix> <end unix>"); SDPUri its u= line (<channel>:0).
	SDPTime string `json:"sdp_time,omitempty"`
	SDPUri  string `json:"sdp_uri,omitempty"`
	// Channel is the GB/T 28181 channel ID or the channel number.
	Channel string `json:"channel"`
}

// hostPort is host:port with IPv6 hosts bracketed.
func hostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// PlaybackAddress is the address of channel on recorder r over span. It
// never carries a user name or password: the player or VMS client the
// supervisor opens it with holds the recorder's credentials, so a copied
// link, a browser history or the audit record never becomes a key to the
// recorder (docs/ARCHITECTURE.md §22).
func PlaybackAddress(r Recorder, channel string, s Span) Address {
	zone := r.Location()
	a := Address{Channel: channel}
	switch r.Brand {
	case Hikvision:
		// rtsp://ip:554/Streaming/tracks/101?starttime=20190703T105010Z&endtime=…
		// track <channel>01 is the channel's main stream.
		start, end := s.Start.In(zone), s.End.In(zone)
		if r.TimeMode == TimeUTC {
			start, end = s.Start.UTC(), s.End.UTC()
		}
		const hik = "yyyyMMddTHHmmssZ"
		a.URL = "rtsp://" + hostPort(r.Host, r.Port) + "/Streaming/tracks/" + channel + "01?starttime=" + formatLayout(hik, start) +
			"&endtime=" + formatLayout(hik, end)
	case Dahua:
		// …/cam/playback?channel=1&subtype=0&starttime=2021_03_18_11_36_01&endtime=…,
		// in the device's local time.
		const dh = "yyyy_MM_dd_HH_mm_ss"
		a.URL = "rtsp://" + hostPort(r.Host, r.Port) + "/cam/playback?channel=" + channel + "&subtype=0&starttime=" +
			formatLayout(dh, s.Start.In(zone)) + "&endtime=" + formatLayout(dh, s.End.In(zone))
	case GB28181:
		// The platform plays the recording on its own web page; OneStop
		// gives it the channel and span, and shows the INVITE's SDP
		// values: s=Playback, u=<chanID>:0, t=<start unix> <end unix>.
		a.SDPTime = strconv.FormatInt(s.Start.Unix(), 10) + " " + strconv.FormatInt(s.End.Unix(), 10)
		a.SDPUri = channel + ":0"
		a.URL = r.expand(channel, s)
	case Custom:
		a.URL = r.expand(channel, s)
	}
	return a
}

// expand fills the recorder's template; a template that no longer parses
// (it was checked on save) gives no address rather than a wrong one.
func (r Recorder) expand(channel string, s Span) string {
	parts, bad, _ := parseTemplate(r.Template)
	if bad != "" {
		return ""
	}
	return expand(parts, values{host: r.Host, port: strconv.Itoa(r.Port), channel: channel, deviceID: r.DeviceID,
		start: s.Start, end: s.End, zone: r.Location()})
}
