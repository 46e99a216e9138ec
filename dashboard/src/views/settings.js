// The owner's settings: #/configuracoes (GET/PATCH /v1/staff/settings and the history
// of changes), #/chaves (the booking system's API keys: create, shown once; revoke) and
// #/numeros (the counters of the last 7 or 30 days).
import { api } from '../api.js';
import { fill, h } from '../dom.js';
import { errorBox, loading } from '../ui.js';
import { settingsChanges, settingsTabs } from '../settings.js';
import { scheduleCard } from './settings_schedule.js';
import { optOutCard } from './settings_optout.js';

const enc = encodeURIComponent;

const modeLabels = { disabled: 'Desativada', dry_run: 'Modo de teste (nenhum cliente recebe)', enabled: 'Ativada' };
const zones = ['America/Sao_Paulo', 'America/Bahia', 'America/Fortaleza', 'America/Recife', 'America/Belem', 'America/Manaus', 'America/Cuiaba', 'America/Campo_Grande', 'America/Porto_Velho', 'America/Boa_Vista', 'America/Rio_Branco', 'America/Noronha'];

/** Owner only: a heading and the tabs of the settings screens, or a refusal for staff. */
function ownerOnly(ctx, main, title, current) {
  ctx.title(title);
  main.append(h('h1', {}, title));
  if (ctx.me.role !== 'owner') {
    main.append(errorBox('Apenas o responsável pelo estúdio vê e muda as configurações.'));
    return false;
  }
  main.append(
    h('nav', { class: 'tabs', 'aria-label': 'Configurações' }, settingsTabs.map((t) => h('a', { href: t.href, 'aria-current': t.key === current ? 'page' : undefined }, t.label))),
  );
  return true;
}

/** The message of a refused change: the settings' rules speak Portuguese. */
function settingsError(err) {
  return err.status === 400 && err.serverMessage ? err.serverMessage : err.message;
}

export async function settingsView(ctx, main) {
  if (!ownerOnly(ctx, main, 'Configurações', 'configuracoes')) return;
  const slot = h('div', {}, loading());
  const history = h('section', { class: 'card', 'data-testid': 'settings-audit', 'aria-labelledby': 'audit-title' }, h('h2', { id: 'audit-title' }, 'Histórico de mudanças'), loading());
  main.append(slot, history);

  const loadHistory = async () => {
    try {
      const data = await api('/v1/staff/settings/audit', { signal: ctx.signal });
      if (!ctx.alive()) return;
      const entries = data.entries || [];
      fill(
        history,
        h('h2', { id: 'audit-title' }, 'Histórico de mudanças'),
        entries.length
          ? h(
              'ol',
              { class: 'audit', role: 'list' },
              entries.map((e) =>
                h(
                  'li',
                  { 'data-field': e.field, 'data-id': e.id },
                  h('span', { class: 'tl-when' }, `${e.at_local} · ${e.by}`),
                  h('span', { class: 'tl-label' }, e.field_label || e.field),
                  h('span', { class: 'audit-change' }, h('span', { class: 'audit-old' }, e.old || '(vazio)'), ' → ', h('span', { class: 'audit-new' }, e.new || '(vazio)')),
                ),
              ),
            )
          : h('p', { class: 'muted' }, 'Nenhuma mudança ainda.'),
      );
    } catch (e) {
      if (ctx.alive()) fill(history, h('h2', { id: 'audit-title' }, 'Histórico de mudanças'), errorBox(e.message));
    }
  };

  let current;
  try {
    current = await api('/v1/staff/settings', { signal: ctx.signal });
  } catch (e) {
    if (ctx.alive()) fill(slot, errorBox(e.message));
    return;
  }
  if (!ctx.alive()) return;
  const draw = (s) => fill(slot, settingsForm(ctx, s, async (next) => {
    current = next;
    draw(next);
    await loadHistory();
  }));
  draw(current);
  await loadHistory();
}

