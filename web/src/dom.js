// Building DOM nodes, for every page: h(tag, attrs, ...children).
//   attrs: `on<event>` keys are set as handler properties, `text` as the text content, every
//          other key as an attribute (true: present and empty; false, null, undefined: absent).
//   children: nodes or strings; arrays are flattened; null, undefined and false are skipped.

export function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e[k] = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

// A one-line state for an empty, loading or failed view: <p class="state KIND">.
export function stateMessage(kind, text) {
  return h('p', { class: `state ${kind}` }, text);
}
