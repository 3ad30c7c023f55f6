// TagWatch console: plain JavaScript, no library, nothing fetched from outside the engine.
// Every value that came from a user or a reader is put into the page as text (textContent,
// createTextNode, SVG <title>), never as HTML: a plate "<script>…" shows as those characters.
'use strict';

const state = { token: null, me: null, readers: [], hits: new Map(), selected: null, stream: null };
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const MAX_HITS = 300;
const MAP_WINDOW_MS = 30 * 60 * 1000; // the map shows open hits of the last 30 minutes, fading with age
const LABELS_UP_TO = 30; // reader ids are drawn as labels only on a small map; a city keeps them in tooltips

/** The one way a time is shown: the time of day for today, date and time for an earlier day. */
function when(t) {
  if (t == null || t === '') return '—';
  const d = new Date(t);
  return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString() : d.toLocaleString();
}

/** An element with attributes and children; string children become text nodes. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return e;
}

function svg(tag, attrs, title) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (title != null) {
    const t = document.createElementNS(SVG, 'title');
    t.textContent = title;
    e.append(t);
  }
  return e;
}

async function api(method, path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (state.token) headers.Authorization = 'Bearer ' + state.token;
  const r = await fetch(path, { method, headers, body: body == null ? undefined : JSON.stringify(body) });
  const data = r.status === 204 ? null : await r.json().catch(() => null);
  if (r.status === 401 && state.token) { logout(false); }
  if (!r.ok) { // the server's message is a plain sentence; the field only says which input to point at
    const e = new Error(data && data.message ? data.message : 'HTTP ' + r.status);
    e.status = r.status;
    e.field = data && data.field;
    throw e;
  }
  return data;
}

// ------------------------------------------------------------------ login and views

async function login(ev) {
  ev.preventDefault();
  $('login-error').textContent = '';
  try {
    const r = await api('POST', '/api/auth/login', { username: $('username').value, password: $('password').value });
    state.token = r.token;
    sessionStorage.setItem('tagwatch-token', r.token);
    await start();
  } catch (e) {
    $('login-error').textContent = e.message;
  }
}

async function logout(tellServer = true) {
  if (tellServer && state.token) await api('POST', '/api/auth/logout').catch(() => {});
  if (state.stream) state.stream.abort();
  state.token = null;
  state.me = null;
  sessionStorage.removeItem('tagwatch-token');
  location.reload();
}

const VIEWS = {
  officer: [['hits', 'Hits'], ['readers', 'Readers']],
  admin: [['readers', 'Readers'], ['hits', 'Hits']],
  owner: [['vehicles', 'My vehicles']],
  clerk: [['clerk', 'Vehicles']],
};

async function start() {
  state.me = await api('GET', '/api/me');
  $('login-view').hidden = true;
  $('logout').hidden = false;
  $('who').textContent = state.me.username + ' (' + state.me.role + (state.me.district ? ', ' + state.me.district : '') + ')';
  const nav = $('nav');
  nav.replaceChildren();
  for (const [view, label] of VIEWS[state.me.role]) {
    nav.append(el('button', { type: 'button', 'data-view': view, onclick: () => show(view) }, label));
  }
  nav.hidden = false;
  await show(VIEWS[state.me.role][0][0]);
}

async function show(view) {
  for (const v of ['hits', 'vehicles', 'readers', 'clerk']) $(v + '-view').hidden = v !== view;
  for (const b of $('nav').children) b.classList.toggle('active', b.dataset.view === view);
  if (view === 'hits') await openHits();
  if (view === 'vehicles') await loadVehicles();
  if (view === 'readers') await loadReaders();
}

// ------------------------------------------------------------------ officer: map, live hits, detail

/** Map projection from the readers' coordinates onto the SVG box (equirectangular, with a margin). */
function projection(points) {
  const lats = points.map((p) => p.lat), lons = points.map((p) => p.lon);
  const minLat = Math.min(...lats), maxLat = Math.max(...lats), minLon = Math.min(...lons), maxLon = Math.max(...lons);
  const w = 600, h = 400, m = 30;
  const kx = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
  const spanX = Math.max((maxLon - minLon) * kx, 1e-6), spanY = Math.max(maxLat - minLat, 1e-6);
  const s = Math.min((w - 2 * m) / spanX, (h - 2 * m) / spanY);
  return (lat, lon) => [m + ((lon - minLon) * kx) * s + ((w - 2 * m) - spanX * s) / 2,
    h - m - (lat - minLat) * s - ((h - 2 * m) - spanY * s) / 2];
}

