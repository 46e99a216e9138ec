package terraform_test

// Least privilege: each function runs as its own service account (iam.tf) holding what
// its code uses and nothing more. "What its code uses" is read from the Go source of
// functions/<name>: the clients its Handler takes from app.Env.

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// envClients are the app.Env methods that hand out a cloud client, and what each needs.
var envClients = map[string]string{
	"Store":         "firestore",
	"Firestore":     "firestore",
	"Tasks":         "tasks",
	"Secrets":       "secrets",
	"SecretManager": "secrets",
	"PubSub":        "pubsub",
	"Auth":          "auth", // Firebase Authentication: verifying staff ID tokens
}

type codeUse struct {
	Needs       map[string]bool // firestore, tasks, secrets, pubsub, auth
	StoreCalls  []string        // methods called on the store (to tell readers from writers)
	SecretNames []string        // config fields naming the secrets it reads
	// CreatesUsers: it calls the Admin SDK's CreateUser or PasswordResetLink.
	CreatesUsers bool
	// StoresTenantTokens: it names tenants.TokenSecretID with a Secret Manager writer
	// (env.SecretManager): it writes tenants' token secrets.
	StoresTenantTokens bool
}

// functionUses parses functions/<name> (tests excluded) for env.<Client>(…) calls, the
// methods it calls on what env.Store returned, and the config fields it passes around.
func functionUses(t *testing.T, name string) codeUse {
	t.Helper()
	u := codeUse{Needs: map[string]bool{}}
	fset := token.NewFileSet()
	files, _ := filepath.Glob(filepath.Join(repoRoot, "functions", name, "*.go"))
	storeVars := map[string]bool{}
	writesSecrets := false
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				// st, err := env.Store(…)
				if len(n.Rhs) == 1 {
					if m := envCall(n.Rhs[0]); m == "Store" {
						if id, ok := n.Lhs[0].(*ast.Ident); ok {
							storeVars[id.Name] = true
						}
					}
				}
			case *ast.CallExpr:
				if m := envCall(n); m == "SecretManager" {
					writesSecrets = true
				}
				if m := envCall(n); m != "" {
					if need, ok := envClients[m]; ok {
						u.Needs[need] = true
					}
				}
			case *ast.SelectorExpr:
				if n.Sel.Name == "CreateUser" || n.Sel.Name == "PasswordResetLink" {
					u.CreatesUsers = true
				}
				if n.Sel.Name == "TokenSecretID" {
					u.StoresTenantTokens = true
				}
				if strings.HasPrefix(n.Sel.Name, "Meta") && strings.HasSuffix(n.Sel.Name, "ID") {
					u.SecretNames = append(u.SecretNames, n.Sel.Name)
				}
			}
			return true
		})
		ast.Inspect(file, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				if sel, ok := c.Fun.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok && storeVars[id.Name] {
						u.StoreCalls = append(u.StoreCalls, sel.Sel.Name)
					}
				}
			}
			return true
		})
	}
	if len(files) == 0 {
		t.Fatalf("functions/%s has no Go files", name)
	}
	u.StoresTenantTokens = u.StoresTenantTokens && writesSecrets
	return u
}

// envCall returns M for a call env.M(…) or x.env.M(…) (a receiver named env), else "".
func envCall(e ast.Expr) string {
	c, ok := e.(*ast.CallExpr)
	if !ok {
		return ""
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	if id, ok := sel.X.(*ast.Ident); ok && id.Name == "env" {
		return sel.Sel.Name
	}
	if inner, ok := sel.X.(*ast.SelectorExpr); ok && inner.Sel.Name == "env" { // v.env.M(…)
		return sel.Sel.Name
	}
	return ""
}

// storeWriters are the methods of shared/store whose bodies write (directly, or through
// another method that writes).
func storeWriters(t *testing.T) map[string]bool {
	t.Helper()
	bodies := map[string]string{}
	fset := token.NewFileSet()
	for _, f := range goFiles(t, "shared/store") {
		src := readRepoFile(t, f)
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				bodies[fd.Name.Name] += src[fset.Position(fd.Body.Pos()).Offset:fset.Position(fd.Body.End()).Offset]
			}
		}
	}
	write := regexp.MustCompile(`\.(Set|Create|Update|Delete|RunTransaction|BulkWriter|Batch)\(`)
	writers := map[string]bool{}
	for name, body := range bodies {
		writers[name] = write.MatchString(body)
	}
	for changed := true; changed; { // a method calling a writer writes
		changed = false
		for name, body := range bodies {
			if writers[name] {
				continue
			}
			for other, w := range writers {
				if w && strings.Contains(body, "."+other+"(") {
					writers[name], changed = true, true
					break
				}
			}
		}
	}
	return writers
}