function settingsForm(ctx, s, saved) {
  const field = (id, label, input, hint) =>
    h('div', { class: 'field' }, h('label', { for: id }, label), hint && h('span', { class: 'hint', id: `${id}-hint` }, hint), input);
  const mode = h(
    'select',
    { id: 'set-mode', name: 'mode', 'aria-describedby': 'set-mode-hint' },
    ['disabled', 'dry_run', 'enabled'].map((m) => h('option', { value: m, selected: m === s.mode, disabled: !(s.allowed_modes || []).includes(m) && m !== s.mode }, modeLabels[m])),
  );
  const kill = h('input', { type: 'checkbox', id: 'set-kill', name: 'kill_switch', checked: !!s.kill_switch?.on, 'aria-describedby': 'set-kill-hint' });
  const testNumber = h('input', { id: 'set-test-number', name: 'studio_test_recipient', type: 'tel', value: s.studio_test_recipient || '', maxlength: 25, autocomplete: 'tel', inputmode: 'tel', placeholder: '(11) 98765-4321', 'aria-describedby': 'set-test-number-hint', 'data-testid': 'settings-test-number' });
  const location = h('input', { id: 'set-location', name: 'location_line', value: s.location_line || '', maxlength: 200, autocomplete: 'off' });
  const zone = h('select', { id: 'set-zone', name: 'time_zone' }, [...new Set([s.time_zone, ...zones])].filter(Boolean).map((z) => h('option', { value: z, selected: z === s.time_zone }, z.replace('America/', '').replace(/_/g, ' '))));
  const staffLabel = h('input', { id: 'set-staff-label', name: 'staff_label', value: s.staff_label || '', maxlength: 20, autocomplete: 'off', 'aria-describedby': 'set-staff-label-hint', 'data-testid': 'settings-staff-label' });
  const reschedule = h('textarea', { id: 'set-reschedule', name: 'reschedule_text', rows: 3, maxlength: 1000, 'aria-describedby': 'set-reschedule-hint' }, s.reschedule_text || '');
  const templates = (s.templates || []).map((t) => ({
    t,
    name: h('input', { id: `tpl-${t.job_type}-name`, value: t.name || '', autocomplete: 'off', spellcheck: 'false' }),
    lang: h('input', { id: `tpl-${t.job_type}-lang`, value: t.language || '', autocomplete: 'off', spellcheck: 'false', maxlength: 15 }),
  }));
  const days = (s.opening_hours || []).map((d) => ({
    d,
    closed: h('input', { type: 'checkbox', id: `oh-${d.weekday}-closed`, checked: d.set && d.closed }),
    open: h('input', { type: 'time', id: `oh-${d.weekday}-open`, value: d.open || '', lang: 'pt-BR', 'aria-label': `${d.weekday_label}: abre às` }),
    close: h('input', { type: 'time', id: `oh-${d.weekday}-close`, value: d.close || '', lang: 'pt-BR', 'aria-label': `${d.weekday_label}: fecha às` }),
  }));
  const result = h('div', { 'aria-live': 'polite' });
  const schedule = scheduleCard(s); // the quiet hours and the reminders
  const optout = optOutCard(s); // the opt-out keywords and the strict window
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Salvar');
  const form = h(
    'form',
    { 'data-testid': 'settings-form', novalidate: true, class: 'settings' },
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'set-send-title' },
      h('h2', { id: 'set-send-title' }, 'Envio das mensagens'),
      h('p', { class: 'muted' }, `Situação agora: ${s.effective_mode_label || modeLabels[s.effective_mode] || ''}.`),
      field('set-mode', 'Modo', mode, s.environment_mode && s.environment_mode !== 'enabled' ? `Este ambiente permite no máximo: ${modeLabels[s.environment_mode]}.` : 'Ativada: as mensagens saem. Modo de teste: nenhum cliente recebe; as mensagens só ficam registradas, ou vão para o número de teste abaixo. Desativada: nada é preparado.'),
      h(
        'div',
        { class: 'check' },
        kill,
        h('div', {}, h('label', { for: 'set-kill' }, 'Parada de emergência: não enviar nenhuma mensagem'), h('p', { class: 'hint', id: 'set-kill-hint' }, s.kill_switch?.changed_by ? `${s.kill_switch.label}. Mudada por ${s.kill_switch.changed_by} em ${s.kill_switch.changed_at_local}.` : s.kill_switch?.label || '')),
      ),
      field('set-test-number', 'Número de teste (modo de teste)', testNumber, 'No modo de teste, as mensagens saem de verdade só para este número (o seu celular), nunca para os clientes: você vê exatamente o que eles receberiam. Vazio: no modo de teste nada sai, só fica registrado. Ex.: (11) 98765-4321 ou +5511987654321.'),
      s.test_recipient && h('p', { class: 'muted' }, `Destinatário de teste deste ambiente: ${s.test_recipient} (todas as mensagens vão para este número).`),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'set-studio-title' },
      h('h2', { id: 'set-studio-title' }, 'Estúdio'),
      field('set-location', 'Endereço (linha do local nas mensagens)', location),
      field('set-zone', 'Fuso horário', zone),
      field('set-staff-label', 'Texto do botão de contato', staffLabel, 'Até 20 letras (limite do WhatsApp). Ex.: Falar com a Jana'),
      field('set-reschedule', 'Resposta para quem quer reagendar', reschedule, 'Vazio: o texto padrão.'),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'set-tpl-title' },
      h('h2', { id: 'set-tpl-title' }, 'Modelos de mensagem (Meta)'),
      templates.map(({ t, name, lang }) =>
        h(
          'fieldset',
          { class: 'plain tpl', 'data-job-type': t.job_type },
          h('legend', {}, t.job_type_label || t.job_type),
          h('p', { class: `tpl-status ${t.sendable ? 'ok' : 'error'}` }, t.status_label, t.quality_label && ` · ${t.quality_label}`),
          t.reason && h('p', { class: 'hint' }, t.reason),
          h('div', { class: 'row2 tpl-row' }, field(`tpl-${t.job_type}-name`, 'Nome do modelo', name), field(`tpl-${t.job_type}-lang`, 'Idioma', lang)),
        ),
      ),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'set-hours-title' },
      h('h2', { id: 'set-hours-title' }, 'Horário de funcionamento'),
      h(
        'ul',
        { class: 'hours', role: 'list' },
        days.map(({ d, closed, open, close }) =>
          h(
            'li',
            { 'data-weekday': d.weekday },
            h('span', { class: 'hours-day' }, d.weekday_label),
            h('span', { class: 'hours-times' }, open, h('span', { 'aria-hidden': 'true' }, 'às'), close),
            h('span', { class: 'check check-tight' }, closed, h('label', { for: closed.id }, 'Fechado')),
          ),
        ),
      ),
    ),
    schedule.section,
    optout.section,
    h('div', { class: 'form-actions sticky-save' }, save, result),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const values = {
      mode: mode.value,
      kill_switch: kill.checked,
      studio_test_recipient: testNumber.value,
      location_line: location.value,
      time_zone: zone.value,
      staff_label: staffLabel.value,
      reschedule_text: reschedule.value,
      templates: Object.fromEntries(templates.map(({ t, name, lang }) => [t.job_type, { name: name.value, language: lang.value }])),
      opening_hours: Object.fromEntries(days.map(({ d, closed, open, close }) => [d.weekday, { closed: closed.checked, open: open.value, close: close.value }])),
    };
    const sched = schedule.changes();
    if (sched.error) {
      fill(result, h('p', { class: 'error', 'data-testid': 'settings-result', role: 'alert' }, sched.error));
      return;
    }
    const patch = { ...settingsChanges(s, values), ...sched.patch, ...optout.changes() };
    if (!Object.keys(patch).length) {
      fill(result, h('p', { class: 'muted', 'data-testid': 'settings-result', role: 'status' }, 'Nada mudou.'));
      return;
    }
    save.disabled = true;
    fill(result, h('p', { class: 'muted', role: 'status' }, 'Salvando…'));
    try {
      const next = await api('/v1/staff/settings', { method: 'PATCH', body: patch });
      if (!ctx.alive()) return;
      await saved(next);
      const r = document.querySelector('[data-testid=settings-form] .sticky-save [aria-live]');
      if (r) fill(r, h('p', { class: 'ok', 'data-testid': 'settings-result', role: 'status', tabindex: -1 }, 'Configurações salvas.'));
      r?.firstChild?.focus();
    } catch (err) {
      if (!ctx.alive()) return;
      save.disabled = false;
      fill(result, h('p', { class: 'error', 'data-testid': 'settings-result', role: 'alert' }, settingsError(err)));
    }
  });
  return form;
}

