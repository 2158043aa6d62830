package cameras

// GB/T 28181 codes (国标编码) are 20 digits: 1–8 the centre (the GB/T 2260
// region code and two digits for the grassroots unit), 9–10 the industry,
// 11–13 the type, 14 the network, 15–20 a serial (GB/T 28181-2016 Annex D;
// /work/shared/INTEGRATIONS.md §2). Only the type is checked beyond the
// digits: it tells a recorder from a camera, which is the mistake an
// operator makes when copying codes off a platform's device tree.

// Type codes (digits 11–13) a recorder or platform may carry: 111 DVR,
// 118 NVR, 200 a SIP server (the county's platform).
var recorderTypes = []string{"111", "118", "200"}

// Type codes a camera channel may carry: 132 IPC, and 131 (camera), which
// the sources name without confirmation; refusing it would lock out
// platforms that use it.
var channelTypes = []string{"131", "132"}

// gbCode reports whether v is a 20-digit code whose type digits are one of
// types. It answers the field key of the problem, "" when there is none.
func gbCode(v string, types []string) string {
	if len(v) != 20 {
		return "cameras.gb_id.length"
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return "cameras.gb_id.length"
		}
	}
	for _, t := range types {
		if v[10:13] == t {
			return ""
		}
	}
	return "cameras.gb_id.type"
}
