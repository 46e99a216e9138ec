// A small DOM builder: h('p', {class: 'x', 'data-testid': 'y'}, 'text', child…). Text is
// always set as text (never parsed as HTML), so what the API says cannot inject markup.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'hidden') el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces el's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * Replaces el's children with new ones while keeping the keyboard focus where it was:
 * the focused element's data-testid (and the data-id of its closest [data-id]) is looked
 * up again in the new content. Polling redraws lists without losing a user's place.
 */
export function refill(el, ...children) {
  const active = document.activeElement;
  let key = null;
  if (active && el.contains(active)) {
    key = {
      testid: active.getAttribute('data-testid'),
      id: active.closest('[data-id]')?.getAttribute('data-id'),
      href: active.getAttribute('href'),
    };
  }
  fill(el, ...children);
  if (!key) return el;
  let sel = key.testid ? `[data-testid="${CSS.escape(key.testid)}"]` : key.href ? `[href="${CSS.escape(key.href)}"]` : null;
  if (!sel) return el;
  if (key.id) sel = `[data-id="${CSS.escape(key.id)}"] ${sel}`;
  el.querySelector(sel)?.focus();
  return el;
}
