// The staff API client: every call carries the signed-in user's Firebase ID token, a 401
// is retried once with a fresh token and then sends the user back to sign-in, and every
// error becomes an ApiError whose message is Portuguese (the API's own message is for
// developers and never shown).
import { apiErrorText } from './format.js';

export class ApiError extends Error {
  constructor(status, code, field, message = '') {
    super(apiErrorText(status, code, field, message));
    this.status = status;
    this.code = code;
    this.field = field;
    // The API's own words: English for developers, except where an endpoint says they
    // are Portuguese (the settings' rules, shared/tenants): that screen shows them.
    this.serverMessage = message;
  }
}

let base = '';
let currentUser = () => null;
let unauthorized = () => {};

/** Sets where the API is, how to get the signed-in user and what a final 401 does. */
export function configureApi(o) {
  base = o.apiBase.replace(/\/+$/, '');
  currentUser = o.currentUser;
  unauthorized = o.onUnauthorized;
}

/**
 * Calls the staff API: api('/v1/staff/agenda?date=…'), api(path, {method, body}). The
 * answer is its JSON; with as: 'blob', a file's bytes as a Blob (an error still as JSON).
 */
export async function api(path, { method = 'GET', body, signal, as = 'json' } = {}) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const user = currentUser();
    if (!user) {
      unauthorized();
      throw new ApiError(401, 'unauthenticated', '');
    }
    let token;
    try {
      token = await user.getIdToken(attempt > 0);
    } catch {
      unauthorized();
      throw new ApiError(401, 'unauthenticated', '');
    }
    const headers = { Authorization: `Bearer ${token}` };
    if (as !== 'blob') headers.Accept = 'application/json';
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (e) {
      if (e?.name === 'AbortError') throw e;
      throw new ApiError(0, '', '');
    }
    if (res.status === 401 && attempt === 0) continue;
    if (res.status === 401) {
      unauthorized();
      throw new ApiError(401, 'unauthenticated', '');
    }
    if (as === 'blob' && res.ok) return res.blob();
    let data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    if (!res.ok) {
      const e = (data && data.error) || {};
      const err = new ApiError(res.status, e.code || '', e.field || '', e.message || '');
      err.data = data; // the answer's body (e.g. a connect attempt's steps on 502/409)
      throw err;
    }
    return data;
  }
  throw new ApiError(401, 'unauthenticated', '');
}

/** Downloads a file from the staff API (a CSV export): resolves to a Blob; 401s and errors as api()'s. */
export function apiFile(path, { signal } = {}) {
  return api(path, { signal, as: 'blob' });
}
