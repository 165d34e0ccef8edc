// Events live layer. Every page works without this file. With it, a page follows its live regions
// ([data-topic], from the sequence number in data-seq) over SignalR, and [data-live-form] forms go
// through the hub: kept in localStorage, shown as queued, sent once the connection is up, and
// dropped from the queue only when the server has acknowledged them.
"use strict";
(() => {
  // Offline copies (sw.js): a page the server marks as kept registers the worker; the worker keeps
  // this page and its assets, which were loaded before it existed.
  const kept = document.getElementById("offline-copy");
  if (kept && navigator.serviceWorker) {
    navigator.serviceWorker.register("/sw.js").then(() => navigator.serviceWorker.ready).then((registration) => {
      const assets = [...document.querySelectorAll("link[rel=stylesheet], script[src]")].map((el) => el.href || el.src);
      registration.active?.postMessage({ keep: [location.href, ...assets] });
    }).catch(() => {});
  }

  const signalR = window.signalR;
  if (!signalR) {
    return;
  }

  const QUEUE = "events.queue";
  const regions = new Map();
  const status = document.getElementById("live-status");
  let offlineSince = null;
  let state = "offline";

  // One connection per browser, not per tab: on 2G each connection's pings cost ~170 bytes a
  // minute. The tab holding the "events-live" lock connects and relays over a BroadcastChannel;
  // the others follow through it (their own regions, forms and catch-up). Without these APIs each
  // tab connects on its own.
  const bus = window.BroadcastChannel && navigator.locks ? new BroadcastChannel("events-live") : null;
  const tab = Math.random().toString(36).slice(2);
  let leading = !bus;

  function show(next) {
    state = next;
    if (leading) {
      bus?.postMessage({ state });
    }
    if (!status) {
      return;
    }
    status.hidden = false;
    status.dataset.state = state;
    // The words come from the page (data-live, data-reconnecting, data-offline), in its language.
    if (state === "live") {
      offlineSince = null;
      status.textContent = status.dataset.live;
    } else if (state === "reconnecting") {
      status.textContent = status.dataset.reconnecting;
    } else {
      offlineSince = offlineSince || new Date();
      status.textContent = status.dataset.offline.replace("{0}", offlineSince.toTimeString().slice(0, 5));
    }
  }

  const transports = {
    websockets: signalR.HttpTransportType.WebSockets,
    sse: signalR.HttpTransportType.ServerSentEvents,
    longpolling: signalR.HttpTransportType.LongPolling,
  };
  const forced = transports[new URLSearchParams(location.search).get("transport")];
  const connection = new signalR.HubConnectionBuilder()
    .withUrl("/live", forced === undefined ? {} : { transport: forced })
    // While the browser says it is offline, no attempt spends bytes: the "online" event starts one.
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (c) => (online() ? Math.min(30000, 1000 * 2 ** Math.min(c.previousRetryCount, 5)) : null) })
    // Slow links pay for every ping with headers and acknowledgements. The server pings every 40 s
    // (LiveSetup), so hearing nothing for 2 minutes means the connection is dead; this page pings
    // only every 10 minutes when it has sent nothing, inside the server's 20.
    .withServerTimeout(120000)
    .withKeepAliveInterval(600000)
    .configureLogging(signalR.LogLevel.None)
    .build();

  const handlers = {
    // A session changed: fetch the region afresh (times, now/next and the change log all move).
    session(region) {
      reload(region.dataset.topic);
    },
    // The slot's line-up or timeline changed: the region comes back with a fresh end timestamp.
    mixer(region) {
      reload(region.dataset.topic);
    },
    // A pitch moved to its next phase: the region comes back with the phase and countdown (never scores).
    pitch(region) {
      reload(region.dataset.topic);
    },
    // A question was asked, changed or moderated: refetch this viewer's own rendering of the list.
    qa(region) {
      reload(region.dataset.topic);
    },
    // Coalesced vote counts: patched in place, no refetch.
    votes(region, delta) {
      for (const [id, count] of Object.entries(delta.d)) {
        document.querySelectorAll(`[data-votes="${CSS.escape(id)}"]`).forEach((el) => { el.textContent = String(count); });
      }
    },
    // A meeting request or answer concerning this person: refetch their own view (the delta says nothing more).
    meetings(region) {
      reload(region.dataset.topic);
    },
    // A poll was prepared, launched, closed or moderated: refetch this viewer's rendering.
    poll(region) {
      reload(region.dataset.topic);
    },
    // A map of counts by key: "<poll>" how many answered, "<poll>/<i>" each option's count or
    // points (patched in place), "<poll>/refetch" results that only a refetch shows.
    pollcounts(region, delta) {
      const polls = new Map();
      for (const [key, value] of Object.entries(delta.d)) {
        const [poll, part] = key.split("/");
        const entry = polls.get(poll) || { counts: [] };
        if (part === undefined) {
          entry.n = value;
        } else if (part === "refetch") {
          entry.refetch = true;
        } else {
          entry.counts[Number(part)] = value;
        }
        polls.set(poll, entry);
      }
      for (const [poll, entry] of polls) {
        document.querySelectorAll(`[data-poll-count="${CSS.escape(poll)}"]`).forEach((el) => { el.textContent = String(entry.n); });
        if (entry.refetch) {
          reload(region.dataset.topic);
        }
        document.querySelectorAll(`[data-poll-results="${CSS.escape(poll)}"]`).forEach((results) => {
          const counts = entry.counts;
          if (counts.length === 0) {
            return;
          }
          const max = Math.max(1, ...counts);
          const total = Math.max(1, results.dataset.pollKind === "Ranking" ? counts.reduce((a, b) => a + b, 0) : entry.n);
          counts.forEach((count, i) => {
            const bar = results.querySelector(`[data-poll-bar="${i}"]`);
            if (bar) {
              bar.max = max;
              bar.value = count;
            }
            const figure = results.querySelector(`[data-poll-figure="${i}"]`);
            if (figure) {
              figure.textContent = `${count} · ${Math.round((100 * count) / total)}%`;
            }
          });
        });
      }
    },
    announcement(region, delta) {
      const list = region.querySelector("[data-list]");
      if (!list || document.getElementById(delta.d.id)) {
        return;
      }
      list.insertAdjacentHTML("afterbegin", delta.d.html);
      region.querySelector("[data-empty]")?.remove();
    },
  };

  const isLive = () => (leading ? connection.state === signalR.HubConnectionState.Connected : state === "live");

  // A hub call, made here when this tab leads, else by the leading tab on this one's behalf.
  const asked = new Map();
  const offlineError = () => Object.assign(new Error("offline"), { offline: true });
  // The server lets one connection follow at most 20 topics. Tabs come and go while the leader
  // stays, so when the topics asked for would pass that, the leader starts a fresh connection and
  // every open tab subscribes again to what it shows now.
  const MAX_TOPICS = 20;
  let followed = new Set();
  function invoke(method, ...args) {
    if (leading) {
      if (method === "Subscribe") {
        const more = new Set([...followed, ...args[0].map((wanted) => wanted.topic)]);
        if (more.size > MAX_TOPICS && followed.size > 0) {
          restart();
          return Promise.reject(offlineError());
        }
        followed = more;
      }
      return connection.invoke(method, ...args);
    }
    return new Promise((resolve, reject) => {
      const id = tab + Math.random().toString(36).slice(2);
      asked.set(id, { resolve, reject });
      bus.postMessage({ ask: id, method, args });
    });
  }

  // Asks in flight when the leader changes are answered "offline": the caller retries them later.
  function dropAsked() {
    for (const { reject } of asked.values()) {
      reject(offlineError());
    }
    asked.clear();
  }

  bus?.addEventListener("message", async ({ data }) => {
    if (leading) {
      if (data.hello) {
        bus.postMessage({ state });
      } else if (data.ask) {
        if (!isLive()) {
          bus.postMessage({ answer: data.ask, offline: true });
          return;
        }
        try {
          bus.postMessage({ answer: data.ask, result: await invoke(data.method, ...data.args) });
        } catch (error) {
          bus.postMessage({ answer: data.ask, error: String(error.message), offline: !isLive() });
        }
      }
      return;
    }
    if (data.state) {
      const was = state;
      heard = true;
      show(data.state);
      if (data.state === "live" && was !== "live") {
        await subscribe();
        await flush();
      }
    } else if (data.delta) {
      apply(data.delta);
    } else if (data.catchUp) {
      subscribe();
    } else if (data.answer && asked.has(data.answer)) {
      const { resolve, reject } = asked.get(data.answer);
      asked.delete(data.answer);
      if (data.error !== undefined || data.offline) {
        reject(Object.assign(new Error(data.error || "offline"), { offline: !!data.offline }));
      } else {
        resolve(data.result);
      }
    }
  });

  // The sequence number each region's rendering had when it came from the server (deltas move
  // data-seq on since): a refetch names it, and parts unchanged since come back as placeholders.
  const rendered = new WeakMap();

  function scan() {
    regions.clear();
    document.querySelectorAll("[data-topic]").forEach((el) => {
      regions.set(el.dataset.topic, el);
      if (!rendered.has(el)) {
        rendered.set(el, Number(el.dataset.seq));
      }
    });
  }

  // A delta names the sequence of the topic's previous push ("p"): when the page shows less than
  // that, something in between was lost or overtaken, and the page fetches what it missed by
  // sequence number instead of skipping it. Deltas it already shows are dropped.
  function apply(delta) {
    const region = regions.get(delta.t);
    if (!region || delta.s <= Number(region.dataset.seq)) {
      return;
    }
    if (delta.p !== undefined && delta.p > Number(region.dataset.seq)) {
      catchUp(delta.t);
      return;
    }
    region.dataset.seq = String(delta.s);
    handlers[delta.k]?.(region, delta);
  }

  // One run of work per key at a time; asks made meanwhile fold into one more run after it.
  function oneAtATime(running, key, work) {
    const current = running.get(key);
    if (current) {
      current.again = true;
      return current.done;
    }
    const state = { again: false };
    state.done = (async () => {
      try {
        do {
          state.again = false;
          await work();
        } while (state.again);
      } catch {
        // Offline or refused: the next reconnect subscribes again from what the page shows.
      } finally {
        running.delete(key);
      }
    })();
    running.set(key, state);
    return state.done;
  }

  // One refetch in flight per region. The region replaced is the one on the page when the answer
  // arrives, and only by a rendering at least as new as what the page shows (its data-seq).
  const refetching = new Map();
  const reload = (topic) => oneAtATime(refetching, topic, () => fetchRegion(topic));

  // A region whose server sends parts as placeholders (data-view) says which rendering it shows; the
  // placeholders ([data-keep]) are filled with the elements of the same id the page has. One it
  // lacks means the page and the server disagree: the whole region is fetched instead.
  async function fetchRegion(topic, whole = false, overHttp = false) {
    const shown = regions.get(topic);
    const url = shown?.dataset.refreshUrl;
    if (!url) {
      return;
    }
    const address = new URL(url, location.href);
    if (!whole && shown.dataset.view && rendered.has(shown)) {
      address.searchParams.set("since", rendered.get(shown));
      address.searchParams.set("view", shown.dataset.view);
    }
    const viaHub = !overHttp && inflates && shown.dataset.view && isLive();
    const text = viaHub ? await regionOverHub(address) : await regionOverHttp(address);
    if (text === null) {
      if (viaHub) {
        await fetchRegion(topic, whole, true);
      }
      return;
    }
    const fresh = new DOMParser().parseFromString(text, "text/html").querySelector("[data-topic]");
    const region = regions.get(topic);
    // The connection's cookies may be older than this page (a sign-in or a language chosen in another
    // tab since): a rendering for another view than the page's is asked for over HTTP instead.
    if (viaHub && fresh && fresh.dataset.view !== shown.dataset.view) {
      await fetchRegion(topic, whole, true);
      return;
    }
    if (fresh && region && fresh.dataset.topic === topic && Number(fresh.dataset.seq) >= Number(region.dataset.seq)) {
      const kept = [...fresh.querySelectorAll("[data-keep]")].map((placeholder) => [placeholder, region.querySelector(`#${CSS.escape(placeholder.id)}`)]);
      if (kept.some(([, had]) => !had)) {
        if (!whole) {
          await fetchRegion(topic, true, overHttp);
        }
        return;
      }
      kept.forEach(([placeholder, had]) => placeholder.replaceWith(had));
      region.replaceWith(fresh);
      regions.set(topic, fresh);
      rendered.set(fresh, Number(fresh.dataset.seq));
      localTimes();
      // Queued inputs and refusals listed inside the region come back into its fresh lists.
      renderQueue();
    }
  }

  async function regionOverHttp(address) {
    // No Referer: the server does not use it, and on 2G it is 60 bytes a refetch.
    const response = await fetch(address, { credentials: "same-origin", referrerPolicy: "no-referrer" });
    return response.ok ? response.text() : null;
  }

  // Over the open live connection a refetch costs its address alone, not a request's headers and
  // cookies; the server sends the region deflated (SignalR has no compression of its own).
  const inflates = (() => {
    try {
      return !!new DecompressionStream("deflate-raw");
    } catch {
      return false;
    }
  })();
  async function regionOverHub(address) {
    try {
      const packed = await invoke("Region", address.pathname + address.search);
      if (!packed) {
        return null;
      }
      const bytes = Uint8Array.from(atob(packed), (c) => c.charCodeAt(0));
      return await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"))).text();
    } catch {
      return null;
    }
  }

  // The viewer's own clock beside the event's, when the browser's zone differs from the event's.
  function localTimes() {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const hhmm = (t) => new Date(t.dateTime).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
    document.querySelectorAll("[data-tz]").forEach((region) => {
      if (region.dataset.tz === zone) {
        return;
      }
      region.querySelectorAll(".when").forEach((when) => {
        if (when.nextElementSibling?.classList.contains("local")) {
          return;
        }
        const [from, to] = [...when.querySelectorAll("time")].map(hhmm);
        const span = document.createElement("span");
        span.className = "local";
        span.textContent = region.dataset.yourTime.replace("{0}", from).replace("{1}", to);
        when.after(span);
      });
    });
  }

  async function subscribe() {
    scan();
    await catchUpNow([...regions.keys()]);
  }

  // Joins topics (again) and applies what the page missed since the sequence each region shows.
  const catchingUp = new Map();
  const catchUp = (topic) => oneAtATime(catchingUp, topic, () => catchUpNow([topic]));

  async function catchUpNow(topics) {
    const wanted = topics.filter((topic) => regions.has(topic)).map((topic) => ({ topic, after: Number(regions.get(topic).dataset.seq) }));
    if (wanted.length === 0 || !isLive()) {
      return;
    }
    for (const caughtUp of await invoke("Subscribe", wanted)) {
      if (caughtUp.reload) {
        await reload(caughtUp.t);
      } else {
        // Catch-up is exactly what followed the page's sequence: no gap to look for.
        caughtUp.deltas.forEach((delta) => apply({ ...delta, p: undefined }));
      }
    }
  }

  const load = () => {
    try {
      return JSON.parse(localStorage.getItem(QUEUE) || "[]");
    } catch {
      return [];
    }
  };
  const save = (queue) => localStorage.setItem(QUEUE, JSON.stringify(queue));
  const newKey = () => [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");

  // A control's refusal (a console button: "Next" once the slot has ended) is shown on this page
  // only, not kept: pressing it again means something else by then. Keyed by the item's key.
  const refusals = new Map();

  function renderQueue() {
    const shown = [...load(), ...refusals.values()];
    const lists = new Map();
    document.querySelectorAll("form[data-live-form]").forEach((form) => {
      // A form's own list, or the one a row of one-button forms shares ([data-queues] around them).
      const list = form.querySelector("[data-queue]") || form.closest("[data-queues]")?.querySelector("[data-queue]");
      if (list) {
        lists.set(list, [...(lists.get(list) || []), ...shown.filter((item) => item.form === form.id)]);
      }
    });
    lists.forEach((items, list) => {
      list.replaceChildren(...items.map((item) => {
        const li = document.createElement("li");
        li.className = item.error ? "error" : "queued";
        li.dataset.key = item.key;
        li.textContent = (item.error ? list.dataset.refused.replace("{0}", item.error) : list.dataset.queued) + " " + item.label;
        return li;
      }));
    });
  }

  let flushing = false;
  async function flush() {
    if (flushing || !isLive()) {
      return;
    }
    flushing = true;
    try {
      for (const item of load()) {
        if (item.error) {
          continue;
        }
        try {
          await invoke(item.method, ...item.args, item.key);
          save(load().filter((i) => i.key !== item.key));
        } catch (error) {
          if (error.offline || !isLive()) {
            break;
          }
          // The server refused it: keep the text, with the reason, where the person can see it.
          const reason = String(error.message).replace(/^.*HubException: /, "");
          if (item.control) {
            refusals.set(item.key, { ...item, error: reason });
            save(load().filter((i) => i.key !== item.key));
          } else {
            save(load().map((i) => (i.key === item.key ? { ...i, error: reason } : i)));
          }
        }
        renderQueue();
      }
    } finally {
      flushing = false;
      renderQueue();
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-live-form]")) {
      return;
    }
    event.preventDefault();
    const data = new FormData(form);
    const args = form.dataset.hubArgs.split(" ").map((name) => {
      // "score-*": every field named score-<x>, sent as one object { x: value }.
      if (name.endsWith("*")) {
        const prefix = name.slice(0, -1);
        return Object.fromEntries([...data.keys()].filter((k) => k.startsWith(prefix)).map((k) => [k.slice(prefix.length), data.get(k)]));
      }
      const value = data.get(name);
      const input = form.elements[name];
      if (!input) {
        // Not a field: what the form or the region around it says (data-arg-<name>), to spare
        // every vote button its own copies of the event and session.
        return form.closest(`[data-arg-${name}]`)?.getAttribute(`data-arg-${name}`) ?? null;
      }
      if (input.type === "checkbox") {
        return input.checked;
      }
      // A group of radio buttons is a RadioNodeList, not an element.
      if (input instanceof Element && input.hasAttribute("data-flips")) {
        return value === "true";
      }
      return input.type === "number" ? (value === "" ? null : Number(value)) : value;
    });
    const text = form.querySelector("textarea");
    // A control ([data-control]) is listed under its button's words; its earlier refusals go.
    const control = form.hasAttribute("data-control");
    refusals.forEach((item, key) => {
      if (item.form === form.id) {
        refusals.delete(key);
      }
    });
    const label = control ? event.submitter?.textContent.trim() : text?.value;
    save([...load(), { form: form.id, method: form.dataset.hubMethod, args, key: newKey(), label: (label || "").slice(0, 120), control }]);
    // A form that edits one saved thing (a scorecard) keeps what was typed, as a control keeps its
    // settings (a pitch's minutes); a form that adds things is cleared.
    if (!form.hasAttribute("data-keep-values") && !control) {
      form.querySelectorAll("textarea, input[type=number], input[type=text]").forEach((input) => { input.value = ""; });
    }
    // A toggle (a vote) turns at once; the count follows with the next push.
    form.querySelectorAll("input[data-flips]").forEach((input) => {
      input.value = input.value === "true" ? "false" : "true";
    });
    form.querySelectorAll("button[aria-pressed][data-label-true]").forEach((button) => {
      const pressed = button.getAttribute("aria-pressed") !== "true";
      button.setAttribute("aria-pressed", String(pressed));
      button.textContent = button.dataset[pressed ? "labelTrue" : "labelFalse"];
    });
    renderQueue();
    flush();
  });

  // Countdowns run here from the server's end timestamp: the server sends no per-second ticks.
  const two = (n) => String(n).padStart(2, "0");
  const clock = (ms) => Math.floor(ms / 60000) + ":" + two(Math.floor((ms % 60000) / 1000));
  setInterval(() => {
    document.querySelectorAll("[data-ends-at]").forEach((el) => {
      const left = el.dataset.paused ? Number(el.dataset.paused) : Number(el.dataset.endsAt) - Date.now();
      el.classList.toggle("over-time", left < 0);
      el.textContent = left >= 0 ? el.dataset.left.replace("{0}", clock(left)) : el.dataset.over.replace("{0}", clock(-left));
    });
    // Notices for a moment ("your meeting starts in less than 5 minutes") from server timestamps.
    document.querySelectorAll("[data-shows-at]").forEach((el) => {
      el.hidden = !(Number(el.dataset.showsAt) <= Date.now() && Date.now() < Number(el.dataset.hidesAt));
    });
  }, 1000);

  setInterval(() => {
    document.querySelectorAll("[data-expires]").forEach((el) => {
      if (Number(el.dataset.expires) < Date.now()) {
        el.remove();
      }
    });
  }, 30000);

  function online() {
    return navigator.onLine !== false;
  }

  let retry = null;
  function startLater() {
    clearTimeout(retry);
    retry = online() ? setTimeout(start, 5000) : null;
  }

  async function start() {
    if (!leading || connection.state !== signalR.HubConnectionState.Disconnected || !online()) {
      return;
    }
    try {
      followed = new Set();
      await connection.start();
      // Live once joined and caught up: what changes after that arrives as a push.
      await subscribe();
      show("live");
      await flush();
    } catch {
      show("offline");
      startLater();
    }
  }

  async function restart() {
    await connection.stop();
    clearTimeout(retry);
    start();
  }

  window.addEventListener("offline", () => {
    show("offline");
    clearTimeout(retry);
    connection.stop();
  });
  window.addEventListener("online", () => {
    clearTimeout(retry);
    start();
  });

  connection.on("Delta", (delta) => {
    bus?.postMessage({ delta });
    apply(delta);
  });
  connection.on("CatchUp", () => {
    bus?.postMessage({ catchUp: true });
    subscribe();
  });
  connection.onreconnecting(() => {
    followed = new Set();
    show("reconnecting");
  });
  connection.onreconnected(async () => {
    await subscribe();
    show("live");
    await flush();
  });
  connection.onclose(() => {
    if (leading) {
      show("offline");
      startLater();
    }
  });

  // Leading: held until this tab closes or another takes the lock. A tab that becomes visible and
  // hears no leader within 3 s takes over (a frozen background tab may hold the lock and relay nothing).
  let heard = false;
  let waiting = null;
  function lead() {
    waiting = null;
    leading = true;
    dropAsked();
    start();
    return new Promise(() => {});
  }

  function follow() {
    leading = false;
    clearTimeout(retry);
    connection.stop();
    dropAsked();
    waiting = new AbortController();
    navigator.locks.request("events-live", { signal: waiting.signal }, lead).catch(() => {
      // Aborted while waiting (this tab takes over instead), or taken from this tab by another.
      if (leading) {
        follow();
      }
    });
    bus.postMessage({ hello: tab });
  }

  function takeOver() {
    waiting?.abort();
    navigator.locks.request("events-live", { steal: true }, lead).catch(() => {
      // Taken from this tab by another one.
      if (leading) {
        follow();
      }
    });
  }

  // ---- Matchmaking (issue 18): meeting requests and answers as live inputs ----------------------
  // A request proposes 1–3 times (checkboxes named "slot") and an accept names its time by the
  // button pressed. The live-form handler above reads one value per field name, so before it runs
  // (this listener captures) the times chosen go into the form's hidden "slots" field,
  // space-separated, as the hub's RequestMeeting and AcceptMeeting take them.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-live-form]") || !(form.elements.slots instanceof HTMLInputElement)) {
      return;
    }
    const pressed = event.submitter?.name === "slot" ? [event.submitter.value] : [];
    const ticked = [...form.querySelectorAll("input[name=slot]:checked")].map((input) => input.value);
    form.elements.slots.value = [...pressed, ...ticked].join(" ");
    form.querySelector("[data-sent]")?.setAttribute("hidden", "");
  }, true);
  // A form with a [data-sent] line shows it once the server has acknowledged what it queued (its
  // queued line goes without a refusal), as the page after a plain post would say it.
  document.querySelectorAll("form[data-live-form]").forEach((form) => {
    const list = form.querySelector("[data-queue]");
    const sent = form.querySelector("[data-sent]");
    if (!list || !sent) {
      return;
    }
    let queued = new Set();
    new MutationObserver(() => {
      const now = new Set([...list.querySelectorAll("li.queued")].map((li) => li.dataset.key));
      const errors = new Set([...list.querySelectorAll("li.error")].map((li) => li.dataset.key));
      if ([...queued].some((key) => !now.has(key) && !errors.has(key))) {
        sent.hidden = false;
      }
      queued = now;
    }).observe(list, { childList: true });
  });
  // ---- end of matchmaking ------------------------------------------------------------------------

  renderQueue();
  localTimes();
  if (bus) {
    follow();
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState !== "visible" || leading) {
        return;
      }
      heard = false;
      bus.postMessage({ hello: tab });
      setTimeout(() => {
        if (!heard && !leading) {
          takeOver();
        }
      }, 3000);
    });
  } else {
    start();
  }
})();
