import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import { healthcheckOf, missingImage } from './engine.js';
import type { DockerImage } from './schema.js';
import { listTar, readEntry, resolveEntry, type TarEntry } from './tar.js';

/**
 * Images of a `docker save` archive (the legacy layout of Engine ≤ 24 and the OCI layout of
 * newer engines: both have a `manifest.json`). Size is the sum of the layer tars' sizes, as
 * stored: close to the engine's `Size` (tar headers make it slightly larger).
 */

interface ManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

type Json = Record<string, unknown>;

/** `app` → `app:latest`; `docker.io/library/app:1` → `app:1`. */
export function normaliseRef(ref: string): string {
  let r = ref.replace(/^docker\.io\//, '').replace(/^library\//, '');
  const lastSlash = r.lastIndexOf('/');
  if (!r.includes('@') && !r.slice(lastSlash + 1).includes(':')) r = `${r}:latest`;
  return r;
}

function configId(configPath: string): string {
  const hex = posix.basename(configPath).replace(/\.json$/, '');
  return /^[0-9a-f]{64}$/.test(hex) ? `sha256:${hex}` : hex;
}

function imageOf(ref: string, m: ManifestEntry, config: Json, layerSizes: number[]): DockerImage {
  const c = (config.config ?? {}) as Json;
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : null);
  // Non-empty history entries map to layers in order; the engine shows history newest first.
  let layer = 0;
  const history = ((config.history ?? []) as Json[]).map((h) => {
    const emptyLayer = h.empty_layer === true;
    const sizeBytes = emptyLayer ? 0 : (layerSizes[layer++] ?? 0);
    return { createdBy: String(h.created_by ?? ''), sizeBytes, emptyLayer };
  });
  return {
    ref,
    missing: false,
    id: configId(m.Config),
    tags: m.RepoTags ?? [],
    sizeBytes: layerSizes.reduce((a, b) => a + b, 0),
    layers: m.Layers.length,
    created: typeof config.created === 'string' ? config.created : null,
    user: typeof c.User === 'string' && c.User !== '' ? c.User : null,
    healthcheck: healthcheckOf(c.Healthcheck),
    cmd: list(c.Cmd),
    entrypoint: list(c.Entrypoint),
    history: history.reverse().slice(0, 100),
  };
}

/**
 * Reads the images of an archive: those named in `refs` (missing ones marked so), else all.
 * Throws TarFormatError / a file error; the caller turns it into a target status.
 */
export async function readArchiveImages(file: string, refs?: readonly string[]): Promise<DockerImage[]> {
  // O_NONBLOCK: a FIFO put in the archive's place opens at once and is refused, instead of holding a
  // thread until a writer comes (the process could not exit at the deadline).
  const fh = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    if (!(await fh.stat()).isFile()) throw new Error('not a regular file');
    const entries = await listTar(fh);
    const manifestEntry = entries.get('manifest.json');
    if (!manifestEntry) throw new Error('no manifest.json: not a `docker save` archive');
    const manifest = JSON.parse(await readEntry(fh, manifestEntry)) as ManifestEntry[];
    const read = async (ref: string, m: ManifestEntry): Promise<DockerImage> => {
      const configEntry = resolveEntry(entries, m.Config);
      if (!configEntry) return missingImage(ref, `config ${m.Config} is not in the archive`);
      const config = JSON.parse(await readEntry(fh, configEntry)) as Json;
      const layers = m.Layers.map((l) => resolveEntry(entries, l));
      const absent = m.Layers.filter((_, i) => !layers[i]);
      if (absent.length > 0) return missingImage(ref, `layers not in the archive: ${absent.join(', ')}`);
      return imageOf(
        ref,
        m,
        config,
        (layers as TarEntry[]).map((e) => e.size),
      );
    };
    if (!refs || refs.length === 0) {
      return Promise.all(manifest.map((m) => read(m.RepoTags?.[0] ?? configId(m.Config), m)));
    }
    return Promise.all(
      refs.map((ref) => {
        const want = normaliseRef(ref);
        const m = manifest.find(
          (e) => (e.RepoTags ?? []).some((t) => normaliseRef(t) === want) || configId(e.Config).includes(ref),
        );
        return m ? read(ref, m) : Promise.resolve(missingImage(ref));
      }),
    );
  } finally {
    await fh.close();
  }
}
