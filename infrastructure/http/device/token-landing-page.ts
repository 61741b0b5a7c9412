import { enrollmentPage, escapeHtml } from './web-enrollment/login-page.js';

/**
 * What `GET /enroll/<token>` shows: a button that POSTs back to the same address (query kept). The
 * link travels by mail and chat, whose previewers and scanners fetch it; a GET that redeemed the
 * token would spend a one-time link before its owner opened it. They do not submit forms.
 */
export function renderTokenLandingPage(organization: string): string {
  return enrollmentPage(organization, `<h1>Enroll this device</h1>
<p>Install the ${escapeHtml(organization)} device management profile on this device. The link works for the number of devices it was made for.</p>
<form method="post">
<button type="submit">Download the enrollment profile</button>
</form>
`);
}
