import { createHmac, timingSafeEqual } from 'node:crypto';

export type LinkAction = 'acknowledge' | 'resolve';

export interface ActionClaim {
  incidentId: string;
  action: LinkAction;
  userId: string;
  /** Unix seconds after which the link no longer works. */
  expires: number;
}

/** A page's links work for a day: long enough for a night, short enough not to linger in inboxes. */
export const ACTION_LINK_TTL_SECONDS = 24 * 3600;

/**
 * Signed, expiring, single-purpose links for e-mail, Teams and push: the token names one incident,
 * one action and one person, and is HMAC-signed with a key derived from VIGIL_SECRET_KEY. A GET only
 * shows a confirmation page; the action happens on POST (link scanners in mail gateways fetch, they
 * do not submit forms).
 */
export function createActionLinks(secretKey: Buffer, publicUrl: string) {
  const key = createHmac('sha256', secretKey).update('vigil action links v1').digest();
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

  return {
    token(claim: ActionClaim): string {
      const payload = Buffer.from(
        JSON.stringify([
          claim.incidentId,
          claim.action === 'acknowledge' ? 'a' : 'r',
          claim.userId,
          claim.expires,
        ]),
      ).toString('base64url');
      return `${payload}.${sign(payload)}`;
    },

    url(claim: ActionClaim): string {
      return `${publicUrl}/actions/${this.token(claim)}`;
    },

    /** The claim, or why the token is refused ("expired", "invalid"). */
    verify(token: string, nowSeconds: number): ActionClaim | 'invalid' | 'expired' {
      const [payload, signature] = token.split('.');
      if (!payload || !signature) return 'invalid';
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
      try {
        const [incidentId, action, userId, expires] = JSON.parse(
          Buffer.from(payload, 'base64url').toString('utf8'),
        );
        if (typeof incidentId !== 'string' || typeof userId !== 'string' || typeof expires !== 'number') {
          return 'invalid';
        }
        if (expires < nowSeconds) return 'expired';
        return { incidentId, action: action === 'a' ? 'acknowledge' : 'resolve', userId, expires };
      } catch {
        return 'invalid';
      }
    },
  };
}

export type ActionLinks = ReturnType<typeof createActionLinks>;