// tfGrants is what iam.tf grants one function's service account.
type tfGrants struct {
	FirestoreRole      string
	Enqueues, ActsAs   bool
	Secrets            []string // resource names bound, or "condition:<expression>"
	PublishesTo        []string
	OtherProjectRoles  []string
	UnconditionedRoles []string
	// TenantTokenWriter: the condition of its grant of the custom role that stores
	// tenants' tokens (api_stores_tenant_tokens); "" when it has none.
	TenantTokenWriter string
}

func iamGrants(t *testing.T) map[string]*tfGrants {
	t.Helper()
	src := readTF(t, "iam.tf")
	out := map[string]*tfGrants{}
	for name := range deployedFunctions(t) {
		out[name] = &tfGrants{}
	}
	var locals string
	for _, l := range topBlocks(src, `locals`) {
		locals += l
	}
	fsRoles, ok := mapAttr(locals, "firestore_roles")
	if !ok {
		t.Fatal("iam.tf: no local firestore_roles")
	}
	for _, m := range regexp.MustCompile(`(?m)^\s*([a-z0-9-]+)\s*=\s*"([^"]+)"`).FindAllStringSubmatch(fsRoles, -1) {
		g, ok := out[m[1]]
		if !ok {
			t.Errorf("iam.tf: firestore_roles names %q, which functions.tf does not deploy", m[1])
			continue
		}
		g.FirestoreRole = m[2]
	}
	m := regexp.MustCompile(`task_creators\s*=\s*toset\(\[([^\]]*)\]\)`).FindStringSubmatch(locals)
	if m == nil {
		t.Fatal("iam.tf: no local task_creators = toset([...])")
	}
	creators := regexp.MustCompile(`"([^"]+)"`).FindAllStringSubmatch(m[1], -1)
	member := regexp.MustCompile(`member\s*=\s*"serviceAccount:\$\{google_service_account\.fn(?:\["([^"]+)"\]|\[each\.key\])\.email\}"`)

	if n := len(resourceBlocks(t, src, "google_cloud_tasks_queue_iam_member")); n != 0 {
		t.Errorf("iam.tf: %d queue-level grants; the tenants' queues are made at run time, so task creators hold google_project_iam_custom_role.tenant_queues", n)
	}
	role := resourceBlocks(t, src, "google_project_iam_custom_role")["tenant_queues"]
	for _, perm := range []string{"cloudtasks.queues.create", "cloudtasks.queues.get", "cloudtasks.queues.update", "cloudtasks.tasks.create"} {
		if !strings.Contains(role, `"`+perm+`"`) {
			t.Errorf("iam.tf: google_project_iam_custom_role.tenant_queues lacks %s", perm)
		}
	}
	for _, perm := range []string{"delete", "purge", "pause", "setIamPolicy", "tasks.list", "tasks.run"} {
		if strings.Contains(role, perm) {
			t.Errorf("iam.tf: google_project_iam_custom_role.tenant_queues grants %s, which the code never needs", perm)
		}
	}
	queueGrants := 0
	for name, body := range resourceBlocks(t, src, "google_project_iam_member") {
		if attr(body, "role") != "google_project_iam_custom_role.tenant_queues.name" {
			continue
		}
		queueGrants++
		if attr(body, "for_each") != "local.task_creators" || !member.MatchString(body) || len(nestedBlocks(body, "condition")) != 0 {
			t.Errorf("google_project_iam_member.%s: want the tenant_queues role for each of local.task_creators", name)
			continue
		}
		for _, c := range creators {
			out[c[1]].Enqueues = true
		}
	}
	if queueGrants != 1 {
		t.Errorf("iam.tf: %d grants of the tenant_queues role, want 1 (for each task creator)", queueGrants)
	}
	for name, body := range resourceBlocks(t, src, "google_service_account_iam_member") {
		if attr(body, "role") != "roles/iam.serviceAccountUser" || attr(body, "service_account_id") != "google_service_account.tasks.name" ||
			attr(body, "for_each") != "local.task_creators" || !member.MatchString(body) {
			t.Errorf("google_service_account_iam_member.%s: want serviceAccountUser on the tasks account for each of local.task_creators", name)
			continue
		}
		for _, c := range creators {
			out[c[1]].ActsAs = true
		}
	}
	one := func(typ, name, body string) *tfGrants {
		mm := member.FindStringSubmatch(body)
		if mm == nil || mm[1] == "" {
			if !strings.Contains(body, "google_service_account.fn") {
				return nil // another identity (build, invokers)
			}
			t.Errorf("%s.%s: bind one function's account by name (google_service_account.fn[\"name\"])", typ, name)
			return nil
		}
		g, ok := out[mm[1]]
		if !ok {
			t.Errorf("%s.%s: unknown function %q", typ, name, mm[1])
		}
		return g
	}
	for name, body := range resourceBlocks(t, src, "google_secret_manager_secret_iam_member") {
		if g := one("google_secret_manager_secret_iam_member", name, body); g != nil {
			g.Secrets = append(g.Secrets, attr(body, "secret_id"))
		}
	}
	for name, body := range resourceBlocks(t, src, "google_pubsub_topic_iam_member") {
		if g := one("google_pubsub_topic_iam_member", name, body); g != nil && attr(body, "role") == "roles/pubsub.publisher" {
			g.PublishesTo = append(g.PublishesTo, attr(body, "topic"))
		}
	}
	for name, body := range resourceBlocks(t, src, "google_project_iam_member") {
		if attr(body, "role") == "google_project_iam_custom_role.tenant_queues.name" {
			continue // checked above
		}
		if attr(body, "for_each") == "local.firestore_roles" {
			if attr(body, "role") != "each.value" || !member.MatchString(body) {
				t.Errorf("google_project_iam_member.%s: want role = each.value for each function's own account", name)
			}
			continue
		}
		g := one("google_project_iam_member", name, body)
		if g == nil {
			continue
		}
		role := attr(body, "role")
		cond := nestedBlocks(body, "condition")
		switch {
		case role == "roles/secretmanager.secretAccessor" && len(cond) == 1:
			g.Secrets = append(g.Secrets, "condition:"+regexp.MustCompile(`expression\s*=\s*"(.*)"`).FindStringSubmatch(cond[0])[1])
		case role == "google_project_iam_custom_role.api_stores_tenant_tokens.name" && len(cond) == 1:
			g.TenantTokenWriter = regexp.MustCompile(`expression\s*=\s*"(.*)"`).FindStringSubmatch(cond[0])[1]
		case len(cond) == 0:
			g.UnconditionedRoles = append(g.UnconditionedRoles, role)
		default:
			g.OtherProjectRoles = append(g.OtherProjectRoles, role)
		}
	}
	return out
}

