// A results table for the explore pages.
//
//   createTable({columns, rows, initialSort}) → HTMLTableElement (class "results")
//     columns: [{label, value(row) → sortable value (number | string | null),
//                render(row) → string | Node (default: value as text),
//                numeric (right-aligned), title}]
//     rows: any objects the column functions understand.
//     initialSort: {index, desc} or undefined (the rows' own order).
//     maxRows: render at most this many rows (after sorting all of them); a footer says so.
//   Clicking a header sorts by that column (again: reverses); nulls always sort last.
//   Headers carry data-sort="asc|desc" while sorted.

import { h } from './dom.js';

function compare(a, b) {
  const an = a === null || a === undefined || Number.isNaN(a);
  const bn = b === null || b === undefined || Number.isNaN(b);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

export function createTable({ columns, rows, initialSort, maxRows = Infinity }) {
  const table = h('table', { class: 'results' });
  const tbody = h('tbody');
  let sort = initialSort ? { ...initialSort } : null;

  const headers = columns.map((c, i) => h('th', {
    class: c.numeric ? 'num' : '', title: c.title || 'Sort by this column',
    onclick: () => {
      sort = sort && sort.index === i ? { index: i, desc: !sort.desc } : { index: i, desc: false };
      fill();
    },
  }, c.label));
  table.append(h('thead', {}, h('tr', {}, headers)), tbody);
  if (rows.length > maxRows) {
    table.append(h('tfoot', {}, h('tr', {}, h('td', { colSpan: columns.length, class: 'muted' },
      `showing ${maxRows} of ${rows.length} rows (sorting uses all of them)`))));
  }

  function fill() {
    let ordered = rows;
    if (sort) {
      const col = columns[sort.index];
      ordered = rows.map((r) => [col.value(r), r]);
      ordered.sort((x, y) => {
        const nullish = (v) => v === null || v === undefined;
        if (nullish(x[0]) || nullish(y[0])) return compare(x[0], y[0]); // nulls last either way
        return sort.desc ? compare(y[0], x[0]) : compare(x[0], y[0]);
      });
      ordered = ordered.map((p) => p[1]);
    }
    headers.forEach((th, i) => {
      if (sort && sort.index === i) th.setAttribute('data-sort', sort.desc ? 'desc' : 'asc');
      else th.removeAttribute('data-sort');
    });
    tbody.replaceChildren(...ordered.slice(0, maxRows).map((r) => h('tr', {}, columns.map((c) => {
      const content = c.render ? c.render(r) : c.value(r);
      return h('td', { class: c.numeric ? 'num' : '' }, content === null || content === undefined ? '' : content);
    }))));
  }
  fill();
  return table;
}