function drawMap() {
  const map = $('map');
  map.replaceChildren();
  if (state.readers.length === 0) return;
  const at = projection(state.readers);
  state.project = at;
  map.append(svg('g', { id: 'track-layer' }));
  for (const r of state.readers) {
    const [x, y] = at(r.lat, r.lon);
    map.append(svg('circle', { cx: x, cy: y, r: 5, class: 'reader' + (r.online ? '' : ' offline'), 'data-reader': r.id },
      r.id + ' ' + r.name + ' (' + r.district + ')'));
    if (state.readers.length <= LABELS_UP_TO) {
      const label = svg('text', { x: x + 11, y: y + 3, class: 'reader-label' });
      label.textContent = r.id;
      map.append(label);
    }
  }
  map.append(svg('g', { id: 'hit-layer' }));
  drawHits();
}

/**
 * One marker per tag, where its newest open hit of the last MAP_WINDOW_MS is: the map shows where
 * each wanted vehicle is now. A marker fades as its hit ages; resolved and older hits leave the map
 * (they stay in the list).
 */
function drawHits() {
  const layer = $('hit-layer');
  if (!layer || !state.project) return;
  const now = Date.now();
  const newest = new Map();
  for (const h of state.hits.values()) {
    const age = now - new Date(h.receivedAt).getTime();
    if (h.status === 'resolved' || h.lat == null || !(age < MAP_WINDOW_MS)) continue;
    const other = newest.get(h.tag);
    if (!other || other.receivedAt < h.receivedAt) newest.set(h.tag, h);
  }
  layer.replaceChildren(...[...newest.values()].map((h) => {
    const [x, y] = state.project(h.lat, h.lon);
    const age = Math.max(0, now - new Date(h.receivedAt).getTime());
    const marker = svg('circle', { cx: x, cy: y, r: 9, class: 'hit', 'data-hit': h.hitId, 'data-tag': h.tag,
      'fill-opacity': (1 - 0.8 * age / MAP_WINDOW_MS).toFixed(2) },
    (h.plate || h.tag) + ' at ' + (h.readerName || h.readerId) + ', ' + when(h.receivedAt) + ' (' + h.status + ')');
    marker.addEventListener('click', () => selectHit(h.hitId));
    return marker;
  }));
}

function hitItem(h) {
  const li = el('li', { class: h.status + (state.selected === h.hitId ? ' selected' : ''), 'data-hit': h.hitId,
    onclick: () => selectHit(h.hitId) },
  el('strong', { class: 'plate' }, h.plate || h.tag), ' ', el('span', { class: 'badge' }, h.list),
  ' at ', h.readerName || h.readerId, ' · ', when(h.receivedAt), ' · ',
  el('span', { class: 'status' }, h.status));
  return li;
}

function renderHits() {
  const list = $('hit-list');
  const sorted = [...state.hits.values()].sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : -1));
  list.replaceChildren(...sorted.map(hitItem));
}

function addHit(h) {
  if (!h.hitId) return;
  const known = state.hits.get(h.hitId);
  state.hits.set(h.hitId, Object.assign({}, known || {}, normalise(h)));
  if (state.hits.size > MAX_HITS) { // keep the newest; older ones stay in GET /api/hits
    const oldest = [...state.hits.values()].sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : 1))[0];
    if (oldest.hitId !== state.selected) state.hits.delete(oldest.hitId);
  }
  drawHits();
  renderHits();
}

