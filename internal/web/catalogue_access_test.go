package web_test

// The catalogue's routes in the role × route matrix (access_test.go),
// written from the rules rather than read off the server: everybody reads
// the public guide and API; every member of staff reads the administration
// pages; the county hall's admin and department admins change items
// (catalogue.CanManage then limits a department admin to their own); only
// the county hall's admin bundles composites.
func init() {
	itemManagers := []string{"admin", "deptadmin"}
	for pattern, who := range map[string][]string{
		"GET /guide":                        public,
		"GET /guide/items/{code}":           public,
		"GET /guide/items/{code}/print":     public,
		"GET /guide/items/{code}/qr.png":    public,
		"GET /guide/items/{code}/versions":  public,
		"GET /admin/items":                  signedIn,
		"GET /admin/items/new":              itemManagers,
		"POST /admin/items":                 itemManagers,
		"GET /admin/items/{code}":           signedIn,
		"POST /admin/items/{code}":          itemManagers,
		"POST /admin/items/{code}/status":   itemManagers,
		"GET /admin/items/{code}/versions":  signedIn,
		"GET /admin/items/export.xlsx":      signedIn,
		"GET /admin/items/import":           itemManagers,
		"POST /admin/items/import":          itemManagers,
		"GET /admin/composites":             signedIn,
		"GET /admin/composites/new":         hallAdmin,
		"POST /admin/composites":            hallAdmin,
		"GET /admin/catalogue/stats":        signedIn,
		"GET /api/v1/items":                 public,
		"POST /api/v1/items":                itemManagers,
		"GET /api/v1/items/{code}":          public,
		"PUT /api/v1/items/{code}":          itemManagers,
		"POST /api/v1/items/{code}/status":  itemManagers,
		"GET /api/v1/items/{code}/versions": public,
		"GET /api/v1/composites":            public,
		"POST /api/v1/composites":           hallAdmin,
		"GET /api/v1/composites/{code}":     public,
		"GET /api/v1/catalogue/types":       public,
		"GET /api/v1/catalogue/stats":       signedIn,
		"GET /api/v1/openapi.json":          public,
	} {
		expected[pattern] = who
	}
}
