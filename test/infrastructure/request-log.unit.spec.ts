import { expect } from 'chai';
import { loggablePath } from '../../infrastructure/http/request-log.js';

describe('request log paths', () => {
  it('cut the enrollment token out of /enroll/<token>, and leave other paths alone', () => {
    expect(loggablePath('/enroll/0123456789abcdef0123456789abcdef.SECRETSECRET')).to.equal('/enroll/…');
    expect(loggablePath('/enroll/abc/extra')).to.equal('/enroll/…/extra');
    expect(loggablePath('/mdm')).to.equal('/mdm');
    expect(loggablePath('/scep')).to.equal('/scep');
  });
});
