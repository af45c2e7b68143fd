import { describe, expect, it } from 'vitest';
import { scrubPassword } from '../../src/collectors/types.js';

describe('scrubPassword', () => {
  it('takes a password out of a server message, however short', () => {
    expect(scrubPassword('WRONGPASS for hunter2pw', 'redis://u:hunter2pw@h:1')).toBe('WRONGPASS for ***');
    expect(scrubPassword('auth failed: password "ab" rejected', 'redis://u:ab@h:1')).toBe(
      'auth failed: password "***" rejected',
    );
    // A short password inside ordinary words is left alone: it is not the password there.
    expect(scrubPassword('about abacus', 'redis://u:ab@h:1')).toBe('about abacus');
    expect(scrubPassword('x+y failed', 'redis://u:x%2By@h:1')).toBe('*** failed');
    expect(scrubPassword('no password here', 'redis://h:1')).toBe('no password here');
  });
});
