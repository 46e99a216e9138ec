package terraform_test

// Operator signals (monitoring.tf): every alert policy watches a metric that exists, every
// log-based metric counts a message product code really logs (a constant of
// shared/logging/signals.go, logged by a package the filtered function is built from),
// the reminder scan's absence window is 15 minutes, the notification channel is optional,
// and the README has a runbook for every alert.

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// tfString returns the unescaped value of a string attribute `name = "…"` (one that may
// hold escaped quotes, unlike attr), and whether it is there.
func tfString(body, name string) (string, bool) {
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(name) + `\s*=\s*"((?:[^"\\]|\\.)*)"`).FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	v, err := strconv.Unquote(`"` + m[1] + `"`)
	if err != nil {
		return m[1], true
	}
	return v, true
}

var (
	// jsonPayload.key="value" terms of a Logging filter.
	payloadTerm = regexp.MustCompile(`jsonPayload\.([A-Za-z0-9_]+)\s*=\s*"((?:[^"\\]|\\.)*)"`)
	serviceTerm = regexp.MustCompile(`resource\.labels\.service_name\s*=\s*"([^"]+)"`)
)

// logCall is one call of a slog method in product code: its message and the key/value
// pairs of its arguments that are constant strings (literals or shared/logging constants).
type logCall struct {
	Pos     string // file:line
	Pkg     string // import path of the file's package
	Message string
	Pairs   map[string]string
}

var slogMethods = map[string]bool{
	"Debug": true, "Info": true, "Warn": true, "Error": true,
	"DebugContext": true, "InfoContext": true, "WarnContext": true, "ErrorContext": true,
}

// loggingConsts reads the string constants of shared/logging (not its tests).
func loggingConsts(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	fset := token.NewFileSet()
	files, _ := filepath.Glob(filepath.Join(repoRoot, "shared", "logging", "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							out[n.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("shared/logging declares no string constants")
	}
	return out
}

// productLogCalls finds every slog call in functions/ and shared/ (tests excluded) and
// resolves its message and constant key/value arguments. usedConsts counts the calls
// naming each shared/logging constant; literals are the messages written as literals.
func productLogCalls(t *testing.T, consts map[string]string) (calls []logCall, literals map[string][]string) {
	t.Helper()
	mod := modulePath(t)
	literals = map[string][]string{}
	fset := token.NewFileSet()
	for _, rel := range goFiles(t, "functions", "shared") {
		file, err := parser.ParseFile(fset, filepath.Join(repoRoot, rel), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		// The name this file imports shared/logging under (it is the package itself in shared/logging).
		logName := ""
		for _, imp := range file.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == mod+"/shared/logging" {
				logName = "logging"
				if imp.Name != nil {
					logName = imp.Name.Name
				}
			}
		}
		resolve := func(e ast.Expr) (string, bool, bool) { // value, constant, from shared/logging
			switch e := e.(type) {
			case *ast.BasicLit:
				if e.Kind == token.STRING {
					v, _ := strconv.Unquote(e.Value)
					return v, true, false
				}
			case *ast.SelectorExpr:
				if id, ok := e.X.(*ast.Ident); ok && logName != "" && id.Name == logName {
					v, ok := consts[e.Sel.Name]
					return v, ok, ok
				}
			}
			return "", false, false
		}
		pkg := mod + "/" + filepath.ToSlash(filepath.Dir(rel))
		ast.Inspect(file, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := c.Fun.(*ast.SelectorExpr)
			if !ok || !slogMethods[sel.Sel.Name] {
				return true
			}
			args := c.Args
			if strings.HasSuffix(sel.Sel.Name, "Context") {
				if len(args) == 0 {
					return true
				}
				args = args[1:]
			}
			if len(args) == 0 {
				return true
			}
			msg, ok, fromLogging := resolve(args[0])
			if !ok {
				return true
			}
			call := logCall{Pos: fset.Position(c.Pos()).String(), Pkg: pkg, Message: msg, Pairs: map[string]string{}}
			if !fromLogging {
				literals[msg] = append(literals[msg], call.Pos)
			}
			for i := 1; i+1 < len(args); i += 2 {
				k, kok, _ := resolve(args[i])
				v, vok, _ := resolve(args[i+1])
				if kok && vok {
					call.Pairs[k] = v
				}
			}
			calls = append(calls, call)
			return true
		})
	}
	return calls, literals
}

