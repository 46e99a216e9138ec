package metastandin

// Meta's browser side of Embedded Signup, for the local stack: a fake Facebook JS SDK
// and the popup it opens, choosing one of the fake businesses (AddBusiness).
//
//	GET  /sdk.js          window.FB: FB.init({appId, version}), FB.login(callback, {config_id,
//	                      response_type:'code', override_default_response_type:true, extras}),
//	                      FB.getLoginStatus(callback)
//	GET  /_signup/dialog  ?app_id&config_id&extras=<json>&origin=<the opener's origin>: the popup
//	POST /_signup/code    {"waba_id"} → {"code","waba_id","phone_number_id","business_id"} (NewCode)
//
// As Meta's (https://developers.facebook.com/documentation/business-messaging/whatsapp/embedded-signup/implementation/,
// coexistence: https://developers.facebook.com/docs/whatsapp/embedded-signup/onboarding-business-app-users),
// the popup posts the session-info message to window.opener, a string
// JSON.stringify({type:'WA_EMBEDDED_SIGNUP', event, data, version?}) with the opener's
// origin as targetOrigin:
//
//	finish:               event FINISH, data {phone_number_id, waba_id, business_id}
//	coexistence finish:   event FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING, data {waba_id}, version 3
//	                      (extras.featureType 'whatsapp_business_app_onboarding')
//	abandoned:            event CANCEL, data {current_step}
//	error reported:       event CANCEL, data {error_message, error_id, session_id, timestamp}
//
// and then hands the login's result to the SDK (a message of type
// STANDIN_LOGIN_RESULT, which the page's own listener ignores), which calls the
// callback with {authResponse:{code, …}, status:'connected'} after a finish, else
// {authResponse:null, status:'unknown'} (cancel, error, or the popup closed).

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// SignupStep is the step the stand-in's popup shows (CANCEL's current_step).
const SignupStep = "BUSINESS_ACCOUNT_SELECTION"

// FeatureCoexistence is the extras.featureType of the coexistence variant.
const FeatureCoexistence = "whatsapp_business_app_onboarding"

// Businesses returns a copy of every fake business, by verified name then WABA id.
func (s *Server) Businesses() []BusinessState {
	s.mu.Lock()
	ids := make([]string, 0, len(s.businesses))
	for id := range s.businesses {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	out := make([]BusinessState, 0, len(ids))
	for _, id := range ids {
		if b, ok := s.Business(id); ok {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].VerifiedName != out[j].VerifiedName {
			return out[i].VerifiedName < out[j].VerifiedName
		}
		return out[i].WABAID < out[j].WABAID
	})
	return out
}

// BusinessID is the fake business portfolio id of a WABA (FINISH's business_id):
// numeric, as Meta's, and stable.
func BusinessID(wabaID string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(wabaID))
	return fmt.Sprintf("%d", 1_000_000_000_000_000+h.Sum64()%8_999_999_999_999_999)
}

// serveSignup answers the Embedded Signup paths; false when the path is not one.
func (s *Server) serveSignup(w http.ResponseWriter, r *http.Request) bool {
	switch r.URL.Path {
	case "/sdk.js":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return true
		}
		base, _ := json.Marshal(requestOrigin(r))
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		// Meta's snippet loads the SDK with crossorigin="anonymous"; connect.facebook.net
		// answers CORS for any origin.
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_, _ = w.Write([]byte(strings.Replace(sdkJS, "__BASE__", string(base), 1)))
		return true
	case "/_signup/dialog":
		s.signupDialog(w, r)
		return true
	case "/_signup/code":
		s.signupCode(w, r)
		return true
	}
	return false
}

// requestOrigin is the stand-in's own origin as the browser reached it.
func requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// validOrigin reports whether o is a bare http(s) origin (no path, query or user).
func validOrigin(o string) bool {
	u, err := url.Parse(o)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.User == nil && u.Path == "" && u.RawQuery == "" && u.Fragment == "" && u.Opaque == ""
}

// signupExtras is what the popup reads of FB.login's extras.
type signupExtras struct {
	FeatureType        string `json:"featureType"`
	SessionInfoVersion any    `json:"sessionInfoVersion"`
}

type dialogBusiness struct {
	WABAID, Name, Number string
	Coexistence, Enabled bool
	Hint                 string
}

