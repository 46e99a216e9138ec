// Pure helpers of the WhatsApp connection screen (#/whatsapp): Embedded Signup's
// FB.login options, the WA_EMBEDDED_SIGNUP message filter, the bodies posted to the
// api, and the Portuguese words for the onboarding steps and how attempts ended.
// Meta's shapes: https://developers.facebook.com/documentation/business-messaging/whatsapp/embedded-signup/implementation/
// (coexistence: https://developers.facebook.com/docs/whatsapp/embedded-signup/onboarding-business-app-users).
import { intBR } from './format.js';

/** The events Meta's popup posts (and LOGIN_CANCELLED: FB.login's callback came without a code). */
export const signupEvents = ['FINISH', 'FINISH_ONLY_WABA', 'FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING', 'CANCEL'];

/** The steps the server runs, in order (shared/onboarding.Steps), and their Portuguese names. */
export const stepOrder = ['exchange_code', 'store_token', 'find_assets', 'index', 'subscribe_app', 'register', 'sync_contacts', 'sync_history', 'templates', 'activate'];
export const stepLabels = {
  exchange_code: 'Receber a autorização da Meta',
  store_token: 'Guardar o acesso com segurança',
  find_assets: 'Encontrar a conta e o número',
  subscribe_app: 'Receber os avisos da Meta (webhooks)',
  register: 'Registrar o número na API',
  sync_contacts: 'Sincronizar os contatos do aplicativo',
  sync_history: 'Sincronizar o histórico de conversas',
  templates: 'Ler os modelos de mensagem',
  index: 'Ligar o número ao estúdio',
  activate: 'Liberar o envio das mensagens',
};
export const stepStatusLabels = { done: 'concluída', failed: 'falhou', skipped: 'não se aplica', pending: 'pendente' };

/** The options of FB.login for Embedded Signup v4 (coexistence: the Business App variant). */
export function loginOptions(signup, coexistence) {
  const extras = { setup: {} };
  if (coexistence) {
    extras.featureType = 'whatsapp_business_app_onboarding';
    extras.sessionInfoVersion = '3';
  }
  return { config_id: signup.config_id, response_type: 'code', override_default_response_type: true, extras };
}

/**
 * The WA_EMBEDDED_SIGNUP message of a window `message` event, or null: the origin must be
 * one of origins exactly, the data a JSON string (or an object) of type WA_EMBEDDED_SIGNUP
 * with a known event.
 */
export function signupMessage(e, origins) {
  if (!e || !Array.isArray(origins) || !origins.includes(e.origin)) return null;
  let d = e.data;
  if (typeof d === 'string') {
    try {
      d = JSON.parse(d);
    } catch {
      return null;
    }
  }
  if (!d || typeof d !== 'object' || d.type !== 'WA_EMBEDDED_SIGNUP' || !signupEvents.includes(d.event)) return null;
  const data = d.data && typeof d.data === 'object' && !Array.isArray(d.data) ? d.data : {};
  return { event: d.event, data, version: d.version };
}

const clip = (v, n) => (v === undefined || v === null || v === '' ? undefined : String(v).slice(0, n));

/** The body of POST /v1/staff/whatsapp/signup-events for a message (or {event: 'LOGIN_CANCELLED'}). */
export function signupEventBody(attemptID, msg, coexistence) {
  const d = msg.data || {};
  const body = { attempt_id: attemptID, event: msg.event, coexistence: !!coexistence };
  const fields = { current_step: 100, error_message: 500, error_id: 64, session_id: 128, waba_id: 32, phone_number_id: 32 };
  for (const [k, n] of Object.entries(fields)) {
    const v = clip(d[k], n);
    if (v !== undefined) body[k] = v;
  }
  return body;
}

/** Whether a message ends the signup with the account chosen. */
export function isFinish(msg) {
  return !!msg && msg.event.startsWith('FINISH');
}

/** The body of POST /v1/staff/whatsapp/connect: the code and the finish event's ids (a retry: no code). */
export function connectBody(attemptID, code, finish, coexistence) {
  const d = finish?.data || {};
  const body = { attempt_id: attemptID, coexistence: !!coexistence };
  if (code) body.code = code;
  if (d.waba_id) body.waba_id = String(d.waba_id);
  if (d.phone_number_id) body.phone_number_id = String(d.phone_number_id);
  return body;
}

