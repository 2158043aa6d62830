package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/open311"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/voice"
)

// EnsureOpen311 seeds the demo's Open311 clients and requests once (issue
// 13 §5), through the Open311 service as a civic app would file them: the
// county's app with a public consultation and a private complaint, and a
// retired kiosk whose key the hall admin revoked. The keys themselves are
// thrown away (only their hashes are stored); the admin issues a fresh one
// on /admin/open311 to try the API.
func EnsureOpen311(ctx context.Context, db *store.DB, now time.Time, words open311.Words) error {
	var done string
	err := db.R.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'demo_open311'`).Scan(&done)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	clock := func() time.Time { return now }
	o := &org.Service{DB: db, Now: clock}
	eng := cases.New(db, &catalogue.Service{DB: db, Now: clock}, clock)
	svc := &open311.Service{Org: o, Desk: &voice.Service{DB: db, Cases: eng, Now: clock}, Keys: &open311.Keys{DB: db, Now: clock}}
	st, err := o.StaffByUsername(ctx, "admin")
	if err != nil {
		return err
	}
	admin := st.Actor("127.0.0.1")
	_, app, err := svc.Keys.Issue(ctx, admin, "宜章政务服务 App（示例）", admin.County())
	if err != nil {
		return fmt.Errorf("demo open311 key: %w", err)
	}
	lat, long := 25.3995, 112.9481 // the county hall
	for _, p := range []open311.Post{
		{ServiceCode: "consult", Lat: &lat, Long: &long, Phone: "13800000011", FirstName: "先生", LastName: "孙",
			Description: "新生儿办理户口登记需要带哪些材料？能否在大厅一次办完？",
			Attributes:  map[string]string{"department": "GAJ", "public": "true"}},
		{ServiceCode: "complaint", AddressString: "宜章县政务服务中心二楼", Email: "zhou@example.org",
			Description: "周六上午大厅自助机无法打印，现场也没有工作人员指导。", Attributes: map[string]string{}},
	} {
		if _, err := svc.File(ctx, words, app, p); err != nil {
			return fmt.Errorf("demo open311 request: %w", err)
		}
	}
	_, kiosk, err := svc.Keys.Issue(ctx, admin, "旧版自助终端（已停用）", admin.County())
	if err != nil {
		return err
	}
	if _, err := svc.Keys.Revoke(ctx, admin, kiosk.ID); err != nil {
		return err
	}
	_, err = db.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('demo_open311', '1')`)
	return err
}
