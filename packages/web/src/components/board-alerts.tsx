import type { Alert } from '@vigil/sdk/contract';
import { Ago, when } from '../ui.js';

/** Only web links: a payload is written by whoever can reach the ingest URL, never trusted. */
function safeUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 4096) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

interface LinkOut {
  href: string;
  text: string;
}

/** Links the monitoring tools send, wherever their adapter put them (docs/ingest.md). */
export function alertLinks(details: Record<string, unknown>): LinkOut[] {
  const out: LinkOut[] = [];
  const push = (href: unknown, label: string | undefined) => {
    const safe = safeUrl(href);
    if (safe && !out.some((link) => link.href === safe)) out.push({ href: safe, text: label ?? safe });
  };
  if (Array.isArray(details.links))
    for (const link of details.links) if (isObject(link)) push(link.href, text(link.text));
  push(
    details.client_url,
    text(details.client) ? `Open in ${text(details.client)}` : 'Open in the monitoring tool',
  );
  const annotations = isObject(details.annotations) ? details.annotations : {};
  push(annotations.runbook_url ?? details.runbook_url, 'Runbook');
  for (const [field, label] of [
    ['generatorURL', 'Source'],
    ['dashboardURL', 'Dashboard'],
    ['panelURL', 'Panel'],
    ['silenceURL', 'Silence'],
  ] as const)
    push(details[field], label);
  return out;
}

interface ImageOut {
  src: string;
  href: string | null;
  alt: string;
}

export function alertImages(details: Record<string, unknown>): ImageOut[] {
  const out: ImageOut[] = [];
  if (Array.isArray(details.images))
    for (const image of details.images) {
      if (!isObject(image)) continue;
      const src = safeUrl(image.src);
      if (src) out.push({ src, href: safeUrl(image.href), alt: text(image.alt) ?? 'Image from the alert' });
    }
  const single = safeUrl(details.imageURL);
  if (single && !out.some((image) => image.src === single))
    out.push({ src: single, href: single, alt: 'Alert graph' });
  return out;
}

/** One alert of an incident: what it says, where to look, and its payload. */
export function AlertCard({ alert }: { alert: Alert }) {
  const links = alertLinks(alert.details);
  const images = alertImages(alert.details);
  const labels = Object.entries(alert.labels);
  return (
    <li className="incident-alert">
      <div className="row">
        <span className={`badge ${alert.status === 'firing' ? 'triggered' : 'resolved'}`}>
          {alert.status}
        </span>
        <strong className="incident-wrap">{alert.summary || alert.dedup_key}</strong>
      </div>
      <div className="small muted">
        {alert.severity}
        {alert.source ? ` · ${alert.source}` : ''}
        {alert.count > 1 ? ` · seen ${alert.count} times` : ''} · first <Ago at={alert.first_seen_at} />
        {alert.count > 1 ? (
          <>
            {' '}
            · last <Ago at={alert.last_seen_at} />
          </>
        ) : null}
        {alert.resolved_at ? ` · resolved ${when(alert.resolved_at)}` : ''}
      </div>
      {labels.length ? (
        <div className="incident-labels">
          {labels.map(([key, value]) => (
            <code key={key}>
              {key}={typeof value === 'string' ? value : JSON.stringify(value)}
            </code>
          ))}
        </div>
      ) : null}
      {links.length ? (
        <ul className="incident-links">
          {links.map((link) => (
            <li key={link.href}>
              <a href={link.href} target="_blank" rel="noopener noreferrer">
                {link.text}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      {images.map((image) =>
        image.href ? (
          <a key={image.src} href={image.href} target="_blank" rel="noopener noreferrer">
            <img
              className="incident-image"
              src={image.src}
              alt={image.alt}
              loading="lazy"
              referrerPolicy="no-referrer"
            />
          </a>
        ) : (
          <img
            key={image.src}
            className="incident-image"
            src={image.src}
            alt={image.alt}
            loading="lazy"
            referrerPolicy="no-referrer"
          />
        ),
      )}
      <details>
        <summary>Payload</summary>
        <pre>
          {JSON.stringify(
            {
              dedup_key: alert.dedup_key,
              source: alert.source,
              labels: alert.labels,
              details: alert.details,
            },
            null,
            2,
          )}
        </pre>
      </details>
    </li>
  );
}
