package web_test

// Who may reach the case routes (issue 4), written from the rules: staff
// pages check role here and scope in the engine (a case out of scope is
// "not found", which the matrix counts as allowed); the applicant's pages
// are public routes that send a visitor without an applicant session to
// /signin; the applicant-only API answers 401 to everyone in the matrix
// (none of its users has an applicant session).
func init() {
	clerks := []string{"clerk", "tclerk"}
	for p, who := range map[string][]string{
		"GET /workbench":                           signedIn,
		"GET /workbench/intake":                    clerks,
		"POST /workbench/intake":                   clerks,
		"GET /cases/{no}":                          signedIn,
		"POST /cases/{no}/actions/{action}":        caseWorker,
		"GET /cases/{no}/files/{sha}":              signedIn,
		"GET /cases/{no}/documents/{kind}":         signedIn,
		"GET /apply/{code}":                        public,
		"POST /apply/{code}":                       public,
		"GET /my/cases":                            public,
		"GET /my/cases/{no}":                       public,
		"POST /my/cases/{no}/resubmit":             public,
		"POST /my/cases/{no}/withdraw":             public,
		"GET /my/cases/{no}/files/{sha}":           public,
		"GET /my/cases/{no}/documents/{kind}":      public,
		"GET /progress":                            public,
		"GET /calendar/deadline":                   public,
		"GET /admin/calendar":                      signedIn,
		"POST /admin/calendar":                     hallAdmin,
		"POST /api/v1/cases":                       clerks,
		"GET /api/v1/cases":                        signedIn,
		"GET /api/v1/cases/{no}":                   signedIn,
		"POST /api/v1/cases/{no}/actions/{action}": caseWorker,
		"GET /api/v1/my/cases":                     nil,
		"POST /api/v1/files":                       clerks,
		"GET /api/v1/progress":                     public,
		"GET /api/v1/calendar/deadline":            public,
		"GET /api/v1/calendar/years":               public,
		"PUT /api/v1/calendar/years/{year}":        hallAdmin,
	} {
		expected[p] = who
	}
}
