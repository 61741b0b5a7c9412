import { expect } from 'chai';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';

describe('JSON logger', () => {
  it('writes one JSON object per line with time, level and message', () => {
    const lines: string[] = [];
    const log = jsonLogger({ write: (l) => lines.push(l) }).child({ component: 'test' });
    log.info('hello', { n: 1 });
    log.debug('hidden at info');
    expect(lines).to.have.length(1);
    expect(lines[0]!.endsWith('\n')).to.equal(true);
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).to.include({ level: 'info', msg: 'hello', n: 1, component: 'test' });
    expect(Number.isNaN(Date.parse(String(record['time'])))).to.equal(false);
  });

  it('redacts secret-named fields at any depth', () => {
    const lines: string[] = [];
    const log = jsonLogger({ write: (l) => lines.push(l) });
    log.warn('x', { request: { headers: { authorization: 'Bearer abc123' } }, unlockToken: 'deadbeef', challenge: 'pw', list: [{ password: 'p' }] });
    expect(lines[0]).to.not.match(/abc123|deadbeef|"pw"|"p"/);
    expect(lines[0]).to.contain('[redacted]');
  });

  it('cuts structures deeper than it redacts, and never prints bytes', () => {
    const lines: string[] = [];
    let deep: Record<string, unknown> = { password: 'deep-secret' };
    for (let i = 0; i < 10; i++) deep = { next: deep };
    jsonLogger({ write: (l) => lines.push(l) }).info('x', { deep, bytes: Buffer.from('raw-key-material') });
    expect(lines[0]).to.not.contain('deep-secret');
    expect(lines[0]).to.contain('[truncated]');
    expect(lines[0]).to.not.contain('raw-key-material');
    expect(lines[0]).to.contain('[16 bytes]');
  });

  it('logs errors with their message and stack', () => {
    const lines: string[] = [];
    jsonLogger({ write: (l) => lines.push(l) }).error('failed', { error: new Error('boom') });
    const record = JSON.parse(lines[0]!) as { error: { message: string; stack: string } };
    expect(record.error.message).to.equal('boom');
    expect(record.error.stack).to.contain('Error: boom');
  });
});