// ---------------------------------------------------------------------------------------
// #/chaves: API keys.

export async function apiKeysView(ctx, main) {
  if (!ownerOnly(ctx, main, 'Chaves de API', 'chaves')) return;
  main.append(h('p', { class: 'sub' }, 'O sistema de agendamento usa uma chave para mandar os agendamentos ao Lembra.'));
  const label = h('input', { id: 'key-label', name: 'label', maxlength: 60, autocomplete: 'off', required: true, 'aria-describedby': 'key-label-hint' });
  const create = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Criar chave');
  const created = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card', 'data-testid': 'api-key-new', novalidate: true, 'aria-labelledby': 'key-new-title' },
    h('h2', { id: 'key-new-title' }, 'Nova chave'),
    h('div', { class: 'field' }, h('label', { for: 'key-label' }, 'Nome'), h('span', { class: 'hint', id: 'key-label-hint' }, 'Para reconhecer a chave depois. Ex.: Agenda online'), label),
    create,
    created,
  );
  const list = h('section', { class: 'card', 'data-testid': 'api-keys', 'aria-labelledby': 'keys-title' }, h('h2', { id: 'keys-title' }, 'Chaves'), loading());
  main.append(form, list);

  const load = async () => {
    try {
      const data = await api('/v1/staff/api-keys', { signal: ctx.signal });
      if (!ctx.alive()) return;
      const keys = data.keys || [];
      fill(
        list,
        h('h2', { id: 'keys-title' }, 'Chaves'),
        keys.length ? h('ul', { class: 'keys', role: 'list' }, keys.map((k) => keyRow(k, load))) : h('p', { class: 'muted' }, 'Nenhuma chave ainda.'),
      );
    } catch (e) {
      if (ctx.alive()) fill(list, h('h2', { id: 'keys-title' }, 'Chaves'), errorBox(e.message));
    }
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = label.value.trim();
    if (!value) {
      label.setAttribute('aria-invalid', 'true');
      fill(created, errorBox('Dê um nome à chave.'));
      label.focus();
      return;
    }
    label.removeAttribute('aria-invalid');
    create.disabled = true;
    try {
      const res = await api('/v1/staff/api-keys', { method: 'POST', body: { label: value } });
      if (!ctx.alive()) return;
      const secret = h('input', { id: 'key-secret', readonly: true, value: res.key, 'data-testid': 'api-key-secret', spellcheck: 'false', autocomplete: 'off' });
      const copy = h('button', { type: 'button', class: 'btn' }, 'Copiar');
      copy.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(secret.value);
          copy.textContent = 'Copiada';
        } catch {
          secret.select();
          copy.textContent = 'Selecionada: copie com Ctrl+C';
        }
      });
      fill(
        created,
        h(
          'div',
          { class: 'secret-box', role: 'status', tabindex: -1 },
          h('p', { class: 'ok' }, `Chave “${res.api_key?.label || value}” criada.`),
          h('p', { class: 'warn-line' }, h('strong', {}, 'Copie agora: '), 'esta é a única vez que a chave aparece. Guarde-a no sistema de agendamento; se perder, crie outra e revogue esta.'),
          h('label', { for: 'key-secret' }, 'Chave'),
          h('div', { class: 'copy-row' }, secret, copy),
        ),
      );
      created.firstChild.focus();
      label.value = '';
      await load();
    } catch (err) {
      if (ctx.alive()) fill(created, errorBox(settingsError(err)));
    } finally {
      create.disabled = false;
    }
  });
  await load();
}

