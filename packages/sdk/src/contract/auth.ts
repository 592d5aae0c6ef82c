import { type Static, Type } from 'typebox';
import { Instant } from './common.js';
import { User } from './resources.js';

/** Browser sign-in (docs/sign-in.md): e-mail and password, a session cookie, password reset by e-mail. */

const strict = { additionalProperties: false } as const;
/**
 * Not checked as an e-mail format: the bootstrap owner is `admin@localhost`, which the format refuses,
 * and an address that matches nobody simply fails to sign in.
 */
const Email = Type.String({ minLength: 1, maxLength: 320 });

export const LoginBody = Type.Object(
  { email: Email, password: Type.String({ minLength: 1, maxLength: 1024 }) },
  strict,
);
export type LoginBody = Static<typeof LoginBody>;

/** The signed-in session: who, the token to send as `X-CSRF-Token` on writes, and when it ends if idle. */
export const SessionInfo = Type.Object({
  user: User,
  csrf_token: Type.String({ description: 'Send as the X-CSRF-Token header on every non-GET request' }),
  expires_at: Instant,
});
export type SessionInfo = Static<typeof SessionInfo>;

export const PasswordResetRequestBody = Type.Object({ email: Email }, strict);
export type PasswordResetRequestBody = Static<typeof PasswordResetRequestBody>;

export const PasswordResetAccepted = Type.Object({
  status: Type.Literal('accepted'),
  message: Type.String(),
});
export type PasswordResetAccepted = Static<typeof PasswordResetAccepted>;

export const PasswordResetConfirmBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 200, description: 'The `token` of the link in the mail' }),
    password: Type.String({
      minLength: 12,
      maxLength: 1024,
      description: 'The new password; ≥ 12 characters',
    }),
  },
  strict,
);
export type PasswordResetConfirmBody = Static<typeof PasswordResetConfirmBody>;
