import { mkdtempSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import imageSize from '../../src/checks/docker/image-size.js';
import { classifyError, dockerOptions } from '../../src/collectors/docker/connect.js';
import { collect } from '../../src/collectors/docker/index.js';
import { runCheck } from '../../src/core/engine.js';
import type { TargetFacts } from '../../src/core/facts.js';
import { emptyFacts } from '../support/fixtures.js';

// Failures are results: every way of not reading an engine becomes a target status with a cause.
const ctx = { timeoutMs: 2000, projectDir: '.' };
const dir = mkdtempSync(join(tmpdir(), 'strisk-docker-fail-'));
const servers: Server[] = [];
const sockets: Socket[] = [];
const httpServers: HttpServer[] = [];

async function unixServer(name: string, onConnection: (s: Socket) => void): Promise<string> {
  const path = join(dir, name);
  const server = createServer((s) => {
    sockets.push(s);
    onConnection(s);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return `unix://${path}`;
}

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await Promise.all(httpServers.map((s) => new Promise((r) => s.close(r))));
});

describe('docker collector failures', () => {
  it('a socket that does not exist: unreachable, and the checks say error with the cause', async () => {
    const t = await collect({ url: `unix://${dir}/absent.sock` }, ctx);
    expect(t).toMatchObject({
      status: 'unreachable',
      message: `no Docker engine at unix://${dir}/absent.sock (ENOENT)`,
    });
    const facts = emptyFacts();
    facts.sources.docker = [t as TargetFacts];
    expect(runCheck(imageSize, facts)).toMatchObject({
      status: 'error',
      message: expect.stringContaining('ENOENT'),
    });
  });

  it('a closed TCP port: unreachable', async () => {
    const t = await collect({ url: 'tcp://127.0.0.1:1' }, ctx);
    expect(t).toMatchObject({ status: 'unreachable', message: expect.stringContaining('ECONNREFUSED') });
  });

  it('a socket that hangs up at once: error, with what happened', async () => {
    const url = await unixServer('hangup.sock', (s) => s.destroy());
    const t = await collect({ url }, ctx);
    expect(t.status).toBe('error');
    expect(t.message).toMatch(
      /closed the connection \((EPIPE|ECONNRESET|socket hang up)\): is it a Docker engine\?/,
    );
  });

  it('a socket that never answers: timeout within the deadline', async () => {
    const url = await unixServer('silent.sock', () => {});
    const started = performance.now();
    const t = await collect({ url }, { ...ctx, timeoutMs: 300 });
    expect(t.status).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('an engine that stops answering part-way: the target times out, no image is half-read', async () => {
    // Answers the engine calls, then never the image inspect.
    const engine = createHttpServer((req, res) => {
      if (req.url?.startsWith('/images/')) return;
      res.setHeader('content-type', 'application/json');
      res.end(req.url?.startsWith('/containers/json') ? '[]' : '{}');
    });
    httpServers.push(engine);
    await new Promise<void>((r) => engine.listen(0, '127.0.0.1', r));
    const { port } = engine.address() as AddressInfo;
    const t = await collect(
      { url: `tcp://127.0.0.1:${port}`, images: ['app:1'] },
      { ...ctx, timeoutMs: 300 },
    );
    expect(t.status, t.message).toBe('timeout');
    expect(t.message).toMatch(/no answer from the server for 300 ms/);
    engine.closeAllConnections();
  });

  it('an address or options it cannot use: invalid', async () => {
    expect(await collect({ url: 'ftp://host' }, ctx)).toMatchObject({
      status: 'invalid',
      message: expect.stringContaining('ftp:'),
    });
    expect(await collect({ url: 'unix:///x', images: 'app' }, ctx)).toMatchObject({
      status: 'invalid',
      message: expect.stringContaining('images'),
    });
    expect(await collect({ url: 'tcp://h:2376', certPath: `${dir}/no-certs` }, ctx)).toMatchObject({
      status: 'invalid',
      message: expect.stringContaining('cannot read TLS files'),
    });
  });

  it('classifies permission, auth and TLS errors', () => {
    expect(
      classifyError(Object.assign(new Error('connect EACCES'), { code: 'EACCES' }), 'unix:///s').status,
    ).toBe('forbidden');
    expect(classifyError(Object.assign(new Error('denied'), { statusCode: 403 }), 'x').status).toBe(
      'forbidden',
    );
    expect(classifyError(Object.assign(new Error('bad'), { statusCode: 401 }), 'x').status).toBe(
      'auth-failed',
    );
    expect(classifyError(new Error('self-signed certificate in certificate chain'), 'x').status).toBe(
      'auth-failed',
    );
  });
});

describe('docker addresses', () => {
  it('unix sockets, bare paths and DOCKER_HOST, ignoring a tcp DOCKER_HOST when given a socket', () => {
    expect(dockerOptions('unix:///run/d.sock', {}, { DOCKER_HOST: 'tcp://x:2375' })).toMatchObject({
      socketPath: '/run/d.sock',
      host: undefined,
    });
    expect(dockerOptions('/run/d.sock', {}, {})).toMatchObject({ socketPath: '/run/d.sock' });
    expect(dockerOptions('', {}, { DOCKER_HOST: 'tcp://10.0.0.5:2375' })).toMatchObject({
      host: '10.0.0.5',
      port: 2375,
      protocol: 'http',
    });
    expect(dockerOptions('', {}, {})).toMatchObject({ socketPath: '/var/run/docker.sock' });
  });

  it('TLS on tcp:// from DOCKER_TLS_VERIFY / port 2376 / https, with certificates from the cert path', () => {
    expect(dockerOptions('tcp://h', {}, { DOCKER_TLS_VERIFY: '1' })).toMatchObject({
      host: 'h',
      port: 2376,
      protocol: 'https',
    });
    expect(dockerOptions('tcp://h:2376', {}, {})).toMatchObject({ protocol: 'https' });
    expect(dockerOptions('https://h:9999', {}, {})).toMatchObject({ port: 9999, protocol: 'https' });
    expect(dockerOptions('tcp://h:2375', {}, { DOCKER_TLS_VERIFY: '' })).toMatchObject({ protocol: 'http' });
    const insecure = dockerOptions('tcp://h:2376', { tlsVerify: false }, {}) as {
      agent?: { options: { rejectUnauthorized?: boolean } };
    };
    expect(insecure.agent?.options.rejectUnauthorized).toBe(false);
  });
});
