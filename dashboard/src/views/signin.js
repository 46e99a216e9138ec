// #/entrar: e-mail and password (Firebase Authentication), and #/entrar/senha: the
// password reset e-mail.
import { sendPasswordResetEmail, signInWithEmailAndPassword } from 'firebase/auth';

import { h } from '../dom.js';
import { authErrorText } from '../format.js';
import { legalLinks } from '../legal.js';

let typedEmail = '';

function brand() {
  return h('div', { class: 'auth-brand' }, h('p', { class: 'logo', 'aria-hidden': 'true' }, 'Lembra'), h('p', { class: 'muted' }, 'Painel do estúdio'));
}

/** The privacy policy and the terms of use (config.json's legal_base_url), if configured. */
function legalFooter(base) {
  const links = legalLinks(base);
  if (!links.length) return null;
  const items = [];
  for (const l of links) {
    if (items.length) items.push(' · ');
    items.push(h('a', { href: l.href, 'data-testid': l.testid }, l.label));
  }
  return h('p', { class: 'auth-alt legal-links muted' }, ...items);
}

export function signInView(ctx, main, { flash, legalBase }) {
  ctx.title('Entrar');
  const email = h('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'username', inputmode: 'email', required: true, value: typedEmail });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error', 'data-testid': 'sign-in-error', role: 'alert' }, flash || '');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Entrar');
  const form = h(
    'form',
    { 'data-testid': 'sign-in', novalidate: true, 'aria-labelledby': 'signin-title' },
    h('div', { class: 'field' }, h('label', { for: 'email' }, 'E-mail'), email),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Senha'), password),
    error,
    submit,
  );
  email.addEventListener('input', () => {
    typedEmail = email.value;
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    if (!email.value.trim()) {
      error.textContent = 'Digite seu e-mail.';
      email.focus();
      return;
    }
    if (!password.value) {
      error.textContent = 'Digite a senha.';
      password.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Entrando…';
    try {
      await signInWithEmailAndPassword(ctx.auth, email.value.trim(), password.value);
      // onIdTokenChanged takes it from here (GET /v1/staff/me, then the Agenda).
    } catch (err) {
      if (!ctx.alive()) return;
      error.textContent = authErrorText(err?.code);
      submit.disabled = false;
      submit.textContent = 'Entrar';
      password.select();
    }
  });
  main.append(
    h(
      'section',
      { class: 'auth card narrow' },
      brand(),
      h('h1', { id: 'signin-title' }, 'Entrar'),
      form,
      h('p', { class: 'auth-alt' }, h('a', { href: '#/entrar/senha', 'data-testid': 'forgot-password' }, 'Esqueci minha senha')),
      legalFooter(legalBase),
    ),
  );
}

export function resetView(ctx, main) {
  ctx.title('Redefinir a senha');
  const email = h('input', { id: 'reset-email', name: 'email', type: 'email', autocomplete: 'username', inputmode: 'email', required: true, value: typedEmail });
  const result = h('p', { class: 'form-result', 'data-testid': 'reset-result', role: 'status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Enviar link');
  const form = h(
    'form',
    { 'data-testid': 'reset', novalidate: true, 'aria-labelledby': 'reset-title' },
    h('p', { class: 'muted', id: 'reset-hint' }, 'Enviamos um link para você criar uma nova senha.'),
    h('div', { class: 'field' }, h('label', { for: 'reset-email' }, 'E-mail'), email),
    result,
    submit,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = email.value.trim();
    typedEmail = value;
    if (!/^[^\s@]+@[^\s@]+$/.test(value)) {
      result.className = 'form-result error';
      result.textContent = 'Digite um e-mail válido.';
      email.focus();
      return;
    }
    submit.disabled = true;
    result.className = 'form-result';
    result.textContent = 'Enviando…';
    try {
      await sendPasswordResetEmail(ctx.auth, value);
      result.textContent = `Se houver uma conta com ${value}, enviamos para este e-mail um link para criar uma nova senha. Confira a caixa de entrada e o spam.`;
    } catch (err) {
      if (err?.code === 'auth/user-not-found') {
        // The same answer as for a known e-mail: the form does not tell who has an account.
        result.textContent = `Se houver uma conta com ${value}, enviamos para este e-mail um link para criar uma nova senha. Confira a caixa de entrada e o spam.`;
      } else {
        result.className = 'form-result error';
        result.textContent = authErrorText(err?.code);
      }
    } finally {
      submit.disabled = false;
    }
  });
  main.append(
    h(
      'section',
      { class: 'auth card narrow' },
      brand(),
      h('h1', { id: 'reset-title' }, 'Redefinir a senha'),
      form,
      h('p', { class: 'auth-alt' }, h('a', { href: '#/entrar' }, 'Voltar para entrar')),
    ),
  );
}