// TestEachFunctionHasItsOwnAccount: functions.tf runs each function as
// google_service_account.fn[<its name>], created for every deployed function.
func TestEachFunctionHasItsOwnAccount(t *testing.T) {
	sa := resourceBlocks(t, readTF(t, "iam.tf"), "google_service_account")
	fn, ok := sa["fn"]
	if !ok || attr(fn, "for_each") != "local.functions" || !strings.Contains(fn, `account_id   = "lembra-${each.key}"`) {
		t.Errorf(`iam.tf: want resource "google_service_account" "fn" { for_each = local.functions; account_id = "lembra-${each.key}" }`)
	}
	if _, ok := sa["runtime"]; ok {
		t.Error("iam.tf still declares a shared runtime account")
	}
	body := resourceBlocks(t, readTF(t, "functions.tf"), "google_cloudfunctions2_function")["fn"]
	if !regexp.MustCompile(`service_account_email\s*=\s*google_service_account\.fn\[each\.key\]\.email`).MatchString(body) {
		t.Error("functions.tf: service_account_email must be google_service_account.fn[each.key].email")
	}
	for name := range deployedFunctions(t) {
		if len("lembra-"+name) > 30 {
			t.Errorf("account id lembra-%s is over 30 characters", name)
		}
	}
}

// TestGrantsMatchWhatTheCodeUses: every function's grants follow from the clients its
// code builds, and no function holds a role its code does not use.
func TestGrantsMatchWhatTheCodeUses(t *testing.T) {
	grants := iamGrants(t)
	writers := storeWriters(t)
	names := make([]string, 0, len(grants))
	for n := range grants {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		g, u := grants[name], functionUses(t, name)
		t.Logf("%s: code uses %v (store calls %v); granted %+v", name, u.Needs, u.StoreCalls, *g)

		// Firestore: datastore.user for writers, datastore.viewer for readers, nothing otherwise.
		writes := false
		for _, c := range u.StoreCalls {
			writes = writes || writers[c]
		}
		switch {
		case !u.Needs["firestore"] && g.FirestoreRole != "":
			t.Errorf("%s: granted %s, but its code never builds a Firestore client", name, g.FirestoreRole)
		case u.Needs["firestore"] && g.FirestoreRole == "":
			t.Errorf("%s: its code uses Firestore, but firestore_roles grants it nothing", name)
		case u.Needs["firestore"] && (len(u.StoreCalls) == 0 || writes) && g.FirestoreRole != "roles/datastore.user":
			t.Errorf("%s: writes Firestore (or hands the store on), needs roles/datastore.user, granted %s", name, g.FirestoreRole)
		case u.Needs["firestore"] && len(u.StoreCalls) > 0 && !writes && g.FirestoreRole != "roles/datastore.viewer":
			t.Errorf("%s: only reads Firestore (%v), grant roles/datastore.viewer instead of %s", name, u.StoreCalls, g.FirestoreRole)
		}

		// Cloud Tasks: enqueuer on the queue and actAs on the tasks account, together.
		if u.Needs["tasks"] != g.Enqueues || u.Needs["tasks"] != g.ActsAs {
			t.Errorf("%s: code creates tasks = %v, but enqueuer = %v and actAs the tasks account = %v", name, u.Needs["tasks"], g.Enqueues, g.ActsAs)
		}

		// Secret Manager: only the secrets it names.
		switch {
		case !u.Needs["secrets"] && len(g.Secrets) > 0:
			t.Errorf("%s: may read secrets %v, but its code never builds a Secret Manager client", name, g.Secrets)
		case u.Needs["secrets"] && len(g.Secrets) == 0:
			t.Errorf("%s: reads Secret Manager, but no secret is granted", name)
		}
		var want []string
		for _, f := range u.SecretNames {
			switch f {
			case "MetaAppSecretID":
				want = append(want, "google_secret_manager_secret.meta_app_secret.id")
			case "MetaVerifyTokenID":
				want = append(want, "google_secret_manager_secret.meta_verify_token.id")
			}
		}
		slices.Sort(want)
		want = slices.Compact(want)
		var bound []string
		for _, s := range g.Secrets {
			if !strings.HasPrefix(s, "condition:") {
				bound = append(bound, s)
			}
		}
		slices.Sort(bound)
		if !slices.Equal(bound, want) {
			t.Errorf("%s: bound to secrets %v, its code names %v", name, bound, want)
		}

		// Pub/Sub: publisher on the webhook topic only.
		if u.Needs["pubsub"] != (len(g.PublishesTo) > 0) {
			t.Errorf("%s: code uses Pub/Sub = %v, publisher on %v", name, u.Needs["pubsub"], g.PublishesTo)
		}
		for _, topic := range g.PublishesTo {
			if topic != "google_pubsub_topic.webhooks.id" {
				t.Errorf("%s: publisher on %s", name, topic)
			}
		}
		// Verifying an ID token with the revocation check reads the user
		// (firebaseauth.users.get): Firebase Authentication Viewer, nothing more.
		var wantProject []string
		if u.Needs["auth"] {
			wantProject = []string{"roles/firebaseauth.viewer"}
		}
		// Creating users and their password reset links (adding staff members): the
		// custom role with just those two permissions, nothing broader.
		if u.CreatesUsers {
			wantProject = append(wantProject, "google_project_iam_custom_role.api_adds_staff.name")
		}
		// Storing tenants' tokens: the custom role on the meta-token- prefix, exactly
		// when the code writes them (TestTenantTokensByPrefix checks the prefix).
		if u.StoresTenantTokens != (g.TenantTokenWriter != "") {
			t.Errorf("%s: code stores tenants' tokens = %v, but its tenant-token writer grant is %q", name, u.StoresTenantTokens, g.TenantTokenWriter)
		}
		// The roles in any order (iamGrants reads the resources from a map).
		slices.Sort(wantProject)
		slices.Sort(g.UnconditionedRoles)
		if !slices.Equal(g.UnconditionedRoles, wantProject) || len(g.OtherProjectRoles) > 0 {
			t.Errorf("%s: project-wide roles %v %v beyond Firestore, want %v", name, g.UnconditionedRoles, g.OtherProjectRoles, wantProject)
		}
	}
}

