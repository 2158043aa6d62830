package anomaly

import (
	"encoding/json"
	"strings"

	"onestop/internal/cases"
	"onestop/internal/modes"
)

// modeBroken: an acceptance mode's promise was not kept (docs/DOMAIN.md
// §20) — P07, a 容缺 case ended because its owed materials missed the
// supply deadline; P08, a commitment found false and the decision revoked
// (国办发〔2020〕42号). Supervision watches both: each is a case a
// department accepted on trust. A case ends or is revoked once, so the
// action is the fact.
func modeBroken(act string) func(Input, Config) []Finding {
	return func(in Input, _ Config) []Finding {
		if in.Event.Action != act {
			return nil
		}
		var p struct {
			Reason string `json:"reason"`
		}
		_ = json.Unmarshal(in.Event.Payload, &p) // the engine wrote it
		// A termination for another rule (a bundle's refusal) is not a
		// broken 容缺 promise.
		if act == cases.ActTerminate && !strings.HasPrefix(p.Reason, modes.TerminateRule) {
			return nil
		}
		return one(act, []int{in.Event.Seq}, map[string]any{"reason": p.Reason})
	}
}