function keyRow(k, reload) {
  const status = h('div', { class: 'key-actions' });
  const li = h(
    'li',
    { 'data-testid': 'api-key', 'data-id': k.id, 'data-revoked': String(!!k.revoked) },
    h('div', { class: 'key-main' }, h('strong', {}, k.label || '(sem nome)'), k.revoked ? h('span', { class: 'badge badge-canceled' }, 'revogada') : h('span', { class: 'badge badge-confirmed' }, 'ativa')),
    h(
      'p',
      { class: 'muted key-dates' },
      `Criada em ${k.created_at_local}`,
      ' · ',
      k.last_used_at_local ? `último uso ${k.last_used_at_local}` : 'nunca usada',
      k.revoked && k.revoked_at_local && ` · revogada em ${k.revoked_at_local}`,
    ),
    status,
  );
  if (k.revoked) return li;
  const revoke = h('button', { type: 'button', class: 'btn btn-danger', 'data-testid': 'api-key-revoke' }, 'Revogar');
  const ask = () => {
    const yes = h('button', { type: 'button', class: 'btn btn-danger', 'data-testid': 'api-key-revoke-confirm' }, 'Sim, revogar');
    const no = h('button', { type: 'button', class: 'btn' }, 'Voltar');
    fill(status, h('p', { role: 'alert' }, 'Revogar esta chave? O sistema que a usa para de mandar agendamentos na hora.'), h('div', { class: 'form-actions' }, no, yes));
    no.addEventListener('click', () => {
      fill(status, revoke);
      revoke.focus();
    });
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      no.disabled = true;
      try {
        await api(`/v1/staff/api-keys/${enc(k.id)}/revoke`, { method: 'POST' });
        await reload();
        document.querySelector(`[data-testid=api-key][data-id="${CSS.escape(k.id)}"] strong`)?.closest('li')?.setAttribute('tabindex', '-1');
        document.querySelector(`[data-testid=api-key][data-id="${CSS.escape(k.id)}"]`)?.focus();
      } catch (err) {
        fill(status, errorBox(err.message), revoke);
      }
    });
    no.focus();
  };
  revoke.addEventListener('click', ask);
  status.append(revoke);
  return li;
}