// TestTenantTokensByPrefix: dispatch (the sends) and reminders (the daily token
// check, which imports shared/tokencheck) read tenants' tokens through a
// secretAccessor binding conditioned on the meta-token- prefix of the secret's full
// name, which IAM conditions spell with the project number; no other account has a
// conditioned secret grant, and no account reads every secret.
func TestTenantTokensByPrefix(t *testing.T) {
	readers := map[string]bool{"dispatch": true, "reminders": true}
	if !strings.Contains(readRepoFile(t, "functions/reminders/reminders.go"), `"github.com/lembra-app/lembra/shared/tokencheck"`) {
		t.Error("functions/reminders no longer runs the token check: it must not read the tenants' tokens (remove reminders_reads_tenant_tokens and it from readers)")
	}
	// The prefix the code uses.
	if !strings.Contains(readRepoFile(t, "shared/tenants/tenants.go"), `return "meta-token-" + tenantID`) {
		t.Fatal("shared/tenants.TokenSecretID changed: update the condition in iam.tf and this test")
	}
	want := `resource.name.startsWith(\"${local.tenant_token_secrets}\")`
	grants := iamGrants(t)
	for name, g := range grants {
		for _, s := range g.Secrets {
			if strings.HasPrefix(s, "condition:") && (!readers[name] || strings.TrimPrefix(s, "condition:") != want) {
				t.Errorf("%s: secret condition %q", name, s)
			}
		}
	}
	for name, g := range grants {
		if g.TenantTokenWriter != "" && g.TenantTokenWriter != want {
			t.Errorf("%s: tenant-token writer condition %q, want %q", name, g.TenantTokenWriter, want)
		}
	}
	if !regexp.MustCompile(`permissions\s*=\s*\["secretmanager\.secrets\.create", "secretmanager\.versions\.add", "secretmanager\.versions\.access"\]`).MatchString(readTF(t, "iam.tf")) {
		t.Error("iam.tf: api_stores_tenant_tokens must hold exactly secretmanager.secrets.create, versions.add and versions.access")
	}
	for name := range readers {
		if !slices.Contains(grants[name].Secrets, "condition:"+want) {
			t.Errorf("%s: no secretAccessor conditioned on %s; has %v", name, want, grants[name].Secrets)
		}
	}
	src := readTF(t, "iam.tf")
	if !regexp.MustCompile(`tenant_token_secrets\s*=\s*"projects/\$\{data\.google_project\.this\.number\}/secrets/meta-token-"`).MatchString(src) {
		t.Error(`iam.tf: tenant_token_secrets must be "projects/${data.google_project.this.number}/secrets/meta-token-" (conditions use the project number)`)
	}
}

