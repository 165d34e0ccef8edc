// Offline copies: the last copy of a few pages (the agenda, my tickets) and of their CSS and
// scripts, shown when the network fails. The network always comes first; nothing here makes a
// page stale while the link works. A page asks to be kept with the Offline-Copy header ("public",
// or "private" for one person's page). Private copies belong to the person the server names in
// Offline-Owner, and go as soon as a page is answered for someone else or for nobody, or at sign-out.
"use strict";
const PAGES = "pages-1", PRIVATE = "private-1", ASSETS = "assets-1", META = "meta-1";
const OWNER = "/offline-owner";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil((async () => {
  for (const name of await caches.keys()) {
    if (![PAGES, PRIVATE, ASSETS, META].includes(name)) {
      await caches.delete(name);
    }
  }
  await self.clients.claim();
})()));

// The page that registered this worker was loaded before it: the page sends its own address and
// its assets, which are then kept as if they had come through here (the assets from the HTTP cache).
self.addEventListener("message", (event) => {
  const urls = event.data?.keep;
  if (Array.isArray(urls)) {
    event.waitUntil(Promise.all(urls.map((url) => (isAsset(new URL(url, location)) ? asset(new Request(url)) : page(new Request(url, { credentials: "same-origin" }))).catch(() => null))));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== location.origin) {
    return;
  }
  if (request.method === "POST" && /^\/(signout|account\/signout-everywhere)$/.test(url.pathname)) {
    event.respondWith(caches.delete(PRIVATE).then(() => fetch(request)));
  } else if (request.method === "GET" && request.mode === "navigate") {
    event.respondWith(page(request, event));
  } else if (request.method === "GET" && isAsset(url)) {
    event.respondWith(asset(request));
  }
});

const isAsset = (url) => url.pathname.startsWith("/_content/");
// Assets are fingerprinted (site.<hash>.css): a new release's file replaces the old one of its family.
const family = (url) => new URL(url).pathname.replace(/\.[a-z0-9]{6,}(\.(css|js))$/, "$1");

async function asset(request) {
  const cache = await caches.open(ASSETS);
  const kept = await cache.match(request);
  if (kept) {
    return kept;
  }
  const response = await fetch(request, { cache: "force-cache" });
  if (response.ok) {
    for (const old of await cache.keys()) {
      if (family(old.url) === family(request.url)) {
        await cache.delete(old);
      }
    }
    await cache.put(request, response.clone());
  }
  return response;
}

async function page(request, event) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return (await offlineCopy(request)) || Promise.reject(error);
  }
  const keeping = keep(request, response.clone());
  event?.waitUntil(keeping);
  if (!event) {
    await keeping;
  }
  return response;
}

async function keep(request, response) {
  const meta = await caches.open(META);
  const owner = response.headers.get("Offline-Owner");
  if (owner !== null && owner !== (await (await meta.match(OWNER))?.text())) {
    await caches.delete(PRIVATE);
    await meta.put(OWNER, new Response(owner));
  }
  const kind = response.headers.get("Offline-Copy");
  const url = request.url;
  if (!response.ok) {
    return;
  }
  await (await caches.open(kind === "private" ? PAGES : PRIVATE)).delete(url);
  if (kind !== "public" && kind !== "private") {
    await (await caches.open(PAGES)).delete(url);
    return;
  }
  const copy = new Response(await response.blob(), {
    headers: { "Content-Type": response.headers.get("Content-Type"), "Offline-Saved": String(Date.now()) },
  });
  await (await caches.open(kind === "private" ? PRIVATE : PAGES)).put(url, copy);
}

// The copy says it is one, and when it was taken: the page carries the words (in its language)
// in a hidden paragraph whose "{0}" becomes the time.
async function offlineCopy(request) {
  const copy = (await (await caches.open(PAGES)).match(request.url)) || (await (await caches.open(PRIVATE)).match(request.url));
  if (!copy) {
    return null;
  }
  const saved = new Date(Number(copy.headers.get("Offline-Saved")));
  const hhmm = saved.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
  const html = (await copy.text()).replace(/(<p id="offline-copy"[^>]*?) hidden>([^<]*)\{0\}/, (_, start, words) => `${start}>${words}${hhmm}`);
  return new Response(html, { headers: { "Content-Type": copy.headers.get("Content-Type") } });
}
