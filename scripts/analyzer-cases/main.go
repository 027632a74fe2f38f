// Command analyzer-cases prints Istio's analyzer test cases as JSON, read by parsing
// pkg/config/analysis/analyzers/analyzers_test.go of an istio.io/istio module directory
// (go/ast, no hand-copied tables). For each case: its analyzer, input files, expected
// (code, origin) pairs, and the codes that analyzer can emit (the msg.New… calls in the
// file that declares it).
//
//	go run . <istio module dir>
package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

type expected struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Origin string `json:"origin"`
}

type testCase struct {
	Name           string     `json:"name"`
	Analyzer       string     `json:"analyzer"`
	InputFiles     []string   `json:"inputFiles"`
	MeshConfigFile string     `json:"meshConfigFile,omitempty"`
	Expected       []expected `json:"expected"`
	Emits          []string   `json:"emits"`
}

const analyzersDir = "pkg/config/analysis/analyzers"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: analyzer-cases <istio.io/istio module dir>")
		os.Exit(2)
	}
	root := os.Args[1]
	cases, err := extract(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "analyzer-cases:", err)
		os.Exit(1)
	}
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	if err := out.Encode(cases); err != nil {
		fmt.Fprintln(os.Stderr, "analyzer-cases:", err)
		os.Exit(1)
	}
}

func extract(root string) ([]testCase, error) {
	codes, err := messageCodes(filepath.Join(root, "pkg/config/analysis/msg/messages.gen.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	testFile := filepath.Join(root, analyzersDir, "analyzers_test.go")
	f, err := parser.ParseFile(fset, testFile, nil, 0)
	if err != nil {
		return nil, err
	}
	imports := map[string]string{}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		alias := filepath.Base(path)
		if imp.Name != nil {
			alias = imp.Name.Name
		}
		imports[alias] = path
	}
	grid := findVar(f, "testGrid")
	if grid == nil {
		return nil, fmt.Errorf("%s: no testGrid composite literal", testFile)
	}
	emitsCache := map[string][]string{}
	var cases []testCase
	for _, elt := range grid.Elts {
		lit, ok := elt.(*ast.CompositeLit)
		if !ok {
			return nil, fmt.Errorf("%s: a testGrid element is not a literal", fset.Position(elt.Pos()))
		}
		tc := testCase{Expected: []expected{}}
		var analyzerPkg, analyzerIdent string
		for _, e := range lit.Elts {
			kv, ok := e.(*ast.KeyValueExpr)
			if !ok {
				return nil, fmt.Errorf("%s: positional testCase fields are not supported", fset.Position(e.Pos()))
			}
			key := kv.Key.(*ast.Ident).Name
			switch key {
			case "name":
				tc.Name = str(kv.Value)
			case "inputFiles":
				for _, v := range kv.Value.(*ast.CompositeLit).Elts {
					tc.InputFiles = append(tc.InputFiles, filepath.Join(root, analyzersDir, str(v)))
				}
			case "meshConfigFile":
				tc.MeshConfigFile = filepath.Join(root, analyzersDir, str(kv.Value))
			case "analyzer":
				analyzerPkg, analyzerIdent, tc.Analyzer = analyzerOf(kv.Value)
			case "expected":
				for _, v := range kv.Value.(*ast.CompositeLit).Elts {
					m := v.(*ast.CompositeLit)
					if len(m.Elts) != 2 {
						return nil, fmt.Errorf("%s: expected message with %d fields", fset.Position(m.Pos()), len(m.Elts))
					}
					name := m.Elts[0].(*ast.SelectorExpr).Sel.Name
					code, ok := codes[name]
					if !ok {
						return nil, fmt.Errorf("%s: unknown message type %s", fset.Position(m.Pos()), name)
					}
					tc.Expected = append(tc.Expected, expected{Code: code, Name: name, Origin: str(m.Elts[1])})
				}
			}
		}
		if analyzerIdent == "" {
			return nil, fmt.Errorf("case %q: analyzer not recognised", tc.Name)
		}
		key := analyzerPkg + "." + analyzerIdent
		if _, ok := emitsCache[key]; !ok {
			dir := imports[analyzerPkg]
			if !strings.HasPrefix(dir, "istio.io/istio/") {
				return nil, fmt.Errorf("case %q: analyzer package %s not in istio.io/istio", tc.Name, analyzerPkg)
			}
			emits, err := emittedCodes(filepath.Join(root, strings.TrimPrefix(dir, "istio.io/istio/")), analyzerIdent, codes)
			if err != nil {
				return nil, fmt.Errorf("case %q: %w", tc.Name, err)
			}
			emitsCache[key] = emits
		}
		tc.Emits = emitsCache[key]
		cases = append(cases, tc)
	}
	return cases, nil
}

func str(e ast.Expr) string {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		panic(fmt.Sprintf("expected a string literal, got %T", e))
	}
	s, _ := strconv.Unquote(lit.Value)
	return s
}

