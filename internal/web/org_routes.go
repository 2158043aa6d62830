package web

import (
	"fmt"
	"net/http"
	"slices"

	"onestop/internal/org"
)

var (
	centreAdmins = roles(org.CentreAdmin)
	hallAdmin    = access{Roles: []org.Role{org.CentreAdmin}, CountyWide: true}
	orgAdmins    = roles(org.CentreAdmin, org.DeptAdmin)
	staffRead    = roles(org.CentreAdmin, org.DeptAdmin, org.Supervisor, org.Leader)
	auditRead    = roles(org.CentreAdmin, org.DeptAdmin, org.Supervisor, org.Leader)
	allOptions   = org.ListOptions{Limit: 1000}
)

func idOf(key, what string) (int64, error) { return parseID(key, what) }

func (s *Server) registerOrg() {
	register(s, resource[org.Region, org.RegionInput]{
		name: "regions", entity: "entity.region", read: anyStaff, write: hallAdmin,
		list: func(r *http.Request, a org.Actor, o org.ListOptions) ([]org.Region, int, error) {
			return s.Org.Regions(r.Context(), r.URL.Query().Get("parent"), o)
		},
		get: func(r *http.Request, a org.Actor, key string) (org.Region, error) {
			return s.Org.Region(r.Context(), key)
		},
		create: func(r *http.Request, a org.Actor, in org.RegionInput) (org.Region, error) {
			return s.Org.CreateRegion(r.Context(), a, in)
		},
		update: func(r *http.Request, a org.Actor, key string, in org.RegionInput) (org.Region, error) {
			return s.Org.UpdateRegion(r.Context(), a, key, in)
		},
		retire: func(r *http.Request, a org.Actor, key string) error { return s.Org.RetireRegion(r.Context(), a, key) },
		key:    func(x org.Region) string { return x.Code },
		input: func(x org.Region) org.RegionInput {
			return org.RegionInput{Code: x.Code, Name: x.Name, Kind: x.Kind, ParentCode: x.ParentCode}
		},
	})

	register(s, resource[org.Centre, org.CentreInput]{
		name: "centres", entity: "entity.centre", read: anyStaff, write: centreAdmins, creators: hallAdmin,
		list: func(r *http.Request, a org.Actor, o org.ListOptions) ([]org.Centre, int, error) {
			return s.Org.Centres(r.Context(), r.URL.Query().Get("kind"), o)
		},
		get: func(r *http.Request, a org.Actor, key string) (org.Centre, error) {
			id, err := idOf(key, "entity.centre")
			if err != nil {
				return org.Centre{}, err
			}
			return s.Org.Centre(r.Context(), id)
		},
		create: func(r *http.Request, a org.Actor, in org.CentreInput) (org.Centre, error) {
			return s.Org.CreateCentre(r.Context(), a, in)
		},
		update: func(r *http.Request, a org.Actor, key string, in org.CentreInput) (org.Centre, error) {
			id, err := idOf(key, "entity.centre")
			if err != nil {
				return org.Centre{}, err
			}
			return s.Org.UpdateCentre(r.Context(), a, id, in)
		},
		retire: func(r *http.Request, a org.Actor, key string) error {
			id, err := idOf(key, "entity.centre")
			if err != nil {
				return err
			}
			return s.Org.RetireCentre(r.Context(), a, id)
		},
		key: func(x org.Centre) string { return fmt.Sprint(x.ID) },
		input: func(x org.Centre) org.CentreInput {
			return org.CentreInput{Code: x.Code, Name: x.Name, Kind: x.Kind, RegionCode: x.RegionCode, Address: x.Address, Phone: x.Phone, Hours: x.Hours,
				SummerHours: x.SummerHours, SummerFrom: x.SummerFrom, SummerTo: x.SummerTo}
		},
		options: func(r *http.Request, a org.Actor) (map[string]any, error) {
			regions, _, err := s.Org.Regions(r.Context(), "", allOptions)
			return map[string]any{"Regions": regions, "Kinds": org.CentreKinds}, err
		},
	})

	register(s, resource[org.Department, org.DepartmentInput]{
		name: "departments", entity: "entity.department", read: anyStaff, write: orgAdmins, creators: hallAdmin,
		list: func(r *http.Request, a org.Actor, o org.ListOptions) ([]org.Department, int, error) {
			return s.Org.Departments(r.Context(), org.DepartmentFilter{Mode: r.URL.Query().Get("mode"), RegionCode: r.URL.Query().Get("region_code")}, o)
		},
		get: func(r *http.Request, a org.Actor, key string) (org.Department, error) {
			id, err := idOf(key, "entity.department")
			if err != nil {
				return org.Department{}, err
			}
			return s.Org.Department(r.Context(), id)
		},
		create: func(r *http.Request, a org.Actor, in org.DepartmentInput) (org.Department, error) {
			return s.Org.CreateDepartment(r.Context(), a, in)
		},
		update: func(r *http.Request, a org.Actor, key string, in org.DepartmentInput) (org.Department, error) {
			id, err := idOf(key, "entity.department")
			if err != nil {
				return org.Department{}, err
			}
			return s.Org.UpdateDepartment(r.Context(), a, id, in)
		},
		retire: func(r *http.Request, a org.Actor, key string) error {
			id, err := idOf(key, "entity.department")
			if err != nil {
				return err
			}
			return s.Org.RetireDepartment(r.Context(), a, id)
		},
		key: func(x org.Department) string { return fmt.Sprint(x.ID) },
		input: func(x org.Department) org.DepartmentInput {
			return org.DepartmentInput{Code: x.Code, Name: x.Name, ShortName: x.ShortName, Mode: x.Mode, Phone: x.Phone, RegionCode: x.RegionCode}
		},
		options: func(r *http.Request, a org.Actor) (map[string]any, error) {
			counties, err := s.Org.Counties(r.Context())
			counties = slices.DeleteFunc(counties, func(c org.Region) bool { return !a.CoversRegion(c.Code) })
			return map[string]any{"Modes": org.DepartmentModes, "Counties": counties}, err
		},
	})

	register(s, resource[org.Window, org.WindowInput]{
		name: "windows", entity: "entity.window", read: anyStaff, write: centreAdmins,
		list: func(r *http.Request, a org.Actor, o org.ListOptions) ([]org.Window, int, error) {
			return s.Org.Windows(r.Context(), a, org.WindowFilter{CentreID: intParam(r, "centre_id"), DepartmentID: intParam(r, "department_id")}, o)
		},
		get: func(r *http.Request, a org.Actor, key string) (org.Window, error) {
			id, err := idOf(key, "entity.window")
			if err != nil {
				return org.Window{}, err
			}
			return s.Org.Window(r.Context(), a, id)
		},
		create: func(r *http.Request, a org.Actor, in org.WindowInput) (org.Window, error) {
			return s.Org.CreateWindow(r.Context(), a, in)
		},
		update: func(r *http.Request, a org.Actor, key string, in org.WindowInput) (org.Window, error) {
			id, err := idOf(key, "entity.window")
			if err != nil {
				return org.Window{}, err
			}
			return s.Org.UpdateWindow(r.Context(), a, id, in)
		},
		retire: func(r *http.Request, a org.Actor, key string) error {
			id, err := idOf(key, "entity.window")
			if err != nil {
				return err
			}
			return s.Org.RetireWindow(r.Context(), a, id)
		},
		key: func(x org.Window) string { return fmt.Sprint(x.ID) },
		input: func(x org.Window) org.WindowInput {
			return org.WindowInput{CentreID: x.CentreID, DepartmentID: x.DepartmentID, Number: x.Number, Name: x.Name}
		},
		options: s.centreAndDepartmentOptions,
	})

	register(s, resource[org.Staff, org.StaffInput]{
		name: "staff", entity: "entity.staff", read: staffRead, write: orgAdmins,
		list: func(r *http.Request, a org.Actor, o org.ListOptions) ([]org.Staff, int, error) {
			return s.Org.StaffList(r.Context(), a, org.StaffFilter{CentreID: intParam(r, "centre_id"), DepartmentID: intParam(r, "department_id"),
				Role: org.Role(r.URL.Query().Get("role"))}, o)
		},
		get: func(r *http.Request, a org.Actor, key string) (org.Staff, error) {
			id, err := idOf(key, "entity.staff")
			if err != nil {
				return org.Staff{}, err
			}
			return s.Org.StaffMember(r.Context(), a, id)
		},
		create: func(r *http.Request, a org.Actor, in org.StaffInput) (org.Staff, error) {
			return s.Org.CreateStaff(r.Context(), a, in)
		},
		update: func(r *http.Request, a org.Actor, key string, in org.StaffInput) (org.Staff, error) {
			id, err := idOf(key, "entity.staff")
			if err != nil {
				return org.Staff{}, err
			}
			return s.Org.UpdateStaff(r.Context(), a, id, in)
		},
		retire: func(r *http.Request, a org.Actor, key string) error {
			id, err := idOf(key, "entity.staff")
			if err != nil {
				return err
			}
			return s.Org.RetireStaff(r.Context(), a, id)
		},
		key: func(x org.Staff) string { return fmt.Sprint(x.ID) },
		input: func(x org.Staff) org.StaffInput {
			return org.StaffInput{Username: x.Username, Name: x.Name, Role: x.Role, CentreID: x.CentreID, DepartmentID: x.DepartmentID,
				WindowID: x.WindowID, BackupID: x.BackupID, Phone: x.Phone, Absent: x.Absent, Scope: x.Scope}
		},
		options: func(r *http.Request, a org.Actor) (map[string]any, error) {
			m, err := s.centreAndDepartmentOptions(r, a)
			if err != nil {
				return nil, err
			}
			// The menus offer only what the admin may grant; the service
			// refuses anything else in any case.
			m["Centres"] = slices.DeleteFunc(m["Centres"].([]org.Centre), func(c org.Centre) bool { return !org.ReachesCentre(a, c) })
			m["Province"] = a.Province
			m["Roles"] = org.AssignableRoles(a)
			m["AllRoles"] = org.Roles
			if m["Windows"], _, err = s.Org.Windows(r.Context(), a, org.WindowFilter{}, allOptions); err != nil {
				return nil, err
			}
			m["Colleagues"], _, err = s.Org.StaffList(r.Context(), a, org.StaffFilter{}, allOptions)
			return m, err
		},
	})
}

// centreAndDepartmentOptions fills the centre and department menus.
func (s *Server) centreAndDepartmentOptions(r *http.Request, a org.Actor) (map[string]any, error) {
	centres, _, err := s.Org.Centres(r.Context(), "", allOptions)
	if err != nil {
		return nil, err
	}
	depts, _, err := s.Org.Departments(r.Context(), org.DepartmentFilter{}, allOptions)
	return map[string]any{"Centres": centres, "Departments": depts}, err
}
