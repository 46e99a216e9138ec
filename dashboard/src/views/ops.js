// The owner's operations: the actions on one job (a dialog with a required reason for
// each) and #/fila, the queue drain (select, preview, confirm) with the reminder scan's
// pause. Owner only: staff never see them (the API answers them 403 anyway).
import { api } from '../api.js';
import { fill, h } from '../dom.js';
import { normalizePhone } from '../format.js';
import {
  actionTexts, checkReason, countText, drainResultText, drainSelector, drainSummary, drainTypeLabels, maxReason,
  newDrainID, offeredActions,
} from '../ops.js';
import { errorBox, loading } from '../ui.js';

const enc = encodeURIComponent;

/** A required reason: a labelled textarea with its hint and its own error line. */
export function reasonField(id, label, hint) {
  const area = h('textarea', { id, name: 'reason', rows: 3, maxlength: maxReason, required: true, 'data-testid': 'action-reason', 'aria-describedby': `${id}-hint ${id}-error` });
  const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert' });
  const field = h('div', { class: 'field' }, h('label', { for: id }, label), h('span', { class: 'hint', id: `${id}-hint` }, hint), area, error);
  // Once the owner fixes the reason, the complaint goes away as she types.
  area.addEventListener('input', () => {
    if (error.textContent && !checkReason(area.value).problem) {
      error.textContent = '';
      area.removeAttribute('aria-invalid');
    }
  });
  return {
    field,
    area,
    /** The trimmed reason, or '' after showing what is wrong with it. */
    value() {
      const { reason, problem } = checkReason(area.value);
      error.textContent = problem;
      if (problem) {
        area.setAttribute('aria-invalid', 'true');
        area.focus();
      } else area.removeAttribute('aria-invalid');
      return reason;
    },
  };
}

/**
 * The actions section of the job view (owner only): one button per action the job's
 * state allows. done(result) runs after an action succeeded or was refused (the view
 * reloads the job and shows the result).
 */
export function jobActionsSection(ctx, data, done) {
  if (ctx.me?.role !== 'owner') return null;
  const card = data.card || data;
  const offered = offeredActions(data);
  if (!offered.length) return null;
  return h(
    'section',
    { class: 'card job-actions', 'aria-labelledby': 'actions-title' },
    h('h2', { id: 'actions-title' }, 'Ações do responsável'),
    h(
      'div',
      { class: 'form-actions' },
      offered.map((a) =>
        h(
          'button',
          {
            type: 'button',
            class: `btn ${a === 'fail' || a === 'discard' ? 'btn-danger' : ''}`,
            'data-testid': `job-action-${a}`,
            onclick: () => openActionDialog(card, a, done),
          },
          actionTexts[a].button,
        ),
      ),
    ),
  );
}

