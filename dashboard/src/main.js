// The staff dashboard: loads config.json, signs staff in with Firebase Authentication,
// asks the api who they are (GET /v1/staff/me) and draws the screen the hash names.
import { initializeApp } from 'firebase/app';
import { connectAuthEmulator, getAuth, onIdTokenChanged, signOut } from 'firebase/auth';

import { api, configureApi } from './api.js';
import { fill, h } from './dom.js';
import { agendaView, appointmentView, newAppointmentView } from './views/agenda.js';
import { billingView } from './views/billing.js';
import { conversationView } from './views/conversation.js';
import { jobView, messagesView } from './views/messages.js';
import { drainView } from './views/ops.js';
import { apiKeysView, countersView, settingsView } from './views/settings.js';
import { resetView, signInView } from './views/signin.js';
import { teamView } from './views/team.js';
import { whatsappView } from './views/whatsapp.js';

const main = document.getElementById('main');
const header = document.getElementById('top');

const state = {
  auth: null,
  user: undefined, // undefined: not known yet; null: signed out
  me: null,
  flash: '', // a sentence for the sign-in screen (why the user was signed out)
  after: '', // the route to open once signed in
  view: null, // the current view's context
  legalBase: '', // config.json's legal_base_url
};

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** Signs out (the API said 401 even with a fresh token) and shows why. */
function sessionEnded() {
  if (!state.user) return;
  state.flash = 'Sua sessão terminou. Entre novamente.';
  signOut(state.auth).catch(() => {});
}

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { parts, query: new URLSearchParams(qs || '') };
}

/** Starts fn every ms while the tab is visible (and at once when it becomes visible). */
function poller(ctx, fn, ms) {
  let busy = false;
  const tick = async () => {
    if (!ctx.alive() || busy || document.visibilityState !== 'visible') return;
    busy = true;
    try {
      await fn();
    } catch {
      // the view shows its own errors; the next tick tries again
    } finally {
      busy = false;
    }
  };
  const id = setInterval(tick, ms);
  const onVisible = () => document.visibilityState === 'visible' && tick();
  document.addEventListener('visibilitychange', onVisible);
  ctx.onLeave(() => {
    clearInterval(id);
    document.removeEventListener('visibilitychange', onVisible);
  });
}

function newContext(query) {
  const leave = [];
  let alive = true;
  const ctrl = new AbortController();
  const ctx = {
    me: state.me,
    auth: state.auth,
    query,
    signal: ctrl.signal,
    alive: () => alive,
    onLeave: (f) => leave.push(f),
    poll: (fn, ms = 5000) => poller(ctx, fn, ms),
    title: (t) => {
      document.title = `${t} · Lembra`;
    },
    navigate,
    leave() {
      alive = false;
      ctrl.abort();
      leave.splice(0).forEach((f) => f());
    },
  };
  return ctx;
}

