package demo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"onestop/internal/demo/data"
)

// gen inserts the demo rows in one transaction. It writes SQL directly
// (one password hash shared by all demo accounts) because hashing ~200
// passwords through the service would take many seconds at every first start.
type gen struct {
	ctx  context.Context
	tx   *sql.Tx
	now  time.Time
	hash string
	seed int64

	regions, centres, departments, windows, staff, items int

	// deptIDs maps the data tables' department codes to the ids of the
	// county being built.
	deptIDs map[string]int64
}

func (g *gen) exec(q string, args ...any) error {
	_, err := g.tx.ExecContext(g.ctx, q, args...)
	return err
}

func (g *gen) id(q string, args ...any) (int64, error) {
	var id int64
	err := g.tx.QueryRowContext(g.ctx, q, args...).Scan(&id)
	return id, err
}

func (g *gen) region(code, name, level, kind, parent string) error {
	g.regions++
	var p any
	if parent != "" {
		p = parent
	}
	return g.exec(`INSERT INTO regions (code, name, level, kind, parent_code, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$6)`,
		code, name, level, kind, p, g.now)
}

func (g *gen) centre(code, name, kind, region, address, phone, hours string) (int64, error) {
	g.centres++
	return g.id(`INSERT INTO centres (code, name, kind, region_code, address, phone, hours, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8) RETURNING id`, code, name, kind, region, address, phone, hours, g.now)
}

func (g *gen) window(centre, dept int64, number, name string) (int64, error) {
	g.windows++
	return g.id(`INSERT INTO windows (centre_id, department_id, number, name, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$5) RETURNING id`,
		centre, dept, number, name, g.now)
}

type person struct {
	username, name, role string
	centre, dept, window int64
	phone                string
}

func (g *gen) person(p person) (int64, error) {
	g.staff++
	return g.id(`INSERT INTO staff (username, name, role, centre_id, department_id, window_id, phone, password_hash, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9) RETURNING id`,
		p.username, p.name, p.role, nz(p.centre), nz(p.dept), nz(p.window), p.phone, g.hash, g.now)
}

func (g *gen) pair(a, b int64) error {
	if err := g.exec(`UPDATE staff SET backup_id = $1 WHERE id = $2`, b, a); err != nil {
		return err
	}
	return g.exec(`UPDATE staff SET backup_id = $1 WHERE id = $2`, a, b)
}