type dialogPage struct {
	Problem     string
	Coexistence bool
	Businesses  []dialogBusiness
	Config      map[string]any // handed to the page's script (html/template escapes it)
}

func (s *Server) signupDialog(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	var ex signupExtras
	page := dialogPage{}
	s.mu.Lock()
	appID := s.appID
	s.mu.Unlock()
	switch {
	case !validOrigin(q.Get("origin")):
		page.Problem = "Esta janela precisa ser aberta pelo botão \"Conectar WhatsApp\" do painel (origem ausente ou inválida)."
	case q.Get("app_id") == "" || (appID != "" && q.Get("app_id") != appID):
		page.Problem = "Aplicativo desconhecido: o painel abriu o cadastro com outro app_id."
	case q.Get("config_id") == "":
		page.Problem = "Falta o config_id da configuração do cadastro incorporado."
	case q.Get("extras") != "" && json.Unmarshal([]byte(q.Get("extras")), &ex) != nil:
		page.Problem = "O parâmetro extras não é um objeto JSON."
	}
	page.Coexistence = ex.FeatureType == FeatureCoexistence
	for _, b := range s.Businesses() {
		d := dialogBusiness{WABAID: b.WABAID, Name: b.VerifiedName, Number: b.DisplayPhoneNumber, Coexistence: b.Coexistence, Enabled: true}
		if d.Name == "" {
			d.Name = "Empresa " + b.WABAID
		}
		switch {
		case page.Coexistence && !b.Coexistence:
			d.Enabled, d.Hint = false, "Este número não está no aplicativo WhatsApp Business: desmarque a coexistência no painel para usá-lo."
		case !page.Coexistence && b.Coexistence:
			d.Enabled, d.Hint = false, "Este número está no aplicativo WhatsApp Business: marque a coexistência no painel para usá-lo."
		}
		page.Businesses = append(page.Businesses, d)
	}
	page.Config = map[string]any{"origin": q.Get("origin"), "coexistence": page.Coexistence, "step": SignupStep}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = dialogTemplate.Execute(w, page) // a write error: the browser went away
}

