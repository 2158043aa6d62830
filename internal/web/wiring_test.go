package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// The services are built in one place (NewServices, called by the command
// and the tests), so a setting made there holds for every request: no
// other function of this package makes a service. A service is anything
// built over the database (a literal with a DB field) or by a service
// constructor.
func TestOnlyNewServicesBuildsServices(t *testing.T) {
	allowed := map[string]bool{
		"NewServices":      true,
		"progressThrottle": true, // its settings, called by NewServices
		"open311Throttle":  true, // likewise
		"New":              true, // the session manager's store: HTTP plumbing, not a service
	}
	constructors := map[string]bool{"cases.New": true, "auth.DefaultThrottle": true, "metrics.New": true, "newTranslator": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			checked++
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				what := ""
				switch n := n.(type) {
				case *ast.CompositeLit:
					for _, e := range n.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok {
							if id, ok := kv.Key.(*ast.Ident); ok && id.Name == "DB" {
								what = "a literal over the database"
							}
						}
					}
				case *ast.CallExpr:
					switch c := n.Fun.(type) {
					case *ast.SelectorExpr:
						if x, ok := c.X.(*ast.Ident); ok && constructors[x.Name+"."+c.Sel.Name] {
							what = x.Name + "." + c.Sel.Name
						}
					case *ast.Ident:
						if constructors[c.Name] {
							what = c.Name
						}
					}
				}
				if what != "" && !allowed[fn.Name.Name] {
					t.Errorf("%s: %s builds a service (%s); build it in NewServices", fset.Position(n.Pos()), fn.Name.Name, what)
				}
				return true
			})
		}
	}
	if checked < 100 {
		t.Fatalf("only %d functions checked", checked)
	}
}
