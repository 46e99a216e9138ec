// Pure helpers of the owner's operations screens (actions on a job, the queue drain):
// which buttons a job's card offers, their Portuguese words, the drain's request body.
// The API decides (dispatch.DecideAction): the job view offers the actions its answer
// lists as allowed now, and a refusal meanwhile is its 409 with the Portuguese reason.
import { intBR } from './format.js';

/** The actions in the order the job view shows them. */
export const jobActions = ['fail', 'discard', 'retry', 'send_now'];

/** Each action's button, dialog title, explanation, confirm button and result. */
export const actionTexts = {
  fail: {
    button: 'Marcar como falha',
    title: 'Marcar esta mensagem como falha',
    explain: 'A mensagem sai da fila e não será enviada. Use para uma mensagem travada ou antiga.',
    confirm: 'Marcar como falha',
    done: 'Mensagem marcada como falha.',
  },
  discard: {
    button: 'Descartar',
    title: 'Descartar esta mensagem',
    explain: 'A mensagem não será enviada e fica registrada como não enviada, com o seu motivo.',
    confirm: 'Descartar',
    done: 'Mensagem descartada.',
  },
  retry: {
    button: 'Tentar de novo',
    title: 'Tentar enviar de novo',
    explain: 'Uma nova tentativa desta mesma mensagem, agora. Use depois de corrigir a causa da falha (por exemplo, reconectar a conta do WhatsApp).',
    confirm: 'Tentar de novo',
    done: 'Nova tentativa pedida: a mensagem voltou para a fila de envio.',
  },
  send_now: {
    button: 'Enviar agora',
    title: 'Enviar o lembrete agora',
    explain: 'O lembrete sai agora, em vez de esperar o horário agendado.',
    confirm: 'Enviar agora',
    done: 'Envio imediato pedido: o lembrete está na fila de envio.',
  },
};

/**
 * The actions the job view offers: those the API says the job allows now (the job
 * view's `actions`, decided by the same rule that decides the action itself), in the
 * API's order; unknown names are left out.
 */
export function offeredActions(data) {
  const actions = data && Array.isArray(data.actions) ? data.actions : [];
  return jobActions.filter((a) => actions.includes(a));
}

export const minReason = 3;
export const maxReason = 500;

/** The owner's reason trimmed, or the Portuguese problem with it (as the API checks it). */
export function checkReason(raw) {
  const s = String(raw || '').trim();
  const n = [...s].length;
  if (n === 0) return { reason: '', problem: 'Escreva o motivo: ele fica registrado na linha do tempo.' };
  if (n < minReason) return { reason: '', problem: `O motivo precisa ter pelo menos ${minReason} letras.` };
  if (n > maxReason) return { reason: '', problem: `O motivo pode ter no máximo ${maxReason} letras.` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(s)) return { reason: '', problem: 'Escreva o motivo em uma linha só.' };
  return { reason: s, problem: '' };
}

/** The job types a drain may select, in Portuguese. */
export const drainTypeLabels = {
  appointment_created: 'Aviso de agendamento',
  appointment_reminder: 'Lembrete',
  appointment_canceled: 'Aviso de cancelamento',
  button_reply: 'Resposta a botão',
};

/**
 * The drain's selection from the form's values: {types: [..], days: '7', phone: '+55…'}
 * → {selector, problem}. Empty parts are left out (every type, any age, any client).
 */
export function drainSelector({ types = [], days = '', phone = '' } = {}, normalizePhone = (p) => p) {
  const sel = {};
  const ts = types.filter((t) => drainTypeLabels[t]);
  if (ts.length) sel.types = ts;
  const d = String(days).trim();
  if (d !== '') {
    if (!/^\d{1,4}$/.test(d) || Number(d) > 3650) return { selector: null, problem: 'Número de dias inválido: use de 0 a 3650.' };
    sel.older_than_days = Number(d);
  }
  const p = String(phone).trim();
  if (p !== '') {
    const e164 = normalizePhone(p);
    if (!e164) return { selector: null, problem: 'Telefone do cliente inválido: use DDD e número, por exemplo (11) 98765-4321.' };
    sel.client_phone = e164;
  }
  return { selector: sel, problem: '' };
}

/** A sentence for what the drain selects: "Lembrete, há mais de 7 dias, do cliente +55…". */
export function drainSummary(sel) {
  const parts = [];
  parts.push(sel.types && sel.types.length ? sel.types.map((t) => drainTypeLabels[t]).join(', ') : 'Todos os tipos');
  if (sel.older_than_days !== undefined) {
    parts.push(sel.older_than_days === 0 ? 'com horário já passado' : `com horário há mais de ${sel.older_than_days} ${sel.older_than_days === 1 ? 'dia' : 'dias'}`);
  }
  if (sel.client_phone) parts.push(`do cliente ${sel.client_phone}`);
  return parts.join(', ');
}

/** "1 mensagem" / "5.000 mensagens" (more than: "mais de 10.000 mensagens"). */
export function countText(n, capped = false, one = 'mensagem', many = 'mensagens') {
  return `${capped ? 'mais de ' : ''}${intBR(n)} ${n === 1 && !capped ? one : many}`;
}

/** The drain's result in Portuguese. */
export function drainResultText(r, action) {
  const verb = action === 'fail' ? 'marcadas como falha' : 'descartadas';
  const out = [`${countText(r.marked || 0)} ${r.marked === 1 ? verb.replace(/s( |$)/g, '$1') : verb}.`];
  if (r.already) out.push(`${countText(r.already)} já ${r.already === 1 ? 'tinha' : 'tinham'} sido ${r.already === 1 ? verb.replace(/s( |$)/g, '$1') : verb} por esta limpeza.`);
  if (r.refused) out.push(`${countText(r.refused)} ${r.refused === 1 ? 'mudou' : 'mudaram'} enquanto isso e ${r.refused === 1 ? 'ficou' : 'ficaram'} como ${r.refused === 1 ? 'estava' : 'estavam'}.`);
  if (r.more) out.push('Ainda há mensagens: confirme de novo para continuar.');
  return out.join(' ');
}

/** A new id for one drain (8 to 64 letters, digits, '-' or '_'). */
export function newDrainID(rand = () => globalThis.crypto.randomUUID()) {
  return `drain-${rand()}`.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 64);
}
