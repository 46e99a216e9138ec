// Package terraform_test keeps the Terraform deployment and the Go code in step. No
// terraform binary or cloud access is needed: it reads the .tf files as text.
//
//   - firestore.tf declares the composite indexes and the single-field overrides (a
//     collection-group query on one field) the code's queries need (the Firestore
//     emulator used by the other tests does not enforce indexes, so nothing else would notice
//     a missing one before production);
//   - functions.tf deploys exactly the entry points the functions/* packages register;
//   - source.tf's archive leaves out tests and local-only code, and everything it keeps
//     compiles from what it keeps (Google's Go buildpack runs `go mod tidy` on the upload).
package terraform_test

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const repoRoot = ".." // go test runs in this package's directory

// ---------------------------------------------------------------------------------------
// Firestore indexes

type indexField struct{ Path, Order string }

type firestoreIndex struct {
	Name, Collection, QueryScope string
	Fields                       []indexField
}

func firestoreIndexes(t *testing.T) []firestoreIndex {
	t.Helper()
	var out []firestoreIndex
	for name, body := range resourceBlocks(t, readTF(t, "firestore.tf"), "google_firestore_index") {
		ix := firestoreIndex{
			Name:       name,
			Collection: attr(body, "collection"),
			QueryScope: attr(body, "query_scope"),
		}
		if ix.QueryScope == "" {
			ix.QueryScope = "COLLECTION" // the provider's default
		}
		for _, f := range nestedBlocks(body, "fields") {
			order := attr(f, "order")
			if order == "" {
				order = "array_config:" + attr(f, "array_config")
			}
			ix.Fields = append(ix.Fields, indexField{Path: attr(f, "field_path"), Order: order})
		}
		out = append(out, ix)
	}
	slices.SortFunc(out, func(a, b firestoreIndex) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// fieldIndex is one index of a google_firestore_field's index_config.
type fieldIndex struct{ Order, QueryScope string }

// firestoreField is a single-field index override (google_firestore_field): its
// index_config replaces the field's automatic indexes with Indexes.
type firestoreField struct {
	Name, Collection, Field string
	HasIndexConfig          bool
	Indexes                 []fieldIndex
}

func firestoreFields(t *testing.T) []firestoreField {
	t.Helper()
	var out []firestoreField
	for name, body := range resourceBlocks(t, readTF(t, "firestore.tf"), "google_firestore_field") {
		f := firestoreField{Name: name, Collection: attr(body, "collection"), Field: attr(body, "field")}
		for _, cfg := range nestedBlocks(body, "index_config") {
			f.HasIndexConfig = true
			for _, ix := range nestedBlocks(cfg, "indexes") {
				order := attr(ix, "order")
				if order == "" {
					order = "array_config:" + attr(ix, "array_config")
				}
				scope := attr(ix, "query_scope")
				if scope == "" {
					scope = "COLLECTION" // the provider's default
				}
				f.Indexes = append(f.Indexes, fieldIndex{Order: order, QueryScope: scope})
			}
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b firestoreField) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// TestFieldOverridesKeepTheAutomaticIndexes: an index_config replaces the field's
// automatic single-field indexes, so every override lists the COLLECTION ascending and
// descending ones again (one-field queries and orders within a tenant keep working), and
// names its collection and field.
func TestFieldOverridesKeepTheAutomaticIndexes(t *testing.T) {
	for _, f := range firestoreFields(t) {
		if f.Collection == "" || f.Field == "" {
			t.Errorf("google_firestore_field.%s: collection %q, field %q", f.Name, f.Collection, f.Field)
		}
		if !f.HasIndexConfig {
			continue
		}
		for _, want := range []fieldIndex{{"ASCENDING", "COLLECTION"}, {"DESCENDING", "COLLECTION"}} {
			if !slices.Contains(f.Indexes, want) {
				t.Errorf("google_firestore_field.%s drops the automatic %s %s index (have %+v)", f.Name, want.QueryScope, want.Order, f.Indexes)
			}
		}
	}
}

// TestVoucherLookupHasItsFieldIndex: the voucher lookup's collection-group equality
// query (store.VoucherAppointment) has its single-field COLLECTION_GROUP index, which
// Firestore does not create by itself, and the functions are deployed after it.
func TestVoucherLookupHasItsFieldIndex(t *testing.T) {
	body := funcBody(t, readRepoFile(t, "shared/store/vouchers.go"), "VoucherAppointment")
	if got := collectionConst(t, body); got != "appointments" {
		t.Fatalf("VoucherAppointment queries collection group %q; update this test and firestore.tf", got)
	}
	var filters []string
	for _, m := range regexp.MustCompile(`\.\s*Where\(\s*"([^"]+)"\s*,\s*"([^"]+)"`).FindAllStringSubmatch(body, -1) {
		filters = append(filters, m[1]+" "+m[2])
	}
	if !slices.Equal(filters, []string{"voucher_token =="}) || strings.Contains(body, "OrderBy(") {
		t.Fatalf("VoucherAppointment's query changed (filters %q): update firestore.tf (a composite index if it has more than one field) and this test", filters)
	}
	var found *firestoreField
	for _, f := range firestoreFields(t) {
		if f.Collection == "appointments" && f.Field == "voucher_token" {
			found = &f
		}
	}
	if found == nil {
		t.Fatalf("firestore.tf has no google_firestore_field for appointments.voucher_token; have %+v", firestoreFields(t))
	}
	if !slices.Contains(found.Indexes, fieldIndex{"ASCENDING", "COLLECTION_GROUP"}) {
		t.Errorf("google_firestore_field.%s has no COLLECTION_GROUP ASCENDING index (have %+v)", found.Name, found.Indexes)
	}
	fn := resourceBlocks(t, readTF(t, "functions.tf"), "google_cloudfunctions2_function")
	for name, b := range fn {
		m := regexp.MustCompile(`(?s)depends_on\s*=\s*\[(.*?)\]`).FindStringSubmatch(b)
		if m == nil || !regexp.MustCompile(`\bgoogle_firestore_field\.`+regexp.QuoteMeta(found.Name)+`\b`).MatchString(m[1]) {
			t.Errorf("google_cloudfunctions2_function.%s does not depend on google_firestore_field.%s: a function could query before the index serves", name, found.Name)
		}
	}
}

// TestReminderScanIndex: the reminder scan's collection-group query has its composite
// index, with exactly the fields, order and scope the query needs.
func TestReminderScanIndex(t *testing.T) {
	// The query, as store.DueReminders runs it:
	//   CollectionGroup("jobs").Where("type","==",…).Where("status","==",…)
	//     .Where("scheduled_for","<=",…).OrderBy("scheduled_for", Asc)
	want := []indexField{{"type", "ASCENDING"}, {"status", "ASCENDING"}, {"scheduled_for", "ASCENDING"}}

	// First make sure the code still runs that query, so that a change to it sends the
	// author here (and to firestore.tf) instead of to a FailedPrecondition in production.
	src := readRepoFile(t, "shared/store/reminders.go")
	body := funcBody(t, src, "reminders") // behind DueReminders and QueuedReminders
	if got := collectionConst(t, body); got != "jobs" {
		t.Fatalf("DueReminders queries collection group %q; update this test and firestore.tf", got)
	}
	var filters []string
	for _, m := range regexp.MustCompile(`\.\s*Where\(\s*"([^"]+)"\s*,\s*"([^"]+)"`).FindAllStringSubmatch(body, -1) {
		filters = append(filters, m[1]+" "+m[2])
	}
	var orders []string
	for _, m := range regexp.MustCompile(`\.\s*OrderBy\(\s*"([^"]+)"\s*,\s*firestore\.(Asc|Desc)`).FindAllStringSubmatch(body, -1) {
		orders = append(orders, m[1]+" "+m[2])
	}
	if !strings.Contains(body, "CollectionGroup(") ||
		!slices.Equal(filters, []string{"type ==", "status ==", "scheduled_for <="}) ||
		!slices.Equal(orders, []string{"scheduled_for Asc"}) {
		t.Fatalf("DueReminders' query changed (filters %q, order %q): update the composite index in firestore.tf and this test", filters, orders)
	}

	var found []firestoreIndex
	for _, ix := range firestoreIndexes(t) {
		if ix.Collection == "jobs" && slices.Equal(ix.Fields, want) {
			found = append(found, ix)
		}
	}
	if len(found) == 0 {
		t.Fatalf("firestore.tf has no google_firestore_index on jobs with fields %v; have %+v", want, firestoreIndexes(t))
	}
	// The panel's queue index (jobs_panel_queue_type) has the same fields on one
	// tenant's collection; the scan needs one of them scoped to the collection group.
	if !slices.ContainsFunc(found, func(ix firestoreIndex) bool { return ix.QueryScope == "COLLECTION_GROUP" }) {
		t.Errorf("indexes %+v: none has query_scope COLLECTION_GROUP (the scan is a collection-group query)", found)
	}
}

// TestCollectionGroupQueriesHaveIndexes: a collection-group query with filters has no
// automatic index; every CollectionGroup(...) in deployed code needs a COLLECTION_GROUP
// index on that collection in firestore.tf (a composite google_firestore_index, or a
// google_firestore_field override for a one-field query).
func TestCollectionGroupQueriesHaveIndexes(t *testing.T) {
	consts := storeCollectionConsts(t)
	scoped := map[string]bool{}
	for _, ix := range firestoreIndexes(t) {
		if ix.QueryScope == "COLLECTION_GROUP" {
			scoped[ix.Collection] = true
		}
	}
	for _, f := range firestoreFields(t) { // a single-field override (the voucher lookup)
		if slices.ContainsFunc(f.Indexes, func(ix fieldIndex) bool { return ix.QueryScope == "COLLECTION_GROUP" }) {
			scoped[f.Collection] = true
		}
	}
	call := regexp.MustCompile(`CollectionGroup\(\s*("([^"]+)"|[A-Za-z_][A-Za-z0-9_]*)\s*\)`)
	for _, file := range goFiles(t, "shared", "functions") {
		for _, m := range call.FindAllStringSubmatch(readRepoFile(t, file), -1) {
			coll := m[2]
			if coll == "" {
				var ok bool
				if coll, ok = consts[m[1]]; !ok {
					t.Errorf("%s: CollectionGroup(%s): cannot resolve the collection name", file, m[1])
					continue
				}
			}
			if !scoped[coll] {
				t.Errorf("%s: CollectionGroup(%q) has no COLLECTION_GROUP google_firestore_index or google_firestore_field in firestore.tf", file, coll)
			}
		}
	}
}

// ---------------------------------------------------------------------------------------
// Functions

type registration struct{ Pkg, Name, Kind string } // Kind: HTTP or CloudEvent

// registeredEntryPoints finds functions.HTTP("name", …) / functions.CloudEvent(Name, …)
// in functions/*/*.go, resolving a constant name within its package.
func registeredEntryPoints(t *testing.T) []registration {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(repoRoot, "functions", "*"))
	if err != nil {
		t.Fatal(err)
	}
	reg := regexp.MustCompile(`functions\.(HTTP|CloudEvent)\(\s*("([^"]*)"|[A-Za-z_][A-Za-z0-9_]*)\s*,`)
	var out []registration
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		var pkgSrc strings.Builder
		for _, f := range files {
			if !strings.HasSuffix(f, "_test.go") {
				pkgSrc.WriteString(mustRead(t, f))
				pkgSrc.WriteString("\n")
			}
		}
		src := pkgSrc.String()
		for _, m := range reg.FindAllStringSubmatch(src, -1) {
			name := m[3]
			if !strings.HasPrefix(m[2], `"`) {
				c := regexp.MustCompile(`(?m)^\s*(?:const\s+)?` + regexp.QuoteMeta(m[2]) + `\s*=\s*"([^"]*)"`).FindStringSubmatch(src)
				if c == nil {
					t.Fatalf("%s: cannot resolve the entry point constant %s", dir, m[2])
				}
				name = c[1]
			}
			out = append(out, registration{Pkg: filepath.Base(dir), Name: name, Kind: m[1]})
		}
	}
	if len(out) == 0 {
		t.Fatal("found no functions.HTTP / functions.CloudEvent registration under functions/")
	}
	return out
}

type tfFunction struct {
	Key, EntryPoint string
	PubSub          bool
}

// deployedFunctions reads local.functions in functions.tf.
func deployedFunctions(t *testing.T) map[string]tfFunction {
	t.Helper()
	src := readTF(t, "functions.tf")
	locals := topBlocks(src, `locals`)
	var body string
	for _, l := range locals {
		if b, ok := mapAttr(l, "functions"); ok {
			body = b
		}
	}
	if body == "" {
		t.Fatal("functions.tf: no `functions = { … }` in a locals block")
	}
	out := map[string]tfFunction{}
	for _, e := range regexp.MustCompile(`(?s)([A-Za-z0-9_-]+)\s*=\s*\{([^{}]*)\}`).FindAllStringSubmatch(body, -1) {
		out[e[1]] = tfFunction{Key: e[1], EntryPoint: attr(e[2], "entry_point"), PubSub: attr(e[2], "pubsub") == "true"}
	}
	return out
}

// TestEveryEntryPointIsDeployed: every registered entry point has a function in
// functions.tf with that entry_point, of the right kind, and nothing else is deployed.
func TestEveryEntryPointIsDeployed(t *testing.T) {
	regs := registeredEntryPoints(t)
	deployed := deployedFunctions(t)
	byEntry := map[string]tfFunction{}
	kebab := regexp.MustCompile(`^[a-z]([a-z0-9-]*[a-z0-9])?$`)
	for key, f := range deployed {
		if f.EntryPoint == "" {
			t.Errorf("functions.tf: function %q has no entry_point", key)
		}
		if !kebab.MatchString(key) {
			t.Errorf("functions.tf: function name %q is not kebab-case (the Cloud Run service name and the computed URL must match it)", key)
		}
		byEntry[f.EntryPoint] = f
	}
	seen := map[string]bool{}
	for _, r := range regs {
		seen[r.Name] = true
		f, ok := byEntry[r.Name]
		if !ok {
			t.Errorf("entry point %q (functions/%s, %s) has no function in functions.tf", r.Name, r.Pkg, r.Kind)
			continue
		}
		if wantPubSub := r.Kind == "CloudEvent"; f.PubSub != wantPubSub {
			t.Errorf("function %q: pubsub = %v, but entry point %q is registered with functions.%s", f.Key, f.PubSub, r.Name, r.Kind)
		}
	}
	for _, f := range deployed {
		if !seen[f.EntryPoint] {
			t.Errorf("functions.tf deploys entry point %q, which no functions/* package registers", f.EntryPoint)
		}
	}

	// The resource really deploys local.functions with those entry points.
	blocks := resourceBlocks(t, readTF(t, "functions.tf"), "google_cloudfunctions2_function")
	if len(blocks) != 1 {
		t.Fatalf("functions.tf: want one for_each google_cloudfunctions2_function, have %d", len(blocks))
	}
	for name, body := range blocks {
		for _, want := range []string{
			`for_each\s*=\s*local\.functions\b`,
			`name\s*=\s*each\.key\b`,
			`entry_point\s*=\s*each\.value\.entry_point\b`,
			`runtime\s*=\s*"go126"`,
			`object\s*=\s*google_storage_bucket_object\.source\.name\b`,
		} {
			if !regexp.MustCompile(want).MatchString(body) {
				t.Errorf("google_cloudfunctions2_function.%s: no match for %s", name, want)
			}
		}
	}
}

// TestDeployPackageImportsEveryFunction: the buildpack builds the root package, so a
// functions/* package that deploy.go does not import is never registered in production.
func TestDeployPackageImportsEveryFunction(t *testing.T) {
	mod := modulePath(t)
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(repoRoot, "deploy.go"), nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	imported := map[string]bool{}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		imported[p] = true
	}
	if !imported["github.com/GoogleCloudPlatform/functions-framework-go/functions"] {
		t.Error("deploy.go must import functions-framework-go/functions (selects the buildpack's declarative template)")
	}
	for _, r := range registeredEntryPoints(t) {
		if p := mod + "/functions/" + r.Pkg; !imported[p] {
			t.Errorf("deploy.go does not import %s (entry point %q)", p, r.Name)
		}
	}
}

// ---------------------------------------------------------------------------------------
// Source archive

func archiveExcludes(t *testing.T) []string {
	t.Helper()
	blocks := topBlocks(readTF(t, "source.tf"), `data\s+"archive_file"\s+"source"`)
	if len(blocks) != 1 {
		t.Fatalf(`source.tf: want one data "archive_file" "source", have %d`, len(blocks))
	}
	body := blocks[0]
	if got := attr(body, "source_dir"); got != "${path.module}/.." {
		t.Errorf("archive source_dir = %q, want the repository root ${path.module}/..", got)
	}
	m := regexp.MustCompile(`(?s)\bexcludes\s*=\s*\[(.*?)\]`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("source.tf: the archive has no excludes")
	}
	var out []string
	for _, s := range regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(m[1], -1) {
		out = append(out, s[1])
	}
	return out
}

// TestArchiveExcludes: tests and local-only code stay out of the deployed source.
func TestArchiveExcludes(t *testing.T) {
	excludes := archiveExcludes(t)
	for _, want := range []string{"scripts", "**/*_test.go", "**/testdata", "terraform"} {
		if !slices.Contains(excludes, want) {
			t.Errorf("archive excludes %q, missing %q", excludes, want)
		}
	}
	kept := archivedFiles(t, excludes)
	if len(kept) == 0 {
		t.Fatal("the archive would be empty")
	}
	for _, must := range []string{"go.mod", "go.sum", "deploy.go"} {
		if !slices.Contains(kept, must) {
			t.Errorf("the archive leaves out %s, which the buildpack needs at the root", must)
		}
	}
	for _, f := range kept {
		root := !strings.Contains(f, "/") && (f == "go.mod" || f == "go.sum" || f == "deploy.go")
		if !root && !strings.HasPrefix(f, "functions/") && !strings.HasPrefix(f, "shared/") {
			t.Errorf("the archive keeps %s: only deploy.go, go.mod, go.sum, functions/ and shared/ ship", f)
		}
		switch {
		case strings.HasSuffix(f, ".md"):
			t.Errorf("the archive keeps the document %s", f)
		case strings.HasSuffix(f, "_test.go"):
			t.Errorf("the archive keeps the test file %s", f)
		case strings.HasPrefix(f, "scripts/"), strings.HasPrefix(f, "testdata/"), strings.HasPrefix(f, "terraform/"):
			t.Errorf("the archive keeps %s", f)
		}
	}
}

// TestArchiveCompilesAlone: every package the archive keeps imports only packages the
// archive keeps (in particular, no deployed code imports scripts/, where the stand-ins
// and the local stack live), and the root holds one non-main package.
func TestArchiveCompilesAlone(t *testing.T) {
	mod := modulePath(t)
	kept := archivedFiles(t, archiveExcludes(t))
	keptDirs := map[string]bool{}
	for _, f := range kept {
		if strings.HasSuffix(f, ".go") {
			keptDirs[path.Dir(f)] = true
		}
	}
	rootPkgs := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range kept {
		if !strings.HasSuffix(f, ".go") {
			continue
		}
		file, err := parser.ParseFile(fset, filepath.Join(repoRoot, filepath.FromSlash(f)), nil, parser.ImportsOnly)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if path.Dir(f) == "." {
			rootPkgs[file.Name.Name] = true
		}
		for _, imp := range file.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p != mod && !strings.HasPrefix(p, mod+"/") {
				continue
			}
			dir := strings.TrimPrefix(strings.TrimPrefix(p, mod), "/")
			if dir == "" {
				dir = "."
			}
			if !keptDirs[dir] {
				t.Errorf("%s imports %s, which the archive leaves out: the deploy build would fail", f, p)
			}
		}
	}
	if len(rootPkgs) != 1 || rootPkgs["main"] {
		t.Errorf("root .go files in the archive declare packages %v; the buildpack needs exactly one, not main", rootPkgs)
	}
}