/** The dialog of one action: what it does, the required reason, confirm. */
export function openActionDialog(card, action, done) {
  const t = actionTexts[action];
  const opener = document.activeElement;
  const reason = reasonField('action-reason', 'Motivo (obrigatório)', 'Fica registrado na linha do tempo da mensagem, com o seu e-mail e a hora.');
  const error = h('div', { class: 'dialog-error' });
  const confirm = h('button', { type: 'submit', class: `btn ${action === 'fail' || action === 'discard' ? 'btn-danger' : 'btn-primary'}`, 'data-testid': 'action-confirm' }, t.confirm);
  const back = h('button', { type: 'button', class: 'btn' }, 'Voltar');
  const form = h('form', { method: 'dialog', novalidate: true }, reason.field, error, h('div', { class: 'dialog-actions' }, back, confirm));
  const dialog = h(
    'dialog',
    { class: 'dialog', 'data-testid': 'action-dialog', 'data-action': action, 'aria-labelledby': 'action-title', 'aria-describedby': 'action-explain' },
    h('h2', { id: 'action-title' }, t.title),
    h('p', { class: 'sub' }, h('strong', {}, card.client_name || 'Mensagem'), ` · ${card.type_label || card.type}`),
    h('p', { id: 'action-explain' }, t.explain),
    form,
  );
  let busy = false;
  dialog.addEventListener('cancel', (e) => busy && e.preventDefault());
  dialog.addEventListener('close', () => {
    dialog.remove();
    const again = opener && document.contains(opener) ? opener : document.querySelector('[data-testid=action-result]');
    again?.focus();
  });
  back.addEventListener('click', () => dialog.close());
  document.body.append(dialog);
  dialog.showModal();
  reason.area.focus();

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy) return;
    fill(error);
    const why = reason.value();
    if (!why) return;
    busy = true;
    confirm.disabled = true;
    back.disabled = true;
    confirm.textContent = 'Enviando…';
    try {
      const res = await api(`/v1/staff/jobs/${enc(card.job_id)}/actions`, { method: 'POST', body: { action, reason: why } });
      busy = false;
      await done({ ok: true, action, res });
      dialog.close();
    } catch (err) {
      busy = false;
      confirm.disabled = false;
      back.disabled = false;
      confirm.textContent = t.confirm;
      const refused = err.status === 409;
      fill(
        error,
        h(
          'p',
          { class: 'action-result outcome-refused', 'data-testid': 'action-result', 'data-outcome': refused ? 'refused' : 'error', role: 'alert' },
          refused ? `Ação recusada: ${err.message}` : err.message,
        ),
      );
      if (refused) {
        // The job changed or never allowed it: the view behind shows it as it is now,
        // and the owner closes the dialog.
        confirm.hidden = true;
        back.textContent = 'Fechar';
        back.focus();
        await Promise.resolve(done({ ok: false, action, error: err })).catch(() => {});
      }
    }
  });
}

/** The result line of an action, above the timeline. */
export function actionResult(r) {
  if (!r) return null;
  const a = r.res.audit || {};
  return h(
    'div',
    { class: 'action-result outcome-done', 'data-testid': 'action-result', 'data-outcome': 'done', 'data-status': r.res.status, role: 'status', tabindex: -1 },
    h('p', {}, actionTexts[r.action].done, r.res.job?.card?.status_label && ` Situação: ${r.res.job.card.status_label}.`),
    (a.by || a.at_local) && h('p', { class: 'muted' }, `Registrado por ${a.by || 'você'}${a.at_local ? ` em ${a.at_local}` : ''} na linha do tempo.`),
  );
}

// ---------------------------------------------------------------------------------------
// #/fila: the queue drain.

export async function drainView(ctx, main) {
  ctx.title('Limpar a fila');
  main.append(h('a', { class: 'back', href: '#/mensagens' }, '‹ Mensagens'), h('h1', {}, 'Limpar a fila'));
  if (ctx.me.role !== 'owner') {
    main.append(errorBox('Apenas o responsável pelo estúdio pode limpar a fila.'));
    return;
  }
  main.append(
    h('p', { class: 'sub' }, 'Marque de uma vez as mensagens que ainda estão na fila e não devem mais sair (antigas, de teste, de um cliente). Nada é apagado: cada mensagem guarda o motivo na linha do tempo.'),
  );
  const typeBoxes = Object.entries(drainTypeLabels).map(([value, label]) => {
    const id = `drain-type-${value}`;
    return h('div', { class: 'check check-tight' }, h('input', { type: 'checkbox', id, name: 'types', value }), h('label', { for: id }, label));
  });
  const days = h('input', { id: 'drain-days', name: 'older_than_days', type: 'number', inputmode: 'numeric', min: 0, max: 3650, step: 1, 'aria-describedby': 'drain-days-hint' });
  const phone = h('input', { id: 'drain-phone', name: 'client_phone', type: 'tel', autocomplete: 'off', 'aria-describedby': 'drain-phone-hint' });
  const formError = h('p', { class: 'error', role: 'alert' });
  const previewBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Pré-visualizar');
  const form = h(
    'form',
    { class: 'card', 'data-testid': 'drain-form', novalidate: true, 'aria-labelledby': 'drain-sel-title' },
    h('h2', { id: 'drain-sel-title' }, 'Quais mensagens'),
    h('fieldset', { class: 'plain' }, h('legend', {}, 'Tipos (nenhum marcado: todos)'), h('div', { class: 'check-grid' }, typeBoxes)),
    h(
      'div',
      { class: 'row2 row2-wide' },
      h('div', { class: 'field' }, h('label', { for: 'drain-days' }, 'Com horário há mais de (dias)'), h('span', { class: 'hint', id: 'drain-days-hint' }, 'Vazio: qualquer data. 0: horário já passado.'), days),
      h('div', { class: 'field' }, h('label', { for: 'drain-phone' }, 'Telefone do cliente'), h('span', { class: 'hint', id: 'drain-phone-hint' }, 'Vazio: todos os clientes.'), phone),
    ),
    formError,
    h('div', { class: 'form-actions' }, previewBtn),
  );
  const preview = h('div', { 'aria-live': 'polite' });
  main.append(form, preview, scanSection(ctx));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const { selector, problem } = drainSelector(
      { types: typeBoxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value), days: days.value, phone: phone.value },
      normalizePhone,
    );
    formError.textContent = problem;
    if (problem) return;
    previewBtn.disabled = true;
    fill(preview, loading('Contando as mensagens…'));
    try {
      const res = await api('/v1/staff/queue/drain/preview', { method: 'POST', body: selector, signal: ctx.signal });
      if (ctx.alive()) fill(preview, drainPreview(ctx, selector, res));
    } catch (err) {
      if (ctx.alive()) fill(preview, errorBox(err.message));
    } finally {
      previewBtn.disabled = false;
    }
    preview.querySelector('[data-testid=drain-count]')?.focus();
  });
}

