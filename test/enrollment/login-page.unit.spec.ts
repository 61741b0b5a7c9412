import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { LOGIN_PAGE_CSP, escapeHtml, renderLoginPage } from '../../infrastructure/http/device/web-enrollment/login-page.js';

describe('enrollment sign-in page', () => {
  it('escapes everything it echoes: organization, user name, error and token', () => {
    const html = renderLoginPage({ organization: '<b>Evil & Co</b>', formToken: '"><script>', error: '<img>', username: '" onfocus="alert(1)' });
    expect(html).to.not.contain('<b>Evil');
    expect(html).to.not.contain('<script>');
    expect(html).to.not.contain('<img>');
    expect(html).to.not.contain('" onfocus="');
    expect(html).to.contain('&#60;b&#62;Evil &#38; Co&#60;/b&#62;');
    expect(escapeHtml(`'\`"<>&`)).to.equal('&#39;&#96;&#34;&#60;&#62;&#38;');
  });

  it('allows exactly its own inline style by hash, and nothing else', () => {
    const html = renderLoginPage({ organization: 'Org', formToken: 't' });
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(LOGIN_PAGE_CSP).to.contain(`'sha256-${createHash('sha256').update(style, 'utf8').digest('base64')}'`);
    expect(LOGIN_PAGE_CSP).to.match(/^default-src 'none';/);
    expect(html.match(/<style>/g)).to.have.length(1);
    expect(html).to.not.match(/<script|\bsrc=|\bhref=|style="/);
  });
});