// functionDeps lists the packages functions/<name> is built from.
func functionDeps(t *testing.T, name string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "./functions/"+name)
	cmd.Dir = repoRoot
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./functions/%s: %v", name, err)
	}
	return strings.Fields(string(out))
}

type alertCondition struct {
	Policy, Kind, Body string
	Filters            []string // filter and denominator_filter
}

func alertConditions(t *testing.T, src string) (map[string]string, []alertCondition) {
	t.Helper()
	policies := resourceBlocks(t, src, "google_monitoring_alert_policy")
	var out []alertCondition
	for name, body := range policies {
		for _, cond := range nestedBlocks(body, "conditions") {
			for _, kind := range []string{"condition_threshold", "condition_absent"} {
				for _, b := range nestedBlocks(cond, kind) {
					c := alertCondition{Policy: name, Kind: kind, Body: b}
					for _, f := range []string{"filter", "denominator_filter"} {
						if v, ok := tfString(b, f); ok {
							c.Filters = append(c.Filters, v)
						}
					}
					out = append(out, c)
				}
			}
		}
	}
	return policies, out
}

func TestAlertsWatchMetricsThatExist(t *testing.T) {
	src := readTF(t, "monitoring.tf")
	metrics := resourceBlocks(t, src, "google_logging_metric")
	policies, conds := alertConditions(t, src)
	if len(policies) < 6 {
		t.Fatalf("monitoring.tf has %d alert policies, want one per signal (6)", len(policies))
	}
	watched := map[string]bool{}
	policyConds := map[string]int{}
	userMetric := regexp.MustCompile(`metric\.type\s*=\s*"logging\.googleapis\.com/user/\$\{google_logging_metric\.([A-Za-z0-9_]+)\.name\}"`)
	builtin := regexp.MustCompile(`metric\.type\s*=\s*"([a-z]+\.googleapis\.com/[^"]+)"`)
	for _, c := range conds {
		policyConds[c.Policy]++
		if len(c.Filters) == 0 {
			t.Errorf("alert %s: a %s without a filter", c.Policy, c.Kind)
		}
		for _, f := range c.Filters {
			if m := userMetric.FindStringSubmatch(f); m != nil {
				if _, ok := metrics[m[1]]; !ok {
					t.Errorf("alert %s watches google_logging_metric.%s, which monitoring.tf does not declare", c.Policy, m[1])
				}
				watched[m[1]] = true
				continue
			}
			m := builtin.FindStringSubmatch(f)
			switch {
			case m == nil:
				t.Errorf("alert %s: filter %q names no metric type (a log-based one must be named by its resource: logging.googleapis.com/user/${google_logging_metric.X.name})", c.Policy, f)
			case strings.HasPrefix(m[1], "logging.googleapis.com/user/"):
				t.Errorf("alert %s: log-based metric %s written out by hand; name it by its resource", c.Policy, m[1])
			case m[1] == "pubsub.googleapis.com/subscription/num_undelivered_messages":
				// Pub/Sub's own metric: the subscription must be one this configuration declares.
				sm := regexp.MustCompile(`subscription_id\s*=\s*"\$\{google_pubsub_subscription\.([A-Za-z0-9_]+)\.name\}"`).FindStringSubmatch(f)
				if sm == nil {
					t.Errorf("alert %s: %s without a subscription_id of a declared subscription", c.Policy, m[1])
				} else if _, ok := resourceBlocks(t, readTF(t, "pubsub.tf"), "google_pubsub_subscription")[sm[1]]; !ok {
					t.Errorf("alert %s: google_pubsub_subscription.%s is not declared", c.Policy, sm[1])
				}
			default:
				t.Errorf("alert %s: metric %s is neither a log-based metric of monitoring.tf nor one this test knows", c.Policy, m[1])
			}
		}
		if c.Kind == "condition_threshold" && attr(c.Body, "comparison") == "" {
			t.Errorf("alert %s: threshold without a comparison", c.Policy)
		}
	}
	for name := range policies {
		if policyConds[name] == 0 {
			t.Errorf("alert %s has no condition", name)
		}
	}
	for name := range metrics {
		if !watched[name] {
			t.Errorf("google_logging_metric.%s is watched by no alert", name)
		}
	}

	// The dead letters Pub/Sub gave up on are watched on the dead-letter topic's subscription.
	dl := false
	for _, c := range conds {
		for _, f := range c.Filters {
			dl = dl || strings.Contains(f, "num_undelivered_messages") && strings.Contains(f, "google_pubsub_subscription.webhooks_dead_letter.name")
		}
	}
	if !dl {
		t.Error("no alert on the undelivered messages of the dead-letter subscription (google_pubsub_subscription.webhooks_dead_letter)")
	}

	// Every policy notifies the optional channel; the channel is an email one, absent when
	// no address is given.
	for name, body := range policies {
		if attr(body, "notification_channels") != "local.alert_channels" {
			t.Errorf("alert %s: notification_channels is not local.alert_channels", name)
		}
		if len(nestedBlocks(body, "documentation")) != 1 {
			t.Errorf("alert %s: no documentation block pointing the operator to the runbook", name)
		}
	}
	ch := resourceBlocks(t, src, "google_monitoring_notification_channel")
	if len(ch) != 1 {
		t.Fatalf("want one notification channel, have %d", len(ch))
	}
	for name, body := range ch {
		if attr(body, "type") != "email" || !strings.Contains(body, "var.alert_email") ||
			!regexp.MustCompile(`count\s*=\s*var\.alert_email\s*==\s*""\s*\?\s*0\s*:\s*1`).MatchString(body) {
			t.Errorf("google_monitoring_notification_channel.%s: want an email channel counted 0 when var.alert_email is empty", name)
		}
		if !regexp.MustCompile(`alert_channels\s*=\s*google_monitoring_notification_channel\.` + name + `\[\*\]\.name`).MatchString(src) {
			t.Errorf("local.alert_channels is not google_monitoring_notification_channel.%s[*].name", name)
		}
	}
	if !regexp.MustCompile(`(?s)variable\s+"alert_email"\s*\{[^}]*default\s*=\s*""`).MatchString(src) {
		t.Error(`variable "alert_email" must default to "" (no channel)`)
	}

	// The APIs the metrics and policies live in are enabled.
	services := readTF(t, "services.tf")
	for _, api := range []string{"logging.googleapis.com", "monitoring.googleapis.com"} {
		if !strings.Contains(services, `"`+api+`"`) {
			t.Errorf("services.tf does not enable %s", api)
		}
	}
	for name, body := range metrics {
		if !strings.Contains(body, "google_project_service.enabled") {
			t.Errorf("google_logging_metric.%s does not depend on the enabled services", name)
		}
	}

	// Formatting, when the terraform binary is on this machine (the rest needs none).
	if tf, err := exec.LookPath("terraform"); err == nil {
		out, err := exec.Command(tf, "fmt", "-check", "-diff", "-no-color", ".").CombinedOutput()
		if err != nil {
			t.Errorf("terraform fmt -check: %v\n%s", err, out)
		}
	} else {
		t.Log("terraform is not installed: formatting not checked")
	}
}

