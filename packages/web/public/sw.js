// Vigil's service worker: shows pages pushed by the server (web push, VAPID) and opens the incident
// when one is tapped. The payload is documented in packages/server/src/channels/push/push.channel.ts:
// {title, body, url, incident_id, tag, actions: [{action, title, url}]}. The action URLs are signed
// confirmation pages, so tapping "Acknowledge" on the notification asks once more before acting.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: 'Vigil', body: event.data ? event.data.text() : '' };
  }
  const actions = Array.isArray(data.actions) ? data.actions : [];
  event.waitUntil(
    self.registration.showNotification(data.title || 'Vigil', {
      body: data.body || '',
      tag: data.tag,
      renotify: Boolean(data.tag),
      requireInteraction: Boolean(data.incident_id),
      icon: '/icon.svg',
      data: { url: data.url || '/', actions },
      actions: actions.map((a) => ({ action: a.action, title: a.title })),
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const { url, actions } = event.notification.data || {};
  const chosen = (actions || []).find((a) => a.action === event.action);
  const target = chosen ? chosen.url : url || '/';
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const client of windows) {
        if ('focus' in client && new URL(client.url).origin === self.location.origin && !chosen) {
          await client.focus();
          if ('navigate' in client) return client.navigate(target);
          return;
        }
      }
      return self.clients.openWindow(target);
    })(),
  );
});
