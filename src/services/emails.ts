import type { Config } from '../config.js'
import type { Email } from '../adapters/mail.js'

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' })[c]!)

/** One layout for every message: a title, paragraphs, and a button to a link (shown in full below it too). */
function layout (
  appName: string, title: string, paragraphs: string[], action: { label: string, url: string }, footer: string
): Email {
  const text = [title, '', ...paragraphs.flatMap((p) => [p, '']), `${action.label}: ${action.url}`, '', footer, '', `— ${appName}`].join('\n')
  const html = `<!doctype html><html><body style="font-family:sans-serif;max-width:560px;margin:auto;color:#222">
<h1 style="font-size:20px">${escape(title)}</h1>
${paragraphs.map((p) => `<p>${escape(p)}</p>`).join('\n')}
<p><a href="${escape(action.url)}" style="display:inline-block;padding:10px 16px;background:#e5484d;color:#fff;text-decoration:none;border-radius:6px">${escape(action.label)}</a></p>
<p style="font-size:12px;color:#666">Or open this link: ${escape(action.url)}</p>
<p style="font-size:12px;color:#666">${escape(footer)}</p>
<p style="font-size:12px;color:#666">— ${escape(appName)}</p>
</body></html>`
  return { subject: `${title} · ${appName}`, text, html }
}

type Links = Pick<Config, 'APP_NAME' | 'APP_URL'>
const link = (config: Links, path: string, token: string) => `${config.APP_URL.replace(/\/$/, '')}${path}?token=${encodeURIComponent(token)}`

/** The messages the service sends, from templates: the product's name and links from configuration. */
export const emails = {
  verifyEmail: (config: Links, { token, code }: { token: string, code: string }): Email => layout(config.APP_NAME,
    'Confirm your email address',
    [`Welcome to ${config.APP_NAME}. Confirm this address to finish setting up your account.`, `In the app, you can type this code instead: ${code}`],
    { label: 'Confirm my email', url: link(config, '/verify-email', token) },
    'The link and the code work once, for 24 hours. If you did not sign up, ignore this message.'),

  resetPassword: (config: Links, { token }: { token: string }): Email => layout(config.APP_NAME,
    'Reset your password',
    ['Someone (we hope you) asked to reset the password of this account. Choose a new one with the link below.'],
    { label: 'Choose a new password', url: link(config, '/reset-password', token) },
    'The link works once, for 30 minutes, and signs you out on every device. If you did not ask for it, ignore this message: your password stays as it is.')
}