function setNav(active) {
  const owner = state.me?.role === 'owner';
  header.querySelector('[data-nav=equipe]').hidden = !owner;
  header.querySelector('[data-nav=configuracoes]').hidden = !owner;
  // Staff read the connection's state; the owner reaches it from Ajustes' tabs.
  header.querySelector('[data-nav=whatsapp]').hidden = owner || !state.me;
  for (const a of header.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

let focusOnRender = false;

async function route() {
  const { parts, query } = parseHash();
  state.view?.leave();
  const ctx = newContext(query);
  state.view = ctx;
  const [section, arg] = parts;

  if (state.user === undefined) return; // the auth state arrives, then route() again
  if (!state.me) {
    header.hidden = true;
    if (section !== 'entrar') {
      state.after = location.hash || '#/agenda';
      location.replace('#/entrar');
      return;
    }
    fill(main);
    if (arg === 'senha') resetView(ctx, main);
    else signInView(ctx, main, { flash: state.flash, legalBase: state.legalBase });
    state.flash = '';
    focusHeading();
    return;
  }
  header.hidden = false;
  if (section === 'entrar' || !section) {
    location.replace(state.after && !state.after.startsWith('#/entrar') ? state.after : '#/agenda');
    state.after = '';
    return;
  }
  const views = {
    agenda: () => agendaView(ctx, main, arg),
    agendamento: () => appointmentView(ctx, main, arg),
    novo: () => newAppointmentView(ctx, main),
    mensagens: () => messagesView(ctx, main),
    mensagem: () => jobView(ctx, main, arg),
    conversa: () => conversationView(ctx, main, arg),
    equipe: () => teamView(ctx, main),
    fila: () => drainView(ctx, main),
    numeros: () => countersView(ctx, main),
    custos: () => billingView(ctx, main),
    configuracoes: () => settingsView(ctx, main),
    chaves: () => apiKeysView(ctx, main),
    whatsapp: () => whatsappView(ctx, main),
  };
  const nav = { agenda: 'agenda', agendamento: 'agenda', novo: 'agenda', mensagens: 'mensagens', mensagem: 'mensagens', conversa: 'mensagens', fila: 'mensagens', numeros: 'mensagens', custos: 'mensagens', configuracoes: 'configuracoes', chaves: 'configuracoes', whatsapp: 'configuracoes', equipe: 'equipe' };
  setNav(section === 'whatsapp' && state.me?.role !== 'owner' ? 'whatsapp' : nav[section]);
  fill(main);
  const view = views[section];
  if (!view) {
    ctx.title('Página não encontrada');
    main.append(h('h1', { tabindex: -1 }, 'Página não encontrada'), h('p', {}, h('a', { href: '#/agenda' }, 'Ir para a Agenda')));
  } else {
    await view();
  }
  if (ctx.alive()) focusHeading();
}

/** After a navigation the heading of the new screen takes the focus (screen readers read it). */
function focusHeading() {
  if (!focusOnRender) return;
  const h1 = main.querySelector('h1');
  if (h1) {
    h1.setAttribute('tabindex', '-1');
    h1.focus({ preventScroll: false });
  }
}

function showFatal(text) {
  header.hidden = true;
  fill(main, h('section', { class: 'card narrow' }, h('h1', {}, 'Painel indisponível'), h('p', { role: 'alert' }, text)));
}

async function boot() {
  let config;
  try {
    const res = await fetch('config.json', { cache: 'no-store' });
    if (!res.ok) throw new Error(String(res.status));
    config = await res.json();
  } catch {
    showFatal('Não foi possível ler a configuração do painel (config.json). Tente recarregar a página.');
    return;
  }
  const app = initializeApp(config.firebase);
  const auth = getAuth(app);
  auth.languageCode = 'pt-BR';
  if (config.auth_emulator_url) connectAuthEmulator(auth, config.auth_emulator_url, { disableWarnings: true });
  state.auth = auth;
  state.legalBase = config.legal_base_url; // the privacy policy and terms, linked from the sign-in page
  configureApi({ apiBase: config.api_base, currentUser: () => auth.currentUser, onUnauthorized: sessionEnded });

  header.querySelector('[data-testid=sign-out]').addEventListener('click', async () => {
    state.after = '';
    await signOut(auth);
  });
  document.querySelector('[data-skip]').addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });
  window.addEventListener('hashchange', () => {
    focusOnRender = true;
    route();
  });

  onIdTokenChanged(auth, async (user) => {
    if (!user) {
      state.user = null;
      state.me = null;
      route();
      return;
    }
    if (state.user && state.user.uid === user.uid && state.me) {
      state.user = user; // a refreshed token: nothing to redraw
      return;
    }
    state.user = user;
    try {
      state.me = await api('/v1/staff/me');
    } catch (e) {
      state.me = null;
      state.flash =
        e.status === 401
          ? 'Esta conta não faz parte da equipe de nenhum estúdio. Peça ao responsável pelo estúdio para adicionar você.'
          : e.message;
      await signOut(auth).catch(() => {});
      return;
    }
    fill(header.querySelector('[data-testid=tenant-name]'), state.me.tenant.name);
    route();
  });
}

boot();
