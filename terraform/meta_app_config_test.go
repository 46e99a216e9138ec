package terraform_test

// The Meta app's settings a deployment passes to the functions (Embedded Signup in the
// dashboard, the daily token check) and the token-check job's schedule.

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestAPIGetsTheEmbeddedSignupSettings: the api function's environment carries the
// Embedded Signup configuration id (without it GET /v1/staff/whatsapp never offers
// the signup), and the SDK URL and message origins when given, each from its variable,
// set only when given (the code's defaults otherwise).
func TestAPIGetsTheEmbeddedSignupSettings(t *testing.T) {
	fns := readTF(t, "functions.tf")
	env, ok := funcArg(fns, "environment_variables", "merge")
	if !ok {
		t.Fatal("functions.tf: no local environment_variables = merge(…)")
	}
	// The api function is deployed, and every function's environment is that local.
	locals, _ := mapAttr(topBlocks(fns, `locals`)[0], "functions")
	if !regexp.MustCompile(`(?m)^\s*api\s*=\s*\{`).MatchString(locals) {
		t.Fatal("functions.tf: no api in local.functions")
	}
	fn := resourceBlocks(t, fns, "google_cloudfunctions2_function")["fn"]
	if attr(fn, "for_each") != "local.functions" || len(nestedBlocks(fn, "service_config")) != 1 ||
		attr(nestedBlocks(fn, "service_config")[0], "environment_variables") != "local.environment_variables" {
		t.Fatal("google_cloudfunctions2_function.fn: want for_each = local.functions and service_config.environment_variables = local.environment_variables")
	}

	vars := readTF(t, "variables.tf")
	for _, c := range []struct{ name, variable, value, unset, typ, def string }{
		{"LEMBRA_META_APP_ID", "meta_app_id", "var.meta_app_id", `var.meta_app_id != ""`, "string", `""`},
		{"LEMBRA_META_ES_CONFIG_ID", "meta_es_config_id", "var.meta_es_config_id", `var.meta_es_config_id != ""`, "string", `""`},
		{"LEMBRA_META_SDK_URL", "meta_sdk_url", "var.meta_sdk_url", `var.meta_sdk_url != ""`, "string", `""`},
		{"LEMBRA_META_SIGNUP_ORIGINS", "meta_signup_origins", `join(",", var.meta_signup_origins)`, `length(var.meta_signup_origins) > 0`, "list(string)", `[]`},
	} {
		entry := `(?m)^\s*` + regexp.QuoteMeta(c.unset) + `\s*\?\s*\{\s*` + c.name + `\s*=\s*` + regexp.QuoteMeta(c.value) + `\s*\}\s*:\s*\{\}\s*,`
		if !regexp.MustCompile(entry).MatchString(env) {
			t.Errorf("functions.tf environment_variables: want `%s ? { %s = %s } : {}`", c.unset, c.name, c.value)
		}
		block := topBlocks(vars, `variable\s+"`+c.variable+`"`)
		if len(block) != 1 {
			t.Errorf(`variables.tf: want one variable "%s"`, c.variable)
			continue
		}
		if got := regexp.MustCompile(`(?m)^\s*type\s*=\s*(\S+)`).FindStringSubmatch(block[0]); got == nil || got[1] != c.typ {
			t.Errorf("variable %s: type %v, want %s", c.variable, got, c.typ)
		}
		if got := regexp.MustCompile(`(?m)^\s*default\s*=\s*(\S+)`).FindStringSubmatch(block[0]); got == nil || got[1] != c.def {
			t.Errorf("variable %s: default %v, want %s (optional: the code's default applies)", c.variable, got, c.def)
		}
		if !strings.Contains(block[0], c.name) {
			t.Errorf("variable %s: the description does not name %s", c.variable, c.name)
		}
	}

	// The deploy docs name the variables.
	readme := readRepoFile(t, "terraform/README.md")
	for _, v := range []string{"meta_app_id", "meta_es_config_id", "meta_sdk_url", "meta_signup_origins"} {
		if !strings.Contains(readme, v) {
			t.Errorf("terraform/README.md does not mention %s", v)
		}
	}
}

// TestTokenCheckJobOffTheScanGridAndOnlyWithTheApp: the token-check job runs daily on a
// minute the every-5-minutes scan never starts on (reminders runs one instance at a
// time, so the two would collide), and exists only when the Meta app id is configured
// (without it every run fails: no app token).
func TestTokenCheckJobOffTheScanGridAndOnlyWithTheApp(t *testing.T) {
	jobs := resourceBlocks(t, readTF(t, "scheduler.tf"), "google_cloud_scheduler_job")
	job := jobs["token_check"]
	if job == "" {
		t.Fatal("scheduler.tf: no google_cloud_scheduler_job.token_check")
	}
	if !regexp.MustCompile(`(?m)^\s*count\s*=\s*var\.meta_app_id\s*!=\s*""\s*\?\s*1\s*:\s*0\s*$`).MatchString(job) {
		t.Error(`token_check: want count = var.meta_app_id != "" ? 1 : 0`)
	}

	scan := attr(jobs["reminders"], "schedule")
	m := regexp.MustCompile(`^\*/(\d+) \* \* \* \*$`).FindStringSubmatch(scan)
	if m == nil {
		t.Fatalf("reminders-scan schedule %q: want */N * * * *", scan)
	}
	step, _ := strconv.Atoi(m[1])
	check := attr(job, "schedule")
	d := regexp.MustCompile(`^(\d+) (\d+) \* \* \*$`).FindStringSubmatch(check)
	if d == nil {
		t.Fatalf("token check schedule %q: want \"M H * * *\" (daily)", check)
	}
	if minute, _ := strconv.Atoi(d[1]); minute > 59 || minute%step == 0 {
		t.Errorf("token check at minute %d falls on the scan's */%d grid (reminders: max_instances = 1)", minute, step)
	}
	if attr(job, "time_zone") != attr(jobs["reminders"], "time_zone") {
		t.Errorf("the jobs' time zones differ (%q, %q): the grid comparison assumes the same", attr(job, "time_zone"), attr(jobs["reminders"], "time_zone"))
	}
}
