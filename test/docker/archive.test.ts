import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { normaliseRef } from '../../src/collectors/docker/archive.js';
import { collect, collectImageArchive } from '../../src/collectors/docker/index.js';
import type { DockerFacts } from '../../src/collectors/docker/schema.js';
import { listTar, resolveEntry } from '../../src/collectors/docker/tar.js';
import type { TargetFacts } from '../../src/core/facts.js';
import { requireService } from '../support/services.js';

// `docker save` of strisk-test/small:latest, made by scripts/services/docker.sh, read without an engine.
const ctx = { timeoutMs: 10_000, projectDir: '.' };
let archive: string;
let engine: TargetFacts<DockerFacts>;

beforeAll(async () => {
  archive = requireService('STRISK_TEST_DOCKER_ARCHIVE');
  engine = await collect(
    { url: requireService('STRISK_TEST_DOCKER'), images: ['strisk-test/small:latest'], project: 'none' },
    ctx,
  );
  expect(engine.status, engine.message).toBe('ok');
});

describe('collectImageArchive', () => {
  it('reads the same image facts as the engine gives, without an engine', async () => {
    const t = await collectImageArchive(archive, ctx);
    expect(t).toMatchObject({ status: 'ok', target: `archive ${archive}` });
    expect(t.data).toMatchObject({ engine: null, containers: [], archive, project: null });
    const [image] = t.data!.images;
    const fromEngine = engine.data!.images[0]!;
    expect(image).toMatchObject({
      ref: 'strisk-test/small:latest',
      missing: false,
      id: fromEngine.id,
      tags: ['strisk-test/small:latest'],
      layers: 2,
      user: 'app',
      healthcheck: fromEngine.healthcheck,
      cmd: fromEngine.cmd,
      entrypoint: null,
    });
    // Layer tars carry headers: a little over the engine's Size, never under.
    expect(image!.sizeBytes!).toBeGreaterThanOrEqual(fromEngine.sizeBytes!);
    expect(image!.sizeBytes!).toBeLessThan(fromEngine.sizeBytes! * 1.15);
    expect(image!.history.map((h) => h.createdBy)).toEqual(fromEngine.history.map((h) => h.createdBy));
    expect(image!.history.filter((h) => !h.emptyLayer)).toHaveLength(2);
  });

  it('picks the images asked for, normalising references, and marks absent ones missing', async () => {
    const t = await collectImageArchive(archive, ctx, [
      'strisk-test/small',
      'docker.io/strisk-test/small:latest',
      'app:1',
    ]);
    expect(t.data!.images.map((i) => [i.ref, i.missing])).toEqual([
      ['strisk-test/small', false],
      ['docker.io/strisk-test/small:latest', false],
      ['app:1', true],
    ]);
    expect(normaliseRef('docker.io/library/python')).toBe('python:latest');
    expect(normaliseRef('registry:5000/app')).toBe('registry:5000/app:latest');
  });

  it('resolves a relative path against the project dir, and is reachable through a target option', async () => {
    const rel = await collectImageArchive(basename(archive), { ...ctx, projectDir: dirname(archive) });
    expect(rel.status).toBe('ok');
    const viaTarget = await collect({ url: '', name: 'ci-image', archive }, ctx);
    expect(viaTarget).toMatchObject({ status: 'ok', target: 'ci-image', data: { engine: null } });
  });

  it('turns a missing file or a file that is not an archive into an invalid target', async () => {
    expect(await collectImageArchive('/nonexistent/image.tar', ctx)).toMatchObject({
      status: 'invalid',
      message: '/nonexistent/image.tar: no such file',
    });
    const dir = mkdtempSync(join(tmpdir(), 'strisk-archive-'));
    writeFileSync(join(dir, 'notes.tar'), 'not a tar at all'.repeat(64));
    expect(await collectImageArchive(join(dir, 'notes.tar'), ctx)).toMatchObject({
      status: 'invalid',
      message: expect.stringMatching(/not a tar file/),
    });
    mkdirSync(join(dir, 'x'));
    writeFileSync(join(dir, 'x', 'a.txt'), 'a');
    execFileSync('tar', ['-C', join(dir, 'x'), '-cf', join(dir, 'plain.tar'), 'a.txt']);
    expect(await collectImageArchive(join(dir, 'plain.tar'), ctx)).toMatchObject({
      status: 'invalid',
      message: expect.stringMatching(/no manifest\.json/),
    });
    // A FIFO in the archive's place is opened without blocking and refused (no writer ever comes).
    execFileSync('mkfifo', [join(dir, 'pipe.tar')]);
    expect(await collectImageArchive(join(dir, 'pipe.tar'), ctx)).toMatchObject({
      status: 'invalid',
      message: expect.stringMatching(/not a regular file/),
    });
  });
});

describe('tar headers', () => {
  it.each(['gnu', 'pax', 'ustar'])(
    'lists %s archives with long names and symlinks, reading only headers',
    async (format) => {
      const dir = mkdtempSync(join(tmpdir(), 'strisk-tar-'));
      const long = `${'d'.repeat(90)}/${'f'.repeat(60)}.bin`;
      mkdirSync(join(dir, 'src', dirname(long)), { recursive: true });
      writeFileSync(join(dir, 'src', long), Buffer.alloc(70_000, 1));
      execFileSync('ln', ['-s', `${'f'.repeat(60)}.bin`, join(dir, 'src', dirname(long), 'link')]);
      execFileSync('tar', [`--format=${format}`, '-C', join(dir, 'src'), '-cf', join(dir, 'a.tar'), '.']);
      const fh = await open(join(dir, 'a.tar'));
      try {
        const entries = await listTar(fh);
        expect(entries.get(long)?.size).toBe(70_000);
        expect(resolveEntry(entries, `${dirname(long)}/link`)?.size).toBe(70_000);
      } finally {
        await fh.close();
      }
    },
  );
});