/** The preview's count and sample, and the confirmation (action, reason, confirm). */
function drainPreview(ctx, selector, res) {
  const count = h(
    'p',
    { class: 'drain-count', 'data-testid': 'drain-count', 'data-count': res.count, 'data-capped': res.count_capped || undefined, tabindex: -1 },
    res.count ? `${countText(res.count, res.count_capped)} na fila com esta seleção.` : 'Nenhuma mensagem na fila com esta seleção.',
  );
  const head = [h('h2', { id: 'drain-prev-title' }, 'Pré-visualização'), h('p', { class: 'muted' }, drainSummary(selector)), count];
  if (!res.count) return h('section', { class: 'card', 'data-testid': 'drain-preview', 'aria-labelledby': 'drain-prev-title' }, head);
  const sample = res.sample || [];
  const cards = h(
    'ul',
    { class: 'drain-sample', role: 'list' },
    sample.map((c) =>
      h(
        'li',
        { 'data-testid': 'message-card', 'data-job-id': c.job_id, 'data-status': c.status },
        h('a', { href: `#/mensagem/${enc(c.job_id)}` }, h('strong', {}, c.client_name)),
        h('span', { class: 'muted' }, ` · ${c.type_label || c.type} · ${c.status_label || c.status}`),
        c.scheduled_for_local && h('span', { class: 'muted' }, ` · ${c.scheduled_for_local}`),
      ),
    ),
  );
  const radio = (value, label, checked) =>
    h('div', { class: 'check check-tight' }, h('input', { type: 'radio', id: `drain-action-${value}`, name: 'drain_action', value, checked }), h('label', { for: `drain-action-${value}` }, label));
  const fail = radio('fail', 'Marcar como falha (falha operacional)', true);
  const skip = radio('skip', 'Descartar (não enviada, com o motivo)', false);
  const reason = reasonField('drain-reason', 'Motivo (obrigatório)', 'Fica na linha do tempo de cada mensagem, com o seu e-mail e a hora.');
  reason.area.setAttribute('data-testid', 'drain-reason');
  const confirm = h('button', { type: 'submit', class: 'btn btn-danger', 'data-testid': 'drain-confirm' }, `Confirmar: ${countText(res.count, res.count_capped)}`);
  const result = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'drain-confirm-form', novalidate: true, 'aria-labelledby': 'drain-what-title' },
    h('h3', { id: 'drain-what-title' }, 'O que fazer com elas'),
    h('fieldset', { class: 'plain' }, h('legend', { class: 'sr-only' }, 'Ação'), fail, skip),
    reason.field,
    h('div', { class: 'form-actions' }, confirm),
    result,
  );
  // One id per confirmation: a double tap or a resend of the same confirmation drains
  // once; another action or reason is another drain.
  let drainID = newDrainID();
  const renew = () => {
    drainID = newDrainID();
  };
  form.addEventListener('change', renew);
  reason.area.addEventListener('input', renew);
  let busy = false;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy) return;
    const why = reason.value();
    if (!why) return;
    const action = form.querySelector('input[name=drain_action]:checked')?.value || 'fail';
    busy = true;
    confirm.disabled = true;
    confirm.textContent = 'Limpando…';
    try {
      const r = await api('/v1/staff/queue/drain', { method: 'POST', body: { ...selector, action, reason: why, drain_id: drainID } });
      if (!ctx.alive()) return;
      fill(
        result,
        h(
          'div',
          { class: 'action-result outcome-done', 'data-testid': 'drain-result', 'data-marked': r.marked, 'data-already': r.already, 'data-batches': r.batches, 'data-more': r.more || undefined, role: 'status', tabindex: -1 },
          h('p', {}, drainResultText(r, action)),
          h('p', { class: 'muted' }, `Em ${r.batches} ${r.batches === 1 ? 'lote' : 'lotes'}.`),
        ),
      );
      result.firstChild.focus();
      if (r.more) {
        confirm.textContent = 'Continuar a limpeza';
        confirm.disabled = false;
      } else {
        confirm.hidden = true;
      }
    } catch (err) {
      if (!ctx.alive()) return;
      fill(result, errorBox(err.message));
      confirm.disabled = false;
      confirm.textContent = `Confirmar: ${countText(res.count, res.count_capped)}`;
    } finally {
      busy = false;
    }
  });
  return h(
    'section',
    { class: 'card', 'data-testid': 'drain-preview', 'aria-labelledby': 'drain-prev-title' },
    head,
    sample.length > 0 && [h('p', { class: 'muted' }, sample.length < res.count ? `As primeiras ${sample.length}:` : 'Mensagens:'), cards],
    form,
  );
}

