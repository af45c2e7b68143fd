// A read-only npm registry on 127.0.0.1 that serves what the local npm cache holds (the packuments
// and tarballs `npm ci` fetched before), for builds that cannot reach the public registry: the
// image build in scripts/build-image.sh points `npm ci` at it. Prints its URL, then serves until
// killed. Misses are 404s (the build then fails and names the package): nothing is fetched.
// Usage: node scripts/npm-cache-registry.mjs [PORT] [CACHE_DIR]   (defaults: any free port,
// `npm config get cache`)
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// cacache is npm's own cache library: the one bundled with the npm that wrote the cache.
const npmCli = execFileSync('sh', ['-c', 'readlink -f "$(command -v npm)"'], { encoding: 'utf8' }).trim();
const cacache = createRequire(npmCli)('cacache');
const cacheDir =
  process.argv[3] ?? execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
const store = join(cacheDir, '_cacache');
const UPSTREAM = 'https://registry.npmjs.org';

const server = createServer(async (req, res) => {
  const key = `make-fetch-happen:request-cache:${UPSTREAM}${req.url}`;
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new Error('read-only');
    const { data, metadata } = await cacache.get(store, key);
    const type = req.url?.endsWith('.tgz') ? 'application/octet-stream' : 'application/json';
    res.writeHead(200, {
      'content-type': metadata?.resHeaders?.['content-type'] ?? type,
      'content-length': data.length,
    });
    res.end(req.method === 'HEAD' ? undefined : data);
  } catch {
    process.stderr.write(`npm-cache-registry: not in the cache: ${req.url}\n`);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not in the local npm cache"}');
  }
});
server.on('error', (err) => {
  process.stderr.write(`npm-cache-registry: ${err.message}\n`);
  process.exit(1);
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`http://127.0.0.1:${port}/\n`);
});
