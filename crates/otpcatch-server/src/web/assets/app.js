// otpcatch web inbox. Plain script (loaded with <script defer>), no build
// step, no dependency. Mail is hostile: every string that comes from a
// message is put in the page with textContent or setAttribute, never parsed
// as HTML; a message's HTML is shown only in the sandboxed srcdoc iframe.
(function () {
  'use strict';

  // ---------------------------------------------------------------- constants

  const KEY_TOKEN = 'otpcatch.token';
  const KEY_BEARER = 'otpcatch.bearer';
  const KEY_EXPIRE = 'otpcatch.expireTime';
  const PAGE = 100;
  const MAX_LISTED = 1000;
  const SEARCH_DELAY_MS = 150;
  const ARM_MS = 3000;
  const RAW_SHOWN_MAX = 2 * 1024 * 1024;
  const AFTER =
    '<meta http-equiv="x-dns-prefetch-control" content="off"><base target="_blank">';
  const PREFIX_BLOCKED =
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; style-src \'unsafe-inline\'">' +
    AFTER;
  const PREFIX_ALLOWED =
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src * data:; style-src * \'unsafe-inline\'; font-src *; media-src *">' +
    AFTER;
  // What in a message's HTML would load from elsewhere: src=, srcset=,
  // background=, poster=, url(...), @import, <link href>, with http(s) or a
  // scheme-relative URL.
  const REMOTE = [
    /\b(?:src|background|poster)\s*=\s*["']?\s*(?:https?:)?\/\//i,
    /\bsrcset\s*=\s*(?:"[^"]*?|'[^']*?|[^\s>]*?)(?:https?:)?\/\//i,
    /\burl\(\s*["']?\s*(?:https?:)?\/\//i,
    /@import\s+["']\s*(?:https?:)?\/\//i,
    /<link\b[^>]*?\bhref\s*=\s*["']?\s*(?:https?:)?\/\//i,
  ];
  const TABS = ['html', 'text', 'headers', 'raw', 'attachments'];

  // --------------------------------------------------------------------- DOM

  const $ = (id) => document.getElementById(id);
  const ui = {
    error: $('error'),
    errorText: $('error-text'),
    errorDismiss: $('error-dismiss'),
    live: $('live'),
    signinView: $('signin-view'),
    signin: $('signin'),
    token: $('token'),
    signinSubmit: $('signin-submit'),
    signinError: $('signin-error'),
    app: $('app'),
    search: $('search'),
    signout: $('signout'),
    mailboxes: $('mailboxes'),
    mailboxesNote: $('mailboxes-note'),
    listTitle: $('list-title'),
    deleteMailbox: $('delete-mailbox'),
    messages: $('messages'),
    messagesEmpty: $('messages-empty'),
    loadMore: $('load-more'),
    message: $('message'),
    placeholder: $('message-placeholder'),
    body: $('message-body'),
    subject: $('message-subject'),
    from: $('message-from'),
    to: $('message-to'),
    date: $('message-date'),
    deleteMessage: $('delete-message'),
    remoteBar: $('remote-bar'),
    loadRemote: $('load-remote'),
    noHtml: $('no-html'),
    text: $('message-text'),
    headers: $('message-headers'),
    raw: $('message-raw'),
    rawNote: $('raw-note'),
    downloadEml: $('download-eml'),
    attachments: $('attachments'),
    noAttachments: $('no-attachments'),
    extraction: $('extraction'),
    extractionPlaceholder: $('extraction-placeholder'),
    extractionUnavailable: $('extraction-unavailable'),
    extractionBody: $('extraction-body'),
    codeValue: $('code-value'),
    copyCode: $('copy-code'),
    linkValue: $('link-value'),
    copyLink: $('copy-link'),
    openLink: $('open-link'),
    copyStatus: $('copy-status'),
    rule: $('extraction-rule'),
    runnersUp: $('runners-up'),
    runnersUpSummary: $('runners-up-summary'),
    runnersUpNone: $('runners-up-none'),
    runnersUpList: $('runners-up-list'),
    missesBlock: $('misses-block'),
    misses: $('misses'),
  };
  const tabs = {};
  const panels = {};
  for (const name of TABS) {
    tabs[name] = $('tab-' + name);
    panels[name] = $('panel-' + name);
  }

  // ------------------------------------------------------------------- state

  const state = {
    signedIn: false,
    session: 0, // counts sign-ins and sign-outs
    mailbox: '', // '' is "All mail"
    query: '', // the search as sent (trimmed)
    messageId: null, // the open message
    message: null, // its data, once loaded
    remoteAllowed: false, // for the open message only
    tab: 'html',
    listGen: 0,
    mailboxGen: 0,
    messageGen: 0,
    loadingMore: false,
    items: new Map(), // message id -> li in #messages
    mailboxItems: new Map(), // address -> li in #mailboxes
    counts: new Map(), // address -> count, for listed mailboxes
    latest: new Map(), // address -> latestMs, for listed mailboxes
    counted: new Set(), // arrivals counted since the mailbox list was loaded
    total: 0, // sum of counts
    mailboxesMore: false,
    accounted: new Set(), // ids whose deletion the page has applied
    recent: [], // recent arrivals, replayed over a list that was loading
    raw: null, // {id, url, blob}
    stream: null, // AbortController of the event stream
    streamReady: null, // resolves on the stream's first ": ready"
  };

  // ----------------------------------------------------------------- helpers

  /** An element; props are attributes (set with setAttribute) or `text`. */
  function el(tag, props) {
    const node = document.createElement(tag);
    if (props) {
      for (const name of Object.keys(props)) {
        const value = props[name];
        if (value === null || value === undefined || value === false) continue;
        if (name === 'text') node.textContent = String(value);
        else if (name === 'class') node.className = value;
        else node.setAttribute(name, value === true ? '' : String(value));
      }
    }
    for (let i = 2; i < arguments.length; i++) {
      const child = arguments[i];
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  const sleep = (ms, signal) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      if (signal) signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
    });

  const dateFormat = new Intl.DateTimeFormat(undefined, {
    year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric',
  });

  /** A <time> showing local time, with the full ISO time as its title. */
  function timeEl(ms) {
    const date = new Date(Number(ms));
    if (!Number.isFinite(date.getTime())) return el('time', { class: 'time', text: '' });
    const iso = date.toISOString();
    return el('time', { class: 'time', datetime: iso, title: iso, text: dateFormat.format(date) });
  }

  function formatSize(bytes) {
    const n = Number(bytes);
    if (!Number.isFinite(n) || n < 0) return '';
    if (n < 1024) return n + ' B';
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KB';
    return (n / (1024 * 1024)).toFixed(1) + ' MB';
  }

  function formatScore(score) {
    return typeof score === 'number' && Number.isFinite(score) ? score.toFixed(2) : null;
  }

  const lower = (s) => String(s == null ? '' : s).toLowerCase();
  const enc = encodeURIComponent;

  function isTyping(target) {
    if (!target || !(target instanceof Element)) return false;
    if (target.isContentEditable) return true;
    const tag = target.tagName;
    if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
    if (tag === 'INPUT') {
      const type = (target.getAttribute('type') || 'text').toLowerCase();
      return !['button', 'submit', 'reset', 'checkbox', 'radio'].includes(type);
    }
    return false;
  }

  // --------------------------------------------------------- errors, banner

  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }
  class SignedOut extends Error {}

  function showError(message) {
    ui.errorText.textContent = message;
    ui.error.hidden = false;
  }
  function clearError() {
    ui.error.hidden = true;
    ui.errorText.textContent = '';
  }

  /** Shows what went wrong, unless it is a sign-out or a cancelled request. */
  function report(err) {
    if (!err || err instanceof SignedOut || err.name === 'AbortError') return;
    if (err instanceof ApiError) showError(err.message);
    else if (err instanceof TypeError) showError('Could not reach the otpcatch server: ' + err.message);
    else showError(String(err.message || err));
  }

  function announce(text) {
    // Clear first so that the same words are announced again.
    ui.live.textContent = '';
    setTimeout(() => { ui.live.textContent = text; }, 30);
  }

  // ------------------------------------------------------- API, sign-in flow

  async function envelopeOf(res) {
    try {
      const body = await res.json();
      return body && typeof body === 'object' ? body : null;
    } catch (_) {
      return null;
    }
  }

  function msgOf(envelope, res) {
    if (envelope && typeof envelope.msg === 'string' && envelope.msg) return envelope.msg;
    return 'The server answered ' + res.status + (res.statusText ? ' ' + res.statusText : '');
  }

  /** Exchanges the API token for a Bearer, kept in sessionStorage. */
  async function exchange(token) {
    const res = await fetch('/api/v2/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ token: token }),
      cache: 'no-store',
      credentials: 'omit',
    });
    const envelope = await envelopeOf(res);
    if (res.status === 401 || res.status === 403) throw new ApiError('That token was refused', res.status);
    const data = envelope && envelope.data;
    if (!res.ok || !envelope || envelope.status === false || !data || typeof data.Bearer !== 'string') {
      throw new ApiError(msgOf(envelope, res), res.status);
    }
    sessionStorage.setItem(KEY_BEARER, data.Bearer);
    if (data.expireTime != null) sessionStorage.setItem(KEY_EXPIRE, String(data.expireTime));
  }

  let exchanging = null;
  /** Exchanges the kept token again (once at a time); true if it worked. */
  function reexchange() {
    if (!exchanging) {
      exchanging = (async () => {
        const token = sessionStorage.getItem(KEY_TOKEN);
        if (!token) return false;
        try {
          await exchange(token);
          return true;
        } catch (_) {
          return false;
        }
      })().finally(() => { exchanging = null; });
    }
    return exchanging;
  }

  /**
   * fetch() with the Bearer. On 401 the token is exchanged again, once;
   * if that fails the page returns to sign-in. A GET answered 429 is tried
   * again after the time the server asks.
   */
  async function api(path, init, attempt) {
    init = init || {};
    attempt = attempt || { auth: false, quota: false };
    const bearer = sessionStorage.getItem(KEY_BEARER);
    if (!bearer) {
      if (!attempt.auth && sessionStorage.getItem(KEY_TOKEN) && (await reexchange())) {
        return api(path, init, { auth: true, quota: attempt.quota });
      }
      sessionEnded();
      throw new SignedOut('signed out');
    }
    const headers = Object.assign({}, init.headers, { Authorization: 'Bearer ' + bearer });
    const res = await fetch(path, Object.assign({}, init, { headers: headers, cache: 'no-store', credentials: 'omit' }));
    if (res.status === 401) {
      if (!attempt.auth) {
        const now = sessionStorage.getItem(KEY_BEARER);
        if ((now && now !== bearer) || (await reexchange())) {
          return api(path, init, { auth: true, quota: attempt.quota });
        }
      }
      sessionEnded();
      throw new SignedOut('signed out');
    }
    const method = (init.method || 'GET').toUpperCase();
    if (res.status === 429 && method === 'GET' && !attempt.quota) {
      const after = Number(res.headers.get('Retry-After'));
      await sleep(Number.isFinite(after) && after > 0 ? Math.min(after, 10) * 1000 : 1000, init.signal);
      if (init.signal && init.signal.aborted) throw new DOMException('aborted', 'AbortError');
      return api(path, init, { auth: attempt.auth, quota: true });
    }
    return res;
  }

  /** The `data` of an envelope answer, or an ApiError with its `msg`. */
  async function apiData(path, init) {
    const res = await api(path, init);
    const envelope = await envelopeOf(res);
    if (!res.ok || !envelope || envelope.status === false) throw new ApiError(msgOf(envelope, res), res.status);
    return envelope.data;
  }

  /** The response of a download, or an ApiError with the server's `msg`. */
  async function apiBytes(path) {
    const res = await api(path);
    if (!res.ok) throw new ApiError(msgOf(await envelopeOf(res), res), res.status);
    return res;
  }

  ui.signin.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = ui.token.value.trim();
    ui.signinError.textContent = '';
    if (!token) {
      ui.signinError.textContent = 'Enter the API token';
      ui.token.focus();
      return;
    }
    ui.signinSubmit.disabled = true;
    try {
      await exchange(token);
      sessionStorage.setItem(KEY_TOKEN, token);
      ui.token.value = '';
      enterApp();
    } catch (err) {
      ui.signinError.textContent =
        err instanceof ApiError ? err.message : 'Could not reach the otpcatch server';
      ui.token.select();
      ui.token.focus();
    } finally {
      ui.signinSubmit.disabled = false;
    }
  });

  ui.signout.addEventListener('click', () => {
    sessionStorage.clear();
    leaveApp();
    setHash('', null);
    ui.signinError.textContent = '';
    ui.token.focus();
  });

  /** The Bearer was refused and could not be renewed: back to sign-in. */
  function sessionEnded() {
    sessionStorage.removeItem(KEY_BEARER);
    sessionStorage.removeItem(KEY_EXPIRE);
    sessionStorage.removeItem(KEY_TOKEN);
    if (!state.signedIn) return;
    leaveApp();
    ui.signinError.textContent = 'Your session ended: sign in again';
    ui.token.focus();
  }

  function enterApp() {
    state.signedIn = true;
    clearError();
    ui.signinView.hidden = true;
    ui.app.hidden = false;
    ui.search.value = '';
    state.query = '';
    const link = readHash();
    state.mailbox = link.mailbox;
    state.messageId = null;
    state.accounted.clear();
    state.recent = [];
    showMailboxTitle();
    closeMessage();
    const session = ++state.session;
    openStream();
    const lists = Promise.all([loadMailboxes(), loadMessages(false)]);
    if (link.message) openMessage(link.message);
    // The lists were asked for before the event stream listened: once both
    // are there, ask again and add what arrived in between.
    Promise.all([state.streamReady, lists]).then(() => {
      if (state.signedIn && state.session === session) catchUp();
    });
  }

  function leaveApp() {
    state.signedIn = false;
    state.session++;
    closeStream();
    state.listGen++;
    state.mailboxGen++;
    state.messageGen++;
    clearTimeout(searchTimer);
    closeMessage();
    ui.mailboxes.replaceChildren();
    ui.messages.replaceChildren();
    state.items.clear();
    state.mailboxItems.clear();
    state.counts.clear();
    state.latest.clear();
    state.counted.clear();
    state.total = 0;
    state.accounted.clear();
    state.recent = [];
    ui.loadMore.hidden = true;
    ui.messagesEmpty.hidden = true;
    ui.search.value = '';
    state.query = '';
    clearError();
    ui.live.textContent = '';
    ui.app.hidden = true;
    ui.signinView.hidden = false;
  }

  // ------------------------------------------------------------------- hash

  /** `#mailbox=ADDRESS&message=ID`, read leniently. */
  function readHash() {
    const out = { mailbox: '', message: null };
    const hash = location.hash.replace(/^#/, '');
    for (const part of hash.split('&')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      let value;
      try {
        value = decodeURIComponent(part.slice(eq + 1));
      } catch (_) {
        continue;
      }
      const name = part.slice(0, eq);
      if (name === 'mailbox') out.mailbox = value;
      else if (name === 'message') out.message = value || null;
    }
    return out;
  }

  const encHash = (s) => encodeURIComponent(s).replace(/%40/g, '@');

  function setHash(mailbox, messageId) {
    const parts = [];
    if (mailbox) parts.push('mailbox=' + encHash(mailbox));
    if (messageId) parts.push('message=' + encHash(messageId));
    const hash = parts.length ? '#' + parts.join('&') : '';
    if (location.hash === hash || (!hash && !location.hash)) return;
    history.replaceState(null, '', location.pathname + location.search + hash);
  }

  const updateHash = () => setHash(state.mailbox, state.messageId);

  window.addEventListener('hashchange', () => {
    if (!state.signedIn) return;
    const link = readHash();
    if (link.mailbox !== state.mailbox) selectMailbox(link.mailbox, link.message);
    else if (link.message && link.message !== state.messageId) openMessage(link.message);
    else if (!link.message && state.messageId) closeMessage();
  });

  // -------------------------------------------------------------- mailboxes

  function mailboxItem(address, count) {
    const all = address === '';
    const li = el('li', { class: 'mailbox', 'data-address': address });
    if (address === state.mailbox) li.setAttribute('aria-current', 'true');
    const button = el(
      'button',
      { type: 'button', class: 'mailbox-button' },
      el('span', { class: 'address', text: all ? 'All mail' : address }),
      el('span', { class: 'count', text: count === null ? '' : String(count) }),
    );
    li.append(button);
    return li;
  }

  function showCount(li, count) {
    const span = li.querySelector('.count');
    if (span) span.textContent = count === null ? '' : String(count);
  }

  function showTotal() {
    const all = state.mailboxItems.get('');
    if (all) showCount(all, state.query || state.mailboxesMore ? null : state.total);
  }

  async function loadMailboxes() {
    const gen = ++state.mailboxGen;
    const started = Date.now();
    const params = new URLSearchParams();
    if (state.query) params.set('q', state.query);
    try {
      const data = await apiData('/ui/api/mailboxes' + (params.toString() ? '?' + params : ''));
      if (gen !== state.mailboxGen) return;
      renderMailboxes((data && data.mailboxes) || [], !!(data && data.more));
      replayArrivals(started, true);
    } catch (err) {
      if (gen === state.mailboxGen) report(err);
    }
  }

  function renderMailboxes(list, more) {
    const focused = document.activeElement && ui.mailboxes.contains(document.activeElement)
      ? document.activeElement.closest('li.mailbox') : null;
    const focusedAddress = focused ? focused.getAttribute('data-address') : null;
    state.mailboxItems.clear();
    state.counts.clear();
    state.latest.clear();
    state.counted.clear();
    state.total = 0;
    state.mailboxesMore = more;
    const fragment = document.createDocumentFragment();
    const all = mailboxItem('', null);
    state.mailboxItems.set('', all);
    fragment.append(all);
    for (const m of list) {
      if (!m || typeof m.address !== 'string' || state.mailboxItems.has(m.address)) continue;
      const count = Number(m.count) || 0;
      const li = mailboxItem(m.address, count);
      state.mailboxItems.set(m.address, li);
      state.counts.set(m.address, count);
      state.latest.set(m.address, Number(m.latestMs) || 0);
      state.total += count;
      fragment.append(li);
    }
    ui.mailboxes.replaceChildren(fragment);
    showTotal();
    if (more) {
      ui.mailboxesNote.textContent = 'Only the ' + list.length + ' most recently used mailboxes are listed: search to find others.';
      ui.mailboxesNote.hidden = false;
    } else if (list.length === 0) {
      ui.mailboxesNote.textContent = state.query ? 'No mailbox matches the search.' : 'No mail has arrived yet.';
      ui.mailboxesNote.hidden = false;
    } else {
      ui.mailboxesNote.hidden = true;
    }
    if (focusedAddress !== null) {
      const li = state.mailboxItems.get(focusedAddress);
      if (li) li.querySelector('button').focus();
    }
  }

  function showMailboxTitle() {
    ui.listTitle.textContent = state.mailbox || 'All mail';
    ui.deleteMailbox.hidden = !state.mailbox;
    disarm(ui.deleteMailbox);
    for (const [address, li] of state.mailboxItems) {
      if (address === state.mailbox) li.setAttribute('aria-current', 'true');
      else li.removeAttribute('aria-current');
    }
  }

  function selectMailbox(address, messageId) {
    state.mailbox = address;
    showMailboxTitle();
    if (messageId) openMessage(messageId);
    else closeMessage();
    updateHash();
    loadMessages(false);
  }

  ui.mailboxes.addEventListener('click', (event) => {
    const li = event.target.closest('li.mailbox');
    if (!li || !ui.mailboxes.contains(li)) return;
    selectMailbox(li.getAttribute('data-address') || '', null);
  });

  // --------------------------------------------------------------- messages

  function messageItem(m) {
    const li = el('li', { class: 'message', 'data-id': m.id });
    if (m.mailbox) li.setAttribute('data-mailbox', m.mailbox);
    if (m.id === state.messageId) li.setAttribute('aria-current', 'true');
    const button = el(
      'button',
      { type: 'button', class: 'message-button', tabindex: '-1' },
      el('span', { class: 'from', text: m.from || '(no sender)' }),
      timeEl(m.timeMs),
      el('span', { class: 'subject', text: m.subject || '(no subject)' }),
    );
    if (!state.mailbox && (m.to || m.mailbox)) button.append(el('span', { class: 'to', text: m.to || m.mailbox }));
    if (m.hasCode === true) button.append(el('span', { class: 'badge', text: 'code' }));
    li.append(button);
    return li;
  }

  function matchesView(mailbox, m) {
    if (state.mailbox && state.mailbox !== mailbox) return false;
    const q = lower(state.query);
    if (!q) return true;
    return lower(m.from).includes(q) || lower(m.subject).includes(q) || lower(m.to).includes(q);
  }

  /** Keeps exactly one message button in the tab order (roving tabindex). */
  function fixTabStop() {
    const stops = ui.messages.querySelectorAll('button[tabindex="0"]');
    if (stops.length === 1) return;
    for (const button of stops) button.setAttribute('tabindex', '-1');
    const li = (state.messageId && state.items.get(state.messageId)) || ui.messages.firstElementChild;
    if (li) li.querySelector('button').setAttribute('tabindex', '0');
  }

  function showEmpty() {
    const empty = ui.messages.firstElementChild === null;
    if (empty) {
      ui.messagesEmpty.textContent = state.query
        ? 'No message matches the search.'
        : state.mailbox ? 'No messages in this mailbox.' : 'No messages yet.';
    }
    ui.messagesEmpty.hidden = !empty;
  }

  /** The query of the first page of the message list as it is now. */
  function listParams() {
    const params = new URLSearchParams();
    params.set('limit', String(PAGE));
    if (state.mailbox) params.set('mailbox', state.mailbox);
    if (state.query) params.set('q', state.query);
    return params;
  }

  /**
   * Asks for the lists again and adds to the message list what it lacks at
   * its top (what arrived before the event stream listened), without
   * rebuilding it.
   */
  async function catchUp() {
    loadMailboxes();
    const gen = state.listGen;
    try {
      const data = await apiData('/ui/api/messages?' + listParams());
      if (gen !== state.listGen) return;
      const page = ((data && data.messages) || []).filter((m) => m && typeof m.id === 'string');
      const overlap = page.some((m) => state.items.has(m.id));
      if (!overlap && state.items.size > 0) {
        loadMessages(false);
        return;
      }
      const wasEmpty = state.items.size === 0;
      if (wasEmpty) ui.loadMore.hidden = !(data && data.more);
      // Newest first: each missing message goes just before the next older
      // one the list has; the oldest ones go last only if nothing is left
      // to load after them.
      let anchor = null;
      for (let i = page.length - 1; i >= 0; i--) {
        const m = page[i];
        const present = state.items.get(m.id);
        if (present) {
          anchor = present;
          continue;
        }
        if (state.accounted.has(m.id) || (!anchor && !wasEmpty && !ui.loadMore.hidden)) continue;
        const li = messageItem(m);
        state.items.set(m.id, li);
        if (anchor) ui.messages.insertBefore(li, anchor);
        else ui.messages.append(li);
        anchor = li;
      }
      showEmpty();
      fixTabStop();
    } catch (err) {
      if (gen === state.listGen) report(err);
    }
  }

  async function loadMessages(append) {
    if (append && state.loadingMore) return;
    const gen = append ? state.listGen : ++state.listGen;
    const started = Date.now();
    const params = listParams();
    if (append) {
      const last = ui.messages.lastElementChild;
      if (last) params.set('before', last.getAttribute('data-id'));
      state.loadingMore = true;
      ui.loadMore.disabled = true;
    }
    ui.messages.setAttribute('aria-busy', 'true');
    try {
      const data = await apiData('/ui/api/messages?' + params);
      if (gen !== state.listGen) return;
      renderMessages((data && data.messages) || [], !!(data && data.more), append);
      if (!append) replayArrivals(started, false);
    } catch (err) {
      if (gen === state.listGen) report(err);
    } finally {
      if (append) {
        state.loadingMore = false;
        ui.loadMore.disabled = false;
      }
      if (gen === state.listGen) ui.messages.removeAttribute('aria-busy');
    }
  }

  function renderMessages(list, more, append) {
    let refocus = null;
    if (!append) {
      const active = document.activeElement;
      const item = active && ui.messages.contains(active) ? active.closest('li.message') : null;
      if (item) refocus = item.getAttribute('data-id');
      state.items.clear();
    }
    const fragment = document.createDocumentFragment();
    for (const m of list) {
      if (!m || typeof m.id !== 'string' || state.items.has(m.id) || state.accounted.has(m.id)) continue;
      const li = messageItem(m);
      state.items.set(m.id, li);
      fragment.append(li);
    }
    if (append) ui.messages.append(fragment);
    else ui.messages.replaceChildren(fragment);
    ui.loadMore.hidden = !more;
    showEmpty();
    fixTabStop();
    if (refocus !== null) {
      const li = state.items.get(refocus) || ui.messages.firstElementChild;
      if (li) focusMessage(li);
      else ui.messages.focus();
    }
  }

  function markCurrentMessage() {
    for (const li of ui.messages.querySelectorAll('li.message[aria-current]')) li.removeAttribute('aria-current');
    const li = state.messageId && state.items.get(state.messageId);
    if (li) li.setAttribute('aria-current', 'true');
  }

  function focusMessage(li) {
    for (const button of ui.messages.querySelectorAll('button[tabindex="0"]')) button.setAttribute('tabindex', '-1');
    const button = li.querySelector('button');
    button.setAttribute('tabindex', '0');
    button.focus();
    button.scrollIntoView({ block: 'nearest' });
  }

  ui.messages.addEventListener('click', (event) => {
    const li = event.target.closest('li.message');
    if (!li || !ui.messages.contains(li)) return;
    focusMessage(li);
    openMessage(li.getAttribute('data-id'));
  });

  ui.messages.addEventListener('keydown', (event) => {
    const li = event.target.closest && event.target.closest('li.message');
    if (!li) return;
    let next = null;
    if (event.key === 'ArrowDown') next = li.nextElementSibling;
    else if (event.key === 'ArrowUp') next = li.previousElementSibling;
    else if (event.key === 'Home') next = ui.messages.firstElementChild;
    else if (event.key === 'End') next = ui.messages.lastElementChild;
    else return;
    event.preventDefault();
    if (next) focusMessage(next);
  });

  ui.loadMore.addEventListener('click', () => loadMessages(true));

  // ----------------------------------------------------------- live updates

  function openStream() {
    closeStream();
    const controller = new AbortController();
    state.stream = controller;
    let resolveReady;
    state.streamReady = new Promise((resolve) => { resolveReady = resolve; });
    (async () => {
      let delay = 1000;
      let first = true;
      while (!controller.signal.aborted) {
        try {
          const res = await api('/ui/api/events', {
            headers: { Accept: 'text/event-stream' },
            signal: controller.signal,
          });
          if (!res.ok || !res.body) throw new ApiError(msgOf(await envelopeOf(res), res), res.status);
          await readEvents(res.body, controller.signal, () => {
            delay = 1000;
            resolveReady();
            // A new connection may have missed events: catch up.
            if (!first) reloadLists();
            first = false;
          });
        } catch (err) {
          if (controller.signal.aborted || err instanceof SignedOut) return;
        }
        if (controller.signal.aborted) return;
        await sleep(delay, controller.signal);
        delay = Math.min(delay * 2, 10000);
      }
    })();
  }

  function closeStream() {
    if (state.stream) state.stream.abort();
    state.stream = null;
  }

  /** Reads a text/event-stream body, calling onReady on ": ready". */
  async function readEvents(body, signal, onReady) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const abort = () => { reader.cancel().catch(() => {}); };
    signal.addEventListener('abort', abort, { once: true });
    let buffer = '';
    let type = '';
    let data = [];
    let hasData = false;
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        // A trailing "\r" may be half of "\r\n": keep it for the next chunk.
        const held = buffer.endsWith('\r');
        const lines = (held ? buffer.slice(0, -1) : buffer).split(/\r\n|\n|\r/);
        buffer = lines.pop() + (held ? '\r' : '');
        for (const line of lines) {
          if (line === '') {
            if (hasData) dispatch(type || 'message', data.join('\n'));
            type = '';
            data = [];
            hasData = false;
          } else if (line.charCodeAt(0) === 58 /* ':' */) {
            if (line.slice(1).trim() === 'ready') onReady();
          } else {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            let value = colon < 0 ? '' : line.slice(colon + 1);
            if (value.charCodeAt(0) === 32) value = value.slice(1);
            if (field === 'event') type = value;
            else if (field === 'data') {
              data.push(value);
              hasData = true;
            }
          }
        }
      }
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  function dispatch(type, data) {
    if (!state.signedIn) return;
    if (type === 'wake') {
      reloadLists();
      return;
    }
    let payload;
    try {
      payload = JSON.parse(data);
    } catch (_) {
      return;
    }
    if (!payload || typeof payload !== 'object') return;
    if (type === 'arrival') onArrival(payload);
    else if (type === 'deleted') accountDeletion(payload.mailbox, payload.id);
  }

  function reloadLists() {
    loadMailboxes();
    loadMessages(false);
  }

  function onArrival(payload) {
    const m = payload.message;
    if (!m || typeof m.id !== 'string') return;
    const mailbox = typeof payload.mailbox === 'string' ? payload.mailbox : m.mailbox || '';
    if (!m.mailbox) m.mailbox = mailbox;
    state.recent.push({ at: Date.now(), mailbox: mailbox, message: m });
    if (state.recent.length > 200) state.recent.splice(0, state.recent.length - 200);
    applyArrival(mailbox, m, true, true, false);
    announce('New message from ' + (m.from || mailbox || 'an unknown sender'));
  }

  /**
   * Applies an arrival to the mailbox list and (if it belongs there) to the
   * message list. `replay`: the arrival came while a fresh list was being
   * fetched, so the list may already hold it (a mailbox whose newest message
   * is not older than it has counted it).
   */
  function applyArrival(mailbox, m, toMailboxes, toMessages, replay) {
    if (state.accounted.has(m.id)) return;
    if (toMailboxes && mailbox) applyArrivalToMailboxes(mailbox, m, replay);
    if (toMessages && !state.items.has(m.id) && matchesView(mailbox, m)) {
      const li = messageItem(m);
      state.items.set(m.id, li);
      ui.messages.prepend(li);
      trimList();
      showEmpty();
      fixTabStop();
    }
  }

  /** A flood of arrivals must not grow the list without end: the oldest go
   *  (they are one "Load more" away). */
  function trimList() {
    while (ui.messages.childElementCount > MAX_LISTED) {
      const last = ui.messages.lastElementChild;
      if (last.getAttribute('aria-current') === 'true' || last.contains(document.activeElement)) break;
      state.items.delete(last.getAttribute('data-id'));
      last.remove();
      ui.loadMore.hidden = false;
    }
  }

  function applyArrivalToMailboxes(mailbox, m, replay) {
    if (state.counted.has(m.id)) return;
    const timeMs = Number(m.timeMs) || 0;
    const li = state.mailboxItems.get(mailbox);
    if (li) {
      const latest = state.latest.get(mailbox) || 0;
      if (replay && timeMs <= latest) return;
      const count = (state.counts.get(mailbox) || 0) + 1;
      state.counted.add(m.id);
      state.counts.set(mailbox, count);
      state.latest.set(mailbox, Math.max(latest, timeMs));
      state.total += 1;
      showCount(li, count);
      showTotal();
      return;
    }
    if (state.query && !lower(mailbox).includes(lower(state.query))) return;
    const fresh = mailboxItem(mailbox, 1);
    state.counted.add(m.id);
    state.mailboxItems.set(mailbox, fresh);
    state.counts.set(mailbox, 1);
    state.latest.set(mailbox, timeMs);
    state.total += 1;
    const all = state.mailboxItems.get('');
    if (all && all.parentNode === ui.mailboxes) all.after(fresh);
    else ui.mailboxes.prepend(fresh);
    showTotal();
    if (!state.mailboxesMore) ui.mailboxesNote.hidden = true;
  }

  /** Re-applies the arrivals received since a list was asked for. */
  function replayArrivals(since, mailboxes) {
    const now = Date.now();
    state.recent = state.recent.filter((r) => r.at >= now - 60000);
    for (const r of state.recent) {
      if (r.at < since) continue;
      if (mailboxes) applyArrival(r.mailbox, r.message, true, false, true);
      else applyArrival(r.mailbox, r.message, false, true, true);
    }
  }

  /** A message is gone (deleted here or elsewhere): take it off the page, once. */
  function accountDeletion(mailbox, id) {
    if (typeof id !== 'string' || state.accounted.has(id)) return;
    state.accounted.add(id);
    const li = state.items.get(id);
    if (li) {
      state.items.delete(id);
      const hadFocus = li.contains(document.activeElement);
      const neighbour = li.nextElementSibling || li.previousElementSibling;
      li.remove();
      if (hadFocus) {
        if (neighbour) focusMessage(neighbour);
        else ui.messages.focus();
      }
      showEmpty();
      fixTabStop();
    }
    if (typeof mailbox === 'string' && state.counts.has(mailbox)) {
      const count = Math.max(0, state.counts.get(mailbox) - 1);
      state.counts.set(mailbox, count);
      state.total = Math.max(0, state.total - 1);
      const item = state.mailboxItems.get(mailbox);
      if (item) {
        if (count === 0 && mailbox !== state.mailbox) {
          if (item.contains(document.activeElement)) ui.mailboxes.focus();
          item.remove();
          state.mailboxItems.delete(mailbox);
          state.counts.delete(mailbox);
          state.latest.delete(mailbox);
        } else {
          showCount(item, count);
        }
      }
      showTotal();
    }
    if (state.messageId === id) {
      closeMessage('This message was deleted.');
      updateHash();
    }
  }

  // ---------------------------------------------------------------- search

  let searchTimer = 0;
  function applySearch() {
    clearTimeout(searchTimer);
    const q = ui.search.value.trim();
    if (q === state.query) return;
    state.query = q;
    loadMailboxes();
    loadMessages(false);
  }
  ui.search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(applySearch, SEARCH_DELAY_MS);
  });
  ui.search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      applySearch();
    }
  });

  document.addEventListener('keydown', (event) => {
    if (!state.signedIn || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (event.key === 'Escape') {
      if (ui.search.value || state.query) {
        event.preventDefault();
        ui.search.value = '';
        applySearch();
      }
      return;
    }
    if (isTyping(target)) return;
    if (event.key === '/') {
      event.preventDefault();
      ui.search.focus();
      ui.search.select();
    } else if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') &&
               (target === document.body || target === document.documentElement || !target)) {
      const li = (state.messageId && state.items.get(state.messageId)) || ui.messages.firstElementChild;
      if (li) {
        event.preventDefault();
        focusMessage(li);
      }
    }
  });

  // ---------------------------------------------------------- message view

  /** Empties the message view (and says why, if `why`). */
  function closeMessage(why) {
    state.messageGen++;
    state.messageId = null;
    state.message = null;
    state.remoteAllowed = false;
    dropRaw();
    markCurrentMessage();
    ui.body.hidden = true;
    ui.placeholder.hidden = false;
    ui.placeholder.textContent = why || 'Select a message to read it.';
    ui.message.removeAttribute('aria-busy');
    disarm(ui.deleteMessage);
    replaceFrame('');
    ui.text.textContent = '';
    ui.raw.textContent = '';
    ui.headers.tBodies[0].replaceChildren();
    ui.attachments.replaceChildren();
    renderExtraction(undefined);
  }

  async function openMessage(id) {
    if (!id) return;
    const gen = ++state.messageGen;
    const same = state.messageId === id && state.message;
    state.messageId = id;
    markCurrentMessage();
    updateHash();
    if (same) return;
    state.message = null;
    state.remoteAllowed = false;
    dropRaw();
    disarm(ui.deleteMessage);
    ui.message.setAttribute('aria-busy', 'true');
    try {
      const m = await apiData('/ui/api/messages/' + enc(id));
      if (gen !== state.messageGen) return;
      renderMessage(m || {});
    } catch (err) {
      if (gen !== state.messageGen) return;
      if (err instanceof ApiError && err.status === 404) {
        closeMessage('That message is gone: it expired or was deleted.');
        state.messageId = null;
        updateHash();
      }
      report(err);
    } finally {
      if (gen === state.messageGen) ui.message.removeAttribute('aria-busy');
    }
  }

  function hasRemote(html) {
    return REMOTE.some((re) => re.test(html));
  }

  /**
   * Puts a fresh sandboxed iframe in place of the old one (a new element,
   * so that showing a message adds no entry to the tab's history).
   */
  function replaceFrame(html, allowRemote) {
    const old = document.getElementById('message-html');
    const frame = el('iframe', {
      id: 'message-html',
      title: 'Message HTML',
      sandbox: 'allow-popups allow-popups-to-escape-sandbox',
      referrerpolicy: 'no-referrer',
    });
    if (html) frame.srcdoc = (allowRemote ? PREFIX_ALLOWED : PREFIX_BLOCKED) + html;
    frame.hidden = !html;
    old.replaceWith(frame);
  }

  function renderMessage(m) {
    state.message = m;
    ui.placeholder.hidden = true;
    ui.body.hidden = false;
    ui.subject.textContent = m.subject || '(no subject)';
    ui.from.textContent = m.from || '(no sender)';
    const tos = Array.isArray(m.tos) && m.tos.length ? m.tos.join(', ') : m.to || '';
    ui.to.textContent = tos;
    ui.date.replaceChildren(timeEl(m.timeMs));

    // HTML, blocked remote content first.
    const html = typeof m.html === 'string' ? m.html : '';
    const remote = html !== '' && hasRemote(html);
    ui.remoteBar.hidden = !remote;
    ui.noHtml.hidden = html !== '';
    replaceFrame(html, false);

    // Text.
    ui.text.textContent = typeof m.text === 'string' && m.text !== '' ? m.text : '(This message has no text part.)';

    // Headers.
    const rows = document.createDocumentFragment();
    for (const pair of Array.isArray(m.headers) ? m.headers : []) {
      if (!Array.isArray(pair)) continue;
      rows.append(el('tr', null, el('th', { scope: 'row', text: String(pair[0]) }), el('td', { text: String(pair[1]) })));
    }
    ui.headers.tBodies[0].replaceChildren(rows);

    // Raw source: fetched when its tab or its download is asked for.
    ui.raw.textContent = '';
    ui.rawNote.textContent = '';
    ui.downloadEml.setAttribute('href', '#');
    ui.downloadEml.setAttribute('download', safeName(m.id || state.messageId) + '.eml');

    // Attachments.
    const attachments = Array.isArray(m.attachments) ? m.attachments : [];
    const items = document.createDocumentFragment();
    for (const a of attachments) {
      const name = a.filename || 'attachment-' + a.index;
      items.append(
        el(
          'li',
          { class: 'attachment' },
          el('span', { class: 'filename', text: name }),
          el('span', { class: 'meta', text: [a.contentType, formatSize(a.size)].filter(Boolean).join(' · ') }),
          el('button', {
            type: 'button',
            class: 'download-attachment',
            'data-index': String(a.index),
            'aria-label': 'Download ' + name,
            text: 'Download',
          }),
        ),
      );
    }
    ui.attachments.replaceChildren(items);
    ui.noAttachments.hidden = attachments.length > 0;
    tabs.attachments.textContent = attachments.length ? 'Attachments (' + attachments.length + ')' : 'Attachments';

    selectTab(html ? 'html' : 'text', false);
    renderExtraction(m.extraction);
  }

  const safeName = (s) => String(s || 'message').replace(/[^A-Za-z0-9._-]/g, '_');

  ui.loadRemote.addEventListener('click', () => {
    const m = state.message;
    if (!m || !m.html) return;
    state.remoteAllowed = true;
    replaceFrame(m.html, true);
    ui.remoteBar.hidden = true;
  });

  // Delete with a second click within 3 s instead of a blocking confirm().
  function disarm(button) {
    if (button._armTimer) clearTimeout(button._armTimer);
    button._armTimer = 0;
    if (button.classList.contains('armed')) {
      button.classList.remove('armed');
      button.textContent = button._label || button.textContent;
    }
  }
  function armOrGo(button, go) {
    if (button.classList.contains('armed')) {
      disarm(button);
      go();
      return;
    }
    button._label = button.textContent;
    button.classList.add('armed');
    button.textContent = 'Click again to delete';
    button._armTimer = setTimeout(() => disarm(button), ARM_MS);
  }

  ui.deleteMessage.addEventListener('click', () => {
    armOrGo(ui.deleteMessage, async () => {
      const id = state.messageId;
      const m = state.message;
      if (!id) return;
      const li = state.items.get(id);
      const neighbour = li ? li.nextElementSibling || li.previousElementSibling : null;
      ui.deleteMessage.disabled = true;
      try {
        await apiData('/ui/api/messages/' + enc(id), { method: 'DELETE' });
        accountDeletion(m && m.mailbox ? m.mailbox : mailboxOf(id), id);
        if (state.messageId === id) {
          closeMessage('Message deleted.');
          updateHash();
        }
        // The focused button is gone with the message: go back to the list.
        if (neighbour && neighbour.isConnected) focusMessage(neighbour);
        else ui.messages.focus();
        announce('Message deleted');
      } catch (err) {
        report(err);
      } finally {
        ui.deleteMessage.disabled = false;
      }
    });
  });

  function mailboxOf(id) {
    const li = state.items.get(id);
    return (li && li.getAttribute('data-mailbox')) || state.mailbox;
  }

  ui.deleteMailbox.addEventListener('click', () => {
    armOrGo(ui.deleteMailbox, async () => {
      const address = state.mailbox;
      if (!address) return;
      ui.deleteMailbox.disabled = true;
      try {
        const data = await apiData('/ui/api/mailboxes/' + enc(address), { method: 'DELETE' });
        const n = data && typeof data.deleted === 'number' ? data.deleted : 0;
        announce('Mailbox ' + address + ' deleted (' + n + (n === 1 ? ' message)' : ' messages)'));
        const li = state.mailboxItems.get(address);
        if (li) li.remove();
        state.mailboxItems.delete(address);
        selectMailbox('', null);
        loadMailboxes();
        const all = state.mailboxItems.get('');
        if (all) all.querySelector('button').focus();
      } catch (err) {
        report(err);
      } finally {
        ui.deleteMailbox.disabled = false;
      }
    });
  });

  // ------------------------------------------------------------------ tabs

  function selectTab(name, focus) {
    state.tab = name;
    for (const other of TABS) {
      const on = other === name;
      tabs[other].setAttribute('aria-selected', on ? 'true' : 'false');
      tabs[other].setAttribute('tabindex', on ? '0' : '-1');
      panels[other].hidden = !on;
    }
    if (focus) tabs[name].focus();
    if (name === 'raw') ensureRaw().catch(report);
  }

  for (const name of TABS) {
    tabs[name].addEventListener('click', () => selectTab(name, false));
    tabs[name].addEventListener('keydown', (event) => {
      const at = TABS.indexOf(name);
      let next = null;
      if (event.key === 'ArrowRight') next = TABS[(at + 1) % TABS.length];
      else if (event.key === 'ArrowLeft') next = TABS[(at + TABS.length - 1) % TABS.length];
      else if (event.key === 'Home') next = TABS[0];
      else if (event.key === 'End') next = TABS[TABS.length - 1];
      if (next) {
        event.preventDefault();
        selectTab(next, true);
      }
    });
  }

  // ------------------------------------------------- raw source, downloads

  function dropRaw() {
    if (state.raw && state.raw.url) URL.revokeObjectURL(state.raw.url);
    state.raw = null;
    ui.downloadEml.setAttribute('href', '#');
  }

  /** The open message's raw source, fetched once, shown and linked. */
  function ensureRaw() {
    const id = state.messageId;
    if (!id) return Promise.resolve(null);
    if (state.raw && state.raw.id === id) return state.raw.loading || Promise.resolve(state.raw);
    const entry = { id: id, url: null, blob: null, loading: null };
    state.raw = entry;
    ui.rawNote.textContent = 'Loading…';
    entry.loading = (async () => {
      try {
        const res = await apiBytes('/ui/api/messages/' + enc(id) + '/raw');
        const blob = await res.blob();
        if (state.raw !== entry) return null;
        entry.blob = blob;
        entry.url = URL.createObjectURL(blob);
        ui.downloadEml.setAttribute('href', entry.url);
        const text = await blob.slice(0, RAW_SHOWN_MAX).text();
        if (state.raw !== entry) return entry;
        ui.raw.textContent = text;
        ui.rawNote.textContent = blob.size > RAW_SHOWN_MAX
          ? 'Showing the first ' + formatSize(RAW_SHOWN_MAX) + ' of ' + formatSize(blob.size) + ': download for all of it.'
          : formatSize(blob.size);
        return entry;
      } catch (err) {
        if (state.raw === entry) {
          state.raw = null;
          ui.rawNote.textContent = '';
        }
        throw err;
      } finally {
        entry.loading = null;
      }
    })();
    return entry.loading;
  }

  ui.downloadEml.addEventListener('click', (event) => {
    const raw = state.raw;
    if (raw && raw.id === state.messageId && raw.url && ui.downloadEml.getAttribute('href') === raw.url) return;
    event.preventDefault();
    ensureRaw()
      .then((entry) => {
        if (entry && entry.url && state.raw === entry) ui.downloadEml.click();
      })
      .catch(report);
  });

  function saveBlob(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: name, class: 'visually-hidden', tabindex: '-1' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  ui.attachments.addEventListener('click', async (event) => {
    const button = event.target.closest('button.download-attachment');
    if (!button || !state.messageId) return;
    const index = button.getAttribute('data-index');
    const m = state.message;
    const listed = m && Array.isArray(m.attachments) ? m.attachments.find((a) => String(a.index) === index) : null;
    const name = (listed && listed.filename) || 'attachment-' + index;
    button.disabled = true;
    try {
      const res = await apiBytes('/ui/api/messages/' + enc(state.messageId) + '/attachments/' + enc(index));
      saveBlob(await res.blob(), name);
    } catch (err) {
      report(err);
    } finally {
      button.disabled = false;
    }
  });

  // ------------------------------------------------------ extraction panel

  function foundLine(label, found) {
    const parts = ['rule ' + (found.rule || '?') + (found.extractor ? ' (' + found.extractor + ')' : '')];
    const score = formatScore(found.score);
    parts.push(score === null ? 'no score (a site rule matches or not)' : 'score ' + score);
    if (found.confidence) parts.push('confidence ' + found.confidence);
    const line = el('span', { class: 'rule-line' }, el('strong', { text: label + ': ' }), parts.join(' · '));
    if (found.reason) line.append(el('span', { class: 'reason', text: found.reason }));
    return line;
  }

  function renderFound(found, value, copy, none) {
    if (found && typeof found.value === 'string') {
      value.textContent = found.value;
      value.classList.remove('none');
      copy.hidden = false;
      return true;
    }
    value.textContent = none;
    value.classList.add('none');
    copy.hidden = true;
    return false;
  }

  /** undefined: no message open; null: the server does not explain. */
  function renderExtraction(x) {
    ui.copyStatus.textContent = '';
    if (x === undefined) {
      ui.extractionPlaceholder.hidden = false;
      ui.extractionUnavailable.hidden = true;
      ui.extractionBody.hidden = true;
      return;
    }
    ui.extractionPlaceholder.hidden = true;
    if (!x || typeof x !== 'object') {
      ui.extractionUnavailable.hidden = false;
      ui.extractionBody.hidden = true;
      return;
    }
    ui.extractionUnavailable.hidden = true;
    ui.extractionBody.hidden = false;

    const hasCode = renderFound(x.code, ui.codeValue, ui.copyCode, 'No code found');
    const hasLink = renderFound(x.link, ui.linkValue, ui.copyLink, 'No link found');
    let href = null;
    if (hasLink) {
      try {
        const url = new URL(x.link.value);
        if (url.protocol === 'http:' || url.protocol === 'https:') href = url.href;
      } catch (_) { /* not a URL */ }
    }
    ui.openLink.hidden = href === null;
    ui.openLink.setAttribute('href', href || '#');

    const lines = [];
    if (hasCode) lines.push(foundLine('Code', x.code));
    if (hasLink) lines.push(foundLine('Link', x.link));
    if (hasCode && x.code.context) lines.push(el('span', { class: 'rule-line context', text: 'Code in context: ' + x.code.context }));
    if (hasLink && x.link.context) lines.push(el('span', { class: 'rule-line context', text: 'Link in context: ' + x.link.context }));
    ui.rule.replaceChildren(...lines);
    ui.rule.hidden = lines.length === 0;

    const runners = x.runnersUp && typeof x.runnersUp === 'object' ? x.runnersUp : {};
    const items = document.createDocumentFragment();
    let n = 0;
    for (const [kind, label] of [['code', 'Code'], ['link', 'Link']]) {
      for (const c of Array.isArray(runners[kind]) ? runners[kind] : []) {
        if (!c) continue;
        n++;
        const score = formatScore(c.score);
        const li = el(
          'li',
          { class: 'runner-up' },
          el('span', { class: 'kind', text: label + ' ' }),
          el('code', { class: 'candidate', text: String(c.value) }),
          score === null ? null : el('span', { class: 'score', text: ' · score ' + score }),
          c.why ? el('span', { class: 'why', text: ' — ' + c.why }) : null,
        );
        if (c.context) li.append(el('span', { class: 'context', text: c.context }));
        items.append(li);
      }
    }
    ui.runnersUpList.replaceChildren(items);
    ui.runnersUpSummary.textContent = 'Runners-up (' + n + ')';
    ui.runnersUpNone.hidden = n > 0;

    const misses = Array.isArray(x.misses) ? x.misses : [];
    const missItems = document.createDocumentFragment();
    for (const miss of misses) missItems.append(el('li', { text: String(miss) }));
    ui.misses.replaceChildren(missItems);
    ui.missesBlock.hidden = (hasCode && hasLink) || misses.length === 0;
  }

  let copyTimer = 0;
  async function copy(value, what) {
    clearTimeout(copyTimer);
    try {
      if (!navigator.clipboard || !navigator.clipboard.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(value);
      ui.copyStatus.textContent = 'Copied';
    } catch (_) {
      ui.copyStatus.textContent = 'Could not copy the ' + what + ': select it and copy it yourself';
    }
    copyTimer = setTimeout(() => { ui.copyStatus.textContent = ''; }, 4000);
  }
  ui.copyCode.addEventListener('click', () => {
    const m = state.message;
    const found = m && m.extraction && m.extraction.code;
    if (found) copy(found.value, 'code');
  });
  ui.copyLink.addEventListener('click', () => {
    const m = state.message;
    const found = m && m.extraction && m.extraction.link;
    if (found) copy(found.value, 'link');
  });

  ui.errorDismiss.addEventListener('click', clearError);

  // ------------------------------------------------------------------ start

  if (sessionStorage.getItem(KEY_BEARER) || sessionStorage.getItem(KEY_TOKEN)) {
    enterApp();
  } else {
    ui.signinView.hidden = false;
    ui.app.hidden = true;
  }
})();