/** Pause or resume the reminder scan, with a reason. */
function scanSection(ctx) {
  const reason = reasonField('scan-reason', 'Motivo (obrigatório)', 'Por exemplo: limpando a fila antiga.');
  reason.area.setAttribute('data-testid', 'scan-reason');
  reason.area.rows = 2;
  const state = h('p', { class: 'scan-state', 'data-testid': 'scan-state', role: 'status' }, 'Os lembretes saem no horário de cada agendamento, a não ser que você pause.');
  const toggle = h('button', { type: 'submit', class: 'btn', 'data-testid': 'scan-pause', 'aria-pressed': 'false' }, 'Pausar os lembretes');
  const error = h('div', {});
  let paused = false;
  const show = (s) => {
    paused = !!s.paused;
    toggle.setAttribute('aria-pressed', String(paused));
    toggle.textContent = paused ? 'Retomar os lembretes' : 'Pausar os lembretes';
    toggle.className = paused ? 'btn btn-primary' : 'btn';
    state.dataset.paused = String(paused);
    state.className = `scan-state ${paused ? 'is-paused' : 'is-running'}`;
    state.textContent = paused
      ? `Lembretes pausados${s.by ? ` por ${s.by}` : ''}${s.at_local ? ` em ${s.at_local}` : ''}: nenhum lembrete novo sai até você retomar.`
      : `Lembretes ativos${s.by ? ` (retomados por ${s.by}${s.at_local ? ` em ${s.at_local}` : ''})` : ''}.`;
  };
  const form = h(
    'form',
    { class: 'card', novalidate: true, 'aria-labelledby': 'scan-title' },
    h('h2', { id: 'scan-title' }, 'Envio de lembretes'),
    state,
    reason.field,
    error,
    h('div', { class: 'form-actions' }, toggle),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    fill(error);
    const why = reason.value();
    if (!why) return;
    toggle.disabled = true;
    try {
      const s = await api('/v1/staff/settings/scan', { method: 'PUT', body: { paused: !paused, reason: why } });
      if (!ctx.alive()) return;
      show(s);
      reason.area.value = '';
    } catch (err) {
      if (ctx.alive()) fill(error, errorBox(err.message));
    } finally {
      toggle.disabled = false;
    }
  });
  // The settings may say whether the scan is paused (scan_pause); without it the
  // section starts as "active", which is how every studio starts.
  api('/v1/staff/settings', { signal: ctx.signal })
    .then((st) => ctx.alive() && st && st.scan_pause && show(st.scan_pause))
    .catch(() => {});
  return form;
}

