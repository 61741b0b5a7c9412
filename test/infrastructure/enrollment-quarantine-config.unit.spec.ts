import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../infrastructure/config/load-config.js';

describe('MDM_ENROLLMENT_QUARANTINE', () => {
  it('is off unless set to true, and refuses anything but true or false', () => {
    expect(loadConfig({}).enrollmentQuarantine).to.equal(false);
    expect(loadConfig({ MDM_ENROLLMENT_QUARANTINE: 'true' }).enrollmentQuarantine).to.equal(true);
    expect(loadConfig({ MDM_ENROLLMENT_QUARANTINE: 'false' }).enrollmentQuarantine).to.equal(false);
    expect(() => loadConfig({ MDM_ENROLLMENT_QUARANTINE: 'yes' })).to.throw(ConfigError, /MDM_ENROLLMENT_QUARANTINE: must be one of true, false/);
  });
});
