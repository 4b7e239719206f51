// Every call the UI makes to infermetry's HTTP API, in one place. Each function resolves to
// the payload (the "data" of the Prometheus envelope, the record array of the SQL API) or
// rejects with an ApiError whose message is the server's own (what, where, why).
//
// The SQL, stream and saved-document routes need HTTP Basic credentials (the serve config's
// `auth:` users; admin/admin without one). They are kept in sessionStorage; a 401 rejects with
// status 401 and the shell asks for new ones (setCredentials).

export class ApiError extends Error {
  constructor(message, status, type) {
    super(message);
    this.status = status;
    this.type = type || '';
  }
}

const AUTH_KEY = 'infermetry.auth';

export function setCredentials(user, password) {
  sessionStorage.setItem(AUTH_KEY, btoa(`${user}:${password}`));
}

function authHeader() {
  return 'Basic ' + (sessionStorage.getItem(AUTH_KEY) || btoa('admin:admin'));
}

async function request(url, { method = 'GET', body, auth = false, json } = {}) {
  // X-Requested-With: a 401 then comes without the Basic challenge that would make the
  // browser show its own password prompt; the shell asks instead.
  const headers = { 'X-Requested-With': 'XMLHttpRequest' };
  if (auth) headers.Authorization = authHeader();
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  let resp;
  try {
    resp = await fetch(url, { method, headers, body });
  } catch (e) {
    throw new ApiError(`infermetry is not reachable (${e.message})`, 0);
  }
  const text = await resp.text();
  let payload = null;
  try { payload = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!resp.ok) {
    const msg = (payload && (payload.error || payload.message)) || text.trim() || resp.statusText;
    throw new ApiError(msg, resp.status, payload && payload.errorType);
  }
  if (payload && payload.status === 'error') throw new ApiError(payload.error, resp.status, payload.errorType);
  return payload && payload.status === 'success' && 'data' in payload ? payload.data : payload;
}

const form = (o) => new URLSearchParams(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')).toString();

// PromQL range query: [{metric:{...}, values:[[t, "v"], ...]}]. Times in Unix seconds.
export async function promRange(query, start, end, step) {
  const data = await request('/api/v1/query_range', { method: 'POST', body: form({ query, start, end, step }) });
  return data.result;
}

// PromQL instant query: {resultType, result}.
export function promInstant(query, time) {
  return request('/api/v1/query', { method: 'POST', body: form({ query, time }) });
}

// SQL (the Parseable API): an array of records. startTime/endTime: RFC 3339 or relative ("1h").
export function sql(query, startTime, endTime) {
  return request('/api/v1/query', { method: 'POST', auth: true, json: { query, startTime, endTime } });
}

export function labelValues(name, match) {
  const q = match ? '?' + form({ 'match[]': match }) : '';
  return request(`/api/v1/label/${encodeURIComponent(name)}/values${q}`);
}

// Span search (newest first): service, name, status, min_duration, max_duration, start, end,
// limit, and attr.<key> filters.
export function spans(params) {
  return request('/api/v1/spans?' + form(params));
}

export function trace(id) {
  return request(`/api/v1/traces/${encodeURIComponent(id)}`);
}

export function services() {
  return request('/api/v1/services');
}

export function streams() {
  return request('/api/v1/logstream', { auth: true });
}

export function streamSchema(name) {
  return request(`/api/v1/logstream/${encodeURIComponent(name)}/schema`, { auth: true });
}

// Saved documents: kind is "dashboards" or "filters" (saved queries). list → [{id, updated, value}].
export function listDocs(kind) {
  return request(`/api/v1/${kind}`, { auth: true });
}
export function getDoc(kind, id) {
  return request(`/api/v1/${kind}/${encodeURIComponent(id)}`, { auth: true });
}
export function putDoc(kind, id, value) {
  return request(`/api/v1/${kind}/${encodeURIComponent(id)}`, { method: 'PUT', auth: true, json: value });
}
export function deleteDoc(kind, id) {
  return request(`/api/v1/${kind}/${encodeURIComponent(id)}`, { method: 'DELETE', auth: true });
}

// {gpu_hourly_cost: {default: 2.21, models: {"<model>": 4.1}}, version}
export function uiConfig() {
  return request('/api/v1/ui/config');
}

export function rules() {
  return request('/api/v1/rules');
}
export function alerts() {
  return request('/api/v1/alerts');
}

export function newId() {
  const b = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
