package publication

import (
	"context"
	"time"

	"onestop/internal/disclosure"
	"onestop/internal/org"
)

// Officer is a member of an organ's disclosure office, for the centre
// admin's office page.
type Officer struct {
	StaffID   int64           `json:"staff_id"`
	Username  string          `json:"username"`
	Name      string          `json:"name"`
	Role      string          `json:"role"`
	Duty      disclosure.Duty `json:"duty"`
	GrantedAt time.Time       `json:"granted_at"`
}

// Office lists an organ's office for someone who reads the organ.
func (s *Service) Office(ctx context.Context, a org.Actor, organID int64) (disclosure.Access, []Officer, error) {
	x, err := disclosure.AccessTo(ctx, s.DB.Read(), a, organID)
	if err != nil {
		return x, nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT s.id, s.username, s.name, s.role, f.duty, f.granted_at
		FROM disclosure_officers f JOIN staff s ON s.id = f.staff_id WHERE f.organ_id = $1 ORDER BY f.duty, s.username`, organID)
	if err != nil {
		return x, nil, err
	}
	defer rows.Close()
	var out []Officer
	for rows.Next() {
		var o Officer
		var d string
		if err := rows.Scan(&o.StaffID, &o.Username, &o.Name, &o.Role, &d, &o.GrantedAt); err != nil {
			return x, nil, err
		}
		o.Duty = disclosure.Duty(d)
		out = append(out, o)
	}
	return x, out, rows.Err()
}
