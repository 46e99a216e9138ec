package terraform_test

// The staff dashboard's hosting (dashboard.tf) and the functions' environment, read as
// text like the other tests of this package.

import (
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// dashboardLocals returns dashboard.tf's locals blocks as one text.
func dashboardLocals(t *testing.T, src string) string {
	t.Helper()
	var out string
	for _, l := range topBlocks(src, `locals`) {
		out += l
	}
	if out == "" {
		t.Fatal("dashboard.tf: no locals")
	}
	return out
}

// TestDashboardHosting: the dashboard is a bucket of its own with uniform access whose
// objects (not its listing) anyone may read, served from the bucket's own HTTPS origin;
// every built file is uploaded with a content type and the entry page and configuration
// are never served stale; config.json is written from this deployment's values.
func TestDashboardHosting(t *testing.T) {
	src := readTF(t, "dashboard.tf")
	locals := dashboardLocals(t, src)

	bucketName := attr(locals, "dashboard_bucket")
	if !strings.HasPrefix(bucketName, "${var.project}-") || strings.Contains(strings.TrimPrefix(bucketName, "${var.project}"), ".") {
		t.Errorf("local.dashboard_bucket = %q: want ${var.project}-… without dots (the *.storage.googleapis.com certificate covers one label)", bucketName)
	}
	if got, want := attr(locals, "dashboard_origin"), "https://${local.dashboard_bucket}.storage.googleapis.com"; got != want {
		t.Errorf("local.dashboard_origin = %q, want %q (an origin of the bucket's own, not the path-style host every bucket shares)", got, want)
	}
	if got, want := attr(locals, "dashboard_url"), "${local.dashboard_origin}/index.html"; got != want {
		t.Errorf("local.dashboard_url = %q, want %q", got, want)
	}
	if got, want := attr(locals, "dashboard_dist"), "${path.module}/../dashboard/dist"; got != want {
		t.Errorf("local.dashboard_dist = %q, want %q", got, want)
	}

	buckets := resourceBlocks(t, src, "google_storage_bucket")
	bucket, ok := buckets["dashboard"]
	if !ok || len(buckets) != 1 {
		t.Fatalf("dashboard.tf: want one google_storage_bucket \"dashboard\", have %v", sortedKeys(buckets))
	}
	if attr(bucket, "name") != "local.dashboard_bucket" || attr(bucket, "uniform_bucket_level_access") != "true" {
		t.Errorf("bucket: want name = local.dashboard_bucket and uniform_bucket_level_access = true:\n%s", bucket)
	}
	if attr(bucket, "public_access_prevention") == "enforced" {
		t.Error("bucket: public_access_prevention enforced: the site could not be read")
	}
	if w := nestedBlocks(bucket, "website"); len(w) != 1 || attr(w[0], "main_page_suffix") != "index.html" {
		t.Errorf("bucket: want website { main_page_suffix = \"index.html\" }")
	}

	// Public read of objects only: the one public grant on the bucket is
	// legacyObjectReader (storage.objects.get), and no .tf file grants anything else on it.
	grants := resourceBlocks(t, src, "google_storage_bucket_iam_member")
	if len(grants) != 1 {
		t.Fatalf("dashboard.tf: want one google_storage_bucket_iam_member, have %v", sortedKeys(grants))
	}
	for name, g := range grants {
		if attr(g, "bucket") != "google_storage_bucket.dashboard.name" || attr(g, "role") != "roles/storage.legacyObjectReader" || attr(g, "member") != "allUsers" {
			t.Errorf("google_storage_bucket_iam_member.%s: want allUsers as roles/storage.legacyObjectReader on the dashboard bucket:\n%s", name, g)
		}
	}
	for _, f := range tfFiles(t) {
		other := readTF(t, f)
		for _, typ := range []string{"google_storage_bucket_iam_binding", "google_storage_bucket_iam_policy", "google_storage_bucket_acl", "google_storage_default_object_acl", "google_storage_object_acl"} {
			for name, body := range resourceBlocks(t, other, typ) {
				if strings.Contains(body, "google_storage_bucket.dashboard") {
					t.Errorf("%s: %s.%s grants more on the dashboard bucket", f, typ, name)
				}
			}
		}
		if f != "dashboard.tf" && strings.Contains(other, "google_storage_bucket.dashboard") {
			for name, body := range resourceBlocks(t, other, "google_storage_bucket_iam_member") {
				if strings.Contains(body, "google_storage_bucket.dashboard") {
					t.Errorf("%s: google_storage_bucket_iam_member.%s grants more on the dashboard bucket", f, name)
				}
			}
		}
	}

	objects := resourceBlocks(t, src, "google_storage_bucket_object")
	files, ok := objects["dashboard"]
	if !ok {
		t.Fatal("dashboard.tf: no google_storage_bucket_object \"dashboard\" (the built files)")
	}
	if attr(files, "for_each") != "local.dashboard_files" || attr(files, "bucket") != "google_storage_bucket.dashboard.name" ||
		attr(files, "name") != "each.value" || attr(files, "source") != "${local.dashboard_dist}/${each.value}" {
		t.Errorf("google_storage_bucket_object.dashboard: want one object per file of local.dashboard_files, from dashboard/dist:\n%s", files)
	}
	if !regexp.MustCompile(`dashboard_files\s*=\s*setsubtract\(fileset\(local\.dashboard_dist,\s*"\*\*"\),\s*\["config\.json"\]\)`).MatchString(locals) {
		t.Error(`local.dashboard_files: want setsubtract(fileset(local.dashboard_dist, "**"), ["config.json"]) (every built file; config.json is generated)`)
	}
	if !strings.Contains(files, `lookup(local.dashboard_content_types, lower(reverse(split(".", each.value))[0]), "application/octet-stream")`) {
		t.Error("google_storage_bucket_object.dashboard: content_type must come from local.dashboard_content_types by the file's extension")
	}
	if !strings.Contains(files, `cache_control = each.value == "index.html" ? local.dashboard_no_cache : (can(regex(local.dashboard_hashed, each.value)) ? local.dashboard_long_cache : local.dashboard_short_cache)`) {
		t.Error("google_storage_bucket_object.dashboard: index.html must get local.dashboard_no_cache, content-hashed files local.dashboard_long_cache, the others local.dashboard_short_cache")
	}
	noCache, short := attr(locals, "dashboard_no_cache"), attr(locals, "dashboard_short_cache")
	if !strings.Contains(noCache, "no-cache") {
		t.Errorf("local.dashboard_no_cache = %q: the entry page and config.json must be revalidated on every load", noCache)
	}
	if m := regexp.MustCompile(`max-age=(\d+)`).FindStringSubmatch(short); m == nil || len(m[1]) > 3 {
		t.Errorf("local.dashboard_short_cache = %q: want a max-age under 1000 s", short)
	}
	// Long caching only for names the build derives from the content: "<name>-<HASH>.js"
	// as dashboard/build.mjs names them (esbuild's [hash]: 8 of A-Z and 0-9).
	hashed, err := regexp.Compile(strings.ReplaceAll(attr(locals, "dashboard_hashed"), `\\`, `\`))
	if err != nil {
		t.Fatalf("local.dashboard_hashed: %v", err)
	}
	if !strings.Contains(readRepoFile(t, "dashboard/build.mjs"), "entryNames: '[name]-[hash]'") {
		t.Error("dashboard/build.mjs no longer names its outputs [name]-[hash]: local.dashboard_hashed must follow")
	}
	for name, want := range map[string]bool{
		"main-GNAZDAFT.js": true, "style-7HRXCJUF.css": true, "main-GNAZDAFT.js.map": true,
		"index.html": false, "main.js": false, "main-GNAZDAFT.js.LEGAL.txt": false, "config.json": false, "x/main-short.js": false,
	} {
		if got := hashed.MatchString(name); got != want {
			t.Errorf("local.dashboard_hashed matches %q: %v, want %v", name, got, want)
		}
	}

	types, ok := mapAttr(locals, "dashboard_content_types")
	if !ok {
		t.Fatal("dashboard.tf: no local dashboard_content_types")
	}
	known := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s*([a-z0-9]+)\s*=\s*"([^"]+)"`).FindAllStringSubmatch(types, -1) {
		known[m[1]] = m[2]
	}
	for ext, want := range map[string]string{"html": "text/html", "js": "text/javascript", "css": "text/css", "json": "application/json", "svg": "image/svg+xml"} {
		if !strings.HasPrefix(known[ext], want) {
			t.Errorf("dashboard_content_types[%q] = %q, want %s", ext, known[ext], want)
		}
	}

	// Every file of a build, when there is one here, has its content type.
	if dist, err := filepath.Glob(filepath.Join(repoRoot, "dashboard", "dist", "*")); err == nil {
		for _, f := range dist {
			ext := strings.ToLower(f[strings.LastIndex(f, ".")+1:])
			if known[ext] == "" {
				t.Errorf("dashboard/dist/%s: no content type for .%s in local.dashboard_content_types", filepath.Base(f), ext)
			}
		}
	}

	cfg, ok := objects["dashboard_config"]
	if !ok {
		t.Fatal("dashboard.tf: no google_storage_bucket_object \"dashboard_config\" (config.json)")
	}
	if attr(cfg, "name") != "config.json" || attr(cfg, "content") != "local.dashboard_config" || attr(cfg, "cache_control") != "local.dashboard_no_cache" ||
		attr(cfg, "bucket") != "google_storage_bucket.dashboard.name" {
		t.Errorf("google_storage_bucket_object.dashboard_config: want config.json from local.dashboard_config, never cached stale:\n%s", cfg)
	}
	if !strings.Contains(cfg, `contains(local.dashboard_files, "index.html")`) {
		t.Error("google_storage_bucket_object.dashboard_config: want a precondition that the build holds index.html (an apply without a build would delete the site)")
	}
	config, ok := funcArg(locals, "dashboard_config", "jsonencode")
	if !ok {
		t.Fatal("dashboard.tf: no local dashboard_config = jsonencode({…})")
	}
	for _, want := range []string{
		`api_base = local.function_urls["api"]`,
		`apiKey     = google_apikeys_key.dashboard.key_string`,
		`authDomain = "${var.project}.firebaseapp.com"`,
		`projectId  = var.project`,
	} {
		if !strings.Contains(config, want) {
			t.Errorf("local.dashboard_config lacks %q", want)
		}
	}

	// The same keys as the local stack's /config.json (devstack.DashboardConfig), less its
	// local-only auth_emulator_url, so the dashboard starts alike in both places.
	localKeys := map[string]bool{}
	for _, m := range regexp.MustCompile("json:\"([A-Za-z_]+)").FindAllStringSubmatch(readRepoFile(t, "scripts/internal/devstack/dashboard.go"), -1) {
		localKeys[m[1]] = true
	}
	delete(localKeys, "auth_emulator_url")
	tfKeys := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s*([A-Za-z_]+)\s*=`).FindAllStringSubmatch(config, -1) {
		tfKeys[m[1]] = true
	}
	if got, want := sortedKeys(tfKeys), sortedKeys(localKeys); !slices.Equal(got, want) {
		t.Errorf("config.json keys %v, the local stack's %v", got, want)
	}

	key := resourceBlocks(t, src, "google_apikeys_key")["dashboard"]
	if !strings.Contains(key, `allowed_referrers = ["${local.dashboard_origin}/*"]`) {
		t.Error("google_apikeys_key.dashboard: want browser_key_restrictions to the dashboard's origin")
	}
	var services []string
	for _, a := range nestedBlocks(key, "api_targets") {
		services = append(services, attr(a, "service"))
	}
	sort.Strings(services)
	if !slices.Equal(services, []string{"identitytoolkit.googleapis.com", "securetoken.googleapis.com"}) {
		t.Errorf("google_apikeys_key.dashboard: api_targets %v, want Identity Toolkit and Secure Token only", services)
	}

	// The api admits the dashboard's origin, and only it, by CORS.
	env, _ := funcArg(readTF(t, "functions.tf"), "environment_variables", "merge")
	if m := regexp.MustCompile(`(?m)^\s*LEMBRA_DASHBOARD_ORIGINS\s*=\s*(.+?)\s*$`).FindStringSubmatch(env); m == nil || m[1] != "local.dashboard_origin" {
		t.Errorf("functions.tf: want LEMBRA_DASHBOARD_ORIGINS = local.dashboard_origin in environment_variables, have %v", m)
	}

	if !regexp.MustCompile(`(?m)^output\s+"dashboard_url"\s*\{[^}]*value\s*=\s*local\.dashboard_url`).MatchString(src) {
		t.Error(`dashboard.tf: want output "dashboard_url" = local.dashboard_url`)
	}
}

// TestEnvironmentNamesAreConfig: every variable functions.tf sets is one shared/config
// reads, so a misspelt name cannot deploy a function that silently runs on a default.
func TestEnvironmentNamesAreConfig(t *testing.T) {
	read := map[string]bool{}
	for _, m := range regexp.MustCompile(`p\.[a-zA-Z]+\("([A-Z][A-Z0-9_]+)"`).FindAllStringSubmatch(readRepoFile(t, "shared/config/config.go"), -1) {
		read[m[1]] = true
	}
	if len(read) < 10 {
		t.Fatalf("found only %d variables read in shared/config/config.go", len(read))
	}
	set := functionEnvNames(t)
	if len(set) < 10 {
		t.Fatalf("found only %d variables in functions.tf's environment_variables", len(set))
	}
	for _, name := range set {
		if !read[name] {
			t.Errorf("functions.tf sets %s, which shared/config does not read", name)
		}
	}
}

// functionEnvNames returns the names local.environment_variables sets (the map literal
// and the conditional ones merged into it).
func functionEnvNames(t *testing.T) []string {
	t.Helper()
	body, ok := funcArg(readTF(t, "functions.tf"), "environment_variables", "merge")
	if !ok {
		t.Fatal("functions.tf: no local environment_variables = merge(…)")
	}
	var names []string
	for _, m := range regexp.MustCompile(`(?m)(?:^|\{)\s*([A-Z][A-Z0-9_]+)\s*=`).FindAllStringSubmatch(body, -1) {
		names = append(names, m[1])
	}
	return names
}

// funcArg returns the text inside `name = fn( … )` in src (parentheses balanced, strings
// skipped).
func funcArg(src, name, fn string) (string, bool) {
	loc := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(name) + `\s*=\s*` + regexp.QuoteMeta(fn) + `\(`).FindStringIndex(src)
	if loc == nil {
		return "", false
	}
	depth, inStr := 0, false
	for i := loc[1] - 1; i < len(src); i++ {
		switch c := src[i]; {
		case c == '\\' && inStr:
			i++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return src[loc[1]:i], true
			}
		}
	}
	return "", false
}

func tfFiles(t *testing.T) []string {
	t.Helper()
	out, err := filepath.Glob("*.tf")
	if err != nil || len(out) == 0 {
		t.Fatalf("no .tf files here (%v)", err)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