// ---------------------------------------------------------------------------------------
// #/numeros: counters.

export async function countersView(ctx, main) {
  const days = ctx.query.get('dias') === '30' ? 30 : 7;
  ctx.title('Números');
  main.append(h('a', { class: 'back', href: '#/mensagens' }, '‹ Mensagens'), h('h1', {}, 'Números do estúdio'));
  main.append(
    h(
      'nav',
      { class: 'tabs', 'aria-label': 'Período' },
      [7, 30].map((d) => h('a', { href: `#/numeros?dias=${d}`, 'aria-current': d === days ? 'page' : undefined }, `Últimos ${d} dias`)),
    ),
  );
  const box = h('section', { class: 'card', 'data-testid': 'counters', 'data-days': days, 'aria-labelledby': 'counters-title' }, loading());
  main.append(box);
  let c;
  try {
    c = await api(`/v1/staff/counters?days=${days}`, { signal: ctx.signal });
  } catch (e) {
    if (ctx.alive()) fill(box, errorBox(e.message));
    return;
  }
  if (!ctx.alive()) return;
  const dmy = (d) => (d && /^\d{4}-\d{2}-\d{2}$/.test(d) ? d.split('-').reverse().join('/') : d || '');
  const stat = (key, label, value, tone = '') => h('div', { class: `stat ${tone}`, 'data-key': key }, h('dt', {}, label), h('dd', {}, String(value)));
  const reasons = (title, rc, key) =>
    h(
      'div',
      { class: 'reasons', 'data-key': key },
      h('h3', {}, `${title}: ${rc?.total || 0}`),
      rc?.by_reason?.length
        ? h('ul', { role: 'list' }, rc.by_reason.map((r) => h('li', { 'data-code': r.code }, h('span', {}, r.label || r.code), h('strong', {}, String(r.count)))))
        : h('p', { class: 'muted' }, 'Nenhuma.'),
    );
  const rate = c.reply_rate === undefined || c.reply_rate === null ? 'sem dados' : `${Math.round(c.reply_rate * 100)}%`;
  fill(
    box,
    h('h2', { id: 'counters-title' }, `De ${dmy(c.from)} a ${dmy(c.to)}`),
    h(
      'dl',
      { class: 'stats' },
      stat('sent', 'Enviadas', c.sent),
      stat('delivered', 'Entregues', c.delivered, 'tone-ok'),
      stat('read', 'Lidas', c.read, 'tone-read'),
      stat('reply_rate', 'Responderam aos botões', rate),
    ),
    h('p', { class: 'muted' }, `${c.button_replies} de ${c.buttons_delivered} mensagens com botões entregues tiveram resposta.`),
    h('div', { class: 'reasons-grid' }, reasons('Falharam', c.failed, 'failed'), reasons('Não enviadas', c.skipped, 'skipped')),
  );
}
