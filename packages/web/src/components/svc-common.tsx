import { useQuery } from '@tanstack/react-query';
import type { PolicyPreview } from '@vigil/sdk/contract';
import type { ReactNode } from 'react';
import { vigil } from '../api.js';
import { isStatus } from '../data.js';
import { CopyButton } from './common.js';

/**
 * Shared pieces of the services, escalation-policy and on-call screens: who a policy pages now, when
 * each step pages, and configuration to paste.
 */

/**
 * Who a policy would page now (GET /escalation-policies/:id/preview). A 404 (an older server, or a
 * policy just deleted) is `null`, and the screens then show nothing instead of an error.
 */
export function usePolicyPreview(policyId: string | undefined) {
  return useQuery({
    queryKey: ['escalation-policies', policyId, 'preview'],
    enabled: !!policyId,
    queryFn: async (): Promise<PolicyPreview | null> => {
      try {
        return await vigil.request<PolicyPreview>(
          'GET',
          `/escalation-policies/${encodeURIComponent(policyId!)}/preview`,
        );
      } catch (error) {
        if (isStatus(error, 404)) return null;
        throw error;
      }
    },
    staleTime: 30_000,
    refetchInterval: 60_000,
  });
}

/** When step `index` of a policy pages, counted from the trigger: "at once", "after 15 min". */
export function stepTiming(steps: { delay_minutes: number | string }[], index: number): string {
  const minutes = steps.slice(0, index).reduce((sum, s) => sum + (Number(s.delay_minutes) || 0), 0);
  return index === 0 ? 'at once' : `after ${minutes} min unacknowledged`;
}

/** A block of configuration to paste, with its copy button. */
export function Snippet({ title, code, children }: { title: string; code: string; children?: ReactNode }) {
  return (
    <div className="svc-snippet">
      <div className="row">
        <strong className="small">{title}</strong>
        <span className="right">
          <CopyButton text={code} name={`Copy ${title}`} small />
        </span>
      </div>
      {children ? <div className="small muted">{children}</div> : null}
      <pre>
        <code>{code}</code>
      </pre>
    </div>
  );
}
