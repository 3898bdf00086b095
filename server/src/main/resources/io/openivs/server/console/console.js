// The openivs web console: plain JavaScript, no build step. Every value from the server reaches the page
// through textContent or a property (never innerHTML), so nothing the API returns is read as markup.
'use strict';

const HEADER = { 'x-openivs-console': '1' };
let me = null;
let refresh = null;
let players = [];

/** An element with attributes (a property where one exists, else an attribute) and children (text or nodes). */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k.startsWith('data-') || k === 'href' || k === 'title') e.setAttribute(k, String(v));
    else e[k] = v;
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

async function request(method, path, body) {
  const init = { method, headers: { ...HEADER }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (res.status === 401) {
    showSignIn();
    throw new Error('signed out');
  }
  if (!res.ok) throw new Error(json.message || res.status + ' ' + res.statusText);
  return json;
}

/** One control API operation, as the SDKs call it, authenticated by the console's session. */
function api(operation, input) {
  return request('POST', 'api/' + operation, input || {});
}

function showSignIn() {
  stopPage();
  me = null;
  document.getElementById('view').hidden = true;
  document.getElementById('sign-in').hidden = false;
  document.getElementById('sign-out').hidden = true;
  document.getElementById('who').textContent = '';
}

async function signIn(ev) {
  ev.preventDefault();
  const error = document.getElementById('sign-in-error');
  error.textContent = '';
  const id = document.getElementById('access-key-id');
  const secret = document.getElementById('secret-access-key');
  try {
    const res = await fetch('session', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { ...HEADER, 'content-type': 'application/json' },
      body: JSON.stringify({ accessKeyId: id.value.trim(), secretAccessKey: secret.value }),
    });
    const json = await res.json();
    if (!res.ok) {
      error.textContent = json.message || 'Sign-in failed.';
      return;
    }
    secret.value = '';
    started(json);
  } catch (e) {
    error.textContent = String(e.message || e);
  }
}

function started(who) {
  me = who;
  document.getElementById('sign-in').hidden = true;
  document.getElementById('view').hidden = false;
  document.getElementById('sign-out').hidden = false;
  document.getElementById('who').textContent = 'account ' + who.accountId + ' · ' + who.region + ' · key ' + who.accessKeyId;
  route();
}

async function signOut() {
  try { await request('DELETE', 'session'); } catch (e) { /* signed out either way */ }
  showSignIn();
}

function stopPage() {
  if (refresh) clearInterval(refresh);
  refresh = null;
  for (const p of players) p.destroy();
  players = [];
}

function route() {
  if (!me) return;
  stopPage();
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const view = document.getElementById('view');
  view.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  const page = parts[0] === 'channel' ? channelPage(parts[1])
    : parts[0] === 'session' ? sessionPage(parts[1], parts[2])
    : channelsPage();
  page.catch(e => view.replaceChildren(el('p', { class: 'error' }, String(e.message || e))));
}

function link(text, ...path) {
  return el('a', { href: '#/' + path.map(encodeURIComponent).join('/') }, text);
}

function stateCell(stream) {
  const state = stream ? stream.state : 'OFFLINE';
  return el('td', { class: 'state state-' + state }, state);
}

// ---- channels -----------------------------------------------------------------------------------------------

async function allChannels() {
  const out = [];
  let nextToken;
  do {
    const page = await api('ListChannels', nextToken ? { maxResults: 100, nextToken } : { maxResults: 100 });
    out.push(...page.channels);
    nextToken = page.nextToken;
  } while (nextToken && out.length < 1000);
  return out;
}

async function liveStreams() {
  const byChannel = {};
  let nextToken;
  do {
    const page = await api('ListStreams', nextToken ? { maxResults: 100, nextToken } : { maxResults: 100 });
    for (const s of page.streams) byChannel[s.channelArn] = s;
    nextToken = page.nextToken;
  } while (nextToken);
  return byChannel;
}

async function channelsPage() {
  const view = document.getElementById('view');
  const body = el('tbody', { id: 'channel-rows' });
  const draw = async () => {
    const [channels, streams] = await Promise.all([allChannels(), liveStreams()]);
    body.replaceChildren(...channels.map(c => {
      const s = streams[c.arn];
      return el('tr', { 'data-channel-name': c.name, 'data-channel-arn': c.arn },
        el('td', {}, link(c.name || '(no name)', 'channel', c.arn)),
        stateCell(s),
        el('td', { class: 'health health-' + (s ? s.health : '') }, s ? s.health : ''),
        el('td', { class: 'viewers' }, s ? String(s.viewerCount) : ''),
        el('td', {}, c.type), el('td', {}, c.latencyMode),
        el('td', {}, c.authorized ? 'private' : 'public'),
        el('td', { class: 'mono' }, c.arn));
    }));
    if (!channels.length) body.append(el('tr', {}, el('td', { colSpan: 8, class: 'muted' }, 'No channels yet: create one with CreateChannel.')));
  };
  await draw();
  view.replaceChildren(
    el('h1', {}, 'Channels'),
    el('table', { id: 'channels' },
      el('thead', {}, el('tr', {}, ...['Name', 'State', 'Health', 'Viewers', 'Type', 'Latency', 'Playback', 'ARN'].map(h => el('th', {}, h)))),
      body));
  refresh = setInterval(() => draw().catch(() => {}), 5000);
}