func (s *Server) signupCode(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var req struct {
		WABAID string `json:"waba_id"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil || req.WABAID == "" {
		writeSignupJSON(w, http.StatusBadRequest, map[string]string{"error": "waba_id is required"})
		return
	}
	b, ok := s.Business(req.WABAID)
	if !ok {
		writeSignupJSON(w, http.StatusNotFound, map[string]string{"error": "no business with that WABA"})
		return
	}
	code, err := s.NewCode(req.WABAID)
	if err != nil {
		writeSignupJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	writeSignupJSON(w, http.StatusOK, map[string]string{"code": code, "waba_id": b.WABAID,
		"phone_number_id": b.PhoneNumberID, "business_id": BusinessID(b.WABAID)})
}

func writeSignupJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// sdkJS is the fake SDK; __BASE__ becomes the stand-in's origin as a JS string.
const sdkJS = `// Local stand-in for Meta's Facebook JS SDK (Embedded Signup only). Not Meta's code.
(function () {
  'use strict';
  var BASE = __BASE__;
  var settings = { appId: '', version: '' };
  var open = null;
  function login(callback, opts) {
    opts = opts || {};
    // Meta's SDK checks its callback's type and refuses an async function
    // ("Expression is of type asyncfunction, not function"): so does this one.
    if (typeof callback !== 'function' || callback.constructor.name !== 'Function') {
      throw new Error('Expression is of type ' + (typeof callback === 'function' ? callback.constructor.name.toLowerCase() : typeof callback) + ', not function');
    }
    var cb = callback;
    var params = new URLSearchParams({
      app_id: String(settings.appId || ''),
      config_id: String(opts.config_id || ''),
      response_type: String(opts.response_type || ''),
      override_default_response_type: String(!!opts.override_default_response_type),
      extras: JSON.stringify(opts.extras || {}),
      origin: window.location.origin,
      version: String(settings.version || ''),
    });
    if (open && !open.popup.closed) {
      open.popup.focus();
      return;
    }
    var w = 600, h = 700;
    var left = Math.max(0, (window.screenX || 0) + ((window.outerWidth || w) - w) / 2);
    var top = Math.max(0, (window.screenY || 0) + ((window.outerHeight || h) - h) / 2);
    var popup = window.open(BASE + '/_signup/dialog?' + params.toString(), 'fb_embedded_signup', 'popup=yes,width=' + w + ',height=' + h + ',left=' + left + ',top=' + top);
    if (!popup) {
      setTimeout(function () { cb({ authResponse: null, status: 'unknown' }); }, 0);
      return;
    }
    var done = false;
    var closedTimer = null;
    function finish(res) {
      if (done) return;
      done = true;
      open = null;
      clearInterval(poll);
      if (closedTimer) clearTimeout(closedTimer);
      window.removeEventListener('message', onMessage);
      cb(res);
    }
    function onMessage(e) {
      if (e.origin !== BASE || e.source !== popup || typeof e.data !== 'string') return;
      var d;
      try { d = JSON.parse(e.data); } catch (x) { return; }
      if (!d || d.type !== 'STANDIN_LOGIN_RESULT') return;
      if (d.code) {
        finish({ authResponse: { code: d.code, userID: '', expiresIn: 30, signedRequest: '', graphDomain: 'facebook', data_access_expiration_time: 0 }, status: 'connected' });
      } else {
        finish({ authResponse: null, status: 'unknown' });
      }
    }
    // The popup closed without a result (the owner closed the window): after a grace
    // period for messages already on their way.
    var poll = setInterval(function () {
      if (popup.closed && !closedTimer) {
        closedTimer = setTimeout(function () { finish({ authResponse: null, status: 'unknown' }); }, 500);
      }
    }, 250);
    window.addEventListener('message', onMessage);
    open = { popup: popup };
  }
  window.FB = {
    init: function (o) {
      o = o || {};
      settings.appId = o.appId || '';
      settings.version = o.version || '';
    },
    login: login,
    getLoginStatus: function (cb) {
      if (typeof cb === 'function') cb({ authResponse: null, status: 'unknown' });
    },
    AppEvents: { logPageView: function () {} },
  };
  if (typeof window.fbAsyncInit === 'function') setTimeout(window.fbAsyncInit, 0);
})();
`

var dialogTemplate = template.Must(template.New("dialog").Parse(`<!doctype html>
<html lang="pt-BR">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conectar ao WhatsApp · Meta (simulação local)</title>
<style>
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;background:#f0f2f5;color:#1c1e21}
.dialog{max-width:34rem;margin:0 auto;background:#fff;min-height:100vh;display:flex;flex-direction:column}
@media (min-width:600px){.dialog{margin:1.5rem auto;min-height:0;border-radius:10px;box-shadow:0 4px 18px rgba(0,0,0,.15)}}
header{display:flex;align-items:center;gap:.6rem;padding:.8rem 1rem;border-bottom:1px solid #dadde1}
.mark{width:2rem;height:2rem;border-radius:50%;background:#0866ff;color:#fff;font-weight:800;display:grid;place-items:center;flex:none}
header h1{font-size:1.05rem;margin:0}
header p{margin:0;color:#65676b;font-size:.85rem}
main{padding:1rem;flex:1}
h2{font-size:1.05rem;margin:0 0 .3rem}
.lead{color:#65676b;margin:0 0 1rem}
ul{list-style:none;margin:0;padding:0;display:grid;gap:.6rem}
.biz{width:100%;text-align:left;display:grid;gap:.15rem;padding:.75rem .9rem;min-height:44px;border:1px solid #ccd0d5;border-radius:8px;background:#fff;font:inherit;color:inherit;cursor:pointer}
.biz:hover:not(:disabled){border-color:#0866ff;background:#f5f9ff}
.biz:focus-visible,button:focus-visible{outline:3px solid #0866ff;outline-offset:2px}
.biz:disabled{cursor:not-allowed;color:#8a8d91;background:#f7f8fa}
.name{font-weight:700}
.num{color:#65676b}
.tag{justify-self:start;font-size:.78rem;font-weight:700;color:#0b6b3a;border:1px solid currentColor;border-radius:999px;padding:0 .45rem}
.hint{font-size:.85rem;color:#8a5300}
.problem{color:#b3261e;font-weight:600}
.status{min-height:1.5rem;color:#65676b}
footer{display:flex;gap:.5rem;justify-content:flex-end;flex-wrap:wrap-reverse;padding:.8rem 1rem;border-top:1px solid #dadde1}
footer button{min-height:44px;padding:.5rem 1rem;border-radius:6px;border:1px solid #ccd0d5;background:#e4e6eb;font:inherit;font-weight:600;cursor:pointer;flex:1 1 auto}
footer .err{background:#fff;color:#b3261e;border-color:#b3261e}
.note{font-size:.8rem;color:#65676b;margin-top:1rem}
@media (min-width:600px){footer button{flex:0 0 auto}}
</style>
</head>
<body>
<div class="dialog" role="dialog" aria-labelledby="t" data-step="{{.Config.step}}">
<header><span class="mark" aria-hidden="true">f</span><div><h1 id="t">Conectar o WhatsApp ao Lembra</h1><p>Meta · cadastro incorporado (simulação local)</p></div></header>
<main>
{{if .Problem}}<p class="problem" role="alert">{{.Problem}}</p>{{else}}
<h2>Escolha a empresa e o número</h2>
<p class="lead">{{if .Coexistence}}O número continua no aplicativo WhatsApp Business (coexistência) e passa a enviar também pela API.{{else}}O número passa a enviar pela API de nuvem do WhatsApp.{{end}}</p>
{{if .Businesses}}<ul>{{range .Businesses}}
<li><button type="button" class="biz" data-business="{{.WABAID}}"{{if not .Enabled}} disabled aria-describedby="h-{{.WABAID}}"{{end}}>
<span class="name">{{.Name}}</span><span class="num">{{.Number}}</span>{{if .Coexistence}}<span class="tag">coexistência</span>{{end}}
{{if .Hint}}<span class="hint" id="h-{{.WABAID}}">{{.Hint}}</span>{{end}}</button></li>{{end}}
</ul>{{else}}<p class="problem">Nenhuma empresa de teste cadastrada no simulador da Meta.</p>{{end}}
{{end}}
<p class="status" role="status" aria-live="polite" id="status"></p>
<p class="note">Esta janela imita a da Meta para testes locais: nenhuma conta de verdade é usada.</p>
</main>
<footer>
<button type="button" class="err" data-action="error">Simular erro da Meta</button>
<button type="button" data-action="cancel">Cancelar</button>
</footer>
</div>
<script>
(function () {
  'use strict';
  var cfg = {{.Config}};
  var status = document.getElementById('status');
  var busy = false;
  function post(obj) {
    if (!window.opener) return false;
    window.opener.postMessage(JSON.stringify(obj), cfg.origin);
    return true;
  }
  function end(event, data, version, code) {
    var msg = { type: 'WA_EMBEDDED_SIGNUP', event: event, data: data };
    if (version) msg.version = version;
    if (!post(msg)) {
      status.textContent = 'Esta janela não foi aberta pelo painel: não há para onde enviar o resultado.';
      busy = false;
      return;
    }
    post({ type: 'STANDIN_LOGIN_RESULT', code: code || null });
    setTimeout(function () { window.close(); }, 150);
  }
  function hex(n) {
    var a = new Uint8Array(n);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  document.querySelectorAll('button[data-business]').forEach(function (b) {
    b.addEventListener('click', function () {
      if (busy) return;
      busy = true;
      status.textContent = 'Conectando…';
      fetch('/_signup/code', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ waba_id: b.dataset.business }) })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
        .then(function (d) {
          if (cfg.coexistence) end('FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING', { waba_id: d.waba_id }, 3, d.code);
          else end('FINISH', { phone_number_id: d.phone_number_id, waba_id: d.waba_id, business_id: d.business_id }, 0, d.code);
        })
        .catch(function (e) {
          busy = false;
          status.textContent = 'Não foi possível gerar o código (' + e.message + '). Tente de novo.';
        });
    });
  });
  document.querySelector('[data-action=cancel]').addEventListener('click', function () {
    if (busy) return;
    busy = true;
    end('CANCEL', { current_step: cfg.step });
  });
  document.querySelector('[data-action=error]').addEventListener('click', function () {
    if (busy) return;
    busy = true;
    end('CANCEL', {
      error_message: 'Não foi possível concluir o cadastro agora. Tente novamente mais tarde.',
      error_id: '524126',
      session_id: hex(16),
      timestamp: String(Math.floor(Date.now() / 1000)),
    });
  });
})();
</script>
</body>
</html>
`))

// HasTemplate reports whether the number's WABA holds the template (name, language).
func (s *Server) HasTemplate(phoneNumberID, name, language string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.findTemplateLocked(phoneNumberID, name, language)
	return ok
}
