// The cancel dialog, the only way to cancel an appointment in the dashboard. Before
// confirming it shows whether the client's 24-hour conversation window is open (GET
// .../window); the checkbox to notify the client starts unchecked; after confirming it
// says what happened to the notice, polling the appointment until the notice is final.
import { api } from '../api.js';
import { fill, h } from '../dom.js';
import { cancelResultText, noticeFinal, noticeOutcome } from '../format.js';

const enc = encodeURIComponent;
export const notifyLabel = 'Avisar cliente por WhatsApp (se a janela de conversa estiver aberta)';

/**
 * Opens the dialog for appointment a (an AgendaAppointment). changed() runs as soon as
 * the cancel succeeded and again when its notice is final, so the screen behind the
 * result (the Agenda row, the details) stops offering Cancelar; done() when it closes.
 */
export function openCancelDialog(a, done, changed = done) {
  const opener = document.activeElement;
  let alive = true;
  let timer = null;

  const windowState = h('p', { class: 'window-state', 'data-testid': 'window-state', role: 'status' }, 'Verificando a janela de conversa…');
  const notify = h('input', { type: 'checkbox', id: 'notify-client', name: 'notify_client' });
  const error = h('p', { class: 'error', role: 'alert' });
  const confirm = h('button', { type: 'submit', class: 'btn btn-danger', 'data-testid': 'confirm-cancel', disabled: true }, 'Cancelar agendamento');
  const back = h('button', { type: 'button', class: 'btn', value: 'back' }, 'Voltar');
  const result = h('div', { class: 'cancel-result-slot' });
  const form = h(
    'form',
    { method: 'dialog', class: 'cancel-form' },
    windowState,
    h('div', { class: 'check' }, notify, h('label', { for: 'notify-client' }, notifyLabel)),
    error,
    h('div', { class: 'dialog-actions' }, back, confirm),
  );
  const dialog = h(
    'dialog',
    { 'data-testid': 'cancel-dialog', class: 'dialog', 'aria-labelledby': 'cancel-title', 'aria-describedby': 'cancel-what' },
    h('h2', { id: 'cancel-title' }, 'Cancelar agendamento'),
    h('p', { id: 'cancel-what' }, h('strong', {}, a.client_name), ` · ${a.service} · ${a.starts_at_local}`),
    form,
    result,
  );

  let busy = false; // while the cancel is being sent, Esc does not close the dialog
  const close = () => dialog.open && dialog.close();
  dialog.addEventListener('cancel', (e) => busy && e.preventDefault());
  back.addEventListener('click', close);
  dialog.addEventListener('close', () => {
    alive = false;
    clearTimeout(timer);
    dialog.remove();
    if (opener && document.contains(opener)) opener.focus();
    else focusAppointment(a.id); // the row was redrawn since: its name link, else the page
    quietly(done);
  });
  document.body.append(dialog);
  dialog.showModal();
  back.focus();

  // The window's state, before confirming.
  api(`/v1/staff/appointments/${enc(a.id)}/window`)
    .then((w) => {
      if (!alive) return;
      windowState.dataset.open = String(!!w.open);
      windowState.className = `window-state ${w.open ? 'is-open' : 'is-closed'}`;
      const label = w.label || (w.open ? `Janela aberta até ${w.until_local || ''}` : 'Janela fechada');
      fill(windowState, label); // the label says until when, or why it is closed
    })
    .catch((e) => {
      if (!alive) return;
      fill(windowState, `Não foi possível verificar a janela de conversa: ${e.message}`);
    })
    .finally(() => {
      if (alive) confirm.disabled = false;
    });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (confirm.disabled) return;
    busy = true;
    confirm.disabled = true;
    back.disabled = true;
    notify.disabled = true;
    error.textContent = '';
    confirm.textContent = 'Cancelando…';
    let res;
    try {
      res = await api(`/v1/staff/appointments/${enc(a.id)}/cancel`, { method: 'POST', body: { notify_client: notify.checked } });
    } catch (err) {
      busy = false;
      if (!alive) return;
      error.textContent = err.message;
      confirm.textContent = 'Cancelar agendamento';
      confirm.disabled = false;
      back.disabled = false;
      notify.disabled = false;
      return;
    }
    busy = false;
    quietly(changed);
    if (!alive) return;
    form.remove();
    const notice = res.notice || { state: 'none' };
    const text = h('p', {});
    const out = h('div', { class: 'cancel-result', 'data-testid': 'cancel-result', role: 'status', 'aria-live': 'polite', tabindex: -1 }, text);
    const closeBtn = h('button', { type: 'button', class: 'btn btn-primary', onclick: close }, 'Fechar');
    fill(result, out, h('div', { class: 'dialog-actions' }, closeBtn));
    const show = (state, reason) => {
      const outcome = noticeOutcome(state);
      out.dataset.outcome = outcome;
      out.dataset.state = state || 'none';
      out.className = `cancel-result outcome-${outcome}`;
      text.textContent = cancelResultText(outcome, reason);
    };
    show(notice.requested === false ? 'none' : notice.state, notice.reason);
    out.focus();
    if (noticeFinal(notice.state) || notice.requested === false) return;

    // The notice is its own job: follow it until it is sent, failed or not sent.
    const started = Date.now();
    const follow = async () => {
      if (!alive) return;
      try {
        const data = await api(`/v1/staff/appointments/${enc(a.id)}`);
        const cn = data.agenda?.cancel_notice;
        if (cn && alive) {
          show(cn.state, cn.reason);
          if (noticeFinal(cn.state)) {
            quietly(changed);
            return;
          }
        }
      } catch {
        // try again at the next tick
      }
      if (alive && Date.now() - started < 5 * 60 * 1000) timer = setTimeout(follow, 2000);
    };
    timer = setTimeout(follow, 1000);
  });
}

function focusAppointment(id) {
  const row = document.querySelector(`[data-testid=appointment][data-id="${CSS.escape(id)}"]`);
  const target = row?.querySelector('.apt-name a, h1') || document.getElementById('main');
  if (target && target.tabIndex < 0 && !target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
  target?.focus();
}

// Runs a screen's refresh; its failure is the screen's to show (its poll line), not an
// unhandled rejection.
function quietly(f) {
  try {
    Promise.resolve(f?.()).catch(() => {});
  } catch {
    // the refresh failed before its first await: same
  }
}
