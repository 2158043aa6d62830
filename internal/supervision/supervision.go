// Package supervision puts electronic supervision on a case engine. Every
// engine that writes real cases — the server, the demo's history, the
// bench and the crash test — carries the same witnesses, so the running
// totals and the anomalies never depend on which program moved a case.
package supervision

import (
	"time"

	"onestop/internal/anomaly"
	"onestop/internal/cases"
	"onestop/internal/store"
	"onestop/internal/tally"
)

// Watch adds supervision's witnesses to eng: the running totals
// (tally) and the anomaly rules (anomaly), both written in each
// transition's own transaction. Set eng.Light first: the anomaly rules
// read the same light rule as the engine. The anomaly service is
// returned for its sweep and its pages.
func Watch(eng *cases.Service, db *store.DB, now func() time.Time) *anomaly.Service {
	an := anomaly.New(db, now)
	an.Light = eng.Light
	eng.Witnesses = append(eng.Witnesses, tally.Witness{}, an)
	return an
}
