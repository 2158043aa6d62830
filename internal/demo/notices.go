package demo

import (
	"context"
	"time"

	"onestop/internal/notice"
	"onestop/internal/org"
	"onestop/internal/store"
)

// demoNotices are the county hall's notices on the demo portal, oldest
// first, each published the given number of days before the demo was
// loaded.
var demoNotices = []struct {
	daysAgo     int
	title, body string
}{
	{20, "关于启用“一件事一次办”服务专区的通知",
		"县政务服务中心一楼已开设“一件事一次办”服务专区，新生儿出生、企业开办等事项可在专区一次提交材料、并联办理。\n\n办事群众可通过本网站“一件事一次办”栏目查看各主题包含的事项和所需材料。"},
	{9, "关于推行“关怀版”网上办事服务的公告",
		"为方便老年人和视力障碍人士办事，本网站已推出关怀版：字体更大、对比度更高、布局更简洁。\n\n点击页面顶部的“关怀版”即可切换，再次点击“标准版”可恢复。"},
	{2, "县政务服务中心节假日期间办公安排",
		"节假日期间，县政务服务中心大厅暂停对外办公，网上办事大厅正常受理申请，办理时限按工作日顺延。\n\n如有紧急事项，请拨打中心咨询电话。"},
}

// seedNotices publishes the demo notices through the notice service, as
// the hall's admin.
func seedNotices(ctx context.Context, db *store.DB, now time.Time) error {
	os := &org.Service{DB: db, Now: func() time.Time { return now }}
	admin, err := os.StaffByUsername(ctx, "admin")
	if err != nil {
		return err
	}
	a := admin.Actor("demo")
	for _, n := range demoNotices {
		at := now.AddDate(0, 0, -n.daysAgo)
		svc := &notice.Service{DB: db, Now: func() time.Time { return at }}
		created, err := svc.Create(ctx, a, notice.Input{Title: n.title, Body: n.body})
		if err != nil {
			return err
		}
		if err := svc.Publish(ctx, a, created.ID); err != nil {
			return err
		}
	}
	return nil
}
