package web

import (
	"net/http"
	"strconv"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/assessment"
	"onestop/internal/cases"
	"onestop/internal/org"
)

// The API of assessments (考核, issue 15 §6) and of the department
// admin's cover assignment (DOMAIN.md §25): the same services, roles and
// scopes as the pages (assessments.go, case_cover.go).

func (s *Server) registerAssessmentsAPI() {
	s.handle("GET /api/v1/assessments", assessReaders, s.apiAssessments)
	s.handle("POST /api/v1/assessments", assessRunners, s.apiAssessmentRun)
	s.handle("GET /api/v1/assessments/{id}", assessReaders, s.apiAssessment)
	s.handle("GET /api/v1/cover-assignments", roles(org.DeptAdmin), s.apiCover)
	s.handle("POST /api/v1/cover-assignments", roles(org.DeptAdmin), s.apiAssignCover)
}

// assessmentSummary is one item of the list: the run without its rows.
type assessmentSummary struct {
	ID              int64  `json:"id"`
	CentreID        int64  `json:"centre_id"`
	Kind            string `json:"kind"`
	Year            int    `json:"year"`
	N               int    `json:"n"`
	From            string `json:"from"`
	To              string `json:"to"`
	SettingsVersion int    `json:"settings_version"`
	RunAt           string `json:"run_at"`
}

func (s *Server) apiAssessments(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Assessments.List(r.Context(), actor(r))
	if err != nil {
		return err
	}
	out := make([]assessmentSummary, len(list))
	for i, x := range list {
		out[i] = assessmentSummary{ID: x.ID, CentreID: x.CentreID, Kind: x.Kind, Year: x.Year, N: x.N, From: x.From.String(), To: x.To.String(),
			SettingsVersion: x.Settings.Version, RunAt: x.RunAt.UTC().Format("2006-01-02T15:04:05Z")}
	}
	return listJSON(w, out, len(out))
}

// assessmentID reads {id}; anything but a positive number is not found.
func assessmentID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "assessment.not_found")
	}
	return id, nil
}

func (s *Server) apiAssessment(w http.ResponseWriter, r *http.Request) error {
	id, err := assessmentID(r)
	if err != nil {
		return err
	}
	x, err := s.Assessments.Get(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	if x.Rows == nil {
		x.Rows = []assessment.Row{}
	}
	return writeJSON(w, http.StatusOK, x)
}

// apiAssessmentRun runs one: {"kind": "quarter"|"half"|"year", "year":
// 2026, "n": 1}. Every field is required; none means no period, never
// "all of them".
func (s *Server) apiAssessmentRun(w http.ResponseWriter, r *http.Request) error {
	var in assessment.RunInput
	if err := decode(r, &in); err != nil {
		return err
	}
	f := apperr.Fields{}
	if in.Year == 0 {
		f.Add("year", "assessment.year_invalid")
	}
	if in.N == 0 {
		f.Add("n", "assessment.period_invalid")
	}
	if err := f.Err(); err != nil {
		return err
	}
	x, err := s.Assessments.Run(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, x)
}

// coverView is a case's cover as the department admin sees it: whether
// its step awaits an assignment, who acts now and who may be assigned.
type coverView struct {
	CaseNo     string                 `json:"case_no"`
	Step       int                    `json:"step"`
	StepRole   string                 `json:"step_role"`
	Uncovered  bool                   `json:"uncovered"`
	CoverID    int64                  `json:"cover_id,omitempty"`
	Cover      string                 `json:"cover,omitempty"`
	AssignedBy string                 `json:"assigned_by,omitempty"`
	Candidates []cases.CoverCandidate `json:"candidates"`
}

func (s *Server) coverOf(r *http.Request, no string) (*coverView, error) {
	a := actor(r)
	c, err := s.Cases.Get(r.Context(), cases.StaffActor(a), no)
	if err != nil {
		return nil, err
	}
	v := &coverView{CaseNo: c.No, Step: c.Step, StepRole: c.StepRole, Uncovered: c.AssigneeUncovered, CoverID: c.CoverID, Cover: c.Cover,
		AssignedBy: c.CoverAssignedBy}
	v.Candidates, err = s.Cases.CoverCandidates(r.Context(), a, c)
	return v, err
}

// apiCover reads one case's cover: ?case= is required (no case is not
// "every case").
func (s *Server) apiCover(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r)
	no := strings.ToUpper(q.Text("case"))
	if no == "" {
		return apperr.Fields{"case": apperr.M("error.required")}.Err()
	}
	if len(no) > 64 {
		return apperr.New(apperr.NotFound, "entity.case")
	}
	v, err := s.coverOf(r, no)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// assignCoverInput is the API's assignment.
type assignCoverInput struct {
	CaseNo  string `json:"case_no"`
	StaffID int64  `json:"staff_id"`
}

func (s *Server) apiAssignCover(w http.ResponseWriter, r *http.Request) error {
	var in assignCoverInput
	if err := decode(r, &in); err != nil {
		return err
	}
	no := strings.ToUpper(strings.TrimSpace(in.CaseNo))
	f := apperr.Fields{}
	if no == "" {
		f.Add("case_no", "error.required")
	}
	if in.StaffID <= 0 {
		f.Add("staff_id", "error.required")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if len(no) > 64 {
		return apperr.New(apperr.NotFound, "entity.case")
	}
	if _, err := s.Cases.AssignCover(r.Context(), actor(r), no, in.StaffID); err != nil {
		return err
	}
	v, err := s.coverOf(r, no)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, v)
}
