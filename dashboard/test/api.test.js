// Tests of the staff API client (src/api.js) with a stand-in user and fetch: the JSON and
// the file (Blob) answers, and a 401 retried once with a fresh token, then sign-in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, ApiError, apiFile, configureApi } from '../src/api.js';

/** Answers fetch with responses in turn, recording each request; a user whose tokens are counted. */
function stand(responses) {
  const calls = [];
  const tokens = [];
  let unauthorized = 0;
  globalThis.fetch = async (url, init) => {
    calls.push({ url, init });
    const r = responses.shift();
    if (!r) throw new Error('no more responses');
    return r();
  };
  configureApi({
    apiBase: 'https://api.example/',
    currentUser: () => ({
      getIdToken: async (refresh) => {
        tokens.push(refresh);
        return `token-${tokens.length}`;
      },
    }),
    onUnauthorized: () => {
      unauthorized++;
    },
  });
  return { calls, tokens, unauthorized: () => unauthorized };
}

const json = (status, body) => () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const csv = (text) => () => new Response(text, { status: 200, headers: { 'Content-Type': 'text/csv' } });

test('api: JSON asked for and returned', async () => {
  const s = stand([json(200, { ok: 1 })]);
  assert.deepEqual(await api('/v1/staff/settings'), { ok: 1 });
  assert.equal(s.calls[0].url, 'https://api.example/v1/staff/settings');
  assert.equal(s.calls[0].init.headers.Accept, 'application/json');
  assert.equal(s.calls[0].init.headers.Authorization, 'Bearer token-1');
});

test('apiFile: a Blob, no JSON Accept header', async () => {
  const s = stand([csv('categoria,mensagens\nutility,3\n')]);
  const blob = await apiFile('/v1/staff/billing?month=2026-11&format=csv');
  assert.ok(blob instanceof Blob);
  assert.equal(await blob.text(), 'categoria,mensagens\nutility,3\n');
  assert.equal(s.calls[0].init.method, 'GET');
  assert.equal(s.calls[0].init.headers.Accept, undefined);
  assert.equal(s.calls[0].init.headers.Authorization, 'Bearer token-1');
  assert.equal(s.unauthorized(), 0);
});

test('apiFile: an error is the API\'s JSON error, in Portuguese', async () => {
  stand([json(400, { error: { code: 'invalid_value', field: 'month', message: 'bad month' } })]);
  await assert.rejects(apiFile('/v1/staff/billing?month=x&format=csv'), (e) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.status, 400);
    assert.equal(e.code, 'invalid_value');
    assert.equal(e.field, 'month');
    assert.equal(e.serverMessage, 'bad month');
    return true;
  });
});

for (const [name, call] of [['api', (p) => api(p)], ['apiFile', (p) => apiFile(p)]]) {
  test(`${name}: a 401 is retried once with a fresh token`, async () => {
    const s = stand([json(401, { error: { code: 'unauthenticated' } }), name === 'api' ? json(200, { ok: 1 }) : csv('a\n')]);
    const got = await call('/v1/staff/billing');
    if (name === 'api') assert.deepEqual(got, { ok: 1 });
    else assert.equal(await got.text(), 'a\n');
    assert.deepEqual(s.tokens, [false, true]);
    assert.deepEqual(s.calls.map((c) => c.init.headers.Authorization), ['Bearer token-1', 'Bearer token-2']);
    assert.equal(s.unauthorized(), 0);
  });

  test(`${name}: a second 401 sends the user to sign-in`, async () => {
    const s = stand([json(401, {}), json(401, {})]);
    await assert.rejects(call('/v1/staff/billing'), (e) => e instanceof ApiError && e.status === 401 && e.code === 'unauthenticated');
    assert.equal(s.calls.length, 2);
    assert.equal(s.unauthorized(), 1);
  });
}
