import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ContactMethod, Notification as SentNotification } from '@vigil/sdk/contract';
import { type ReactNode, useState } from 'react';
import { vigil } from '../api.js';
import { ErrorBox, Loading } from '../ui.js';
import { ConfirmButton } from './common.js';
import { contactMethodsKey, useContactMethods } from './people-contact.js';

/**
 * Push on this device: the browser subscribes with the server's VAPID key and the subscription is
 * saved as a `push` contact method whose address is the PushSubscription JSON (paging.md; the server
 * checks it in channels/push/push.channel.ts parseSubscription). public/sw.js shows the pages.
 */

const supported = () =>
  typeof window !== 'undefined' &&
  'serviceWorker' in navigator &&
  'PushManager' in window &&
  'Notification' in window;

/** The VAPID public key is base64url; PushManager wants its bytes. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const text = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function sameKey(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a) return false;
  const view = new Uint8Array(a);
  return view.length === b.length && view.every((byte, i) => byte === b[i]);
}

async function registration(): Promise<ServiceWorkerRegistration> {
  // The app registers /sw.js in production builds; make sure of it here (development, first visit).
  const existing = await navigator.serviceWorker.getRegistration('/');
  if (!existing) await navigator.serviceWorker.register('/sw.js');
  return navigator.serviceWorker.ready;
}

function endpointOf(method: ContactMethod): string | null {
  try {
    return (JSON.parse(method.address) as { endpoint?: string }).endpoint ?? null;
  } catch {
    return null;
  }
}

/** "Chrome on Android": a label that tells this device from the others in the list. */
function deviceLabel(): string {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrome\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'Browser';
  const system = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Mac OS X/.test(ua)
        ? 'macOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return system ? `${browser} on ${system}` : browser;
}

export function PushSection({ userId }: { userId: string }) {
  const client = useQueryClient();
  const methods = useContactMethods(userId);
  const [permission, setPermission] = useState(() => (supported() ? Notification.permission : 'default'));
  const key = useQuery({
    queryKey: ['people', 'push-key'],
    queryFn: () => vigil.request<{ public_key: string | null }>('GET', '/push/public-key'),
    enabled: supported(),
    staleTime: 5 * 60_000,
  });
  // This browser's current subscription, if any (its endpoint tells which contact method is this device).
  const current = useQuery({
    queryKey: ['people', 'push-subscription'],
    enabled: supported(),
    queryFn: async () => {
      const reg = await navigator.serviceWorker.getRegistration('/');
      const sub = reg ? await reg.pushManager.getSubscription() : null;
      return sub ? sub.endpoint : null;
    },
  });
  const thisDevice = (methods.data ?? []).find(
    (m) => m.type === 'push' && current.data && endpointOf(m) === current.data,
  );

  const enable = useMutation({
    mutationFn: async () => {
      const publicKey = key.data?.public_key;
      if (!publicKey) throw new Error('Push is not configured on this server.');
      const granted = await Notification.requestPermission();
      setPermission(granted);
      if (granted !== 'granted')
        throw new Error(
          'Notifications are blocked for this site: allow them in the browser’s site settings.',
        );
      const reg = await registration();
      const applicationServerKey = keyBytes(publicKey);
      let sub = await reg.pushManager.getSubscription();
      // A subscription made with another server key cannot be reused: start over.
      if (sub && !sameKey(sub.options.applicationServerKey, applicationServerKey)) {
        await sub.unsubscribe();
        sub = null;
      }
      try {
        sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
      } catch (error) {
        throw new Error(
          `This browser would not subscribe (${(error as Error).message}). Private windows cannot receive push; try a normal window, or use SMS.`,
        );
      }
      const created = await vigil.request<ContactMethod>(
        'POST',
        `/users/${encodeURIComponent(userId)}/contact-methods`,
        {
          body: { type: 'push', address: JSON.stringify(sub), label: deviceLabel() },
        },
      );
      return created;
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['people', 'push-subscription'] });
      await client.invalidateQueries({ queryKey: contactMethodsKey(userId) });
    },
  });

  const test = useMutation({
    mutationFn: (method: ContactMethod) =>
      vigil.request<SentNotification>(
        'POST',
        `/users/${encodeURIComponent(userId)}/contact-methods/${encodeURIComponent(method.id)}/test`,
        { body: {} },
      ),
  });

  const disable = useMutation({
    mutationFn: async (method: ContactMethod) => {
      await vigil.request<void>(
        'DELETE',
        `/users/${encodeURIComponent(userId)}/contact-methods/${encodeURIComponent(method.id)}`,
      );
      const reg = await navigator.serviceWorker.getRegistration('/');
      const sub = reg ? await reg.pushManager.getSubscription() : null;
      await sub?.unsubscribe();
    },
    onSuccess: async () => {
      test.reset();
      await client.invalidateQueries({ queryKey: ['people', 'push-subscription'] });
      await client.invalidateQueries({ queryKey: contactMethodsKey(userId) });
      await client.invalidateQueries({ queryKey: ['people', 'rules', userId] });
    },
  });

  let body: ReactNode;
  if (!supported()) {
    body = (
      <p className="muted">
        This browser cannot receive push notifications. On an iPhone or iPad, add Vigil to the home screen
        (Share → Add to Home Screen) and open it from there; or use SMS above.
      </p>
    );
  } else if (key.isPending || current.isPending) {
    body = <Loading what="Checking push" />;
  } else if (key.isError) {
    body = <ErrorBox error={key.error} />;
  } else if (!key.data.public_key) {
    body = (
      <p className="muted">
        Push is not configured on this server. An admin can turn it on with VIGIL_VAPID_PUBLIC_KEY and
        VIGIL_VAPID_PRIVATE_KEY (docs/configuration.md).
      </p>
    );
  } else if (thisDevice) {
    body = (
      <>
        <p>
          <span className="badge resolved">on</span> Push is on for this device ({thisDevice.label}). Add a
          rule for it below to choose when it rings.
        </p>
        <div className="row">
          <button type="button" disabled={test.isPending} onClick={() => test.mutate(thisDevice)}>
            {test.isPending ? 'Sending…' : 'Send test'}
          </button>
          <ConfirmButton
            label="Turn off push on this device"
            question="Stop push notifications on this device? Its rules go too."
            confirmLabel="Turn off"
            busy={disable.isPending}
            onConfirm={() => disable.mutate(thisDevice)}
          />
        </div>
        {test.isSuccess ? (
          <p className="small people-ok" role="status">
            Test sent: a notification should appear on this device within a minute.
          </p>
        ) : null}
      </>
    );
  } else {
    body = (
      <>
        <p className="muted">
          Get pages as notifications on this phone or computer, with Acknowledge and Resolve on them.
        </p>
        {permission === 'denied' ? (
          <p className="notice">
            Notifications are blocked for this site. Allow them in the browser’s site settings, then try
            again.
          </p>
        ) : null}
        <div className="row">
          <button
            type="button"
            className="primary"
            disabled={enable.isPending}
            onClick={() => enable.mutate()}
          >
            {enable.isPending ? 'Enabling…' : 'Enable push on this device'}
          </button>
        </div>
      </>
    );
  }

  return (
    <section className="panel" aria-labelledby="push-title">
      <h2 id="push-title" className="people-panel-title">
        Push on this device
      </h2>
      {body}
      <ErrorBox error={enable.error} />
      <ErrorBox error={test.error} />
      <ErrorBox error={disable.error} />
      <ErrorBox error={current.error} />
    </section>
  );
}
