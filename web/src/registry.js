// What each panel currently shows, for tests and for "show the query": window.__infermetry.
//   panels[id] = {id, title, query (text shown to the user), language ("promql" | "sql"),
//                 state ("loading" | "ok" | "empty" | "error"), error,
//                 series: [{name, points: [[unix_s, value], ...]}], value (single-stat panels),
//                 step, start, end}
// Every panel element carries data-panel="<id>" and data-state="<state>".

const state = { panels: {}, page: '' };
window.__infermetry = state;

export const registry = {
  reset() { state.panels = {}; },
  set(id, info) {
    state.panels[id] = { ...(state.panels[id] || {}), id, ...info };
    return state.panels[id];
  },
  get(id) { return state.panels[id]; },
};
