package cases

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Event is one line of a case's record. Events are only ever inserted.
type Event struct {
	Seq      int             `json:"seq"`
	At       time.Time       `json:"at"`
	ActorID  int64           `json:"actor_id,omitempty"`
	Actor    string          `json:"actor"`
	Role     string          `json:"role"`
	Place    string          `json:"place"`
	Action   string          `json:"action"`
	Payload  json.RawMessage `json:"payload"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// canonical is the hashed form of an event: fixed field order, UTC
// milliseconds, the payload as stored. The case number ties each event to
// its case, so an event moved to another case breaks both chains.
type canonical struct {
	Case    string `json:"case"`
	Seq     int    `json:"seq"`
	At      string `json:"at"`
	ActorID int64  `json:"actor_id"`
	Actor   string `json:"actor"`
	Role    string `json:"role"`
	Place   string `json:"place"`
	Action  string `json:"action"`
	Payload string `json:"payload"`
}

// hashEvent is SHA-256(prev_hash ‖ canonical(event)) in hex (docs/ARCHITECTURE.md §4).
func hashEvent(caseNo string, e Event) string {
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write(Canonical(caseNo, e))
	return hex.EncodeToString(h.Sum(nil))
}

// Canonical is the exact text an event's hash covers after its prev_hash,
// for an auditor who re-hashes a record by hand (the evidence bundle
// prints it beside each event).
func Canonical(caseNo string, e Event) []byte {
	b, _ := json.Marshal(canonical{Case: caseNo, Seq: e.Seq, At: e.At.UTC().Format("2006-01-02T15:04:05.000Z"), ActorID: e.ActorID,
		Actor: e.Actor, Role: e.Role, Place: e.Place, Action: e.Action, Payload: string(e.Payload)})
	return b
}