func TestLogMetricsCountWhatTheCodeLogs(t *testing.T) {
	src := readTF(t, "monitoring.tf")
	metrics := resourceBlocks(t, src, "google_logging_metric")
	if len(metrics) == 0 {
		t.Fatal("monitoring.tf declares no google_logging_metric")
	}
	consts := loggingConsts(t)
	byValue := map[string]string{}
	for name, v := range consts {
		byValue[v] = name
	}
	calls, literals := productLogCalls(t, consts)
	fns, _ := mapAttr(topBlocks(readTF(t, "functions.tf"), `locals`)[0], "functions")
	deps := map[string][]string{}

	for name, body := range metrics {
		if attr(body, "name") != "lembra_"+name {
			t.Errorf("google_logging_metric.%s: name %q, want lembra_%s", name, attr(body, "name"), name)
		}
		filter, ok := tfString(body, "filter")
		if !ok {
			t.Errorf("google_logging_metric.%s has no filter", name)
			continue
		}
		svc := serviceTerm.FindStringSubmatch(filter)
		if svc == nil || !regexp.MustCompile(`(?m)^\s*`+regexp.QuoteMeta(svc[1])+`\s*=\s*\{`).MatchString(fns) {
			t.Errorf("google_logging_metric.%s: the filter names no deployed function (resource.labels.service_name): %s", name, filter)
			continue
		}
		if !strings.Contains(filter, `resource.type="cloud_run_revision"`) {
			t.Errorf("google_logging_metric.%s: the filter is not on Cloud Run's logs (resource.type=\"cloud_run_revision\")", name)
		}
		if deps[svc[1]] == nil {
			deps[svc[1]] = functionDeps(t, svc[1])
		}
		var messages []string
		others := map[string]string{}
		for _, m := range payloadTerm.FindAllStringSubmatch(filter, -1) {
			if m[1] == "message" {
				messages = append(messages, m[2])
			} else {
				others[m[1]] = m[2]
			}
		}
		if len(messages) == 0 {
			t.Errorf("google_logging_metric.%s: the filter names no jsonPayload.message", name)
		}
		for _, msg := range messages {
			cname, ok := byValue[msg]
			if !ok || !strings.HasPrefix(cname, "Msg") {
				t.Errorf("google_logging_metric.%s: message %q is not a Msg constant of shared/logging", name, msg)
				continue
			}
			// Logged, with the filter's other terms, by a package functions/<service> is built from.
			found := false
			for _, c := range calls {
				if c.Message != msg || !slices.Contains(deps[svc[1]], c.Pkg) {
					continue
				}
				all := true
				for k, v := range others {
					all = all && c.Pairs[k] == v
				}
				found = found || all
			}
			if !found {
				t.Errorf("google_logging_metric.%s: no logging call of logging.%s (%q) with %v in the code of the %s function", name, cname, msg, others, svc[1])
			}
		}

		// A label is extracted from a jsonPayload key, and declared in the descriptor.
		if ex, ok := mapAttr(body, "label_extractors"); ok {
			for _, m := range regexp.MustCompile(`(?m)^\s*([a-z_]+)\s*=\s*"EXTRACT\(jsonPayload\.([a-z_]+)\)"`).FindAllStringSubmatch(ex, -1) {
				if m[1] != m[2] {
					t.Errorf("google_logging_metric.%s: label %s extracted from jsonPayload.%s", name, m[1], m[2])
				}
				declared := false
				for _, d := range nestedBlocks(nestedBlocks(body, "metric_descriptor")[0], "labels") {
					declared = declared || attr(d, "key") == m[1]
				}
				if !declared {
					t.Errorf("google_logging_metric.%s: label %s is not in metric_descriptor", name, m[1])
				}
			}
		}
	}

	// Each signal message is written through its constant, never as a literal of its own.
	for v, name := range byValue {
		if strings.HasPrefix(name, "Msg") && len(literals[v]) > 0 {
			t.Errorf("%q is logged as a literal at %v: use logging.%s", v, literals[v], name)
		}
	}
}

