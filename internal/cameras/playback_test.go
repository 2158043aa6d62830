package cameras

import (
	"testing"
	"time"
)

var shanghai = func() *time.Location { l, _ := time.LoadLocation(DefaultZone); return l }()

// span is a stretch given in Shanghai wall-clock time.
func span(from, to string) Span {
	p := func(s string) time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04:05", s, shanghai)
		if err != nil {
			panic(err)
		}
		return t
	}
	return Span{Start: p(from), End: p(to)}
}

// The addresses are the ones in INTEGRATIONS.md §2, character for
// character: a recorder given a wrong one plays nothing, or the wrong
// hour, and nobody notices until a complaint needs the footage.
func TestPlaybackAddressExamples(t *testing.T) {
	hik := Recorder{Brand: Hikvision, Host: "192.168.1.64", Port: 554, TimeZone: DefaultZone, TimeMode: TimeLocal}
	hikUTC := hik
	hikUTC.TimeMode = TimeUTC
	dahua := Recorder{Brand: Dahua, Host: "10.0.0.8", Port: 554, TimeZone: DefaultZone}
	oem := Recorder{Brand: Custom, Host: "10.0.0.9", Port: 554, TimeZone: DefaultZone,
		Template: "rtsp://{host}:{port}/rtsp/playback?channel={channel}&subtype=0&starttime={start_utc:yyyy-MM-ddTHH:mm:ssZ}&endtime={end_utc:yyyy-MM-ddTHH:mm:ssZ}&localtime=true"}
	uniview := Recorder{Brand: Custom, Host: "10.0.0.10", Port: 554, TimeZone: DefaultZone, Template: "rtsp://{host}:{port}/c{channel}/b{start_unix}/e{end_unix}/replay/"}
	for _, c := range []struct {
		name string
		r    Recorder
		ch   string
		s    Span
		want string
	}{
		// The device reads the digits as its own wall clock (the
		// default): 10:50:10 in Shanghai is written 105010Z.
		{"hikvision local", hik, "1", span("2019-07-03 10:50:10", "2019-07-03 11:50:10"),
			"rtsp://192.168.1.64:554/Streaming/tracks/101?starttime=20190703T105010Z&endtime=20190703T115010Z"},
		// The Z taken at its word: 18:50:10 in Shanghai is 10:50:10 UTC.
		{"hikvision utc", hikUTC, "1", span("2019-07-03 18:50:10", "2019-07-03 19:50:10"),
			"rtsp://192.168.1.64:554/Streaming/tracks/101?starttime=20190703T105010Z&endtime=20190703T115010Z"},
		{"hikvision channel 12", hik, "12", span("2019-07-03 10:50:10", "2019-07-03 11:50:10"),
			"rtsp://192.168.1.64:554/Streaming/tracks/1201?starttime=20190703T105010Z&endtime=20190703T115010Z"},
		{"dahua", dahua, "1", span("2021-03-18 11:36:01", "2021-03-18 12:05:01"),
			"rtsp://10.0.0.8:554/cam/playback?channel=1&subtype=0&starttime=2021_03_18_11_36_01&endtime=2021_03_18_12_05_01"},
		{"oem custom", oem, "1", span("2021-03-24 09:30:00", "2021-03-24 09:38:00"),
			"rtsp://10.0.0.9:554/rtsp/playback?channel=1&subtype=0&starttime=2021-03-24T01:30:00Z&endtime=2021-03-24T01:38:00Z&localtime=true"},
		{"uniview custom", uniview, "1", Span{Start: time.Unix(1493172645, 0), End: time.Unix(1493173185, 0)},
			"rtsp://10.0.0.10:554/c1/b1493172645/e1493173185/replay/"},
	} {
		if got := PlaybackAddress(c.r, c.ch, c.s).URL; got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

// Dahua's local time follows the recorder's zone, not the server's: a
// recorder set to UTC gets the UTC digits (the public test's
// 2026_09_26_14_42_49).
func TestDahuaZone(t *testing.T) {
	r := Recorder{Brand: Dahua, Host: "nvr.hall.local", Port: 10554, TimeZone: "UTC"}
	s := Span{Start: time.Date(2026, 9, 26, 14, 42, 49, 0, time.UTC), End: time.Date(2026, 9, 26, 14, 50, 49, 0, time.UTC)}
	want := "rtsp://nvr.hall.local:10554/cam/playback?channel=3&subtype=0&starttime=2026_09_26_14_42_49&endtime=2026_09_26_14_50_49"
	if got := PlaybackAddress(r, "3", s).URL; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

// GB/T 28181: the platform's page gets the channel ID and span; the SDP
// values of the playback INVITE are u=<channel>:0 and t=<start> <end> in
// Unix seconds.
func TestGB28181Playback(t *testing.T) {
	r := Recorder{Brand: GB28181, DeviceID: "34020000002000000001", TimeZone: DefaultZone,
		Template: "https://gb.county.gov.cn/playback?device={device_id}&channel={channel}&start={start_unix}&end={end_unix}&day={start:yyyy-MM-dd}"}
	s := span("2026-09-29 10:37:00", "2026-09-29 10:45:00")
	a := PlaybackAddress(r, "34020000001320000001", s)
	if a.SDPTime != "1790649420 1790649900" || a.SDPUri != "34020000001320000001:0" {
		t.Errorf("SDP t=%q u=%q", a.SDPTime, a.SDPUri)
	}
	want := "https://gb.county.gov.cn/playback?device=34020000002000000001&channel=34020000001320000001&start=1790649420&end=1790649900&day=2026-09-29"
	if a.URL != want {
		t.Errorf("got %s\nwant %s", a.URL, want)
	}
}

// A template is checked when saved: each mistake has its own message, and
// the offending placeholder is named.
func TestTemplateChecks(t *testing.T) {
	for _, c := range []struct{ tpl, key, name string }{
		{"rtsp://{host}/x?s={start_unix}", "", ""},
		{"rtsp://{host}/x?s={start:yyyyMMddTHHmmssZ}&e={end:yyyyMMddTHHmmssZ}", "", ""},
		{"rtsp://{hots}/x?s={start_unix}", "cameras.template.unknown", "{hots}"},
		{"rtsp://{host}/x?s={start}", "cameras.template.layout", "{start}"},
		{"rtsp://{host}/x?s={start:abc}", "cameras.template.layout", "{start:abc}"},
		{"rtsp://{host:x}/x?s={start_unix}", "cameras.template.unknown", "{host:x}"},
		{"rtsp://{host/x?s={start_unix}", "cameras.template.unclosed", ""},
		{"rtsp://host}/x?s={start_unix}", "cameras.template.unclosed", ""},
		{"rtsp://{host}/x", "cameras.template.no_start", ""},
		{"javascript:alert(1)//{start_unix}", "cameras.template.scheme", ""},
		{"file:///etc/passwd?{start_unix}", "cameras.template.scheme", ""},
	} {
		_, key, name := parseTemplate(c.tpl)
		if key != c.key || name != c.name {
			t.Errorf("%s: %q %q, want %q %q", c.tpl, key, name, c.key, c.name)
		}
	}
}

// GB/T 28181 codes: 20 digits, and the type digits 11–13 must say what
// the field is (a recorder is not a camera).
func TestGBCodes(t *testing.T) {
	for _, c := range []struct {
		v     string
		types []string
		want  string
	}{
		{"34020000001320000001", channelTypes, ""},
		{"34020000001310000001", channelTypes, ""},
		{"34020000001180000001", recorderTypes, ""},
		{"34020000002000000001", recorderTypes, ""},
		{"34020000001180000001", channelTypes, "cameras.gb_id.type"},
		{"34020000001320000001", recorderTypes, "cameras.gb_id.type"},
		{"3402000000132000000", channelTypes, "cameras.gb_id.length"},
		{"3402000000132000000x", channelTypes, "cameras.gb_id.length"},
		{"340200000013200000011", channelTypes, "cameras.gb_id.length"},
	} {
		if got := gbCode(c.v, c.types); got != c.want {
			t.Errorf("%s: %q, want %q", c.v, got, c.want)
		}
	}
}

func TestEventWindow(t *testing.T) {
	for place, want := range map[string]int64{"window:12 192.0.2.1": 12, "192.0.2.1": 0, "window:x 1": 0, "window:-3 1": 0, "": 0} {
		if got := EventWindow(place); got != want {
			t.Errorf("%q: %d, want %d", place, got, want)
		}
	}
}
