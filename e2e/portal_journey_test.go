package e2e

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"onestop/internal/notify"
	"onestop/internal/testutil"
)

// registerCitizen registers a citizen through /register and the texted
// code, and leaves them signed in on /me.
func registerCitizen(t *testing.T, app *App, b *Browser, idNumber, name, phone, password string) {
	t.Helper()
	b.Open("/register")
	b.Fill("#f-id_number", idNumber)
	b.Fill("#f-name", name)
	b.Fill("#f-phone", phone)
	b.Fill("#f-password", password)
	b.Fill("#f-again", password)
	b.Submit()
	// A code is texted to the phone (the outbox stands in for the gateway).
	b.ExpectPath("/register/verify")
	sms, err := notify.Outbox(context.Background(), app.DB, phone)
	if err != nil || len(sms) == 0 {
		t.Fatalf("no text message: %v", err)
	}
	b.Fill("#f-code", regexp.MustCompile(`\d{6}`).FindString(sms[0].Text))
	b.Submit()
	b.ExpectPath("/me")
}

// Issue 13's first journey: a citizen switches the portal to 关怀版 on the
// home page, finds an item with the home page's search box, applies
// online, opens the receipt, reads its QR code as a phone's camera would
// and follows it to the progress query, which shows the case, all in
// the care mode the cookie remembers.
func TestCitizenFindsItemInCareModeAppliesAndFollowsTheReceiptQR(t *testing.T) {
	t.Parallel()
	app, citizen := Start(t)
	addTestItem(t, app)
	app.Server.Config.PublicURL = app.URL
	dir := t.TempDir()
	pdf := filepath.Join(dir, "申请表.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const phone = "13912345678"
	registerCitizen(t, app, citizen, "440524188001010014", "李大爷", phone, "Laoren2026")

	citizen.Open("/")
	citizen.ClickAndWait(`a[data-testid="care-switch"]`)
	citizen.ExpectPath("/")
	citizen.WaitVisible(`body.care`)
	citizen.ExpectText(`a[data-testid="care-switch"]`, "标准版")
	if size := eval[float64](citizen, "root font size", `parseFloat(getComputedStyle(document.documentElement).fontSize)`); size < 20 {
		citizen.Fatalf("care mode font size %.0fpx, want at least 20px", size)
	}

	citizen.Fill("#portal-q", "测试网上许可")
	citizen.ClickAndWait(`form[role="search"] button.primary`)
	citizen.ExpectPath("/guide")
	citizen.WaitVisible(`body.care`)
	citizen.ClickAndWait(`a[href="/guide/items/T-901"]`)
	citizen.ExpectTextContains("h1", "测试网上许可")
	citizen.ClickAndWait(`a[href="/apply/T-901"]`)
	citizen.WaitVisible(`body.care`)
	citizen.upload(`input[name="m1"]`, pdf)
	citizen.upload(`input[name="m2"]`, pdf)
	citizen.Submit()
	if !strings.HasPrefix(citizen.Path(), "/my/cases/") {
		citizen.Fatalf("after applying: %s", citizen.URL())
	}
	no := citizen.Text(`[data-testid="case-no"]`)

	citizen.ClickAndWait(`[data-testid="documents"] a[href*="/documents/receipt"]`)
	citizen.WaitVisible(`img[data-testid="doc-qr"]`)
	src := eval[string](citizen, "the QR's image", `document.querySelector('img[data-testid="doc-qr"]').src`)
	data, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, "data:image/png;base64,"))
	if err != nil {
		citizen.Fatalf("the receipt's QR is not a PNG data address: %.60s", src)
	}
	link := testutil.DecodeQR(t, data)
	if want := app.URL + "/progress?no=" + no; link != want {
		citizen.Fatalf("the receipt's QR holds %q, want %q", link, want)
	}
	citizen.Open(link)
	citizen.WaitVisible(`body.care`)
	citizen.ExpectValue("#f-no", no)
	citizen.Fill("#f-phone", phone)
	citizen.Submit()
	citizen.WaitVisible(`[data-testid="progress"]`)
	citizen.ExpectTextContains(`[data-testid="progress"]`, no)
	citizen.ExpectTextContains(`[data-testid="progress"]`, "测试网上许可")
}

