import nodemailer from 'nodemailer'
import type { Config } from '../config.js'

/** A message as it is sent: a subject, a plain text body and the same in HTML. */
export interface Email {
  subject: string
  text: string
  html: string
}

/** Sends email over SMTP (SMTP_URL: the local stack's Mailpit, or the production server) with nodemailer. */
export function createMailer (config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM'>) {
  // Bounded: a stalled SMTP server fails the job (retried with backoff) instead of holding the worker.
  const transport = nodemailer.createTransport({
    url: config.SMTP_URL, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000
  }, { from: config.MAIL_FROM })
  return {
    async send (to: string, email: Email): Promise<void> {
      await transport.sendMail({ to, subject: email.subject, text: email.text, html: email.html })
    },
    close: () => transport.close()
  }
}

export type Mailer = ReturnType<typeof createMailer>