/** A new attempt id (8–64 letters, digits, - or _), from random bytes. */
export function newAttemptID(bytes) {
  const b = bytes || crypto.getRandomValues(new Uint8Array(12));
  return 'es_' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * An attempt's steps in order, each {name, label, status, error}: a step not recorded is
 * pending; a coexistence number never registers, a Cloud API number never syncs (shown
 * as "não se aplica" even before the server records them); a recorded step this list
 * does not know comes last, by its name.
 */
export function stepList(attempt) {
  const steps = attempt?.steps || {};
  const names = [...stepOrder, ...Object.keys(steps).filter((n) => !stepOrder.includes(n)).sort()];
  return names.map((name) => {
    const rec = steps[name];
    let status = rec?.status || 'pending';
    if (!rec && attempt && (name === 'register' ? attempt.coexistence : name.startsWith('sync_') && !attempt.coexistence)) status = 'skipped';
    if (!['done', 'failed', 'skipped', 'pending'].includes(status)) status = 'pending';
    return { name, label: stepLabels[name] || name, status, error: rec?.error || '' };
  });
}

/** The outcome of a connect call: the response's outcome, or failed/stopped by the status. */
export function connectOutcome(status, resp) {
  const o = resp?.outcome;
  if (['complete', 'failed', 'stopped', 'running'].includes(o)) return o;
  if (status === 502) return 'failed';
  if (status === 409) return 'stopped';
  return status >= 200 && status < 300 ? 'complete' : 'failed';
}

/** The Portuguese sentence for a connect call's outcome. */
export function outcomeText(outcome, resp) {
  switch (outcome) {
    case 'complete':
      return `WhatsApp conectado${resp?.display_phone_number ? `: ${resp.display_phone_number}` : ''}. As mensagens do estúdio já saem por este número.`;
    case 'failed': {
      // The step's own error is shown beside it in the list of steps.
      const step = resp?.next || stepList(resp).find((s) => s.status === 'failed')?.name;
      return `A conexão parou na etapa "${stepLabels[step] || step || 'desconhecida'}". Nada se perdeu: toque em "Tentar de novo" para continuar de onde parou.`;
    }
    case 'stopped':
      return `A conexão não pode continuar: ${resp?.reason || 'motivo não informado'}. Conecte o WhatsApp de novo.`;
    case 'running':
      return 'Esta conexão já está em andamento em outra janela. Aguarde um pouco e recarregue a página.';
    default:
      return '';
  }
}

/** Where an attempt ended, in Portuguese: the api's ended_label, else from ended. */
export const endedLabels = {
  running: 'Em andamento',
  complete: 'Concluído',
  failed: 'Parou com erro (pode tentar de novo)',
  stopped: 'Interrompido',
  finish: 'Conta escolhida na Meta',
  cancel: 'Cancelado na janela da Meta',
  error: 'Erro informado pela Meta',
  login_cancelled: 'Janela da Meta fechada sem concluir',
};
export function endedText(a) {
  return a.ended_label || endedLabels[a.ended] || a.ended || '';
}

/** The PATCH /v1/staff/settings body applying template proposals ({} when there are none). */
export function proposalsPatch(proposals) {
  const templates = {};
  for (const p of proposals || []) {
    if (p && p.job_type && p.name) templates[p.job_type] = { name: String(p.name), language: String(p.language || 'pt_BR') };
  }
  return Object.keys(templates).length ? { templates } : {};
}

/** "até 80 mensagens por segundo", or ''. */
export function capText(cap) {
  return cap ? `até ${cap} mensagens por segundo` : '';
}

/**
 * Whether the owner may disconnect: there is a connection to end, or a disconnection whose
 * unsubscription from the WABA did not go through (webhooks still subscribed: again retries it).
 */
export function canDisconnect(state, webhooksSubscribed = false) {
  return ['connected', 'syncing_history', 'restricted', 'token_invalid'].includes(state) || (state === 'disconnected' && !!webhooksSubscribed);
}

/** The connect button's text: "Conectar WhatsApp" until a number was connected (or while the first connection is unfinished). */
export function connectLabel(state) {
  return !state || state === 'not_connected' || state === 'connecting' ? 'Conectar WhatsApp' : 'Reconectar';
}

/** The history sync's progress, 0..100 (an integer). */
export function historyProgress(sync) {
  const h = sync?.history;
  if (!h) return 0;
  if (h.state === 'done') return 100;
  const p = Math.round(Number(h.progress) || 0);
  return Math.min(100, Math.max(0, p));
}

/** "Desconectado em … por …: motivo." (who and the reason left out when the state's detail already says them). */
export function disconnectionText(d, detail) {
  const reason = String(d?.reason || '').trim().replace(/\.+$/, '');
  const says = reason && !String(detail || '').includes(reason);
  // by is the owner's e-mail, or already a phrase ("pelo aplicativo WhatsApp Business", "pela Meta").
  const phrase = /^pel[oa]s? /.test(String(d?.by || ''));
  const by = d?.by && !String(detail || '').includes(d.by) ? (phrase ? ` ${d.by}` : ` por ${d.by}`) : '';
  return `Desconectado em ${d?.at_local || ''}${by}${says ? `: ${reason}` : ''}.`;
}

/**
 * The business portfolio's messaging limit (GET /v1/staff/whatsapp's messaging_limit): the
 * usage line ("Limite da Meta: 180 de 250 clientes nas últimas 24 h"; unlimited and not yet
 * reported said as such), the share used (0..100, null when not counted), and the level:
 * 'full' (booking notices to new clients wait too), 'near' (reminders to new clients wait),
 * 'ok', or '' (not counted). Answers inside the 24-hour window never wait.
 */
export function limitView(ml) {
  if (!ml || typeof ml !== 'object') return { text: '', share: null, level: '', note: '' };
  const limit = Number(ml.limit) || 0;
  let text = ml.label || '';
  if (!text) {
    if (ml.unlimited || limit < 0) text = 'Limite da Meta: sem limite de clientes nas últimas 24 h';
    else if (!limit) text = 'Limite da Meta: ainda não informado pela Meta';
    else text = `Limite da Meta: ${intBR(ml.used)} de ${intBR(limit)} clientes nas últimas 24 h`;
  }
  if (!ml.counted || limit <= 0) return { text, share: null, level: '', note: '' };
  const used = Math.max(0, Number(ml.used) || 0);
  const share = Math.min(100, Math.round((used * 100) / limit));
  const threshold = Number(ml.reminder_threshold) || limit;
  if (used >= limit) {
    return { text, share, level: 'full', note: 'Limite atingido: lembretes e avisos a clientes novos aguardam até clientes saírem da janela de 24 h; respostas a quem escreveu continuam.' };
  }
  if (used >= threshold) {
    return { text, share, level: 'near', note: `Perto do limite: lembretes a clientes novos aguardam (a partir de ${intBR(threshold)}); avisos de agendamento e respostas continuam.` };
  }
  return { text, share, level: 'ok', note: '' };
}
