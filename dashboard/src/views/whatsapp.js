// #/whatsapp: the studio's WhatsApp connection (GET /v1/staff/whatsapp). The owner
// connects or reconnects the number with Meta's Embedded Signup (the Facebook JS SDK's
// FB.login; the popup's WA_EMBEDDED_SIGNUP events are recorded with POST
// /v1/staff/whatsapp/signup-events, the code finishes on the server with POST
// /v1/staff/whatsapp/connect), disconnects it with a reason, and applies the proposed
// message templates; staff see the state read-only.
import { api } from '../api.js';
import { fill, h, refill } from '../dom.js';
import { jobTypeLabels } from '../format.js';
import { settingsTabs } from '../settings.js';
import { errorBox, loading } from '../ui.js';
import {
  canDisconnect,
  capText,
  limitView,
  connectBody,
  connectLabel,
  connectOutcome,
  disconnectionText,
  endedText,
  historyProgress,
  isFinish,
  loginOptions,
  newAttemptID,
  outcomeText,
  proposalsPatch,
  signupEventBody,
  signupMessage,
  stepList,
  stepStatusLabels,
} from '../whatsapp.js';
import { openReasonDialog } from './ops.js';

// The SDK is loaded once per page (a script element), whatever the screen is redrawn.
let sdk = null; // {url, promise}
let initedFor = '';

function loadSDK(url) {
  if (sdk && sdk.url === url) return sdk.promise;
  const promise = new Promise((resolve, reject) => {
    if (window.FB && typeof window.FB.login === 'function') return resolve(window.FB);
    const s = document.createElement('script');
    s.src = url;
    s.async = true;
    s.crossOrigin = 'anonymous';
    s.onload = () => (window.FB ? resolve(window.FB) : reject(new Error('sdk')));
    s.onerror = () => reject(new Error('sdk'));
    document.head.append(s);
  });
  sdk = { url, promise };
  promise.catch(() => {
    if (sdk?.promise === promise) sdk = null; // a later click tries again
  });
  return promise;
}

const stateTone = { connected: 'ok', syncing_history: 'warn', connecting: 'warn', restricted: 'warn', token_invalid: 'bad', banned: 'bad', disconnected: 'bad', deleted: 'bad', not_connected: 'muted' };

