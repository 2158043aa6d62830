package web

import (
	"net/http"

	"onestop/internal/cases"
	"onestop/internal/corrections"
	"onestop/internal/org"
)

// home is the public front page for visitors and a role's own page for
// staff.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	info := reqInfo(r)
	if info.Staff == nil {
		return s.portalHome(w, r)
	}
	a := *info.Actor
	ctx := r.Context()
	if liveReaders.Allows(a) && a.CountyWide() {
		// The supervision office and the leaders start from the live
		// monitor (issue 12); its page links to the rest.
		return s.livePage(w, r)
	}
	p := s.page(r, "home.title."+string(a.Role))
	data := map[string]any{}
	var err error
	switch {
	case a.Role.InDepartment():
		var dept org.Department
		if dept, err = s.Org.Department(ctx, a.DepartmentID); err != nil {
			return err
		}
		data["Department"] = dept
		if data["Windows"], _, err = s.Org.Windows(ctx, a, org.WindowFilter{}, allOptions); err != nil {
			return err
		}
		if corrections.Answerer(a.Role) {
			// The department's open correction orders, the red ones
			// first: replying is its only way to move them.
			open, _, err := s.Orders.List(ctx, a, corrections.Filter{Limit: 10, Open: true})
			if err != nil {
				return err
			}
			n, late, err := s.Orders.OpenCounts(ctx, a)
			if err != nil {
				return err
			}
			data["Orders"] = map[string]any{"Items": open, "Open": n, "Overdue": late}
		}
		if a.Role == org.DeptAdmin {
			if data["Staff"], _, err = s.Org.StaffList(ctx, a, org.StaffFilter{}, allOptions); err != nil {
				return err
			}
		}
	default:
		counts := map[string]int{}
		if _, counts["regions"], err = s.Org.Regions(ctx, "", org.ListOptions{Limit: 1}); err != nil {
			return err
		}
		if _, counts["centres"], err = s.Org.Centres(ctx, "", org.ListOptions{Limit: 1}); err != nil {
			return err
		}
		if _, counts["departments"], err = s.Org.Departments(ctx, org.DepartmentFilter{}, org.ListOptions{Limit: 1}); err != nil {
			return err
		}
		if _, counts["windows"], err = s.Org.Windows(ctx, a, org.WindowFilter{}, org.ListOptions{Limit: 1}); err != nil {
			return err
		}
		if _, counts["staff"], err = s.Org.StaffList(ctx, a, org.StaffFilter{}, org.ListOptions{Limit: 1}); err != nil {
			return err
		}
		data["Counts"] = counts
	}
	if caseWorkers.Allows(a) {
		// The people who act on cases start from their inbox: the home
		// page says how many cases wait for them and links to it.
		_, n, err := s.Cases.Inbox(ctx, cases.StaffActor(a), cases.InboxFilter{Limit: 1})
		if err != nil {
			return err
		}
		data["Inbox"] = map[string]any{"N": n, "Intake": a.Role == org.Clerk}
	}
	if bulletinReaders.Allows(a) {
		// Supervisors and leaders start from the county at a glance.
		data["Supervision"] = true
	}
	data["Me"] = info.Staff
	p.Data = data
	return s.render(w, r, "home", p)
}
