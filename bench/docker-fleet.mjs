// A fleet of tiny containers on a Docker engine, for bench/docker.mjs: a busybox image imported
// from the machine's own /bin/busybox (no registry), N containers running `sleep` with
// `--network none`, all under one unique name prefix and compose-project label, removed at the end.
// This is the bench's own setup, so it may create and remove; the collector only ever GETs.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `unix:///path` or `tcp://host:port` → request options. */
function addressOf(url) {
  if (url.startsWith('unix://')) return { socketPath: new URL(url).pathname };
  if (url.startsWith('/')) return { socketPath: url };
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 2375) };
}

export function engine(url) {
  const address = addressOf(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const call = (method, path, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const req = http.request({ ...address, agent, method, path, headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 400) reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`));
          else resolve(text ? safeJson(text) : null);
        });
      });
      req.on('error', reject);
      if (body && typeof body.pipe === 'function') body.pipe(req);
      else req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  return { call, close: () => agent.destroy() };
}

const safeJson = (t) => {
  try {
    return JSON.parse(t);
  } catch {
    return t;
  }
};

async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Imports a ~2 MB busybox image as `repo:tag` from a rootfs tarred by `tar`. */
async function importImage(api, repo, tag) {
  const root = mkdtempSync(join(tmpdir(), 'strisk-bench-rootfs-'));
  try {
    mkdirSync(join(root, 'bin'));
    copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
    for (const applet of ['sh', 'sleep']) symlinkSync('busybox', join(root, 'bin', applet));
    const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const changes = encodeURIComponent('CMD ["sleep","86400"]');
    await api.call(
      'POST',
      `/images/create?fromSrc=-&repo=${repo}&tag=${tag}&changes=${changes}`,
      tar.stdout,
      {
        'content-type': 'application/x-tar',
      },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Starts `count` containers named `<prefix>-<i>` in compose project `<prefix>`; returns the
 * project name and a `remove()` that deletes them and the image. Creation runs `parallel` at a time.
 */
export async function startFleet(url, count, { parallel = 8, log = () => {} } = {}) {
  const api = engine(url);
  const prefix = `strisk-bench-${randomBytes(3).toString('hex')}`;
  const image = `${prefix}/tiny:1`;
  const created = [];
  const remove = async () => {
    await mapLimit(created, parallel, (id) =>
      api.call('DELETE', `/containers/${id}?force=true&v=true`).catch((e) => log(`cleanup: ${e.message}`)),
    );
    created.length = 0;
    await api.call('DELETE', `/images/${image}?force=true`).catch((e) => log(`cleanup: ${e.message}`));
    api.close();
  };
  try {
    await importImage(api, `${prefix}/tiny`, '1');
    const t0 = performance.now();
    await mapLimit(
      Array.from({ length: count }, (_, i) => i),
      parallel,
      async (i) => {
        const name = `${prefix}-${String(i).padStart(3, '0')}`;
        const { Id } = await api.call(
          'POST',
          `/containers/create?name=${name}`,
          {
            Image: image,
            Cmd: ['sleep', '86400'],
            Labels: { 'com.docker.compose.project': prefix, 'com.docker.compose.service': `s${i}` },
            HostConfig: { NetworkMode: 'none', Memory: 16 * 1024 * 1024, NanoCpus: 100_000_000 },
          },
          { 'content-type': 'application/json' },
        );
        created.push(Id);
        await api.call('POST', `/containers/${Id}/start`);
      },
    );
    log(`${count} containers started in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } catch (err) {
    await remove();
    throw err;
  }
  return { project: prefix, image, ids: created, remove };
}
