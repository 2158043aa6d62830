package web

import (
	"net/http"

	"onestop/internal/disclosure"
	"onestop/internal/disclosure/annual"
)

// The reports as JSON (issue 16 item 3): the list for the organs the
// caller reads, and one report with its tables in the national format's
// structure. Field names are the stable API.

// discReportJSON is a report with its tables.
type discReportJSON struct {
	*annual.Report
	FeesWan string         `json:"fees_wan"` // table 二's fee amount in 万元, as printed
	Tables  discTablesJSON `json:"tables"`
}

type discTablesJSON struct {
	T2 map[string]any              `json:"t2"`
	T3 []discT3RowJSON             `json:"t3"`
	T4 map[string]map[string]int64 `json:"t4"`
}

type discT3RowJSON struct {
	Row   string           `json:"row"`
	Cells map[string]int64 `json:"cells"` // by applicant type, and "total"
}

func discJSON(rep *annual.Report) discReportJSON {
	c := rep.Cells
	t2 := map[string]any{"licensing": c[annual.Licensing], "penalty": c[annual.Penalty], "enforcement": c[annual.Enforcement], "fees_fen": c[annual.FeesFen]}
	for _, k := range annual.PolicyKinds {
		m := map[string]int64{}
		for _, col := range annual.PolicyCols {
			m[col] = c[annual.T2(k, col)]
		}
		t2[k] = m
	}
	var t3 []discT3RowJSON
	for _, row := range annual.T3Rows() {
		m := map[string]int64{"total": c.ColumnTotal(row)}
		for _, col := range disclosure.ApplicantTypes {
			m[string(col)] = c[annual.T3(row, col)]
		}
		t3 = append(t3, discT3RowJSON{Row: row, Cells: m})
	}
	t4 := map[string]map[string]int64{}
	for _, k := range annual.AppealKinds {
		t4[k] = map[string]int64{}
		for _, col := range annual.T4Cols {
			t4[k][col] = c[annual.T4(k, col)]
		}
	}
	if rep.Violations == nil {
		rep.Violations = []annual.Violation{}
	}
	return discReportJSON{Report: rep, FeesWan: annual.Wan(c[annual.FeesFen]), Tables: discTablesJSON{T2: t2, T3: t3, T4: t4}}
}

// apiDiscReports answers {"items": [...], "total": N}: the reports of the
// organs the caller reads, narrowed by ?organ= and ?year= (both optional;
// a garbled one is a field error, not "all").
func (s *Server) apiDiscReports(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r)
	f := annual.Filter{OrganID: q.Int("organ"), Year: int(q.Int("year"))}
	if err := q.Err(); err != nil {
		return err
	}
	list, err := s.DisclosureReports.List(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	items := make([]discReportJSON, len(list))
	for i := range list {
		items[i] = discJSON(&list[i])
	}
	return listJSON(w, items, len(items))
}

func (s *Server) apiDiscReport(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.discReportOf(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, discJSON(rep))
}
