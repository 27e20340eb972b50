// Service worker of the offline forms: keeps the page and its files so they open with no network.
// Responses are not kept here but in the page's storage, and sync requests (POST) always go to
// the network, so nothing is ever answered from a cache that should have reached the server.
"use strict";
const VERSION = {{ version|tojson }};
const CACHE = "ks-ngoai-tuyen-" + VERSION;
const PAGE = {{ page|tojson }};
const ASSETS = {{ assets|tojson }};
// On a slow rural network, show the copy on the phone rather than wait longer than this.
const PAGE_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(ASSETS);
    const page = await fetch(PAGE, {credentials: "same-origin", cache: "no-store", redirect: "manual"});
    if (page.ok) await cache.put(PAGE, page);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith("ks-ngoai-tuyen-") && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === PAGE) {
    event.respondWith(page(request));
  } else if (ASSETS.includes(url.pathname + url.search)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});

// The page from the network when it answers in time (fresh forms and communes, and a redirect to
// sign in when the session ended), else the copy kept on the phone.
async function page(request) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then((response) => {
    if (response.ok && response.type === "basic") cache.put(PAGE, response.clone());
    return response;
  });
  const kept = await cache.match(PAGE);
  if (!kept) return network;
  const late = new Promise((resolve) => setTimeout(() => resolve(kept), PAGE_TIMEOUT_MS));
  return Promise.race([network.catch(() => kept), late]);
}
