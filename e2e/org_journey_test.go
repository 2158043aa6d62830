package e2e

import (
	"slices"
	"testing"

	"onestop/internal/demo"
)

// The county hall's admin sets up a new department with a window and a
// clerk; the clerk signs in for the first time, must change the initial
// password, and then sees their department and window.
func TestAdminCreatesDepartmentAndWindowClerkSeesIt(t *testing.T) {
	t.Parallel()
	_, b := Start(t)

	b.Login("admin", demo.Password)
	b.ExpectPath("/")
	b.ExpectText("h1", "中心管理")

	// The department.
	b.Open("/admin/departments/new")
	b.Fill("#f-code", "CSJ")
	b.Fill("#f-name", "宜章县测试局")
	b.Fill("#f-short_name", "测试局")
	b.Select("#f-mode", "seated")
	b.Fill("#f-phone", "0735-3721234")
	b.Submit()
	b.ExpectPath("/admin/departments")
	b.ExpectText("p.flash", "已新增。")
	b.ExpectAbsent(".problem")
	b.Open("/admin/departments?q=" + "宜章县测试局")
	if codes := b.Texts("tbody td.mono"); !slices.Equal(codes, []string{"CSJ"}) {
		b.Fatalf("department list searched for 宜章县测试局 shows codes %q, want [CSJ]", codes)
	}
	b.ExpectTextContains("tbody tr", "测试局")
	b.ExpectTextContains("tbody tr", "进驻大厅")

	// Its window at the county hall.
	b.Open("/admin/windows/new")
	b.SelectText("#f-centre_id", "政务服务中心")
	b.SelectText("#f-department_id", "宜章县测试局")
	b.Fill("#f-number", "41")
	b.Fill("#f-name", "测试业务综合窗口")
	b.Submit()
	b.ExpectPath("/admin/windows")
	b.ExpectText("p.flash", "已新增。")

	// Its clerk.
	b.Open("/admin/staff/new")
	b.Fill("#f-username", "csj.clerk")
	b.Fill("#f-name", "测试员")
	b.Fill("#f-password", "Init2024pass")
	b.Select("#f-role", "clerk")
	b.SelectText("#f-centre_id", "政务服务中心")
	b.SelectText("#f-department_id", "宜章县测试局")
	b.SelectText("#f-window_id", "41 · 测试局 · ")
	b.Submit()
	b.ExpectPath("/admin/staff")
	b.ExpectText("p.flash", "已新增。")

	b.Logout()

	// The clerk's first login must go through a password change.
	b.Login("csj.clerk", "Init2024pass")
	b.ExpectPath("/account/password")
	b.ExpectTextContains("p.notice", "请先修改密码")
	for _, page := range []string{"/", "/admin/windows"} { // any page sends them back here
		b.Open(page)
		b.ExpectPath("/account/password")
	}
	b.Fill("#f-current", "Init2024pass")
	b.Fill("#f-password", "Clerk2024new")
	b.Fill("#f-again", "Clerk2024new")
	b.Submit()
	b.ExpectPath("/")
	b.ExpectText("p.flash", "密码已修改。")

	// The clerk's workbench shows their department and window.
	b.ExpectText("h1", "窗口工作台")
	b.ExpectText("dd[data-testid=my-department]", "测试局")
	b.ExpectText("dd[data-testid=my-window]", "41")
	if got := b.Texts("td[data-testid=window-number]"); !slices.Equal(got, []string{"41"}) {
		b.Fatalf("the department's windows are %q, want [41]", got)
	}
	b.ExpectTextContains("header .who", "测试员")
	b.ExpectTextContains("header .who", "窗口受理人员")

	// The same page in English.
	b.Open("/?lang=en")
	b.ExpectTextContains("header .who", "Window clerk")
	b.ExpectText("h1", "Window workbench")
	b.ExpectText("dd[data-testid=my-department]", "测试局")

	// The new password is the one that works now.
	b.Logout()
	b.Login("csj.clerk", "Clerk2024new")
	b.ExpectPath("/")
}

// A form that fails validation comes back with the error next to each
// field, a summary on top, and what the person typed still in place.
func TestFormErrorsAreFieldLevel(t *testing.T) {
	t.Parallel()
	_, b := Start(t)

	b.Login("admin", demo.Password)
	b.Open("/admin/departments")
	total := b.Text("p.count")

	b.Open("/admin/departments/new")
	b.Fill("#f-code", "xyz")
	b.Fill("#f-name", "")
	b.Fill("#f-short_name", "错误局")
	b.Select("#f-mode", "commissioned")
	if status := b.Submit(); status != 422 {
		b.Fatalf("a form with errors answered %d, want 422", status)
	}
	b.ExpectPath("/admin/departments")

	b.WaitVisible(".problem")
	b.ExpectTextContains(".problem", "填写的内容有误")
	// An error under the code and under the name, and under nothing else.
	b.ExpectText("#f-code ~ p.err", "单位编码须以大写字母开头，由 2 到 12 位大写字母或数字组成。")
	b.ExpectText("#f-name ~ p.err", "此项为必填项。")
	if n := b.Count("p.err"); n != 2 {
		b.Fatalf("%d field errors %q, want 2 (code and name)", n, b.Texts("p.err"))
	}
	b.ExpectAbsent("#f-short_name ~ p.err")
	// The summary links to the fields.
	if n := b.Count(`.problem a[href="#f-code"]`) + b.Count(`.problem a[href="#f-name"]`); n != 2 {
		b.Fatalf("the summary links to %d of the 2 fields in error", n)
	}
	// What was typed is kept.
	b.ExpectValue("#f-code", "xyz")
	b.ExpectValue("#f-name", "")
	b.ExpectValue("#f-short_name", "错误局")
	b.ExpectValue("#f-mode", "commissioned")
	// The cursor is on the first field to fix.
	if got := b.Focused(); got != "f-code" {
		b.Fatalf("focus is on %q, want f-code", got)
	}

	// Nothing was saved.
	b.Open("/admin/departments")
	b.ExpectText("p.count", total)
	b.Open("/admin/departments?q=" + "错误局")
	b.ExpectAbsent("tbody td.mono")
}
