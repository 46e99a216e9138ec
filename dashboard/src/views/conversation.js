// #/conversa/<wa_id>: one client's conversation — automatic messages, the client's own
// messages and what staff sent from the WhatsApp Business App — with the 24-hour window.
import { api } from '../api.js';
import { fill, h, refill } from '../dom.js';
import { displayPhone } from '../format.js';
import { errorBox, loading, pollStatus } from '../ui.js';
import { optOutState } from '../optout.js';
import { eraseResultText, openEraseDialog, openReasonDialog } from './ops.js';

const enc = encodeURIComponent;
const sourceLabels = { client: 'Cliente', automation: 'Automático', manual: 'Enviada pelo WhatsApp Business', history: 'Histórico' };

export async function conversationView(ctx, main, waID) {
  ctx.title('Conversa');
  const body = h('div', {}, loading());
  const status = pollStatus();
  const result = h('p', { class: 'form-result', 'data-testid': 'erase-result', tabindex: '-1', role: 'status' });
  main.append(h('a', { class: 'back', href: '#/mensagens' }, '‹ Mensagens'), status.el, body);
  if (ctx.me?.role === 'owner') {
    const erase = h('button', { type: 'button', class: 'btn btn-danger', 'data-testid': 'erase-client' }, 'Excluir dados do cliente');
    erase.addEventListener('click', () =>
      openEraseDialog(waID, displayPhone(waID), (res) => {
        result.textContent = eraseResultText(res);
        result.focus();
        last = '';
        load().catch(() => {});
      }),
    );
    main.append(h('section', { class: 'card', 'aria-label': 'Privacidade do cliente' }, erase, result));
  }
  let last = '';
  const load = async () => {
    let data;
    try {
      data = await api(`/v1/staff/conversations/${enc(waID)}`, { signal: ctx.signal });
    } catch (e) {
      if (!ctx.alive()) return;
      if (!last) fill(body, h('h1', {}, 'Conversa'), errorBox(e.message));
      else status.failed(e);
      throw e;
    }
    if (!ctx.alive()) return;
    status.ok();
    const json = JSON.stringify(data);
    if (json === last) return;
    last = json;
    const w = data.window || {};
    const msgs = data.messages || [];
    const oo = optOutState(data.opt_out, ctx.me?.role);
    let resume = null;
    if (oo.canResume) {
      resume = h('button', { type: 'button', class: 'btn', 'data-testid': 'optout-resume' }, 'Retomar mensagens automáticas');
      resume.addEventListener('click', () =>
        openReasonDialog({
          key: 'optout-resume',
          title: 'Retomar mensagens automáticas',
          subtitle: displayPhone(data.wa_id || waID),
          explain:
            'O cliente pediu para não receber mensagens automáticas. Retome só se ele pediu para voltar por outro meio: os próximos avisos e lembretes voltam a sair. Fica registrado no histórico das configurações.',
          hint: 'Por exemplo: a cliente pediu por telefone para voltar a receber os lembretes.',
          confirmLabel: 'Retomar',
          busyLabel: 'Retomando…',
          focusFallback: '[data-testid=conv-optout]',
          submit: (why) => api(`/v1/staff/conversations/${enc(waID)}/resume`, { method: 'POST', body: { reason: why } }),
          done: () => {
            last = '';
            load().catch(() => {});
          },
        }),
      );
    }
    ctx.title(`${data.client_name || `+${waID}`} · Conversa`);
    refill(
      body,
      h(
        'section',
        { 'data-testid': 'conversation', 'data-wa-id': data.wa_id || waID, 'aria-labelledby': 'conv-title' },
        h('h1', { id: 'conv-title', class: 'conv-title' }, data.client_name || 'Cliente'),
        h('p', { class: 'sub conv-phone' }, displayPhone(data.wa_id || waID)),
        h(
          'p',
          { class: `window-state ${w.open ? 'is-open' : 'is-closed'}`, 'data-testid': 'conv-window', 'data-open': String(!!w.open) },
          w.label || (w.open ? `Janela de conversa aberta até ${w.until_local}` : 'Janela de conversa fechada'),
        ),
        oo.show &&
          h(
            'div',
            { class: `optout-state ${oo.active ? 'is-active' : 'is-resumed'}`, 'data-testid': 'conv-optout', 'data-active': String(oo.active), tabindex: '-1', role: 'status' },
            h('p', {}, oo.text),
            resume,
          ),
        msgs.length
          ? h(
              'ol',
              { class: 'conv', 'aria-label': 'Mensagens, da mais antiga para a mais recente' },
              msgs.map((m) =>
                h(
                  'li',
                  { class: `bubble dir-${m.direction} src-${m.source}`, 'data-testid': 'conv-message', 'data-source': m.source, 'data-direction': m.direction, 'data-id': m.id },
                  h('span', { class: 'bubble-meta' }, m.source_label || sourceLabels[m.source] || m.source, ' · ', m.at_local),
                  h('span', { class: 'bubble-text' }, m.text || `[${m.type}]`),
                  (m.status_label || m.job_id) &&
                    h(
                      'span',
                      { class: 'bubble-status' },
                      m.status_label,
                      m.job_id && [m.status_label ? ' · ' : '', h('a', { href: `#/mensagem/${enc(m.job_id)}` }, 'detalhes')],
                    ),
                ),
              ),
            )
          : h('p', { class: 'empty' }, 'Nenhuma mensagem com este cliente ainda.'),
      ),
    );
  };
  await load().catch(() => {});
  // A conversation costs up to a few hundred document reads (the ledger and the
  // client's jobs): it refreshes every 20 s, not at the Agenda's 5 s.
  ctx.poll(load, 20000);
}