// ---- one channel -------------------------------------------------------------------------------------------

function copyButton(getText) {
  return el('button', { type: 'button', class: 'copy', onclick: async (ev) => {
    try { await navigator.clipboard.writeText(getText()); ev.target.textContent = 'Copied'; }
    catch (e) { ev.target.textContent = 'Select and copy'; }
  } }, 'Copy');
}

function dl(pairs) {
  return el('dl', {}, ...pairs.filter(p => p[1] !== undefined && p[1] !== null && p[1] !== '')
    .flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v instanceof Node ? v : String(v))]));
}

/** Plays {@code url} in {@code video} with hls.js (or natively), retrying while the stream is not live yet. */
function play(video, url, status) {
  if (!window.Hls || !Hls.isSupported()) {
    video.src = url;
    return;
  }
  const hls = new Hls({ liveDurationInfinity: true });
  players.push(hls);
  hls.on(Hls.Events.ERROR, (ev, data) => {
    if (!data.fatal) return;
    status.textContent = 'Not playing (' + data.details + '); retrying…';
    setTimeout(() => { if (players.includes(hls)) { hls.loadSource(url); hls.startLoad(); } }, 3000);
  });
  hls.on(Hls.Events.MANIFEST_PARSED, () => {
    status.textContent = 'Playing';
    video.play().catch(() => {});
  });
  hls.loadSource(url);
  hls.attachMedia(video);
}

async function channelPage(arn) {
  const view = document.getElementById('view');
  const { channel } = await api('GetChannel', { arn });
  const [keys, sessions] = await Promise.all([
    api('ListStreamKeys', { channelArn: arn }),
    api('ListStreamSessions', { channelArn: arn, maxResults: 20 }),
  ]);
  const key = keys.streamKeys.length ? (await api('GetStreamKey', { arn: keys.streamKeys[0].arn })).streamKey : null;
  const stateLine = el('dd', { id: 'channel-state' });
  const drawState = async () => {
    let s = null;
    try { s = (await api('GetStream', { channelArn: arn })).stream; } catch (e) { /* offline */ }
    stateLine.replaceChildren(el('span', { class: 'state-' + (s ? s.state : 'OFFLINE') }, s ? s.state : 'OFFLINE'),
      s ? ' · ' + s.health + ' · ' + s.viewerCount + ' viewer(s)' : '');
  };
  await drawState();

  const video = el('video', { id: 'preview', muted: true, autoplay: true, playsInline: true, controls: true });
  const status = el('p', { id: 'preview-status', class: 'muted' }, 'Loading…');
  const time = el('p', { id: 'preview-time', class: 'muted' });
  video.addEventListener('timeupdate', () => { time.textContent = 'position ' + video.currentTime.toFixed(1) + ' s'; });
  let url = channel.playbackUrl;
  if (channel.authorized) {
    const { token } = await request('POST', 'token', { channelArn: arn });
    url += (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token);
    status.textContent = 'Private channel: playing with a token the console minted';
  }

  const keyValue = el('code', { id: 'stream-key', class: 'secret' }, key ? key.value : '(none)');
  const ingest = el('div', { class: 'card', id: 'ingest' }, el('h2', {}, 'Ingest'),
    dl([
      ['Server (RTMPS)', el('span', {}, el('code', { id: 'ingest-url' }, me.ingest.rtmps), ' ', copyButton(() => me.ingest.rtmps))],
      channel.insecureIngest ? ['Server (RTMP)', el('code', {}, me.ingest.rtmp)] : null,
      ['Stream key', el('span', {}, keyValue, ' ',
        el('button', { type: 'button', onclick: () => keyValue.classList.toggle('shown') }, 'Show'), ' ',
        copyButton(() => key ? key.value : ''))],
      ['Server (SRT)', el('span', {}, el('code', {}, me.ingest.srt), ' ',
        el('span', { class: 'muted' }, 'streamid: the stream key; passphrase: the channel\'s srt.passphrase'))],
    ].filter(Boolean)));

  const sessionRows = sessions.streamSessions.map(s => el('tr', {},
    el('td', {}, link(s.streamId, 'session', arn, s.streamId)),
    el('td', {}, s.startTime || ''), el('td', {}, s.endTime || 'live'),
    el('td', {}, s.hasErrorEvent ? 'yes' : '')));

  const parts = [
    el('h1', {}, 'Channel ', el('span', { id: 'channel-name' }, channel.name || '(no name)')),
    el('div', { class: 'row' },
      el('div', { class: 'card' }, el('h2', {}, 'Preview'), video, status, time),
      el('div', { class: 'card' }, el('h2', {}, 'Channel'),
        dl([['State', stateLine], ['ARN', el('code', {}, channel.arn)], ['Type', channel.type],
          ['Latency mode', channel.latencyMode], ['Playback', channel.authorized ? 'private (token required)' : 'public'],
          ['Playback URL', el('code', {}, channel.playbackUrl)],
          ['Recording configuration', channel.recordingConfigurationArn || 'none']])),
      ingest),
    el('h2', {}, 'Stream sessions'),
    el('table', { id: 'sessions' }, el('thead', {}, el('tr', {}, ...['Stream ID', 'Start', 'End', 'Errors'].map(h => el('th', {}, h)))),
      el('tbody', {}, sessionRows.length ? sessionRows : el('tr', {}, el('td', { colSpan: 4, class: 'muted' }, 'No sessions yet.')))),
  ];
  if (channel.recordingConfigurationArn) parts.push(await recordingsPart(arn));
  view.replaceChildren(...parts);
  play(video, url, status);
  refresh = setInterval(() => drawState().catch(() => {}), 5000);
}