func findVar(f *ast.File, name string) *ast.CompositeLit {
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if n.Name == name && i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.CompositeLit); ok {
						return lit
					}
				}
			}
		}
	}
	return nil
}

// analyzerOf reads `&pkg.Type{}` or `pkg.Func(args)`: the package alias, the declared
// identifier, and a display name.
func analyzerOf(e ast.Expr) (pkg, ident, display string) {
	switch v := e.(type) {
	case *ast.UnaryExpr:
		if lit, ok := v.X.(*ast.CompositeLit); ok {
			if sel, ok := lit.Type.(*ast.SelectorExpr); ok {
				p := sel.X.(*ast.Ident).Name
				return p, sel.Sel.Name, p + "." + sel.Sel.Name
			}
		}
	case *ast.CallExpr:
		if sel, ok := v.Fun.(*ast.SelectorExpr); ok {
			p := sel.X.(*ast.Ident).Name
			args := make([]string, 0, len(v.Args))
			for _, a := range v.Args {
				if as, ok := a.(*ast.SelectorExpr); ok {
					args = append(args, as.Sel.Name)
				}
			}
			return p, sel.Sel.Name, fmt.Sprintf("%s.%s(%s)", p, sel.Sel.Name, strings.Join(args, ","))
		}
	}
	return "", "", ""
}

// messageCodes maps message type names to codes: `Name = diag.NewMessageType(level, "IST0101", …)`.
func messageCodes(path string) (map[string]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, name := range vs.Names {
			if i >= len(vs.Values) {
				continue
			}
			call, ok := vs.Values[i].(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				continue
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "NewMessageType" {
				if lit, ok := call.Args[1].(*ast.BasicLit); ok {
					out[name.Name], _ = strconv.Unquote(lit.Value)
				}
			}
		}
		return true
	})
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no message types found", path)
	}
	return out, nil
}

// emittedCodes: the codes of every msg.NewX call in the (non-test) file of dir that declares ident.
func emittedCodes(dir, ident string, codes map[string]string) ([]string, error) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		return nil, err
	}
	for _, p := range pkgs {
		for _, f := range p.Files {
			if !declares(f, ident) {
				continue
			}
			set := map[string]bool{}
			ast.Inspect(f, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "msg" && strings.HasPrefix(sel.Sel.Name, "New") {
					if code, ok := codes[strings.TrimPrefix(sel.Sel.Name, "New")]; ok {
						set[code] = true
					}
				}
				return true
			})
			out := make([]string, 0, len(set))
			for c := range set {
				out = append(out, c)
			}
			sort.Strings(out)
			return out, nil
		}
	}
	return nil, fmt.Errorf("%s: no declaration of %s", dir, ident)
}

func declares(f *ast.File, ident string) bool {
	for _, d := range f.Decls {
		switch v := d.(type) {
		case *ast.FuncDecl:
			if v.Recv == nil && v.Name.Name == ident {
				return true
			}
		case *ast.GenDecl:
			for _, s := range v.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.Name == ident {
					return true
				}
			}
		}
	}
	return false
}