export async function whatsappView(ctx, main) {
  ctx.title('WhatsApp');
  const owner = ctx.me.role === 'owner';
  main.append(h('h1', {}, 'WhatsApp'));
  if (owner) {
    const tabs = h('nav', { class: 'tabs', 'aria-label': 'Configurações' }, settingsTabs.map((t) => h('a', { href: t.href, 'aria-current': t.key === 'whatsapp' ? 'page' : undefined }, t.label)));
    main.append(tabs);
  }
  const info = h('div', { class: 'wa-page' }, loading());
  const flow = h('div', { class: 'wa-page' });
  const history = h('div', { class: 'wa-page' });
  main.append(info, flow, history);

  let conn = null;
  let busy = false; // a signup or a connect call is running: the connect card is not redrawn
  const view = { attempt: null, outcome: null, result: '' }; // the connect card's last word

  const load = async () => {
    const next = await api('/v1/staff/whatsapp', { signal: ctx.signal });
    if (!ctx.alive()) return;
    conn = next;
    draw();
  };

  const draw = () => {
    refill(info, stateCard(conn), detailsCard(conn), syncCard(conn));
    if (!busy) refill(flow, owner ? connectCard() : h('p', { class: 'muted' }, 'Só o responsável pelo estúdio conecta, reconecta ou desconecta o número.'));
    refill(history, proposalsCard(ctx, conn, owner), attemptsCard(conn));
  };

  // The connect card: coexistence, Conectar/Reconectar, Desconectar, the steps of the
  // running or last attempt and the outcome of the last connect call.
  const connectCard = () => {
    const last = view.attempt || conn.attempts?.[0] || null;
    const card = h('section', { class: 'card', 'aria-labelledby': 'wa-connect-title' }, h('h2', { id: 'wa-connect-title' }, connectLabel(conn.state) === 'Conectar WhatsApp' ? 'Conectar o número' : 'Conexão'));
    if (!conn.signup) {
      card.append(h('p', { class: 'muted' }, 'A conexão pelo painel ainda não está disponível neste ambiente (falta a configuração do aplicativo da Meta). Fale com o suporte do Lembra.'));
    } else {
      const coexID = 'wa-coexistence';
      const coex = h('input', { type: 'checkbox', id: coexID, 'data-testid': 'whatsapp-coexistence', checked: view.coexistence ?? !!conn.coexistence, 'aria-describedby': `${coexID}-hint` });
      coex.addEventListener('change', () => {
        view.coexistence = coex.checked;
      });
      const btn = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'whatsapp-connect' }, connectLabel(conn.state));
      btn.addEventListener('click', () => startSignup(btn, coex));
      card.append(
        h(
          'p',
          { class: 'muted' },
          'Uma janela da Meta vai abrir: entre com o Facebook da empresa, escolha a conta do WhatsApp Business e o número. Ao terminar, o Lembra conclui a ligação sozinho.',
        ),
        h(
          'div',
          { class: 'check' },
          coex,
          h(
            'div',
            {},
            h('label', { for: coexID }, 'Este número continua no aplicativo WhatsApp Business (coexistência)'),
            h('p', { class: 'hint', id: `${coexID}-hint` }, 'Marque se você vai continuar usando o aplicativo WhatsApp Business neste número. Os contatos e o histórico de conversas do aplicativo são copiados; o limite de envio fica em 20 mensagens por segundo.'),
          ),
        ),
        h('div', { class: 'form-actions wa-actions' }, btn, canDisconnect(conn.state, conn.webhooks_subscribed) && disconnectButton()),
      );
      loadSDK(conn.signup.sdk_url).catch(() => {}); // ready before the click: the popup opens at once
    }
    if (!conn.signup && canDisconnect(conn.state, conn.webhooks_subscribed)) card.append(h('div', { class: 'form-actions wa-actions' }, disconnectButton()));
    if (view.result) card.append(h('p', { class: `wa-result ${view.resultTone || 'muted'}`, 'data-testid': 'whatsapp-signup-result', role: 'status' }, view.result));
    if (view.outcome) {
      card.append(
        h('p', { class: `wa-outcome wa-outcome-${view.outcome}`, 'data-testid': 'whatsapp-outcome', 'data-outcome': view.outcome, role: view.outcome === 'running' ? 'status' : 'alert' }, view.outcomeText),
      );
    }
    if (!view.outcome && last?.outcome === 'failed') card.append(h('p', { class: 'wa-outcome wa-outcome-failed' }, outcomeText('failed', last)));
    // A failed attempt resumes where it stopped: the action right under what happened.
    if (last && (view.outcome || last.outcome) === 'failed' && conn.signup && !busy) {
      const retry = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'whatsapp-retry' }, 'Tentar de novo');
      retry.addEventListener('click', () => connect(last.attempt_id, '', { data: { waba_id: last.waba_id, phone_number_id: last.phone_number_id } }, !!last.coexistence));
      card.append(h('div', { class: 'form-actions wa-actions' }, retry));
    }
    if (last && (view.attempt || Object.keys(last.steps || {}).length)) card.append(stepsBlock(last, !!view.attempt));
    return card;
  };

  const disconnectButton = () => {
    const b = h('button', { type: 'button', class: 'btn btn-danger', 'data-testid': 'whatsapp-disconnect' }, 'Desconectar');
    b.addEventListener('click', () =>
      openDisconnectDialog(conn, (next, note) => {
        view.attempt = null;
        view.outcome = null;
        view.result = note;
        view.resultTone = next ? 'ok' : 'error';
        if (next) {
          conn = next;
          draw();
        } else load().catch(() => draw());
      }),
    );
    return b;
  };

  const setFlow = (patch) => {
    Object.assign(view, patch);
    refill(flow, connectCard());
  };

  // Embedded Signup: FB.login with the configuration; each WA_EMBEDDED_SIGNUP event is
  // recorded on the attempt; the callback's code finishes on the server.
  const startSignup = async (btn, coexBox) => {
    if (busy) return;
    const signup = conn.signup;
    const coexistence = coexBox.checked;
    const attemptID = newAttemptID();
    let FB;
    try {
      FB = await loadSDK(signup.sdk_url);
    } catch {
      setFlow({ result: 'Não foi possível carregar o cadastro da Meta. Verifique a internet e tente de novo.', resultTone: 'error' });
      return;
    }
    if (!ctx.alive()) return;
    if (initedFor !== signup.app_id) {
      FB.init({ appId: signup.app_id, autoLogAppEvents: true, xfbml: true, version: signup.graph_api_version });
      initedFor = signup.app_id;
    }
    busy = true;
    btn.disabled = true;
    btn.textContent = 'Aguardando a janela da Meta…';
    view.result = '';
    let finish = null;
    let last = null;
    let posted = Promise.resolve();
    const record = (msg) => {
      const body = signupEventBody(attemptID, msg, coexistence);
      posted = posted.then(() => api('/v1/staff/whatsapp/signup-events', { method: 'POST', body }).catch(() => null));
    };
    const onMessage = (e) => {
      const msg = signupMessage(e, signup.message_origins);
      if (!msg) return;
      last = msg;
      if (isFinish(msg)) finish = msg;
      record(msg);
    };
    const stop = () => window.removeEventListener('message', onMessage);
    window.addEventListener('message', onMessage);
    ctx.onLeave(stop);
    // The Facebook SDK refuses an async callback ("Expression is of type asyncfunction,
    // not function"): a plain function hands the answer to the async handler.
    const onLogin = async (res) => {
      const code = res?.authResponse?.code;
      if (!code) {
        stop();
        if (!last) record({ event: 'LOGIN_CANCELLED', data: {} });
        await posted;
        busy = false;
        if (!ctx.alive()) return;
        const d = last?.data || {};
        let result = 'A janela da Meta foi fechada sem concluir. Se ela nem abriu, permita janelas pop-up para este site e tente de novo.';
        if (last?.event === 'CANCEL' && d.error_id) result = `A Meta informou um erro${d.error_message ? `: ${d.error_message}` : ''} (código ${d.error_id}). Nada mudou; tente de novo mais tarde.`;
        else if (last?.event === 'CANCEL') result = 'Conexão cancelada na janela da Meta. Nada mudou; tente de novo quando quiser.';
        view.result = result;
        view.resultTone = last?.event === 'CANCEL' && d.error_id ? 'error' : 'muted';
        view.attempt = null;
        view.outcome = null;
        await load().catch(() => draw());
        return;
      }
      // Meta posts the finish event before the callback; give a late one a moment.
      for (let i = 0; i < 20 && !finish; i++) await new Promise((r) => setTimeout(r, 100));
      stop();
      await posted;
      busy = false;
      if (ctx.alive()) await connect(attemptID, code, finish, coexistence);
    };
    FB.login((res) => {
      void onLogin(res);
    }, loginOptions(signup, coexistence));
  };

  // POST /connect: 200 complete, 502 failed at a step (retry resumes), 409 stopped or running.
  const connect = async (attemptID, code, finish, coexistence) => {
    if (busy) return;
    busy = true;
    setFlow({
      result: '',
      outcome: 'running',
      outcomeText: 'Conectando o número… (leva alguns segundos)',
      attempt: { ...(view.attempt?.attempt_id === attemptID ? view.attempt : {}), attempt_id: attemptID, coexistence, steps: view.attempt?.attempt_id === attemptID ? view.attempt.steps : {} },
    });
    let status = 200;
    let resp;
    try {
      resp = await api('/v1/staff/whatsapp/connect', { method: 'POST', body: connectBody(attemptID, code, finish, coexistence) });
    } catch (e) {
      status = e.status;
      resp = e.data && e.data.attempt_id ? e.data : null;
      if (!resp) {
        busy = false;
        if (!ctx.alive()) return;
        setFlow({ outcome: 'failed', outcomeText: `Não foi possível concluir a conexão: ${e.message}`, attempt: { ...view.attempt, outcome: 'failed' } });
        return;
      }
    }
    busy = false;
    if (!ctx.alive()) return;
    const outcome = connectOutcome(status, resp);
    Object.assign(view, { attempt: { ...resp, outcome }, outcome, outcomeText: outcomeText(outcome, resp) });
    await load().catch(() => draw());
  };

  try {
    await load();
  } catch (e) {
    if (ctx.alive()) fill(info, errorBox(e.message));
    return;
  }
  // The state follows Meta's webhooks (history sync, a disconnection from the app).
  ctx.poll(async () => {
    if (!busy) await load();
  }, 15000);
}