// archivedFiles walks the repository the way terraform-provider-archive does (a path
// matching an exclude is skipped, a directory with everything below it) and returns the
// kept files, slash-separated and relative to the root.
func archivedFiles(t *testing.T, excludes []string) []string {
	t.Helper()
	var kept []string
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(repoRoot, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		excluded := false
		for _, ex := range excludes {
			if globMatch(ex, rel) {
				excluded = true
				break
			}
		}
		if d.IsDir() {
			if excluded {
				return filepath.SkipDir
			}
			return nil
		}
		if !excluded {
			kept = append(kept, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return kept
}

// globMatch matches slash-separated paths like doublestar.PathMatch (which the archive
// provider uses): "**" is any number of whole segments, including none; other segments
// follow path.Match.
func globMatch(pattern, name string) bool {
	return matchSegments(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchSegments(pat, name []string) bool {
	if len(pat) == 0 {
		return len(name) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(name); i++ {
			if matchSegments(pat[1:], name[i:]) {
				return true
			}
		}
		return false
	}
	if len(name) == 0 {
		return false
	}
	ok, err := path.Match(pat[0], name[0])
	return err == nil && ok && matchSegments(pat[1:], name[1:])
}

func TestGlobMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, name string
		want          bool
	}{
		{"**/*_test.go", "x_test.go", true},
		{"**/*_test.go", "shared/store/store_test.go", true},
		{"**/*_test.go", "shared/store/store.go", false},
		{"shared/standin", "shared/standin", true},
		{"shared/standin", "shared/standinx", false},
		{"shared/standin", "shared", false},
		{"terraform", "terraform", true},
		{"**/testdata", "a/b/testdata", true},
	} {
		if got := globMatch(c.pattern, c.name); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", c.pattern, c.name, got, c.want)
		}
	}
}

// ---------------------------------------------------------------------------------------
// Helpers: file access and a small HCL reader (blocks by brace matching, attributes by
// regexp; enough for the shapes used in this directory).

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readRepoFile(t *testing.T, rel string) string {
	t.Helper()
	return mustRead(t, filepath.Join(repoRoot, filepath.FromSlash(rel)))
}

// readTF reads a .tf file of this directory without its comments.
func readTF(t *testing.T, name string) string {
	t.Helper()
	return stripHCLComments(mustRead(t, name))
}

// stripHCLComments removes # and // line comments outside double-quoted strings.
func stripHCLComments(src string) string {
	var out strings.Builder
	sc := bufio.NewScanner(strings.NewReader(src))
	for sc.Scan() {
		line := sc.Text()
		inStr := false
		cut := len(line)
		for i := 0; i < len(line); i++ {
			switch c := line[i]; {
			case c == '\\' && inStr:
				i++
			case c == '"':
				inStr = !inStr
			case !inStr && c == '#', !inStr && c == '/' && i+1 < len(line) && line[i+1] == '/':
				cut = i
				i = len(line)
			}
		}
		out.WriteString(line[:cut])
		out.WriteString("\n")
	}
	return out.String()
}

// braceBody returns the text between the '{' at open and its matching '}'.
func braceBody(src string, open int) (string, bool) {
	depth, inStr := 0, false
	for i := open; i < len(src); i++ {
		switch c := src[i]; {
		case c == '\\' && inStr:
			i++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return src[open+1 : i], true
			}
		}
	}
	return "", false
}

// topBlocks returns the bodies of the blocks whose header matches header (a regexp).
func topBlocks(src, header string) []string {
	var out []string
	for _, loc := range regexp.MustCompile(`(?m)^\s*`+header+`\s*\{`).FindAllStringIndex(src, -1) {
		if body, ok := braceBody(src, loc[1]-1); ok {
			out = append(out, body)
		}
	}
	return out
}

// resourceBlocks returns resource "<typ>" "<name>" bodies by name.
func resourceBlocks(t *testing.T, src, typ string) map[string]string {
	t.Helper()
	out := map[string]string{}
	re := regexp.MustCompile(`(?m)^resource\s+"` + regexp.QuoteMeta(typ) + `"\s+"([^"]+)"\s*\{`)
	for _, m := range re.FindAllStringSubmatchIndex(src, -1) {
		body, ok := braceBody(src, m[1]-1)
		if !ok {
			t.Fatalf("unbalanced braces in resource %q %q", typ, src[m[2]:m[3]])
		}
		out[src[m[2]:m[3]]] = body
	}
	return out
}

// nestedBlocks returns, in order, the bodies of `name { … }` blocks directly in body.
func nestedBlocks(body, name string) []string {
	return topBlocks(body, regexp.QuoteMeta(name))
}

// mapAttr returns the body of `name = { … }` in body.
func mapAttr(body, name string) (string, bool) {
	loc := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(name) + `\s*=\s*\{`).FindStringIndex(body)
	if loc == nil {
		return "", false
	}
	return braceBody(body, loc[1]-1)
}

