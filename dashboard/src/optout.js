// A client's opt-out of the studio's automatic messages, as the conversation shows it
// (GET /v1/staff/conversations/{wa_id} answers opt_out), and the settings' keyword list.

/**
 * What the conversation shows of a client's opt-out: nothing when she never opted out;
 * otherwise the API's Portuguese label, whether she is opted out now, and whether the
 * signed-in member may resume her (the owner, while she is opted out).
 */
export function optOutState(optOut, role) {
  if (!optOut || typeof optOut !== 'object') return { show: false, active: false, canResume: false, text: '' };
  const active = optOut.active === true;
  const text = optOut.label || (active ? 'Não recebe mensagens automáticas.' : 'Mensagens automáticas retomadas.');
  return { show: true, active, canResume: active && role === 'owner', text };
}

/**
 * The settings' keyword field: one keyword per line (or separated by commas), trimmed,
 * empty ones dropped; an empty list restores the defaults.
 */
export function parseKeywords(raw) {
  return String(raw ?? '')
    .split(/[\n,;]+/)
    .map((k) => k.trim())
    .filter((k) => k !== '');
}

/** The keyword list as the settings' field shows it: one per line. */
export function keywordsText(list) {
  return Array.isArray(list) ? list.join('\n') : '';
}

/**
 * The settings patch of the opt-out card, only what changed against s (GET
 * /v1/staff/settings): the keyword list (typed; [] restores the defaults) and the strict
 * window rule.
 */
export function optOutChanges(s, { keywords, strict }) {
  const cur = s?.opt_out || {};
  const patch = {};
  const typed = parseKeywords(keywords);
  const stored = cur.opt_out_keywords_default ? [] : cur.opt_out_keywords || [];
  const same = (a, b) => a.length === b.length && a.every((k, i) => k === b[i]);
  if (!same(typed, stored) && !(cur.opt_out_keywords_default && same(typed, cur.opt_out_keywords || []))) patch.opt_out_keywords = typed;
  if (typeof strict === 'boolean' && strict !== !!cur.strict_cancel_window) patch.strict_cancel_window = strict;
  return patch;
}