func nz(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// organisation builds docs/DOMAIN.md §1 for one county: its townships (with
// their villages in the demo county), the hall with 40 windows of 30
// seated departments, 18 commissioning units, a convenience centre per
// township, and staff for every role, each window clerk with an A/B
// partner.
func (g *gen) organisation(p county) error {
	if err := g.region(p.Code, p.Name, "county", "", ""); err != nil {
		return err
	}
	for _, t := range data.Townships {
		if err := g.region(p.township(t.Code), t.Name, "township", t.Kind, p.Code); err != nil {
			return err
		}
		if !p.showcase {
			continue // villages only in the demo county: nothing in a case refers to them
		}
		for _, v := range t.Villages {
			kind := "village"
			if v.Community {
				kind = "community"
			}
			if err := g.region(v.Code, v.Name, "village", kind, t.Code); err != nil {
				return err
			}
		}
	}
	hall, err := g.centre(p.Code, p.Hall.Name, "hall", p.Code, p.Hall.Address, p.Hall.Phone, p.Hall.Hours)
	if err != nil {
		return err
	}
	if err := g.exec(`UPDATE centres SET summer_hours = $1, summer_from = $2, summer_to = $3 WHERE id = $4`,
		p.Hall.SummerHours, p.Hall.SummerFrom, p.Hall.SummerTo, hall); err != nil {
		return err
	}
	names := data.Names(g.seed ^ p.salt)
	g.deptIDs = map[string]int64{}
	number := 0
	first := p.showcase
	for _, d := range data.Departments {
		mode := "commissioned"
		if d.Seated {
			mode = "seated"
		}
		g.departments++
		id, err := g.id(`INSERT INTO departments (code, name, short_name, mode, phone, region_code, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$7) RETURNING id`,
			p.dept(d.Code), p.deptName(d.Name), d.ShortName, mode, d.Phone, p.Code, g.now)
		if err != nil {
			return fmt.Errorf("department %s: %w", p.dept(d.Code), err)
		}
		g.deptIDs[d.Code] = id
		if !d.Seated {
			continue
		}
		code := strings.ToLower(d.Code)
		var clerks []int64
		for i := 0; i < d.Windows; i++ {
			number++
			w, err := g.window(hall, id, fmt.Sprint(number), d.ShortName+"窗口")
			if err != nil {
				return err
			}
			username := p.user(fmt.Sprintf("%s.clerk%d", code, i+1))
			if first && i == 0 {
				username = "clerk"
			}
			sid, err := g.person(person{username: username, name: names.Next(), role: "clerk", centre: hall, dept: id, window: w, phone: names.Phone()})
			if err != nil {
				return err
			}
			clerks = append(clerks, sid)
		}
		// A/B cover: windows are paired; an odd or single window gets a
		// backup clerk without a seat of their own (docs/DOMAIN.md §1).
		if len(clerks)%2 == 1 {
			sid, err := g.person(person{username: p.user(code + ".backup"), name: names.Next(), role: "clerk", centre: hall, dept: id, phone: names.Phone()})
			if err != nil {
				return err
			}
			clerks = append(clerks, sid)
		}
		for i := 0; i+1 < len(clerks); i += 2 {
			if err := g.pair(clerks[i], clerks[i+1]); err != nil {
				return err
			}
		}
		for _, r := range []struct{ role, user, show string }{{"reviewer", code + ".reviewer", "reviewer"}, {"approver", code + ".approver", "approver"}, {"dept_admin", code + ".admin", "deptadmin"}} {
			username := p.user(r.user)
			if first {
				username = r.show
			}
			if _, err := g.person(person{username: username, name: names.Next(), role: r.role, centre: hall, dept: id, phone: names.Phone()}); err != nil {
				return err
			}
		}
		first = false
	}
	for _, st := range []person{
		{username: "admin", role: "centre_admin", centre: hall},
		{username: "supervisor", role: "supervisor", centre: hall},
		{username: "leader", role: "leader", centre: hall},
	} {
		st.username = p.user(st.username)
		st.name, st.phone = names.Next(), names.Phone()
		if _, err := g.person(st); err != nil {
			return err
		}
	}
	// Each township's convenience centre accepts for the county's civil
	// affairs and social security departments (代办, docs/DOMAIN.md §5).
	local := []string{"MZJ", "RSJ"}
	for i, t := range data.Townships {
		code := p.township(t.Code)
		cid, err := g.centre(code, t.Name+"便民服务中心", "township", code, t.Name+"人民政府一楼", names.Phone(), p.Hall.Hours)
		if err != nil {
			return err
		}
		admin, clerk := p.user(fmt.Sprintf("t%02d.admin", i+1)), p.user(fmt.Sprintf("t%02d.clerk", i+1))
		if i == 0 && p.showcase {
			admin, clerk = "township", "tclerk"
		}
		if _, err := g.person(person{username: admin, name: names.Next(), role: "centre_admin", centre: cid, phone: names.Phone()}); err != nil {
			return err
		}
		for j, dc := range local {
			w, err := g.window(cid, g.deptIDs[dc], fmt.Sprint(j+1), "")
			if err != nil {
				return err
			}
			u := clerk
			if j > 0 {
				u = p.user(fmt.Sprintf("t%02d.clerk%d", i+1, j+1))
			}
			if _, err := g.person(person{username: u, name: names.Next(), role: "clerk", centre: cid, dept: g.deptIDs[dc], window: w, phone: names.Phone()}); err != nil {
				return err
			}
		}
	}
	return nil
}