/** Alerts nest the reader and vehicle; API hits are flat. The console keeps the flat shape. */
function normalise(h) {
  if (!h.reader) return h;
  return Object.assign({}, h, { readerId: h.reader.id, readerName: h.reader.name, lat: h.reader.lat, lon: h.reader.lon,
    district: h.reader.district, status: h.status || 'new', receivedAt: h.receivedAt || new Date().toISOString() });
}

async function openHits() {
  const district = state.me.role === 'officer' && state.me.district ? state.me.district : null;
  const q = district ? '&district=' + encodeURIComponent(district) : '';
  const [readers, hits] = await Promise.all([api('GET', '/api/readers'), api('GET', '/api/hits?limit=100' + q)]);
  state.readers = readers.items;
  for (const h of hits.items) state.hits.set(h.hitId, h);
  drawMap();
  renderHits();
  if (!state.stream) listen(district);
  if (!state.fading) state.fading = setInterval(drawHits, 30000);
}

/** The SSE alert stream read with fetch (EventSource cannot send the bearer token). Reconnects. */
async function listen(district) {
  const ctl = new AbortController();
  state.stream = ctl;
  const badge = $('stream-state');
  try {
    const r = await fetch('/api/alerts/stream' + (district ? '?district=' + encodeURIComponent(district) : ''),
      { headers: { Authorization: 'Bearer ' + state.token }, signal: ctl.signal });
    if (!r.ok) throw new Error('HTTP ' + r.status);
    badge.textContent = 'live';
    badge.className = 'badge live';
    const reader = r.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (data) addHit(JSON.parse(data));
      }
    }
  } catch (e) {
    if (ctl.signal.aborted) return;
  }
  badge.textContent = 'reconnecting';
  badge.className = 'badge';
  setTimeout(() => { if (state.stream === ctl && state.token) listen(district); }, 2000);
}