/**
 * A modal dialog asking for a required reason before an owner's action: its title, an
 * optional subtitle, what the action does, the confirm button (and its label while
 * busy). submit(reason) runs the action: its result goes to done(result) once the dialog
 * closes; a throw keeps the dialog open with the error. Focus returns to the opener (or
 * focusFallback's element when the opener is gone).
 */
export function openReasonDialog({ key, title, subtitle, explain, hint, confirmLabel, busyLabel, focusFallback, submit, done }) {
  const opener = document.activeElement;
  const reason = reasonField(`${key}-reason`, 'Motivo (obrigatório)', hint);
  const error = h('div', { class: 'dialog-error' });
  const confirm = h('button', { type: 'submit', class: 'btn btn-danger', 'data-testid': `${key}-confirm` }, confirmLabel);
  const back = h('button', { type: 'button', class: 'btn' }, 'Voltar');
  const form = h('form', { method: 'dialog', novalidate: true }, reason.field, error, h('div', { class: 'dialog-actions' }, back, confirm));
  const dialog = h(
    'dialog',
    { class: 'dialog', 'data-testid': `${key}-dialog`, 'aria-labelledby': `${key}-title`, 'aria-describedby': `${key}-explain` },
    h('h2', { id: `${key}-title` }, title),
    subtitle && h('p', { class: 'sub' }, h('strong', {}, subtitle)),
    h('p', { id: `${key}-explain` }, explain),
    form,
  );
  let busy = false;
  dialog.addEventListener('cancel', (e) => busy && e.preventDefault());
  dialog.addEventListener('close', () => {
    dialog.remove();
    (opener && document.contains(opener) ? opener : document.querySelector(focusFallback))?.focus();
  });
  back.addEventListener('click', () => dialog.close());
  document.body.append(dialog);
  dialog.showModal();
  reason.area.focus();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy) return;
    fill(error);
    const why = reason.value();
    if (!why) return;
    busy = true;
    confirm.disabled = back.disabled = true;
    confirm.textContent = busyLabel;
    try {
      const res = await submit(why);
      busy = false;
      dialog.close();
      done(res);
    } catch (err) {
      busy = false;
      confirm.disabled = back.disabled = false;
      confirm.textContent = confirmLabel;
      fill(error, h('p', { class: 'action-result outcome-refused', role: 'alert' }, err.message));
    }
  });
}

/**
 * The owner's erasure of one client from the studio (the conversation view): a dialog
 * with a required reason; POST /v1/staff/clients/{wa_id}/delete; done(res) runs after it.
 */
export function openEraseDialog(waID, name, done) {
  openReasonDialog({
    key: 'erase',
    title: 'Excluir dados do cliente',
    subtitle: name,
    explain:
      'O nome, o telefone e as mensagens deste cliente saem dos agendamentos, das mensagens e da conversa. As mensagens que ainda não saíram são descartadas. Os registros de envio ficam, sem a identificação, para as contagens. Não dá para desfazer.',
    hint: 'Por exemplo: o cliente pediu a exclusão dos dados.',
    confirmLabel: 'Excluir dados',
    busyLabel: 'Excluindo…',
    focusFallback: '[data-testid=erase-result]',
    submit: (why) => api(`/v1/staff/clients/${enc(waID)}/delete`, { method: 'POST', body: { reason: why } }),
    done,
  });
}

/** The Portuguese result of an erasure. */
export function eraseResultText(res) {
  if (!res || !res.found) return 'Nenhum dado deste número foi encontrado no estúdio.';
  const parts = [`${res.appointments} agendamento(s)`, `${res.jobs} mensagem(ns) automática(s)`, `${res.messages} mensagem(ns) da conversa`];
  const skipped = res.skipped ? ` ${res.skipped} envio(s) pendente(s) descartado(s).` : '';
  return `Dados do cliente excluídos: ${parts.join(', ')}.${skipped}`;
}
