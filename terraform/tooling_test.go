package terraform_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestProductImportsNoTooling: no product file — deploy.go, functions/ and shared/,
// tests included — imports the module's scripts/ tree, where the stand-ins, the local
// stack and the emulator launcher live. (Go's internal rule already refuses imports of
// scripts/internal from outside scripts/; this also catches a tooling package moved
// elsewhere under scripts/, and says which file.)
func TestProductImportsNoTooling(t *testing.T) {
	tooling := modulePath(t) + "/scripts"
	files := []string{"deploy.go"}
	for _, dir := range []string{"functions", "shared"} {
		err := filepath.WalkDir(filepath.Join(repoRoot, dir), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") {
				rel, _ := filepath.Rel(repoRoot, p)
				files = append(files, filepath.ToSlash(rel))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 20 {
		t.Fatalf("only %d product files found under %s", len(files), repoRoot)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		parsed, err := parser.ParseFile(fset, filepath.Join(repoRoot, f), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == tooling || strings.HasPrefix(path, tooling+"/") {
				t.Errorf("%s imports %s: product code and its tests must not depend on the dev tooling", f, path)
			}
		}
	}
}