function stateCard(c) {
  return h(
    'section',
    { class: `card wa-state tone-${stateTone[c.state] || 'muted'}`, 'data-testid': 'whatsapp-state', 'data-state': c.state, 'aria-labelledby': 'wa-state-label' },
    h('p', { class: 'wa-state-label', id: 'wa-state-label' }, h('span', { class: 'wa-dot', 'aria-hidden': 'true' }), c.state_label || c.state),
    c.detail && h('p', { class: 'wa-detail' }, c.detail),
    c.disconnection && h('p', { class: 'muted' }, disconnectionText(c.disconnection, c.detail)),
  );
}

function detailsCard(c) {
  if (!c.phone_number_id && !c.display_phone_number) return null;
  const row = (k, v) => v && [h('dt', {}, k), h('dd', {}, v)];
  const token = c.token || {};
  return h(
    'section',
    { class: 'card', 'data-testid': 'whatsapp-details', 'aria-labelledby': 'wa-details-title' },
    h('h2', { id: 'wa-details-title' }, canDisconnect(c.state) ? 'Número conectado' : 'Número'),
    h(
      'dl',
      { class: 'wa-dl' },
      row('Número', c.display_phone_number || c.phone_number_id),
      row('Tipo', c.kind_label),
      row('Limite de envio', capText(c.throughput_cap)),
      limitRow(c.messaging_limit),
      row('Avisos da Meta (webhooks)', c.webhooks_subscribed ? 'Ativos: entregas, leituras e respostas chegam ao Lembra' : 'Inativos: o Lembra não recebe entregas nem respostas'),
      row('Acesso ao WhatsApp', [token.label || (token.valid ? 'Válido' : 'Não verificado'), token.checked_at_local ? ` · verificado em ${token.checked_at_local}` : ''].join('')),
      row('Conta do WhatsApp (WABA)', c.waba_id),
    ),
  );
}

