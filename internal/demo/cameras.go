package demo

import (
	"context"
	"strconv"
	"time"

	"onestop/internal/cameras"
	"onestop/internal/org"
	"onestop/internal/store"
)

// seedCameras registers the hall's video equipment as its admin would
// (issue 15 §5): a Hikvision NVR with cameras on three windows (the demo
// clerk's first), a Dahua NVR on the waiting area, and the county's
// GB/T 28181 platform with a second camera on the clerk's window. The
// addresses are private ones; no password is kept anywhere.
func seedCameras(ctx context.Context, db *store.DB, now time.Time) error {
	os := &org.Service{DB: db, Now: func() time.Time { return now }}
	admin, err := os.StaffByUsername(ctx, "admin")
	if err != nil {
		return err
	}
	clerk, err := os.StaffByUsername(ctx, "clerk")
	if err != nil {
		return err
	}
	a := admin.Actor("demo")
	svc := &cameras.Service{DB: db, Now: func() time.Time { return now }}
	rows, err := db.R.QueryContext(ctx, `SELECT id FROM windows WHERE centre_id = $1 AND retired_at IS NULL AND id <> $2 ORDER BY id LIMIT 2`,
		a.CentreID, clerk.WindowID)
	if err != nil {
		return err
	}
	windows := []int64{clerk.WindowID}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		windows = append(windows, id)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	hik, err := svc.SaveRecorder(ctx, a, 0, cameras.RecorderInput{Name: "一楼大厅海康NVR", Brand: cameras.Hikvision, Host: "10.20.1.64"})
	if err != nil {
		return err
	}
	for i, w := range windows {
		if _, err := svc.SaveCamera(ctx, a, 0, cameras.CameraInput{RecorderID: hik.ID, Name: "窗口摄像机" + strconv.Itoa(i+1),
			Channel: strconv.Itoa(i + 1), WindowID: w}); err != nil {
			return err
		}
	}
	dahua, err := svc.SaveRecorder(ctx, a, 0, cameras.RecorderInput{Name: "候办区大华NVR", Brand: cameras.Dahua, Host: "10.20.1.65"})
	if err != nil {
		return err
	}
	if _, err := svc.SaveCamera(ctx, a, 0, cameras.CameraInput{RecorderID: dahua.ID, Name: "候办区全景", Channel: "1", Area: "一楼候办区"}); err != nil {
		return err
	}
	gb, err := svc.SaveRecorder(ctx, a, 0, cameras.RecorderInput{Name: "县视频监控联网平台", Brand: cameras.GB28181, DeviceID: "43102200002000000001",
		Template: "https://video.example.gov.cn/playback?channel={channel}&start={start_unix}&end={end_unix}"})
	if err != nil {
		return err
	}
	_, err = svc.SaveCamera(ctx, a, 0, cameras.CameraInput{RecorderID: gb.ID, Name: "窗口高位球机", Channel: "43102200001320000001", WindowID: clerk.WindowID})
	return err
}
