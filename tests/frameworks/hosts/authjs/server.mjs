// Minimal Express host for Auth.js (@auth/express) with the Nodemailer (email magic link) provider
// and the in-memory unstorage adapter (the email provider needs an adapter for its tokens).
// Configuration only: the mail is Auth.js's default. PORT and OTPCATCH_SMTP_HOST/PORT come from
// the environment (the test sets PORT; `otpcatch run` sets the SMTP address).
import express from 'express';
import { ExpressAuth, getSession } from '@auth/express';
import Nodemailer from '@auth/express/providers/nodemailer';
import { UnstorageAdapter } from '@auth/unstorage-adapter';
import { createStorage } from 'unstorage';

const port = Number(process.env.PORT);
const config = {
  trustHost: true,
  secret: 'otpcatch-test-secret-otpcatch-test-secret',
  adapter: UnstorageAdapter(createStorage()),
  providers: [Nodemailer({
    server: { host: process.env.OTPCATCH_SMTP_HOST, port: Number(process.env.OTPCATCH_SMTP_PORT), secure: false, ignoreTLS: true },
    from: 'Auth.js <noreply@example.com>',
  })],
};
const app = express();
app.set('trust proxy', true);
app.use('/auth', ExpressAuth(config));
app.get('/', async (req, res) => {
  const session = await getSession(req, config);
  res.type('html').send(session
    ? `<p id="who">Signed in as ${session.user.email}</p>`
    : '<p id="who">Not signed in</p><a href="/auth/signin">Sign in</a>');
});
app.listen(port, '127.0.0.1', () => console.log(`authjs on http://127.0.0.1:${port}`));