// The portfolio's messaging limit and its use (limitView).
function limitRow(ml) {
  const v = limitView(ml);
  if (!v.text) return null;
  return [
    h('dt', {}, 'Clientes em 24 h'),
    h(
      'dd',
      { 'data-testid': 'whatsapp-limit', 'data-limit-level': v.level, 'data-limit-share': v.share === null ? '' : v.share },
      v.text,
      v.note && h('span', { class: 'muted', role: 'note' }, ` · ${v.note}`),
    ),
  ];
}

function syncCard(c) {
  if (!c.sync) return null;
  const p = historyProgress(c.sync);
  return h(
    'section',
    { class: 'card', 'data-testid': 'whatsapp-sync', 'data-history-progress': p, 'aria-labelledby': 'wa-sync-title' },
    h('h2', { id: 'wa-sync-title' }, 'Cópia do aplicativo WhatsApp Business'),
    c.sync.contacts && h('p', { 'data-sync': 'contacts', 'data-sync-state': c.sync.contacts.state }, c.sync.contacts.label),
    c.sync.history &&
      h(
        'div',
        { class: 'field', 'data-sync': 'history', 'data-sync-state': c.sync.history.state },
        h('label', { for: 'wa-history' }, c.sync.history.label || `Histórico: ${p}%`),
        h('progress', { id: 'wa-history', max: 100, value: p }, `${p}%`),
      ),
  );
}

function stepsBlock(a, current) {
  const title = current ? 'Etapas desta conexão' : `${a.outcome === 'complete' ? 'Etapas da última conexão' : 'Última tentativa'}${a.created_at_local ? ` (${a.created_at_local})` : ''}`;
  // A past connection that went well: folded (for support), not in the way.
  const folded = !current && a.outcome === 'complete';
  return h(
    folded ? 'details' : 'div',
    { class: 'wa-steps-block' },
    folded ? h('summary', {}, title) : h('h3', {}, title),
    h(
      'ol',
      { class: 'wa-steps', 'data-testid': 'whatsapp-steps' },
      stepList(a).map((s) =>
        h(
          'li',
          { 'data-step': s.name, 'data-status': s.status, class: `wa-step wa-step-${s.status}` },
          h('span', { class: 'wa-step-mark', 'aria-hidden': 'true' }, { done: '✓', failed: '✕', skipped: '–', pending: '○' }[s.status]),
          h('span', { class: 'wa-step-label' }, s.label),
          h('span', { class: 'wa-step-status' }, stepStatusLabels[s.status]),
          s.error && h('span', { class: s.status === 'skipped' ? 'wa-step-note' : 'wa-step-error' }, s.error),
        ),
      ),
    ),
  );
}