func TestReminderScanAbsenceIsFifteenMinutes(t *testing.T) {
	src := readTF(t, "monitoring.tf")
	metrics := resourceBlocks(t, src, "google_logging_metric")
	consts := loggingConsts(t)
	scanMetric := ""
	for name, body := range metrics {
		if f, _ := tfString(body, "filter"); strings.Contains(f, `jsonPayload.message="`+consts["MsgReminderScan"]+`"`) {
			scanMetric = name
		}
	}
	if scanMetric == "" {
		t.Fatalf("no log-based metric counts the reminder scan's line %q", consts["MsgReminderScan"])
	}
	_, conds := alertConditions(t, src)
	found := false
	for _, c := range conds {
		if !strings.Contains(strings.Join(c.Filters, " "), "google_logging_metric."+scanMetric+".name") {
			continue
		}
		if c.Kind != "condition_absent" {
			t.Errorf("alert %s: the scan's metric is watched by a %s, want condition_absent", c.Policy, c.Kind)
			continue
		}
		found = true
		if d := attr(c.Body, "duration"); d != "900s" {
			t.Errorf("alert %s: absence duration %q, want 900s (15 minutes)", c.Policy, d)
		}
	}
	if !found {
		t.Fatal("no condition_absent on the reminder scan's metric")
	}
	// 15 minutes is three of Cloud Scheduler's ticks: one late scan does not alert.
	if s := attr(resourceBlocks(t, readTF(t, "scheduler.tf"), "google_cloud_scheduler_job")["reminders"], "schedule"); s != "*/5 * * * *" {
		t.Errorf("the reminder scan runs on %q; the 15-minute absence window assumes every 5 minutes", s)
	}
}