// The home page on a desktop and on a 375-px phone, normal and in care
// mode: nothing scrolls sideways, the footer shows the configured fields,
// and every block is there. With PORTAL_SHOT set (a directory, e.g.
// docs/screenshots), the four views are saved there as
// home-{normal,care}-{desktop,phone}.png for the README.
func TestPortalHomeOnDesktopAndPhone(t *testing.T) {
	t.Parallel()
	app, b := Start(t)
	shots := os.Getenv("PORTAL_SHOT")
	if shots == "" {
		// Screenshots show the demo as it ships: footer fields empty.
		app.Server.Config.Organiser, app.Server.Config.ICP = "示范县人民政府办公室", "湘ICP备12345678号"
	}
	for _, mode := range []string{"normal", "care"} {
		on := map[string]string{"normal": "0", "care": "1"}[mode]
		b.Open("/care?on=" + on + "&next=/")
		for _, dev := range []struct {
			name          string
			width, height int64
			mobile        bool
		}{{"desktop", 1280, 900, false}, {"phone", 375, 812, true}} {
			ctx, cancel := b.step()
			_, err := chromedp.Run(ctx, chromedp.EmulateViewport(dev.width, dev.height, chromedp.EmulateScale(1), func(p *emulation.SetDeviceMetricsOverrideParams, _ *emulation.SetTouchEmulationEnabledParams) {
				p.Mobile = dev.mobile
			}))
			cancel()
			if err != nil {
				b.Fatalf("viewport %s: %v", dev.name, err)
			}
			b.Open("/")
			b.WaitVisible(`[data-testid="portal-centre"]`)
			if (b.Count(`body.care`) == 1) != (mode == "care") {
				b.Fatalf("%s %s: care mode is %v", mode, dev.name, mode == "care")
			}
			// Measured against the screen's width, not innerWidth: a phone
			// zooms out to fit a page too wide, and innerWidth grows with it.
			w := strconv.FormatInt(dev.width, 10)
			over := eval[float64](b, "sideways overflow", `document.documentElement.scrollWidth - `+w)
			if over > 0 {
				wide := eval[string](b, "what is too wide", `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > `+w+` + 1).slice(0, 5).map(e => e.tagName + '.' + e.className).join(', ')`)
				b.Fatalf("%s %s: the page is %.0fpx wider than the screen (%s)", mode, dev.name, over, wide)
			}
			for _, sel := range []string{`form[role="search"]`, `[data-testid="portal-themes"]`, `[data-testid="portal-hot"]`, `[data-testid="portal-notices"]`,
				`a[href="/consult"]`, `a[href="/complain"]`, `a[href="/rate"]`, `a[data-testid="care-switch"]`} {
				if b.Count(sel) == 0 {
					b.Fatalf("%s %s: no %s", mode, dev.name, sel)
				}
			}
			if shots == "" {
				b.ExpectTextContains(`[data-testid="site-info"]`, "示范县人民政府办公室")
				b.ExpectTextContains(`[data-testid="site-info"] a[href="https://beian.miit.gov.cn/"]`, "湘ICP备12345678号")
				continue
			}
			ctx, cancel = b.step()
			img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			cancel()
			if err != nil {
				b.Fatalf("screenshot: %v", err)
			}
			name := filepath.Join(shots, "home-"+mode+"-"+dev.name+".png")
			if err := os.WriteFile(name, img, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d KB", name, len(img)/1024)
		}
	}

	// Without JavaScript the tabs, the care switch and the search still
	// work: they are links and plain forms.
	ctx, cancel := b.step()
	_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	cancel()
	if err != nil {
		b.Fatalf("disable scripts: %v", err)
	}
	b.Open("/care?on=0&next=/")
	b.ClickAndWait(`nav.guide-tabs a[href^="/?for=company"]`)
	b.WaitVisible(`nav.guide-tabs a[href^="/?for=company"][aria-current="page"]`)
	b.ClickAndWait(`a[data-testid="care-switch"]`)
	b.WaitVisible(`body.care nav.guide-tabs a[href^="/?for=company"][aria-current="page"]`)
	b.Fill("#portal-q", "营业执照")
	b.ClickAndWait(`form[role="search"] button.primary`)
	b.ExpectPath("/guide")
	b.WaitVisible("body.care table.guide-table")
}
