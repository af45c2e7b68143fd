import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { collect } from '../../src/collectors/docker/index.js';
import { requireService } from '../support/services.js';

// Permission denied on the socket is `forbidden`. As root, the test engine's socket (root:docker,
// 0660) is tried with the effective uid of `nobody` (seteuid is undone after); as another user,
// a socket of our own with mode 000. Its own file: the uid switch must not meet other tests.
it('permission denied on the socket: forbidden, saying how to fix it', async () => {
  let url: string;
  let close = () => {};
  if (process.getuid?.() === 0) {
    url = requireService('STRISK_TEST_DOCKER');
  } else {
    const path = join(mkdtempSync(join(tmpdir(), 'strisk-docker-perm-')), 'docker.sock');
    const server = createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(path, resolve));
    chmodSync(path, 0);
    url = `unix://${path}`;
    close = () => server.close();
  }
  const asRoot = process.getuid?.() === 0;
  if (asRoot) process.seteuid!(65534);
  try {
    const t = await collect({ url }, { timeoutMs: 3000, projectDir: '.' });
    expect(t).toMatchObject({
      status: 'forbidden',
      message: expect.stringMatching(/permission denied .*EACCES.*docker group/),
    });
  } finally {
    if (asRoot) process.seteuid!(0);
    close();
  }
});
