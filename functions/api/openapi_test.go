package api

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lembra-app/lembra/shared/tenants"
	"github.com/lembra-app/lembra/shared/web"
)

// The OpenAPI document is kept in step with the code by these tests: its operations
// are the routes Handler registers, its schemas have the JSON fields (names, types,
// required or not) of the types the handlers decode and answer, and its error codes are
// those the API's code can produce and the README's error table lists.

const openAPIPath = "../../docs/openapi.json"

// schema is the part of an OpenAPI schema object these tests read.
type schema struct {
	Ref                  string             `json:"$ref"`
	Type                 string             `json:"type"`
	Format               string             `json:"format"`
	Pattern              string             `json:"pattern"`
	Enum                 []string           `json:"enum"`
	Required             []string           `json:"required"`
	Properties           map[string]*schema `json:"properties"`
	Items                *schema            `json:"items"`
	AdditionalProperties json.RawMessage    `json:"additionalProperties"`
}

type operation struct {
	OperationID string `json:"operationId"`
	RequestBody *struct {
		Required bool `json:"required"`
		Content  map[string]struct {
			Schema schema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Ref     string `json:"$ref"`
		Content map[string]struct {
			Schema schema `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas         map[string]*schema `json:"schemas"`
		SecuritySchemes map[string]struct {
			Type       string `json:"type"`
			Scheme     string `json:"scheme"`
			In         string `json:"in"`
			Name       string `json:"name"`
			KeyPattern string `json:"x-key-pattern"`
		} `json:"securitySchemes"`
		Parameters map[string]struct {
			Name   string `json:"name"`
			In     string `json:"in"`
			Schema schema `json:"schema"`
		} `json:"parameters"`
	} `json:"components"`
}

func loadOpenAPI(t *testing.T) *openAPIDoc {
	t.Helper()
	b, err := os.ReadFile(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", openAPIPath, err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi %q, want 3.x", doc.OpenAPI)
	}
	return &doc
}

// want200Staff: what the staff routes answer (the booking routes answer an
// AppointmentResponse).
var want200Staff = map[string]string{
	"GET /v1/staff/me":                    "StaffMeResponse",
	"GET /v1/staff/agenda":                "AgendaResponse",
	"GET /v1/staff/appointments/{id}":     "StaffAppointmentResponse",
	"GET /v1/staff/messages":              "MessagesResponse",
	"GET /v1/staff/jobs/{id}":             "StaffJobResponse",
	"GET /v1/staff/conversations/{wa_id}": "ConversationResponse",
	"GET /v1/staff/messages/daily":        "DailyMessagesResponse",
	// The staff writes (staff_write.go).
	"POST /v1/staff/appointments":             "StaffAppointmentResponse",
	"PATCH /v1/staff/appointments/{id}":       "StaffAppointmentResponse",
	"GET /v1/staff/appointments/{id}/window":  "CancelWindow",
	"POST /v1/staff/appointments/{id}/cancel": "StaffCancelResponse",
	"GET /v1/staff/members":                   "MembersResponse",
	"POST /v1/staff/members":                  "AddMemberResponse",
	// The owner's operations (staff_ops.go).
	"POST /v1/staff/jobs/{id}/actions":      "JobActionResponse",
	"POST /v1/staff/clients/{wa_id}/delete": "DeleteClientResponse",
	"POST /v1/staff/whatsapp/connect":       "ConnectResponse",
	// The connection's lifecycle (staff_whatsapp.go).
	"GET /v1/staff/whatsapp":                "WhatsAppConnection",
	"POST /v1/staff/whatsapp/signup-events": "SignupAttempt",
	"POST /v1/staff/whatsapp/disconnect":    "WhatsAppConnection",
	"POST /v1/staff/queue/drain/preview":    "DrainPreviewResponse",
	"POST /v1/staff/queue/drain":            "DrainResponse",
	"PUT /v1/staff/settings/scan":           "ScanSettingsResponse",
	// Settings and API keys (staff_settings.go, staff_keys.go); creating a key answers 201.
	"GET /v1/staff/settings":              "SettingsResponse",
	"PATCH /v1/staff/settings":            "SettingsResponse",
	"GET /v1/staff/settings/audit":        "SettingsHistoryResponse",
	"GET /v1/staff/api-keys":              "APIKeysResponse",
	"POST /v1/staff/api-keys":             "CreateAPIKeyResponse",
	"POST /v1/staff/api-keys/{id}/revoke": "RevokeAPIKeyResponse",
	// The counters (staff_counters.go).
	"GET /v1/staff/counters": "CountersResponse",
	// The month's cost (staff_billing.go).
	"GET /v1/staff/billing": "BillingResponse",
	// A client's opt-out (staff_optout.go).
	"POST /v1/staff/conversations/{wa_id}/resume": "ConversationOptOut",
}

var httpMethods = []string{"get", "put", "post", "patch", "delete", "head", "options"}

// TestOpenAPIMatchesRoutes: the document describes exactly the routes the API serves,
// each answering an AppointmentResponse, a 401 and, where it takes a body, its schema.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	wantBody := map[string]string{
		"POST /v1/appointments":             "CreateAppointmentRequest",
		"PATCH /v1/appointments/{id}":       "RescheduleAppointmentRequest",
		"POST /v1/appointments/{id}/cancel": "CancelAppointmentRequest",
		// The staff writes (staff_write.go).
		"POST /v1/staff/appointments":             "StaffCreateAppointmentRequest",
		"PATCH /v1/staff/appointments/{id}":       "RescheduleAppointmentRequest",
		"POST /v1/staff/appointments/{id}/cancel": "CancelAppointmentRequest",
		"POST /v1/staff/members":                  "AddMemberRequest",
		// The owner's operations (staff_ops.go).
		"POST /v1/staff/jobs/{id}/actions":            "JobActionRequest",
		"POST /v1/staff/clients/{wa_id}/delete":       "DeleteClientRequest",
		"POST /v1/staff/whatsapp/connect":             "ConnectRequest",
		"POST /v1/staff/whatsapp/signup-events":       "SignupEventRequest",
		"POST /v1/staff/whatsapp/disconnect":          "DisconnectRequest",
		"POST /v1/staff/queue/drain/preview":          "DrainPreviewRequest",
		"POST /v1/staff/queue/drain":                  "DrainRequest",
		"PUT /v1/staff/settings/scan":                 "ScanSettingsRequest",
		"POST /v1/staff/conversations/{wa_id}/resume": "ResumeClientRequest",
		// Settings and API keys.
		"PATCH /v1/staff/settings": "SettingsRequest",
		"POST /v1/staff/api-keys":  "CreateAPIKeyRequest",
	}
	var served, documented []string
	for _, rt := range (&server{}).routes() {
		served = append(served, rt.pattern)
	}
	for path, item := range doc.Paths {
		for key, raw := range item {
			if !slices.Contains(httpMethods, key) {
				continue // parameters, summary, …
			}
			pattern := strings.ToUpper(key) + " " + path
			documented = append(documented, pattern)
			var op operation
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s: %v", pattern, err)
			}
			if op.OperationID == "" {
				t.Errorf("%s: no operationId", pattern)
			}
			if _, ok := op.Responses["401"]; !ok {
				t.Errorf("%s: no 401 response (every route takes the tenant key)", pattern)
			}
			ok200 := op.Responses["200"].Content["application/json"].Schema.Ref
			if _, has200 := op.Responses["200"]; !has200 { // a route that only creates
				ok200 = op.Responses["201"].Content["application/json"].Schema.Ref
			}
			want200 := "AppointmentResponse"
			if w, ok := want200Staff[pattern]; ok {
				want200 = w
			}
			if ok200 != "#/components/schemas/"+want200 {
				t.Errorf("%s: 200 answers %q, want %s", pattern, ok200, want200)
			}
			var gotBody string
			if op.RequestBody != nil {
				gotBody = strings.TrimPrefix(op.RequestBody.Content["application/json"].Schema.Ref, "#/components/schemas/")
				if !op.RequestBody.Required {
					t.Errorf("%s: request body not marked required", pattern)
				}
			}
			if gotBody != wantBody[pattern] {
				t.Errorf("%s: request body %q, want %q", pattern, gotBody, wantBody[pattern])
			}
		}
	}
	sort.Strings(served)
	sort.Strings(documented)
	if !slices.Equal(served, documented) {
		t.Errorf("routes served:\n  %s\ndocumented in %s:\n  %s", strings.Join(served, "\n  "), openAPIPath, strings.Join(documented, "\n  "))
	}
	if p := doc.Components.Parameters["AppointmentID"]; p.Name != "id" || p.In != "path" || p.Schema.Pattern != appointmentIDPattern.String() {
		t.Errorf("AppointmentID parameter %+v, want path id with pattern %s", p, appointmentIDPattern)
	}
}

// TestOpenAPIMatchesTypes: every schema has exactly the JSON fields of its Go type,
// with matching types, and lists as required exactly the fields that are always sent
// (answers) or must be sent (requests: those without omitempty).
func TestOpenAPIMatchesTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	type errorEnvelope struct { // what web.Handle writes: {"error": *web.Error}
		Error web.Error `json:"error"`
	}
	roots := map[string]reflect.Type{
		"CreateAppointmentRequest":     reflect.TypeFor[CreateAppointmentRequest](),
		"RescheduleAppointmentRequest": reflect.TypeFor[RescheduleAppointmentRequest](),
		"CancelAppointmentRequest":     reflect.TypeFor[CancelAppointmentRequest](),
		"AppointmentResponse":          reflect.TypeFor[AppointmentResponse](),
		"StaffMeResponse":              reflect.TypeFor[StaffMeResponse](),
		"AgendaResponse":               reflect.TypeFor[AgendaResponse](),
		"StaffAppointmentResponse":     reflect.TypeFor[StaffAppointmentResponse](),
		"MessagesResponse":             reflect.TypeFor[MessagesResponse](),
		"StaffJobResponse":             reflect.TypeFor[StaffJobResponse](),
		"ConversationResponse":         reflect.TypeFor[ConversationResponse](),
		"DailyMessagesResponse":        reflect.TypeFor[DailyMessagesResponse](),
		"ErrorResponse":                reflect.TypeFor[errorEnvelope](),
		// The staff writes (staff_write.go).
		"StaffCreateAppointmentRequest": reflect.TypeFor[StaffCreateAppointmentRequest](),
		"CancelWindow":                  reflect.TypeFor[CancelWindow](),
		"StaffCancelResponse":           reflect.TypeFor[StaffCancelResponse](),
		"MembersResponse":               reflect.TypeFor[MembersResponse](),
		"AddMemberRequest":              reflect.TypeFor[AddMemberRequest](),
		"AddMemberResponse":             reflect.TypeFor[AddMemberResponse](),
		// The owner's operations (staff_ops.go).
		"JobActionRequest":     reflect.TypeFor[JobActionRequest](),
		"DeleteClientRequest":  reflect.TypeFor[DeleteClientRequest](),
		"DeleteClientResponse": reflect.TypeFor[DeleteClientResponse](),
		"ConnectRequest":       reflect.TypeFor[ConnectRequest](),
		"ConnectResponse":      reflect.TypeFor[ConnectResponse](),
		"WhatsAppConnection":   reflect.TypeFor[WhatsAppConnection](),
		"SignupAttempt":        reflect.TypeFor[SignupAttempt](),
		"SignupEventRequest":   reflect.TypeFor[SignupEventRequest](),
		"DisconnectRequest":    reflect.TypeFor[DisconnectRequest](),
		"JobActionResponse":    reflect.TypeFor[JobActionResponse](),
		"DrainPreviewRequest":  reflect.TypeFor[DrainPreviewRequest](),
		"DrainPreviewResponse": reflect.TypeFor[DrainPreviewResponse](),
		"DrainRequest":         reflect.TypeFor[DrainRequest](),
		"DrainResponse":        reflect.TypeFor[DrainResponse](),
		"ScanSettingsRequest":  reflect.TypeFor[ScanSettingsRequest](),
		"ScanSettingsResponse": reflect.TypeFor[ScanSettingsResponse](),
		// Settings and API keys.
		"SettingsResponse":        reflect.TypeFor[SettingsResponse](),
		"SettingsRequest":         reflect.TypeFor[SettingsRequest](),
		"SettingsHistoryResponse": reflect.TypeFor[SettingsHistoryResponse](),
		"APIKeysResponse":         reflect.TypeFor[APIKeysResponse](),
		"CreateAPIKeyRequest":     reflect.TypeFor[CreateAPIKeyRequest](),
		"CreateAPIKeyResponse":    reflect.TypeFor[CreateAPIKeyResponse](),
		"RevokeAPIKeyResponse":    reflect.TypeFor[RevokeAPIKeyResponse](),
		// The counters (staff_counters.go).
		"CountersResponse": reflect.TypeFor[CountersResponse](),
		// The month's cost (staff_billing.go).
		"BillingResponse": reflect.TypeFor[BillingResponse](),
		// A client's opt-out (staff_optout.go).
		"ResumeClientRequest": reflect.TypeFor[ResumeClientRequest](),
	}
	visited := map[string]bool{}
	var check func(name string, typ reflect.Type)
	check = func(name string, typ reflect.Type) {
		if visited[name] {
			return
		}
		visited[name] = true
		sc := doc.Components.Schemas[name]
		if sc == nil {
			t.Errorf("no schema %s for %v", name, typ)
			return
		}
		if sc.Type != "object" {
			t.Errorf("%s: type %q, want object", name, sc.Type)
		}
		if strings.HasSuffix(name, "Request") && string(sc.AdditionalProperties) != "false" {
			t.Errorf("%s: additionalProperties must be false (unknown fields are refused)", name)
		}
		var fields, required []string
		for f := range typ.Fields() {
			tag := f.Tag.Get("json")
			jname, opts, _ := strings.Cut(tag, ",")
			if jname == "-" || !f.IsExported() {
				continue
			}
			if jname == "" {
				t.Errorf("%v.%s has no json tag", typ, f.Name)
				continue
			}
			fields = append(fields, jname)
			if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
				required = append(required, jname)
			}
			prop := sc.Properties[jname]
			if prop == nil {
				continue // reported below
			}
			for _, ref := range checkFieldType(t, name+"."+jname, f.Type, prop) {
				check(ref.name, ref.typ)
			}
		}
		var props []string
		for p := range sc.Properties {
			props = append(props, p)
		}
		for _, l := range [][]string{fields, props, required, sc.Required} {
			sort.Strings(l)
		}
		if !slices.Equal(fields, props) {
			t.Errorf("%s: JSON fields of %v:\n  %v\nschema properties:\n  %v", name, typ, fields, props)
		}
		got := slices.Clone(sc.Required)
		sort.Strings(got)
		if !slices.Equal(required, got) {
			t.Errorf("%s: always-present fields of %v: %v; schema required: %v", name, typ, required, got)
		}
	}
	for name, typ := range roots {
		check(name, typ)
	}
	for name := range doc.Components.Schemas {
		if !visited[name] {
			t.Errorf("schema %s matches no Go type the API decodes or answers", name)
		}
	}
}

type schemaRef struct {
	name string
	typ  reflect.Type
}

var timeType = reflect.TypeFor[time.Time]()

// checkFieldType compares one field's Go type with its schema and returns the struct
// schemas it refers to, for the caller to check in turn.
func checkFieldType(t *testing.T, where string, typ reflect.Type, sc *schema) []schemaRef {
	t.Helper()
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	want := ""
	switch {
	case typ == timeType:
		if sc.Type != "string" || sc.Format != "date-time" {
			t.Errorf("%s: a time is a string of format date-time, not %q %q", where, sc.Type, sc.Format)
		}
		return nil
	case typ.Kind() == reflect.Struct:
		if sc.Ref != "#/components/schemas/"+typ.Name() {
			t.Errorf("%s: $ref %q, want the schema %s", where, sc.Ref, typ.Name())
		}
		return []schemaRef{{typ.Name(), typ}}
	case typ.Kind() == reflect.Slice:
		if sc.Type != "array" || sc.Items == nil {
			t.Errorf("%s: a list is an array with items, not %q", where, sc.Type)
			return nil
		}
		return checkFieldType(t, where+"[]", typ.Elem(), sc.Items)
	case typ.Kind() == reflect.Map:
		var elem schema
		if sc.Type != "object" || json.Unmarshal(sc.AdditionalProperties, &elem) != nil {
			t.Errorf("%s: a map is an object with additionalProperties, not %q", where, sc.Type)
			return nil
		}
		return checkFieldType(t, where+"{}", typ.Elem(), &elem)
	case typ.Kind() == reflect.String:
		want = "string"
	case typ.Kind() == reflect.Int:
		want = "integer"
	case typ.Kind() == reflect.Bool:
		want = "boolean"
	case typ.Kind() == reflect.Float64:
		want = "number"
	default:
		t.Errorf("%s: Go type %v has no schema rule in this test", where, typ)
		return nil
	}
	if sc.Type != want {
		t.Errorf("%s: schema type %q, want %q for Go %v", where, sc.Type, want, typ)
	}
	return nil
}

// TestOpenAPIErrorCodes: the codes the document lists are exactly those the API's code
// produces (web.Errorf / web.FieldError / ValidationError / ConflictError literals in
// the packages behind the API) and those in the README's error table.
func TestOpenAPIErrorCodes(t *testing.T) {
	doc := loadOpenAPI(t)
	documented := slices.Clone(doc.Components.Schemas["Error"].Properties["code"].Enum)
	sort.Strings(documented)

	produced := codesInSource(t, ".", filepath.Join("..", "..", "shared", "web"), filepath.Join("..", "..", "shared", "booking"), filepath.Join("..", "..", "shared", "domain"))
	if !slices.Equal(produced, documented) {
		t.Errorf("error codes in the code:\n  %v\nin %s:\n  %v", produced, openAPIPath, documented)
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var inTable []string
	inErrorTable := false
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, "| status | code") {
			inErrorTable = true
			continue
		}
		if inErrorTable && !strings.HasPrefix(line, "|") {
			break
		}
		if inErrorTable {
			cells := strings.Split(line, "|")
			if len(cells) > 2 {
				for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(cells[2], -1) {
					inTable = append(inTable, m[1])
				}
			}
		}
	}
	sort.Strings(inTable)
	if !slices.Equal(inTable, documented) {
		t.Errorf("error codes in README's table:\n  %v\nin %s:\n  %v", inTable, openAPIPath, documented)
	}
}

// codesInSource collects the error codes written as literals in the non-test Go files
// of dirs: the second argument of Errorf(http.Status…, "code", …), FieldError(field,
// "code", …) and field(name, "code", …), and Code: of an Error, ValidationError or
// ConflictError literal (a string, or a string constant of the same files).
func codesInSource(t *testing.T, dirs ...string) []string {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	for _, dir := range dirs {
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(names) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, n := range names {
			if strings.HasSuffix(n, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, n, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	consts := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, spec := range g.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if i < len(vs.Values) {
							if s, ok := stringLit(vs.Values[i]); ok {
								consts[n.Name] = s
							}
						}
					}
				}
			}
		}
	}
	value := func(e ast.Expr) (string, bool) {
		if s, ok := stringLit(e); ok {
			return s, true
		}
		var name string
		switch x := e.(type) {
		case *ast.Ident:
			name = x.Name
		case *ast.SelectorExpr:
			name = x.Sel.Name
		}
		s, ok := consts[name]
		return s, ok
	}
	set := map[string]bool{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				var fn string
				switch f := x.Fun.(type) {
				case *ast.Ident:
					fn = f.Name
				case *ast.SelectorExpr:
					fn = f.Sel.Name
				}
				if len(x.Args) < 2 {
					return true
				}
				status, _ := x.Args[0].(*ast.SelectorExpr)
				isStatus := status != nil && strings.HasPrefix(status.Sel.Name, "Status")
				if fn == "Errorf" && isStatus || fn == "FieldError" || fn == "field" {
					if s, ok := value(x.Args[1]); ok {
						set[s] = true
					}
				}
			case *ast.CompositeLit:
				var typ string
				switch ct := x.Type.(type) {
				case *ast.Ident:
					typ = ct.Name
				case *ast.SelectorExpr:
					typ = ct.Sel.Name
				}
				if typ != "ValidationError" && typ != "ConflictError" && typ != "Error" {
					return true
				}
				for _, el := range x.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if k, _ := kv.Key.(*ast.Ident); ok && k != nil && k.Name == "Code" {
						if s, ok := value(kv.Value); ok {
							set[s] = true
						}
					}
				}
			}
			return true
		})
	}
	var out []string
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// TestOpenAPIKeyFormat: the key pattern both security schemes document accepts what
// tenants issues and refuses what tenants refuses.
func TestOpenAPIKeyFormat(t *testing.T) {
	doc := loadOpenAPI(t)
	bearer, header := doc.Components.SecuritySchemes["bearerKey"], doc.Components.SecuritySchemes["headerKey"]
	if bearer.Type != "http" || bearer.Scheme != "bearer" || header.Type != "apiKey" || header.In != "header" || header.Name != "X-Api-Key" {
		t.Fatalf("security schemes %+v %+v, want Bearer and the X-Api-Key header", bearer, header)
	}
	if bearer.KeyPattern != header.KeyPattern {
		t.Fatalf("key patterns differ: %q %q", bearer.KeyPattern, header.KeyPattern)
	}
	pattern := regexp.MustCompile(bearer.KeyPattern)
	key, _, err := tenants.GenerateAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	id := key[len(tenants.APIKeyPrefix) : len(tenants.APIKeyPrefix)+16]
	secret := key[len(tenants.APIKeyPrefix)+17:]
	for _, k := range []string{
		key,
		"lembra_0000000000000001_studiojanademokeyforthelocalstackonlyneverproduction",
		strings.ToUpper(key),
		"lembra_" + strings.ToUpper(id) + "_" + secret,
		"lembra_" + id + "_" + secret[:51],
		"lembra_" + id + "_" + secret + "a",
		"lembra_" + id + "_" + secret[:51] + "1",
		"lembra_" + id + "_" + secret[:51] + "8",
		"lembra_" + id + "-" + secret,
		"lembrb_" + id + "_" + secret,
		"lembra_" + id[:15] + "g_" + secret,
		"",
	} {
		_, valid := tenants.ParseAPIKey(k)
		if documented := pattern.MatchString(k); documented != valid {
			t.Errorf("key %q: documented pattern says %v, tenants.ParseAPIKey %v", k, documented, valid)
		}
	}
}
