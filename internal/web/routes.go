package web

import (
	"net/http"
	"time"
)

func (s *Server) registerRoutes() {
	s.mux.Handle("GET /static/{hash}/{name}", s.static)
	// Browsers ask for it on every page; there is no icon, and saying so
	// keeps their consoles quiet.
	s.mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	s.handle("GET /healthz", everyone, s.healthz)
	// For the operator's Prometheus, outside the session and role checks:
	// it is limited by address instead (metrics.go).
	s.mux.Handle("GET /metrics", s.metrics())
	s.handle("GET /{$}", everyone, s.home)
	s.handle("GET /login", everyone, s.loginPage)
	s.handle("POST /login", everyone, s.login)
	s.handle("POST /logout", everyone, s.logout)
	s.handle("GET /account/password", anyStaff, s.passwordPage)
	s.handle("POST /account/password", anyStaff, s.changePassword)
	s.handle("GET /account/tokens", anyStaff, s.tokensPage)
	s.handle("POST /account/tokens", anyStaff, s.createToken)
	s.handle("POST /account/tokens/{id}/revoke", anyStaff, s.revokeToken)
	s.handle("GET /api/v1/me", anyStaff, s.apiMe)
	s.handle("GET /admin/audit", auditRead, s.auditPage)
	s.handle("GET /api/v1/audit", auditRead, s.apiAudit)
	s.registerOrg()
	s.registerAccount()
	s.registerApplicants()
	s.registerCatalogue()
	s.registerCases()
	s.registerCheckpoints()
	s.registerLive()
	s.registerBulletinAPI()
	s.registerBulletins()
	s.registerDashboard()
	s.registerAnomalies()
	s.registerOrders()
	s.registerPayments()
	s.registerPaymentPages()
	s.registerRecord()
	s.registerPortal()
	s.registerRatings()
	s.registerOpen311()
	s.registerNotify()
	s.registerVoice()
	s.registerModes()
	s.registerBundles()
	s.registerBundlePayment()
	s.registerBundleReceipt()
	s.registerCameras()
	s.registerQueue()
	s.registerQueueDesk()
	s.registerQueueFigures()
	s.registerQueueRecord()
	s.registerQueueGroups()
	s.registerAssessments()
	s.registerDisclosureReports()
	s.registerAssessmentsAPI()
	s.registerDuty()
	s.registerDutySettings()
	s.registerCaseCover()
	s.registerAttendance()
	s.registerDisclosurePub()
	s.registerDisclosureRequests()
}

// healthz answers 200 when the database answers; with a read replica,
// its state too (it falling back to the primary is not an outage).
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	if err := s.DB.Ping(r.Context()); err != nil {
		return writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "database unavailable"})
	}
	body := map[string]any{"status": "ok", "database": string(s.DB.Dialect), "version": s.Config.Version,
		"time": s.Now().UTC().Format(time.RFC3339)}
	if rep := s.DB.Replica(); rep != nil {
		body["replica"] = replicaHealth(rep)
	}
	return writeJSON(w, http.StatusOK, body)
}