// TestIngress: the functions called only by Google services in the project (Cloud
// Tasks, Cloud Scheduler, Pub/Sub push) take internal traffic only; the ones the
// internet calls (booking systems, Meta, clients' phones) take all.
func TestIngress(t *testing.T) {
	want := map[string]string{
		"api": "ALLOW_ALL", "webhook": "ALLOW_ALL", "voucher": "ALLOW_ALL",
		"dispatch": "ALLOW_INTERNAL_ONLY", "reminders": "ALLOW_INTERNAL_ONLY", "events": "ALLOW_INTERNAL_ONLY",
	}
	src := readTF(t, "functions.tf")
	var body string
	for _, l := range topBlocks(src, `locals`) {
		if b, ok := mapAttr(l, "functions"); ok {
			body = b
		}
	}
	got := map[string]string{}
	for _, e := range regexp.MustCompile(`(?s)([A-Za-z0-9_-]+)\s*=\s*\{([^{}]*)\}`).FindAllStringSubmatch(body, -1) {
		got[e[1]] = attr(e[2], "ingress")
	}
	for name := range deployedFunctions(t) {
		if _, ok := want[name]; !ok {
			t.Errorf("function %s: decide its ingress here and in README", name)
		}
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("function %s: ingress %q, want %q", name, got[name], w)
		}
	}
	fn := resourceBlocks(t, src, "google_cloudfunctions2_function")["fn"]
	if !regexp.MustCompile(`ingress_settings\s*=\s*each\.value\.ingress\b`).MatchString(fn) {
		t.Error("functions.tf: ingress_settings must be each.value.ingress")
	}
}