// attr returns a simple attribute's value: a quoted string unquoted, or a bare word.
func attr(body, name string) string {
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(name) + `\s*=\s*("([^"]*)"|[A-Za-z0-9_.]+)`).FindStringSubmatch(body)
	switch {
	case m == nil:
		return ""
	case strings.HasPrefix(m[1], `"`):
		return m[2]
	default:
		return m[1]
	}
}

func modulePath(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^module\s+(\S+)`).FindStringSubmatch(readRepoFile(t, "go.mod"))
	if m == nil {
		t.Fatal("go.mod has no module line")
	}
	return m[1]
}

// goFiles lists the non-test .go files under the given repository directories, skipping
// local-only code.
func goFiles(t *testing.T, dirs ...string) []string {
	t.Helper()
	var out []string
	for _, dir := range dirs {
		err := filepath.WalkDir(filepath.Join(repoRoot, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(repoRoot, p)
			rel = filepath.ToSlash(rel)
			if d.IsDir() && (rel == "scripts" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go") {
				out = append(out, rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// funcBody returns the source of the function or method named name.
func funcBody(t *testing.T, src, name string) string {
	t.Helper()
	loc := regexp.MustCompile(`(?m)^func\s+(\([^)]*\)\s*)?` + regexp.QuoteMeta(name) + `\(`).FindStringIndex(src)
	if loc == nil {
		t.Fatalf("function %s not found", name)
	}
	open := strings.Index(src[loc[1]:], "{\n")
	if open < 0 {
		t.Fatalf("function %s: no body", name)
	}
	body, ok := braceBody(src, loc[1]+open)
	if !ok {
		t.Fatalf("function %s: unbalanced braces", name)
	}
	return body
}

// collectionConst resolves the argument of the CollectionGroup call in body.
func collectionConst(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`CollectionGroup\(\s*("([^"]+)"|[A-Za-z_][A-Za-z0-9_]*)\s*\)`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	if m[2] != "" {
		return m[2]
	}
	c, ok := storeCollectionConsts(t)[m[1]]
	if !ok {
		t.Fatalf("cannot resolve collection constant %s", m[1])
	}
	return c
}

