import { escapeHtml, PAGE_STYLE } from './web-enrollment/login-page.js';

/**
 * What `GET /enroll/<token>` shows: a button that POSTs back to the same address (query kept). The
 * link travels by mail and chat, whose previewers and scanners fetch it; a GET that redeemed the
 * token would spend a one-time link before its owner opened it. They do not submit forms.
 */
export function renderTokenLandingPage(organization: string): string {
  const org = escapeHtml(organization);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>Enroll this device · ${org}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
<h1>Enroll this device</h1>
<p>Install the ${org} device management profile on this device. The link works for the number of devices it was made for.</p>
<form method="post">
<button type="submit">Download the enrollment profile</button>
</form>
</main>
</body>
</html>
`;
}
