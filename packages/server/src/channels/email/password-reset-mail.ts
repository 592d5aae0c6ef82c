import { randomUUID } from 'node:crypto';
import { PASSWORD_RESET_TTL_MINUTES, type PasswordResetMail } from '@vigil/core';
import { createEmailChannel } from './email.channel.js';

/** The page of the web app that takes the token and asks for the new password. */
export const resetPasswordUrl = (publicUrl: string, token: string) =>
  `${publicUrl}/reset-password?token=${encodeURIComponent(token)}`;

/**
 * Password reset links by e-mail (docs/sign-in.md), through the same SMTP channel as pages, rendered
 * as a notice. Sent in the background: the request that asked for it is answered at once, whether
 * the address exists or not, and a mail server that is slow or down is logged, not shown.
 */
export function createPasswordResetMail(options: {
  smtp: { url: string; from: string };
  publicUrl: string;
  timeoutMs?: number;
  log: (error: unknown, message: string) => void;
}): PasswordResetMail {
  const channel = createEmailChannel({
    smtpUrl: options.smtp.url,
    from: options.smtp.from,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  return {
    send({ to, name, token, expiresAt }) {
      const url = resetPasswordUrl(options.publicUrl, token);
      const body = [
        `Someone asked to set a new password for your Vigil account (${to}).`,
        `Open the link within ${PASSWORD_RESET_TTL_MINUTES} minutes (until ${expiresAt.slice(0, 16).replace('T', ' ')} UTC); it works once.`,
        'Setting a new password signs you out everywhere.',
        'If you did not ask for this, ignore this mail: your password stays as it is.',
      ].join('\n');
      channel
        .send({
          id: randomUUID(),
          kind: 'notice',
          contact: { type: 'email', address: to },
          recipient: { id: to, name },
          notice: { title: 'Set a new password', body, url },
          text: `${body}\n${url}`,
        })
        .then(
          (result) => {
            if (result.outcome !== 'delivered' && result.outcome !== 'sent')
              options.log(new Error(result.reason), 'password reset mail not sent');
          },
          (error: unknown) => options.log(error, 'password reset mail not sent'),
        );
    },
  };
}