// storeCollectionConsts reads the string constants named col* in shared/store.
func storeCollectionConsts(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	re := regexp.MustCompile(`(?m)^\s*(col[A-Za-z0-9_]*)\s*=\s*"([^"]+)"`)
	for _, f := range goFiles(t, "shared/store") {
		for _, m := range re.FindAllStringSubmatch(readRepoFile(t, f), -1) {
			out[m[1]] = m[2]
		}
	}
	return out
}

// TestPanelQueriesHaveIndexes: the staff dashboard's queries (shared/store/panel.go) run
// on one tenant's collections. A query filtering or ordering on one field uses the
// automatic single-field index; PanelJobs combines type, status and the view's order
// field, and every shape it can build has its COLLECTION index in firestore.tf.
func TestPanelQueriesHaveIndexes(t *testing.T) {
	src := readRepoFile(t, "shared/store/panel.go")
	if strings.Contains(src, "CollectionGroup(") {
		t.Fatal("shared/store/panel.go runs a collection-group query: staff reads must stay on one tenant's collections")
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "panel.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	field := regexp.MustCompile(`\.\s*(?:Where|OrderBy)\(\s*("([^"]+)"|[A-Za-z_][A-Za-z0-9_.]*)`)
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		body := src[fset.Position(fd.Body.Pos()).Offset:fset.Position(fd.Body.End()).Offset]
		if fd.Name.Name == "PanelJobs" || fd.Name.Name == "DailyCounts" {
			continue // checked below
		}
		// One query is one statement: a chain continued on lines that start with ".".
		for _, stmt := range strings.Split(regexp.MustCompile(`\n\s*\.`).ReplaceAllString(body, "."), "\n") {
			fields := map[string]bool{}
			for _, m := range field.FindAllStringSubmatch(stmt, -1) {
				if m[1] != "firestore.DocumentID" { // the tie-break, appended by Firestore anyway
					fields[m[1]] = true
				}
			}
			if len(fields) > 1 {
				t.Errorf("%s queries fields %v: more than one field needs a composite index in firestore.tf and a case in this test", fd.Name.Name, fields)
			}
		}
	}

	// PanelJobs, as written: optional type ==, then settled == (a whole view) or status
	// in (a status filter), the order field's range, the order field and the id in the
	// view's direction.
	body := funcBody(t, src, "PanelJobs")
	var wheres []string
	for _, m := range regexp.MustCompile(`\.\s*Where\(\s*("[^"]+"|[A-Za-z_][A-Za-z0-9_]*)\s*,\s*"([^"]+)"`).FindAllStringSubmatch(body, -1) {
		wheres = append(wheres, m[1]+" "+m[2])
	}
	if !slices.Equal(wheres, []string{`"type" ==`, `"settled" ==`, `"status" in`, "field >=", "field <"}) ||
		!strings.Contains(body, "OrderBy(field, dir).OrderBy(firestore.DocumentID, dir)") ||
		!strings.Contains(body, "pq.View.OrderField(), firestore.Asc") ||
		!strings.Contains(body, "if pq.View == PanelHistory {\n\t\tdir = firestore.Desc") {
		t.Fatalf("PanelJobs' query changed (filters %q): update the jobs_panel_* indexes in firestore.tf and this test", wheres)
	}
	orderField := funcBody(t, src, "OrderField")
	if !regexp.MustCompile(`if v == PanelQueue \{\s*return "scheduled_for"\s*\}\s*return "updated_at"`).MatchString(orderField) {
		t.Fatalf("PanelView.OrderField changed: update the jobs_panel_* indexes in firestore.tf and this test")
	}
	// DailyCounts, the chart: sent_at, provider_status_times.delivered and .read ranges
	// (one field each) and status == failed with an updated_at range (ascending: a
	// range without an order is served in the range field's ascending order).
	daily := funcBody(t, src, "DailyCounts")
	var dailyShapes []string
	for _, stmt := range strings.Split(daily, "\n") {
		var fs []string
		for _, m := range regexp.MustCompile(`\.\s*Where\(\s*"([^"]+)"\s*,\s*"([^"]+)"`).FindAllStringSubmatch(stmt, -1) {
			fs = append(fs, m[1]+" "+m[2])
		}
		if len(fs) > 0 {
			dailyShapes = append(dailyShapes, strings.Join(fs, ", "))
		}
	}
	if !slices.Equal(dailyShapes, []string{
		"sent_at >=, sent_at <",
		"provider_status_times.delivered >=, provider_status_times.delivered <",
		"provider_status_times.read >=, provider_status_times.read <",
		"status ==, updated_at >=, updated_at <",
	}) {
		t.Fatalf("DailyCounts' queries changed (%q): update the jobs_daily_* indexes in firestore.tf and this test", dailyShapes)
	}
	shapes := [][]indexField{
		{{"status", "ASCENDING"}, {"updated_at", "ASCENDING"}}, // DailyCounts' failed
		{{"status", "ASCENDING"}, {"scheduled_for", "ASCENDING"}},
		{{"type", "ASCENDING"}, {"status", "ASCENDING"}, {"scheduled_for", "ASCENDING"}},
		{{"status", "ASCENDING"}, {"updated_at", "DESCENDING"}},
		{{"type", "ASCENDING"}, {"status", "ASCENDING"}, {"updated_at", "DESCENDING"}},
		{{"settled", "ASCENDING"}, {"scheduled_for", "ASCENDING"}},
		{{"type", "ASCENDING"}, {"settled", "ASCENDING"}, {"scheduled_for", "ASCENDING"}},
		{{"settled", "ASCENDING"}, {"updated_at", "DESCENDING"}},
		{{"type", "ASCENDING"}, {"settled", "ASCENDING"}, {"updated_at", "DESCENDING"}},
	}
	for _, want := range shapes {
		found := false
		for _, ix := range firestoreIndexes(t) {
			if ix.Collection == "jobs" && ix.QueryScope == "COLLECTION" && slices.Equal(ix.Fields, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("firestore.tf has no COLLECTION google_firestore_index on jobs with fields %v (store.PanelJobs)", want)
		}
	}
}

// TestDrainQueriesHaveIndexes: the owner's queue drain (shared/store/ops.go,
// drainQueries) filters an optional client_phone ==, an optional type ==, status in and
// a scheduled_for range, ordered by scheduled_for: every shape has its COLLECTION index.
func TestDrainQueriesHaveIndexes(t *testing.T) {
	body := funcBody(t, readRepoFile(t, "shared/store/ops.go"), "drainQueries")
	var wheres []string
	for _, m := range regexp.MustCompile(`\.\s*Where\(\s*"([^"]+)"\s*,\s*"([^"]+)"`).FindAllStringSubmatch(body, -1) {
		wheres = append(wheres, m[1]+" "+m[2])
	}
	if !slices.Equal(wheres, []string{"client_phone ==", "type ==", "status in", "scheduled_for <"}) ||
		!strings.Contains(body, `OrderBy("scheduled_for", firestore.Asc).OrderBy(firestore.DocumentID, firestore.Asc)`) {
		t.Fatalf("drainQueries changed (filters %q): update the jobs_drain_* and jobs_panel_queue* indexes in firestore.tf and this test", wheres)
	}
	for _, want := range [][]indexField{
		{{"status", "ASCENDING"}, {"scheduled_for", "ASCENDING"}},
		{{"type", "ASCENDING"}, {"status", "ASCENDING"}, {"scheduled_for", "ASCENDING"}},
		{{"client_phone", "ASCENDING"}, {"status", "ASCENDING"}, {"scheduled_for", "ASCENDING"}},
		{{"client_phone", "ASCENDING"}, {"type", "ASCENDING"}, {"status", "ASCENDING"}, {"scheduled_for", "ASCENDING"}},
	} {
		found := false
		for _, ix := range firestoreIndexes(t) {
			if ix.Collection == "jobs" && ix.QueryScope == "COLLECTION" && slices.Equal(ix.Fields, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("firestore.tf has no COLLECTION google_firestore_index on jobs with fields %v (store.drainQueries)", want)
		}
	}
}
