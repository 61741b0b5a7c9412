import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../infrastructure/config/load-config.js';

describe('automation configuration', () => {
  it('is on with a daily refresh by default', () => {
    expect(loadConfig({}).automation).to.deep.equal({ enabled: true, inventoryRefreshMs: 24 * 3_600_000 });
  });

  it('reads MDM_AUTOMATION and MDM_INVENTORY_REFRESH_HOURS (0 disables the refresh)', () => {
    expect(loadConfig({ MDM_AUTOMATION: 'false', MDM_INVENTORY_REFRESH_HOURS: '0' }).automation).to.deep.equal({ enabled: false, inventoryRefreshMs: 0 });
    expect(loadConfig({ MDM_INVENTORY_REFRESH_HOURS: '6' }).automation.inventoryRefreshMs).to.equal(6 * 3_600_000);
  });

  it('refuses anything else, naming the variable', () => {
    for (const [name, value] of [['MDM_AUTOMATION', 'yes'], ['MDM_INVENTORY_REFRESH_HOURS', '1.5'], ['MDM_INVENTORY_REFRESH_HOURS', '-1'], ['MDM_INVENTORY_REFRESH_HOURS', '100000']] as const) {
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).to.throw(ConfigError, name);
    }
  });
});