function proposalsCard(ctx, c, owner) {
  const ps = c.template_proposals || [];
  if (!ps.length) return null;
  const result = h('div', { 'aria-live': 'polite' });
  const card = h(
    'section',
    { class: 'card', 'data-testid': 'whatsapp-proposals', 'aria-labelledby': 'wa-prop-title' },
    h('h2', { id: 'wa-prop-title' }, 'Modelos de mensagem encontrados'),
    h('p', { class: 'muted' }, owner ? 'Modelos aprovados pela Meta nesta conta que servem para o aviso e o lembrete. Confira e aplique para o Lembra usá-los.' : 'Modelos aprovados pela Meta nesta conta que servem para o aviso e o lembrete. O responsável pelo estúdio decide se o Lembra passa a usá-los.'),
    h(
      'ul',
      { class: 'wa-proposals', role: 'list' },
      ps.map((p) => h('li', { 'data-job-type': p.job_type }, h('span', { class: 'tl-label' }, jobTypeLabels[p.job_type] || p.job_type), ': ', h('code', {}, p.name), ` (${p.language})`)),
    ),
  );
  if (owner) {
    const apply = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'proposals-apply' }, 'Usar estes modelos');
    apply.addEventListener('click', async () => {
      apply.disabled = true;
      fill(result, h('p', { class: 'muted', role: 'status' }, 'Aplicando…'));
      try {
        await api('/v1/staff/settings', { method: 'PATCH', body: proposalsPatch(ps) });
        if (ctx.alive()) fill(result, h('p', { class: 'ok', role: 'status', 'data-testid': 'proposals-result' }, 'Modelos aplicados. Veja em Configurações › Modelos de mensagem.'));
      } catch (e) {
        apply.disabled = false;
        if (ctx.alive()) fill(result, errorBox(e.status === 400 && e.serverMessage ? e.serverMessage : e.message));
      }
    });
    card.append(h('div', { class: 'form-actions' }, apply, result));
  }
  return card;
}

function attemptsCard(c) {
  const as = c.attempts || [];
  if (!as.length) return null;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'wa-att-title' },
    h('h2', { id: 'wa-att-title' }, 'Tentativas de conexão'),
    h(
      'ol',
      { class: 'wa-attempts', 'data-testid': 'whatsapp-attempts', role: 'list' },
      as.map((a) =>
        h(
          'li',
          { 'data-attempt': a.attempt_id, 'data-ended': a.ended || a.outcome, 'data-id': a.attempt_id },
          h('span', { class: 'tl-when' }, a.created_at_local || ''),
          h('span', { class: 'tl-label' }, endedText(a)),
          h('span', { class: 'muted' }, [a.coexistence ? 'coexistência' : 'API de nuvem', a.display_phone_number].filter(Boolean).join(' · ')),
          a.reason && !endedText(a).includes(a.reason) && h('span', { class: 'wa-step-error' }, a.reason),
          (a.events || []).length > 0 &&
            h(
              'details',
              { class: 'wa-events' },
              h('summary', {}, `Eventos da Meta (${a.events.length})`),
              h(
                'ul',
                {},
                a.events.map((e) =>
                  h('li', {}, `${e.at_local || ''} · ${e.event}${e.current_step ? ` · etapa ${e.current_step}` : ''}${e.error_id ? ` · erro ${e.error_id}` : ''}${e.error_message ? `: ${e.error_message}` : ''}${e.session_id ? ` · sessão ${e.session_id}` : ''}`),
                ),
              ),
            ),
        ),
      ),
    ),
  );
}

/** The owner's disconnection: a dialog with a required reason; done(connection|null, note). */
function openDisconnectDialog(conn, done) {
  openReasonDialog({
    key: 'disconnect',
    title: 'Desconectar o WhatsApp',
    subtitle: conn.display_phone_number,
    explain:
      'Nenhuma mensagem automática sai mais por este número e o Lembra deixa de receber os avisos da Meta. Os agendamentos, as mensagens e o histórico ficam guardados. Para voltar, use "Reconectar".',
    hint: 'Por exemplo: vamos trocar de número. Fica no histórico das configurações.',
    confirmLabel: 'Desconectar',
    busyLabel: 'Desconectando…',
    focusFallback: '[data-testid=whatsapp-connect]',
    submit: async (why) => {
      try {
        const next = await api('/v1/staff/whatsapp/disconnect', { method: 'POST', body: { reason: why } });
        // The server's note says what Meta's side could not do (e.g. a token Meta refuses).
        return { next, note: next?.note || 'WhatsApp desconectado. Nenhuma mensagem sai por este número até você reconectar.' };
      } catch (err) {
        // Disconnected here, Meta's unsubscribe not confirmed: a second press retries it.
        if (err.status !== 502) throw err;
        return { next: null, note: 'O número foi desconectado no Lembra, mas a Meta não confirmou que parou de enviar os avisos. Toque em "Desconectar" de novo em alguns minutos para terminar.' };
      }
    },
    done: ({ next, note }) => done(next, note),
  });
}
