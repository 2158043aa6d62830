package e2e

import (
	"context"
	"strconv"
	"testing"
	"time"

	"onestop/internal/cameras"
	"onestop/internal/demo"
)

// The hall's admin registers a Hikvision NVR and the camera on the
// clerk's window; a citizen rates the completed case 非常不满意 on the
// portal; the supervisor opens the bad review, follows its camera link,
// sees the window and the span (3 minutes before the service at the
// window, 5 after), opens the camera and gets its playback address; the
// access record shows the opening (issue 15 §7, journey 4).
func TestSupervisorOpensCameraFromBadReview(t *testing.T) {
	t.Parallel()
	app, citizen := Start(t)
	ctx := context.Background()
	// The demo registers the hall's cameras; the journey registers its own.
	for _, q := range []string{`DELETE FROM cameras`, `DELETE FROM camera_recorders`} {
		if _, err := app.DB.W.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var window int64
	if err := app.DB.R.QueryRowContext(ctx, `SELECT window_id FROM staff WHERE username = 'clerk'`).Scan(&window); err != nil {
		t.Fatal(err)
	}

	// The admin's forms: the recorder, then the camera on the window.
	admin := NewBrowser(t, app.URL)
	admin.Login("admin", demo.Password)
	admin.Open("/admin/recorders/new")
	admin.Fill("#f-name", "一楼大厅NVR")
	admin.Select("#f-brand", cameras.Hikvision)
	admin.Fill("#f-host", "10.20.1.64")
	admin.Submit()
	admin.ExpectPath("/admin/cameras")
	admin.ExpectTextContains(`[data-testid="recorders"]`, "一楼大厅NVR")
	var recorder int64
	if err := app.DB.R.QueryRowContext(ctx, `SELECT id FROM camera_recorders`).Scan(&recorder); err != nil {
		t.Fatal(err)
	}
	admin.Open("/admin/cameras/new")
	admin.Select("#f-recorder_id", strconv.FormatInt(recorder, 10))
	admin.Fill("#f-name", "1号窗口摄像机")
	admin.Fill("#f-channel", "5")
	admin.Select("#f-window_id", strconv.FormatInt(window, 10))
	admin.Submit()
	admin.ExpectPath("/admin/cameras")
	admin.ExpectTextContains(`[data-testid="cameras"]`, "1号窗口摄像机")

	// The citizen's bad review, through the portal.
	no := completedCase(t, app)
	citizen.Open("/signin")
	citizen.Fill("#f-id_number", "11010519491231002X")
	citizen.Fill("#f-password", "Citizen2026")
	citizen.Submit()
	citizen.Open("/rate")
	citizen.ClickAndWait(`[data-testid="rate-link"][data-no="` + no + `"]`)
	citizen.WaitVisible("#rate-form")
	citizen.Click("#f-level-1")
	citizen.Fill("#f-comment", "窗口工作人员态度生硬。")
	citizen.Submit()
	citizen.WaitVisible(`[data-testid="rate-thanks"]`)

	// The service at the window the review is about: the case's last
	// event there, which the link's span is built around.
	var at time.Time
	if err := app.DB.R.QueryRowContext(ctx, `SELECT at FROM case_events WHERE case_id = (SELECT id FROM cases WHERE no = $1) AND place LIKE $2
		ORDER BY seq DESC LIMIT 1`, no, "window:"+strconv.FormatInt(window, 10)+" %").Scan(&at); err != nil {
		t.Fatal(err)
	}
	rec := cameras.Recorder{Brand: cameras.Hikvision, Host: "10.20.1.64", Port: 554, TimeZone: cameras.DefaultZone, TimeMode: cameras.TimeLocal,
		BeforeMin: 3, AfterMin: 5}
	span := cameras.SpanOf(rec, at)
	want := cameras.PlaybackAddress(rec, "5", span).URL
	shanghai, _ := time.LoadLocation(cameras.DefaultZone)
	spanText := span.Start.In(shanghai).Format("2006-01-02 15:04:05") + " – " + span.End.In(shanghai).Format("2006-01-02 15:04:05")

	sup := NewBrowser(t, app.URL)
	sup.Login("supervisor", demo.Password)
	sup.Open("/ratings")
	sup.WaitVisible(`[data-testid="rect-row"][data-no="` + no + `"]`)
	sup.ClickAndWait(`[data-testid="rect-row"][data-no="` + no + `"] a`)
	sup.ExpectText(`[data-testid="rect-comment"]`, "窗口工作人员态度生硬。")
	sup.ClickAndWait(`[data-testid="rating-camera"]`)
	sup.ExpectPath("/cameras/recording")
	sup.ExpectTextContains(`[data-testid="camera-list"]`, spanText)
	sup.ExpectTextContains(`[data-testid="camera-list"]`, "1号窗口摄像机")
	sup.ClickAndWait(`[data-testid="camera-open"]`)
	sup.ExpectValue(`[data-testid="camera-address"]`, want)
	sup.ExpectText(`[data-testid="camera-span"]`, spanText)

	sup.Open("/cameras/views")
	sup.ExpectTextContains(`[data-testid="camera-views"]`, spanText)
	sup.ExpectTextContains(`[data-testid="camera-views"]`, no)
	sup.ExpectTextContains(`[data-testid="camera-views"]`, "1号窗口摄像机")
}
