// #/equipe (owner only): the studio's members, adding one, and the link that lets the
// new member choose a password.
import { api } from '../api.js';
import { fill, h } from '../dom.js';
import { errorBox, loading } from '../ui.js';

const roleLabels = { owner: 'Responsável', staff: 'Equipe' };

export async function teamView(ctx, main) {
  ctx.title('Equipe');
  if (ctx.me.role !== 'owner') {
    main.append(h('h1', {}, 'Equipe'), errorBox('Apenas o responsável pelo estúdio vê e adiciona a equipe.'));
    return;
  }
  const list = h('div', {}, loading());
  const email = h('input', { id: 'member-email', name: 'email', type: 'email', autocomplete: 'off', required: true, 'aria-describedby': 'member-email-hint' });
  const role = h('select', { id: 'member-role', name: 'role' }, h('option', { value: 'staff' }, 'Equipe'), h('option', { value: 'owner' }, 'Responsável'));
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Adicionar');
  const result = h('div', { 'data-testid': 'member-result', role: 'status', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card', 'data-testid': 'member-form', novalidate: true, 'aria-labelledby': 'add-title' },
    h('h2', { id: 'add-title' }, 'Adicionar à equipe'),
    h('div', { class: 'field' }, h('label', { for: 'member-email' }, 'E-mail'), h('span', { class: 'hint', id: 'member-email-hint' }, 'A pessoa entra com este e-mail.'), email),
    h('div', { class: 'field' }, h('label', { for: 'member-role' }, 'Função'), role),
    submit,
    result,
  );
  main.append(h('h1', {}, 'Equipe'), list, form);

  const load = async () => {
    try {
      const data = await api('/v1/staff/members', { signal: ctx.signal });
      if (!ctx.alive()) return;
      fill(
        list,
        h(
          'ul',
          { class: 'members card', 'data-testid': 'members', role: 'list' },
          (data.members || []).map((m) =>
            h(
              'li',
              { 'data-testid': 'member', 'data-uid': m.uid, 'data-role': m.role },
              h('span', { class: 'member-email' }, m.email),
              h('span', { class: `badge badge-role-${m.role}` }, m.role_label || roleLabels[m.role] || m.role),
              m.uid === ctx.me.uid && h('span', { class: 'muted' }, ' (você)'),
            ),
          ),
        ),
      );
    } catch (e) {
      if (ctx.alive()) fill(list, errorBox(e.message));
    }
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = email.value.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
      email.setAttribute('aria-invalid', 'true');
      fill(result, errorBox('Digite um e-mail válido.'));
      email.focus();
      return;
    }
    email.removeAttribute('aria-invalid');
    submit.disabled = true;
    fill(result, 'Adicionando…');
    try {
      const data = await api('/v1/staff/members', { method: 'POST', body: { email: value, role: role.value } });
      const m = data.member || data;
      const link = data.password_reset_link;
      const linkInput = h('input', { id: 'reset-link', 'data-testid': 'reset-link', readonly: true, value: link || '' });
      const copy = h('button', { type: 'button', class: 'btn' }, 'Copiar link');
      copy.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(linkInput.value);
          copy.textContent = 'Link copiado';
        } catch {
          linkInput.select();
          copy.textContent = 'Selecionado: copie com Ctrl+C';
        }
      });
      fill(
        result,
        h('p', { class: 'ok' }, `${m.email || value} faz parte da equipe.`),
        link && [
          h('label', { for: 'reset-link' }, 'Envie este link para a pessoa criar a senha:'),
          h('div', { class: 'copy-row' }, linkInput, copy),
        ],
      );
      email.value = '';
      await load();
    } catch (err) {
      fill(result, errorBox(err.message));
    } finally {
      submit.disabled = false;
    }
  });
  await load();
}
