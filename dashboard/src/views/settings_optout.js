// The settings form's card for a client's opt-out and the cancellation notice's window
// (views/settings.js places it; the rules are ../optout.js).
import { h } from '../dom.js';
import { keywordsText, optOutChanges } from '../optout.js';

/** Builds the card from s (GET /v1/staff/settings): { section, changes } (a patch). */
export function optOutCard(s) {
  const o = s.opt_out || {};
  const words = h('textarea', { id: 'oo-words', rows: 4, spellcheck: 'false', 'aria-describedby': 'oo-words-hint', 'data-testid': 'optout-keywords' }, keywordsText(o.opt_out_keywords));
  const strict = h('input', { type: 'checkbox', id: 'oo-strict', checked: !!o.strict_cancel_window, 'aria-describedby': 'oo-strict-hint', 'data-testid': 'strict-window' });
  // Folded by default (rarely changed): its summary says what is in force.
  const summary = `${(o.opt_out_keywords || []).join(', ')}${o.strict_cancel_window ? ' · aviso de cancelamento: regra estrita' : ''}`;
  const section = h(
    'details',
    { class: 'card', 'data-testid': 'settings-optout', open: !!o.strict_cancel_window || !o.opt_out_keywords_default },
    h('summary', {}, h('h2', { id: 'set-optout-title', class: 'summary-title' }, 'Descadastro e janela de conversa'), h('span', { class: 'hint' }, summary)),
    h('div', { class: 'field' },
      h('label', { for: 'oo-words' }, 'Palavras para parar as mensagens automáticas'),
      h('span', { class: 'hint', id: 'oo-words-hint' },
        `Uma por linha. A cliente que responder só com uma delas (maiúsculas, acentos e pontuação não importam) deixa de receber avisos e lembretes automáticos e recebe uma confirmação. Para voltar, ela responde ${o.resume_keyword || 'VOLTAR'}. Vazio: PARAR, SAIR, CANCELAR MENSAGENS e STOP.`),
      words),
    h('div', { class: 'check' },
      strict,
      h('div', {}, h('label', { for: 'oo-strict' }, 'Aviso de cancelamento só com resposta sobre o próprio agendamento'),
        h('p', { class: 'hint', id: 'oo-strict-hint' }, 'Desmarcado (recomendado): qualquer mensagem da cliente nas últimas 24 horas abre a janela do WhatsApp, como a Meta conta. Marcado: só um toque ou resposta sobre o agendamento cancelado abre.'))),
  );
  return { section, changes: () => optOutChanges(s, { keywords: words.value, strict: strict.checked }) };
}