func TestEveryAlertHasARunbook(t *testing.T) {
	readme := readRepoFile(t, "README.md")
	start := strings.Index(readme, "\n## Alerts and runbooks\n")
	if start < 0 {
		t.Fatal(`README.md has no "## Alerts and runbooks" section`)
	}
	section := readme[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	policies, _ := alertConditions(t, readTF(t, "monitoring.tf"))
	for name, body := range policies {
		title := attr(body, "display_name")
		if title == "" {
			t.Errorf("alert %s has no display_name", name)
			continue
		}
		// **<display name>** opens the alert's entry; it says what it means and what to do.
		i := strings.Index(section, "**"+title+"**")
		if i < 0 {
			t.Errorf("README \"Alerts and runbooks\" has no entry **%s**", title)
			continue
		}
		entry := section[i+len(title)+4:]
		if j := strings.Index(entry, "\n**"); j >= 0 {
			entry = entry[:j]
		}
		if !strings.Contains(entry, "Means:") || !strings.Contains(entry, "Do:") || len(entry) < 200 {
			t.Errorf("README entry **%s**: want what it means (\"Means:\") and what the operator does (\"Do:\"), have %q", title, entry)
		}
	}
}

// TestTokenCheckScheduledAndAlerted: the daily token check is called by Cloud
// Scheduler on reminders' /token-check with the scan's caller and audience, and the
// line it logs when a token turns invalid raises an alert per tenant.
func TestTokenCheckScheduledAndAlerted(t *testing.T) {
	job := resourceBlocks(t, readTF(t, "scheduler.tf"), "google_cloud_scheduler_job")["token_check"]
	if job == "" {
		t.Fatal("scheduler.tf: no google_cloud_scheduler_job.token_check")
	}
	if s := attr(job, "schedule"); !regexp.MustCompile(`^\d+ \d+ \* \* \*$`).MatchString(s) {
		t.Errorf("token check schedule %q, want once a day", s)
	}
	for _, want := range []string{`uri         = "${local.function_urls["reminders"]}/token-check"`,
		`service_account_email = google_service_account.scheduler.email`, `audience              = local.function_urls["reminders"]`} {
		if !strings.Contains(job, want) {
			t.Errorf("token check job lacks %s", want)
		}
	}
	metric := resourceBlocks(t, readTF(t, "monitoring.tf"), "google_logging_metric")["token_check_invalid"]
	if f, _ := tfString(metric, "filter"); !strings.Contains(f, `jsonPayload.message="`+loggingConsts(t)["MsgTokenCheckInvalid"]+`"`) || !strings.Contains(f, `service_name="reminders"`) {
		t.Errorf("token_check_invalid metric filter %q", f)
	}
	_, conds := alertConditions(t, readTF(t, "monitoring.tf"))
	found := false
	for _, c := range conds {
		found = found || strings.Contains(strings.Join(c.Filters, " "), "google_logging_metric.token_check_invalid.name")
	}
	if !found {
		t.Error("no alert condition watches google_logging_metric.token_check_invalid")
	}
}
