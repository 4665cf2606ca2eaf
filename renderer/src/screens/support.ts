// The support information is shared with the desktop's Help menu: shared/support.ts.
export { describeCpu, describeOs, describeVersions, describeVolume, supportText, volumeOf } from '../../../shared/support.js';
