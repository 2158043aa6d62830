package e2e

import (
	"strings"
	"testing"
	"time"

	"onestop/internal/demo"
)

// Proactive disclosure (issue 16 item 1): the clerk, an officer of the
// department's disclosure office, drafts a normative document and submits
// it; the approver, the office's head, publishes it; a visitor reaches the
// disclosure section from the portal home, finds it by search and reads
// its document number and that it is in force.
func TestDisclosurePublicationJourney(t *testing.T) {
	t.Parallel()
	app, b := Start(t)
	app.Server.Now = func() time.Time { return time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC) }

	b.Login("clerk", demo.Password)
	b.Open("/disclosure")
	b.ClickAndWait(`[data-testid="disclosure-organs"] a`)
	b.ClickAndWait(`[data-testid="disclosure-new"]`)
	b.Select(`select[name="category"]`, "policy")
	b.Select(`select[name="doc_kind"]`, "normative")
	b.Fill(`input[name="title"]`, "关于全面推行证明事项告知承诺制的实施方案")
	b.Fill(`input[name="doc_no"]`, "县政办发〔2026〕31号")
	b.Fill(`input[name="created_on"]`, "2026-12-01")
	b.Fill(`input[name="issued_on"]`, "2026-12-01")
	b.Fill(`textarea[name="body"]`, "各乡镇人民政府，县直各单位：现将实施方案印发给你们，请认真贯彻执行。")
	b.ClickAndWait(`[data-testid="entry-save"]`)
	b.ExpectText("p.flash", "已保存。")
	b.ExpectText(`[data-testid="entry-state"]`, "草稿")
	entry := b.Path()
	b.ClickAndWait(`[data-testid="entry-submit"]`)
	b.ExpectText(`[data-testid="entry-state"]`, "待审核")
	b.ExpectAbsent(`[data-testid="entry-publish"]`) // an officer does not publish
	b.Logout()

	b.Login("approver", demo.Password)
	b.Open(entry)
	b.ClickAndWait(`[data-testid="entry-publish"]`)
	b.ExpectText("p.flash", "已发布到政府信息公开专栏。")
	b.ExpectText(`[data-testid="entry-state"]`, "已发布")
	b.Logout()

	b.Open("/")
	b.ClickAndWait(`[data-testid="portal-gk"]`)
	b.Fill(`#gk-q`, "告知承诺制")
	b.ClickAndWait(`[data-testid="gk-search"]`)
	b.ExpectTextContains(`[data-testid="gk-entries"]`, "现行有效")
	b.ClickAndWait(`[data-testid="gk-entries"] a`)
	b.ExpectText("h1", "关于全面推行证明事项告知承诺制的实施方案")
	b.ExpectText(`[data-testid="gk-docno"]`, "县政办发〔2026〕31号")
	b.ExpectTextContains(`[data-testid="gk-validity"]`, "现行有效")
	if !strings.HasPrefix(b.Path(), "/gk/entries/") {
		b.Fatalf("the entry is at %s", b.Path())
	}
}