async function selectHit(id) {
  state.selected = id;
  $('hit-error').textContent = '';
  const h = await api('GET', '/api/hits/' + encodeURIComponent(id));
  state.hits.set(id, Object.assign(state.hits.get(id) || {}, h));
  renderHits();
  $('hit-detail').hidden = false;
  $('hit-plate').textContent = h.plate || h.tag;
  const fields = [['Status', h.status], ['List', h.list + ' (' + h.rule + ')'], ['Tag', h.tag], ['Plate', h.plate],
    ['Vehicle', [h.kind, h.brand, h.color].filter(Boolean).join(', ')], ['Reader', (h.readerName || '') + ' (' + h.readerId + ')'],
    ['District', h.district], ['Seen', when(h.readerTime)], ['Received', when(h.receivedAt)], ['Acknowledged by', h.acknowledgedBy], ['Resolution', h.resolution],
    ['Note', h.note]];
  $('hit-fields').replaceChildren(...fields.filter(([, v]) => v != null && v !== '').flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  // The hit's own pass ends the track (its sighting is in the track once its dedup window has closed).
  const track = (h.track || []).slice();
  const last = track[track.length - 1];
  if (!last || last.reader !== h.readerId) {
    track.push({ reader: h.readerId, readerName: h.readerName, lat: h.lat, lon: h.lon, firstSeen: h.readerTime });
  }
  $('hit-track').replaceChildren(...track.map((p) => el('li', {}, (p.readerName || p.reader) + ' · ' + when(p.firstSeen))));
  drawTrack(track);
  $('ack-button').disabled = h.status !== 'new';
  $('resolve-button').disabled = h.status === 'resolved';
}

function drawTrack(track) {
  const layer = $('track-layer');
  if (!layer || !state.project) return;
  const pts = track.filter((p) => p.lat != null).map((p) => state.project(p.lat, p.lon).join(','));
  layer.replaceChildren(svg('polyline', { points: pts.join(' '), class: 'track' }, 'track'));
}

async function act(path, body) {
  $('hit-error').textContent = '';
  try {
    const h = await api('POST', '/api/hits/' + encodeURIComponent(state.selected) + path, body);
    state.hits.set(h.hitId, Object.assign(state.hits.get(h.hitId) || {}, h));
    drawHits();
    await selectHit(h.hitId);
  } catch (e) {
    $('hit-error').textContent = e.message;
  }
}

// ------------------------------------------------------------------ owner

async function loadVehicles() {
  $('vehicles-error').textContent = '';
  const r = await api('GET', '/api/me/vehicles?limit=500');
  $('vehicle-rows').replaceChildren(...r.items.map((v) => el('tr', { 'data-vehicle': v.id },
    el('td', { class: 'plate' }, v.plate), el('td', {}, v.tag), el('td', {}, v.kind), el('td', {}, v.brand), el('td', {}, v.color),
    el('td', {}, el('span', { class: 'badge' + (v.stolen ? ' stolen' : '') }, v.stolen ? 'reported stolen' : 'ok')),
    el('td', {},
      v.stolen ? '' : el('button', { type: 'button', class: 'report-theft', onclick: (ev) => askTheft(ev.target, v) }, 'Report theft'),
      ' ', el('button', { type: 'button', class: 'theft-status', onclick: () => theftStatus(v) }, 'Status')))));
}

/** Reporting a theft alerts patrols at once: the button asks once more, in the page, before it acts. */
function askTheft(button, v) {
  const cell = button.parentElement;
  const ask = el('span', { class: 'confirm' }, 'Report ' + v.plate + ' stolen? Patrols are alerted at once. ',
    el('button', { type: 'button', class: 'confirm-theft danger', onclick: () => reportTheft(v) }, 'Yes, report theft'), ' ',
    el('button', { type: 'button', class: 'cancel-theft', onclick: () => loadVehicles() }, 'Cancel'));
  cell.replaceChildren(ask);
}

async function reportTheft(v) {
  try {
    await api('POST', '/api/vehicles/' + v.id + '/theft');
    await loadVehicles();
    await theftStatus(v);
  } catch (e) {
    $('vehicles-error').textContent = e.message;
  }
}

async function theftStatus(v) {
  const r = await api('GET', '/api/me/vehicles/' + v.id + '/theft');
  $('theft-status').hidden = false;
  $('theft-plate').textContent = r.plate;
  $('theft-reports').replaceChildren(...(r.reports.length ? r.reports.map((t) => el('li', { class: 'report' },
    t.status + ' · reported ' + when(t.reportedAt) + (t.closedAt ? ' · closed ' + when(t.closedAt) : '')))
    : [el('li', {}, 'never reported stolen')]));
}

// ------------------------------------------------------------------ admin: reader health

/** Readers to visit first: offline, then silent, then drifting clocks; by id within each. */
function readerRank(x) {
  return (x.online ? 0 : 4) + (x.silent ? 2 : 0) + (x.clockDriftFlagged ? 1 : 0);
}

async function loadReaders() {
  const r = await api('GET', '/api/readers');
  state.readerHealth = r.items.slice().sort((a, b) => readerRank(b) - readerRank(a) || a.id.localeCompare(b.id));
  const count = (label, style, f) => { // a zero count stays grey: colour only where there is something to see
    const n = state.readerHealth.filter(f).length;
    return el('span', { class: 'badge' + (n ? ' ' + style : '') }, n + ' ' + label);
  };
  $('reader-summary').replaceChildren(count('online', 'online', (x) => x.online), ' ',
    count('offline', 'offline', (x) => !x.online), ' ', count('silent', 'warn', (x) => x.silent), ' ',
    count('clock drift', 'warn', (x) => x.clockDriftFlagged), ' ', el('span', {}, 'of ' + state.readerHealth.length + ' readers'));
  renderReaders();
}

function renderReaders() {
  const words = $('reader-filter').value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const flags = (x) => [x.online ? 'online' : 'offline', x.silent ? 'silent' : '', x.clockDriftFlagged ? 'drift' : ''];
  const shown = state.readerHealth.filter((x) => {
    const text = [x.id, x.name, x.district, ...flags(x)].join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
  const drift = (x) => (x.clockDriftMs == null ? '—' : (x.clockDriftMs / 1000).toFixed(1) + ' s');
  $('reader-rows').replaceChildren(...shown.map((x) => el('tr', { 'data-reader': x.id, class: readerRank(x) ? 'attention' : '' },
    el('td', {}, x.id), el('td', {}, x.name), el('td', {}, x.district),
    el('td', {}, el('span', { class: 'badge ' + (x.online ? 'online' : 'offline') }, x.online ? 'online' : 'offline'),
      x.silent ? ' ' : '', x.silent ? el('span', { class: 'badge warn' }, 'silent') : ''),
    el('td', {}, when(x.since)), el('td', {}, when(x.lastSeen)),
    el('td', { class: x.clockDriftFlagged ? 'drift flagged' : 'drift' }, drift(x)))));
  $('reader-shown').textContent = shown.length === state.readerHealth.length ? '' : shown.length + ' shown';
}

// ------------------------------------------------------------------ clerk

/** The clerk's outcome line: a plain status, or an error styled as one with its input marked. */
function clerkSay(text, error) {
  for (const i of document.querySelectorAll('#clerk-view [aria-invalid]')) i.removeAttribute('aria-invalid');
  $('clerk-message').textContent = error ? '' : text;
  $('clerk-error').textContent = error ? text : '';
  const input = error && error.field && $(CLERK_FIELDS[error.field]);
  if (input) input.setAttribute('aria-invalid', 'true');
}

const CLERK_FIELDS = { plate: 'reg-plate', tag: 'reg-tag', kind: 'reg-kind', brand: 'reg-brand', color: 'reg-color',
  'owner.name': 'reg-owner', 'owner.phone': 'reg-phone' };

async function search(ev) {
  ev.preventDefault();
  const q = new URLSearchParams();
  for (const [k, id] of [['plate', 'search-plate'], ['tag', 'search-tag'], ['phone', 'search-phone']]) if ($(id).value) q.set(k, $(id).value);
  try {
    const r = await api('GET', '/api/vehicles?' + q);
    $('search-results').replaceChildren(...r.items.map((v) => el('li', { 'data-vehicle': v.id },
      el('strong', { class: 'plate' }, v.plate), ' · ' + v.tag + ' · ' + v.kind + ' · ' + v.owner.name + ' ' + v.owner.phone + ' ',
      el('span', { class: 'badge' + (v.stolen ? ' stolen' : ' ok') }, v.stolen ? 'reported stolen' : 'not stolen'))));
    clerkSay(r.items.length + ' found');
  } catch (e) {
    $('search-results').replaceChildren();
    clerkSay(e.message, { field: null }); // the field names a search parameter, not a register input
  }
}

async function register(ev) {
  ev.preventDefault();
  const opt = (id) => $(id).value || null;
  try {
    const v = await api('POST', '/api/vehicles', { plate: $('reg-plate').value, tag: $('reg-tag').value, kind: $('reg-kind').value,
      brand: opt('reg-brand'), color: opt('reg-color'), owner: { name: $('reg-owner').value, phone: $('reg-phone').value } });
    clerkSay('registered ' + v.plate + ' (tag ' + v.tag + ')');
    $('register-form').reset();
  } catch (e) {
    clerkSay(e.message, e);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', () => logout());
  $('ack-button').addEventListener('click', () => act('/ack'));
  $('resolve-button').addEventListener('click', () => act('/resolve', { resolution: $('resolution').value }));
  $('search-form').addEventListener('submit', search);
  $('register-form').addEventListener('submit', register);
  $('reader-filter').addEventListener('input', renderReaders);
  const saved = sessionStorage.getItem('tagwatch-token');
  if (saved) {
    state.token = saved;
    start().catch(() => logout(false));
  }
});
