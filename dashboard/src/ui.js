// Pieces several screens draw: a message's state with its ticks, the client's answer,
// the manual WhatsApp link, status lines and error boxes.
import { h } from './dom.js';
import { compactLocal, stateLabels, ticks, waID } from './format.js';

/**
 * One of an appointment's messages: "Aviso ✓✓ entregue hoje 14:03". today (dd/mm/aaaa)
 * shortens times of that day and year; kind may be empty (the line names it already).
 */
export function messageState(kind, ms, testid, today = '') {
  if (!ms) return null;
  const t = ticks(ms.state);
  const label = ms.label || stateLabels[ms.state] || ms.state;
  return h(
    'span',
    { class: `ms tone-${t.tone}`, 'data-testid': testid, 'data-state': ms.state },
    kind && h('span', { class: 'ms-kind' }, kind),
    t.mark && h('span', { class: 'ms-ticks', 'aria-hidden': 'true' }, t.mark),
    h('span', { class: 'ms-label' }, label),
    ms.at_local && h('span', { class: 'ms-when' }, compactLocal(ms.at_local, today)),
    ms.reason && h('span', { class: 'ms-reason' }, ms.reason),
  );
}

export const answerLabels = { confirmed: 'confirmou', reschedule_requested: 'quer reagendar', talk_requested: 'quer falar com o estúdio' };

/** The client's answer by button, when there is one. */
export function clientAnswer(a) {
  if (!a.client_answer) return null;
  return h(
    'p',
    { class: `answer answer-${a.client_answer}` },
    h('span', { class: 'answer-kind' }, 'Cliente: '),
    h('strong', { 'data-testid': 'client-answer', 'data-answer': a.client_answer }, a.client_answer_label || answerLabels[a.client_answer] || a.client_answer),
  );
}

/** "Enviar pelo WhatsApp": the wa.me link with the prefilled text the api built. */
export function whatsappLink(a) {
  const href = a.whatsapp_url || (waID(a.client_phone) ? `https://wa.me/${waID(a.client_phone)}` : '');
  if (!href) return null;
  return h('a', { class: 'btn btn-whatsapp', 'data-testid': 'whatsapp-link', href, target: '_blank', rel: 'noopener noreferrer' }, 'Enviar pelo WhatsApp');
}

/** Whether the appointment may still be canceled. */
export function canCancel(a) {
  return a.can_cancel === undefined ? a.status !== 'canceled' : !!a.can_cancel;
}

export function statusBadge(a) {
  return h('span', { class: `badge badge-${a.status}`, 'data-testid': 'appointment-status' }, a.status_label || a.status);
}

export function errorBox(text) {
  return h('p', { class: 'error', role: 'alert' }, text);
}

/** A line that says the screen could not be refreshed, or nothing. */
export function pollStatus() {
  const el = h('p', { class: 'poll-status', role: 'status', 'aria-live': 'polite' });
  return {
    el,
    ok() {
      el.textContent = '';
    },
    failed(e) {
      el.textContent = `Não foi possível atualizar: ${e.message}`;
    },
  };
}

export function loading(text = 'Carregando…') {
  return h('p', { class: 'loading', role: 'status' }, text);
}
