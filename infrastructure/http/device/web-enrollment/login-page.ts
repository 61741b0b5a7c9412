import { createHash } from 'node:crypto';

/** The fields the sign-in form posts. */
export const FORM_FIELDS = { username: 'username', password: 'password', formToken: 'form_token' } as const;

/** The enrollment pages' one stylesheet (inline, allowed by its hash in the CSP). */
export const PAGE_STYLE = [
  'body{font-family:-apple-system,system-ui,sans-serif;margin:0;padding:2rem 1rem;background:#f5f5f7;color:#1d1d1f}',
  'main{max-width:22rem;margin:0 auto;background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 4px rgba(0,0,0,.1)}',
  'h1{font-size:1.3rem;margin:0 0 .3rem}p{margin:.3rem 0 1rem;color:#555}',
  'label{display:block;margin:.8rem 0 .3rem;font-weight:600}',
  'input{box-sizing:border-box;width:100%;font-size:1rem;padding:.6rem;border:1px solid #bbb;border-radius:8px}',
  'button{margin-top:1.2rem;width:100%;font-size:1rem;padding:.7rem;border:0;border-radius:8px;background:#0071e3;color:#fff}',
  '.error{color:#b00020;font-weight:600}',
].join('');

/**
 * The page's policy: nothing loads from anywhere, the one inline style is allowed by its hash, the
 * form posts only back here, and no other site may frame it.
 */
export const LOGIN_PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(PAGE_STYLE, 'utf8').digest('base64')}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

export interface LoginPageInputs {
  readonly organization: string;
  /** Hidden field matched against the form cookie (a sign-in posted from another site has neither). */
  readonly formToken: string;
  /** Shown above the form; generic on purpose. */
  readonly error?: string;
  /** Filled in again after a failed attempt. */
  readonly username?: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An enrollment page: self-contained (no scripts, no external assets), `main` already escaped. */
export function enrollmentPage(organization: string, main: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Enroll this device · ${escapeHtml(organization)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
${main}</main>
</body>
</html>
`;
}

/** The sign-in page. */
export function renderLoginPage(i: LoginPageInputs): string {
  const organization = escapeHtml(i.organization);
  return enrollmentPage(i.organization, `<h1>Enroll this device</h1>
<p>Sign in with your ${organization} account to install the device management profile.</p>
${i.error ? `<p class="error" role="alert">${escapeHtml(i.error)}</p>\n` : ''}<form method="post" action="/enroll" autocomplete="on">
<input type="hidden" name="${FORM_FIELDS.formToken}" value="${escapeHtml(i.formToken)}">
<label for="username">User name</label>
<input id="username" name="${FORM_FIELDS.username}" type="text" autocomplete="username" autocapitalize="none" autocorrect="off" spellcheck="false" maxlength="128" required value="${escapeHtml(i.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="${FORM_FIELDS.password}" type="password" autocomplete="current-password" maxlength="1024" required>
<button type="submit">Sign in and enroll</button>
</form>
`);
}
