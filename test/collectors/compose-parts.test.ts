// A compose file parsed a service at a time (parseInParts) must give exactly what the whole-file
// parse gives — same values, same file:line, same sizes — or decline (undefined), so that the
// caller parses the whole file; errors always come from the whole-file parse.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type LMap,
  parseInParts,
  parseLocatedYaml,
  parseWhole,
} from '../../src/collectors/compose/yaml-located.js';
import { composeFilesUnder } from '../support/fixtures.js';

/** LMaps as plain JSON (Maps as entry lists, order kept), for deep comparison. */
const plain = (x: LMap[] | undefined) =>
  JSON.parse(JSON.stringify(x, (_k, v) => (v instanceof Map ? [...v] : v))) as unknown;

function whole(text: string): unknown {
  try {
    return plain(parseWhole(text, 'c.yaml'));
  } catch (err) {
    return { error: (err as Error).message, line: (err as { line?: number }).line };
  }
}

function located(text: string): unknown {
  try {
    return plain(parseLocatedYaml(text, 'c.yaml'));
  } catch (err) {
    return { error: (err as Error).message, line: (err as { line?: number }).line };
  }
}

describe('compose files parsed a service at a time', () => {
  it('every compose file in the fixtures and examples parses in parts to the whole-file result, or declines', () => {
    const files = [
      ...composeFilesUnder(path.resolve('fixtures')),
      ...composeFilesUnder(path.resolve('examples')),
    ];
    let inParts = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const parts = parseInParts(text, 'c.yaml');
      if (parts === undefined) continue;
      inParts++;
      expect(plain(parts), file).toEqual(whole(text));
    }
    // Most of them are of the common shape: the parts path is the one that runs.
    expect(inParts).toBeGreaterThan(100);
  });

  it('a generated 5,000-service file goes in parts, with the same lines as the whole parse', () => {
    const parts = ['x-common: &common\n  restart: unless-stopped\n# services follow\nservices:\n  # first\n'];
    for (let i = 0; i < 5000; i++) {
      parts.push(`  svc${i}:\n    <<: *common\n    image: "app${i}:1"\n    ports: ["${8000 + i}:80"]\n\n`);
    }
    parts.push('volumes:\n  data: {}\n');
    const text = parts.join('');
    const got = parseInParts(text, 'c.yaml');
    expect(got).toBeDefined();
    expect(plain(got)).toEqual(whole(text));
    const svc = got?.[0]?.entries.get('services')?.value as LMap;
    expect(svc.entries.size).toBe(5000);
    expect(svc.entries.get('svc4999')?.line).toBe(6 + 5 * 4999);
    const last = svc.entries.get('svc4999')?.value as LMap | undefined;
    expect(last?.entries.get('restart')?.line).toBe(2);
  });

  const cases: Record<string, string> = {
    'aliases across services and an anchor in the tail':
      'x: &x {a: 1}\nservices:\n  a: &svc\n    image: one\n    <<: *x\n  b:\n    <<: *svc\n    image: two\nvolumes: &v\n  d: {}\nnetworks: *v\n',
    'CRLF line ends': 'services:\r\n  a:\r\n    image: one\r\n  b:\r\n    image: two\r\n',
    'a quoted string whose next line looks like a service': 'services:\n  a:\n    command: "x\n  b: y"\n',
    'a flow sequence over lines': 'services:\n  a:\n    ports: [\n  "80:80"]\n  b: {}\n',
    'a duplicate service in another part': 'services:\n  a:\n    image: one\n  a:\n    image: two\n',
    'a duplicate top-level key in the tail': 'services:\n  a: {}\nservices:\n  b: {}\n',
    'an alias to an anchor defined later': 'services:\n  a:\n    <<: *later\n  b: &later\n    image: x\n',
    'a merge key at the services level': 'x: &x {a: {}}\nservices:\n  <<: *x\n  b: {}\n',
    'a service that is a scalar': 'services:\n  a: nginx\n  b:\n',
    'a billion laughs inside services': `x: &a [1,1,1,1,1,1,1,1,1,1]\nservices:\n${Array.from(
      { length: 8 },
      (_, i) =>
        `  s${i}: &a${i + 1}\n    l: [${Array(10)
          .fill(`*a${i || ''}`)
          .join(',')}]`,
    ).join('\n')}\n`,
    'a second document': 'services:\n  a: {}\n---\nservices:\n  b: {}\n',
    'unterminated quote in the last service': 'services:\n  a: {}\n  b:\n    image: "x\n',
    'a tab-indented line': 'services:\n  a:\n\timage: x\n',
    'less-indented content inside services': 'services:\n    a:\n      image: x\n  b: {}\n',
    'a comment at column 0 between services': 'services:\n  a: {}\n# note\n  b: {}\nvolumes: {}\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`${name}: same result or same error as the whole-file parse`, () => {
      expect(located(text)).toEqual(whole(text));
    });
  }
});
