import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../infrastructure/config/load-config.js';
import { tempDir } from '../support/temp-dir.js';

function variableOf(env: Record<string, string>): string | undefined {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.variable;
    throw error;
  }
  return undefined;
}

describe('loadConfig: the enrollment page and OTA', () => {
  it('defaults: OTA on, no Apple CA, 5 failures per user and 20 per address in 15 minutes', () => {
    expect(loadConfig({}).enrollment).to.deep.equal({ ota: true, login: { maxFailuresPerUser: 5, maxFailuresPerAddress: 20, windowMs: 15 * 60_000 } });
  });

  it('reads the switches and limits, and the Apple CA file when it exists', () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, 'apple.pem'), '');
      const c = loadConfig({ MDM_ENROLLMENT_OTA: 'false', MDM_OTA_APPLE_CA_FILE: join(dir.path, 'apple.pem'), MDM_LOGIN_MAX_FAILURES_PER_USER: '3', MDM_LOGIN_MAX_FAILURES_PER_ADDRESS: '50', MDM_LOGIN_FAILURE_WINDOW_MINUTES: '60' });
      expect(c.enrollment).to.deep.equal({ ota: false, otaAppleCaFile: join(dir.path, 'apple.pem'), login: { maxFailuresPerUser: 3, maxFailuresPerAddress: 50, windowMs: 3_600_000 } });
    } finally {
      dir.remove();
    }
  });

  it('refuses bad values with the variable named', () => {
    expect(variableOf({ MDM_ENROLLMENT_OTA: 'yes' })).to.equal('MDM_ENROLLMENT_OTA');
    expect(variableOf({ MDM_OTA_APPLE_CA_FILE: '/nonexistent/apple.pem' })).to.equal('MDM_OTA_APPLE_CA_FILE');
    expect(variableOf({ MDM_LOGIN_MAX_FAILURES_PER_USER: '0' })).to.equal('MDM_LOGIN_MAX_FAILURES_PER_USER');
    expect(variableOf({ MDM_LOGIN_MAX_FAILURES_PER_ADDRESS: 'many' })).to.equal('MDM_LOGIN_MAX_FAILURES_PER_ADDRESS');
    expect(variableOf({ MDM_LOGIN_FAILURE_WINDOW_MINUTES: '100000' })).to.equal('MDM_LOGIN_FAILURE_WINDOW_MINUTES');
  });
});
