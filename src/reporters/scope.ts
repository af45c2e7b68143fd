import type { Remediation } from '../core/check.js';

/** What it takes for a fix to take effect, in words; nothing when it applies at once. */
export const APPLIES_TEXT: Record<Remediation['applies'], string> = {
  reload: 'applies after a configuration reload',
  restart: 'applies after a restart',
  rebuild: 'applies after the image is rebuilt',
  redeploy: 'applies after a redeploy',
  none: '',
};