async function recordingsPart(arn) {
  const { recordings } = await request('GET', 'recordings?channelArn=' + encodeURIComponent(arn));
  const player = el('video', { id: 'recording-player', controls: true, hidden: true });
  const status = el('p', { class: 'muted' });
  const rows = recordings.map(r => el('tr', { 'data-recording': r.recordingSessionId },
    el('td', {}, r.time), el('td', { class: 'recording-status' }, r.status),
    el('td', {}, r.durationMs ? (r.durationMs / 1000).toFixed(1) + ' s' : ''),
    el('td', { class: 'mono' }, 's3://' + r.bucket + '/' + r.prefix),
    el('td', {}, r.playlistUrl && r.status === 'Recording End'
      ? el('button', { type: 'button', class: 'play-recording', onclick: () => {
        player.hidden = false;
        for (const p of players.splice(1)) p.destroy();
        play(player, r.playlistUrl, status);
      } }, 'Play') : '')));
  return el('div', {}, el('h2', {}, 'Recordings'),
    me.recordingsPlayable ? '' : el('p', { class: 'muted' }, 'Recordings go to S3: open them there.'),
    el('table', { id: 'recordings' },
      el('thead', {}, el('tr', {}, ...['Time', 'Status', 'Duration', 'Location', ''].map(h => el('th', {}, h)))),
      el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colSpan: 5, class: 'muted' }, 'No recordings in the events file.')))),
    player, status);
}

// ---- one stream session ------------------------------------------------------------------------------------

function configTable(title, obj) {
  if (!obj) return '';
  return el('div', { class: 'card' }, el('h2', {}, title),
    dl(Object.entries(obj).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v])));
}

async function sessionPage(channelArn, streamId) {
  const view = document.getElementById('view');
  const { streamSession: s } = await api('GetStreamSession', { channelArn, streamId });
  const ingest = s.ingestConfiguration || {};
  const events = (s.truncatedEvents || []).map(e => el('tr', {},
    el('td', {}, e.eventTime), el('td', { class: 'event-name' }, e.name), el('td', {}, e.type), el('td', {}, e.code || '')));
  view.replaceChildren(
    el('h1', {}, 'Stream session ', el('code', {}, s.streamId)),
    el('p', {}, link('← channel ' + (s.channel ? s.channel.name || s.channel.arn : channelArn), 'channel', channelArn)),
    el('div', { class: 'card' }, dl([['Started', s.startTime], ['Ended', s.endTime || 'live'],
      ['Recording configuration', (s.recordingConfiguration && s.recordingConfiguration.arn)
        || (s.channel && s.channel.recordingConfigurationArn) || 'none']])),
    el('div', { class: 'row', id: 'ingest-configuration' },
      configTable('Ingest: video', ingest.video), configTable('Ingest: audio', ingest.audio)),
    el('h2', {}, 'Events'),
    el('table', { id: 'events' }, el('thead', {}, el('tr', {}, ...['Time', 'Name', 'Type', 'Code'].map(h => el('th', {}, h)))),
      el('tbody', {}, events)));
}

// ---- start -------------------------------------------------------------------------------------------------

document.getElementById('sign-in-form').addEventListener('submit', signIn);
document.getElementById('sign-out').addEventListener('click', signOut);
window.addEventListener('hashchange', route);
fetch('session', { credentials: 'same-origin' })
  .then(r => r.ok ? r.json().then(started) : showSignIn())
  .catch(showSignIn);
