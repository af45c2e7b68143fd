import { z } from 'zod';
import type { Call, Value } from '../../collectors/app/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import { worstStatus } from '../../core/status.js';
import { appTargets, at, guarded, matchesAny } from '../../facts/app.js';

interface Client {
  calls: string[];
  /** Seconds when no timeout is given; null = waits forever. */
  dflt: number | null;
  /** Positional index of the timeout, when it can be given positionally. */
  position?: number;
}
const CLIENTS: Record<string, Client> = {
  httpx: {
    calls: [
      'httpx.Client',
      'httpx.AsyncClient',
      'httpx.get',
      'httpx.post',
      'httpx.put',
      'httpx.patch',
      'httpx.delete',
      'httpx.head',
      'httpx.request',
      'httpx.stream',
    ],
    dflt: 5,
  },
  aiohttp: { calls: ['aiohttp.ClientSession', 'aiohttp.request'], dflt: 300 },
  requests: {
    calls: [
      'requests.get',
      'requests.post',
      'requests.put',
      'requests.patch',
      'requests.delete',
      'requests.head',
      'requests.options',
      'requests.request',
      'requests.Session().get',
      'requests.Session().post',
      'requests.Session().put',
      'requests.Session().delete',
      'requests.Session().request',
    ],
    dflt: null,
  },
  urllib: { calls: ['urllib.request.urlopen'], dflt: null, position: 2 },
};

/** Seconds from `10`, `10.0`, `httpx.Timeout(10.0, connect=5)`, `aiohttp.ClientTimeout(total=10)`; null for `None`. */
function seconds(v: Value): number | null | undefined {
  if (typeof v.value === 'number') return v.value;
  if (v.value === null && v.text === 'None') return null;
  const m =
    /total\s*=\s*([\d.]+)/.exec(v.text) ?? /\(\s*([\d.]+)/.exec(v.text) ?? /^\(?\s*([\d.]+)/.exec(v.text);
  if (m) return Number(m[1]);
  return undefined;
}

function isInternal(call: Call): boolean | undefined {
  const url = call.args.base_url ?? call.args.url ?? call.positional[0];
  if (typeof url?.value !== 'string') return undefined;
  try {
    const host = new URL(url.value).hostname;
    return (
      !host.includes('.') ||
      /^(localhost|127\.|10\.|192\.168\.)/.test(host) ||
      /\.(internal|local|svc|cluster\.local)$/.test(host)
    );
  } catch {
    return undefined;
  }
}

export default defineCheck({
  id: 'app/request-timeouts',
  title: 'Every HTTP client has a timeout',
  failureTitle: 'HTTP calls without a (short enough) timeout',
  description:
    'The checklist (1.4) asks for request timeouts. A call without one holds a worker slot as long as the ' +
    'remote end does: `requests` and `urllib` wait forever by default, aiohttp 5 minutes; httpx defaults to ' +
    '5 s (passes). Every client creation and module-level call is judged at file:line: ≤ `externalSeconds` ' +
    '(30) in general, ≤ `internalSeconds` (5) when the URL is an internal host (no dot, localhost, private, ' +
    '`.internal`/`.svc`). See https://www.python-httpx.org/advanced/timeouts/ and ' +
    'https://requests.readthedocs.io/en/latest/user/advanced/#timeouts',
  seedRef: '1.4',
  severity: 'medium',
  kind: 'auto',
  requires: ['app'],
  options: z.object({
    externalSeconds: z.number().positive().default(30),
    internalSeconds: z.number().positive().default(5),
  }),
  run(input, options) {
    const apps = appTargets(input);
    const evidence: Evidence[] = [];
    for (const { data } of apps) {
      for (const c of data.calls) {
        const lib = Object.entries(CLIENTS).find(([, cl]) => matchesAny(c.qualified, cl.calls));
        if (!lib) continue;
        const [name, cl] = lib;
        const given = c.args.timeout ?? (cl.position !== undefined ? c.positional[cl.position] : undefined);
        const secs = given ? seconds(given) : cl.dflt;
        const internal = isInternal(c);
        const limit = internal ? options.internalSeconds : options.externalSeconds;
        const status = secs === undefined ? 'warn' : secs === null || secs > limit ? 'fail' : 'pass';
        evidence.push({
          ...at(c),
          observed: given ? given.text : secs === null ? 'no timeout' : `default ${secs} s`,
          expected: `≤ ${limit} s (${internal ? 'internal' : internal === false ? 'external' : 'URL not known: external bound'})`,
          unit: 's',
          status,
          note: `${name}: ${c.qualified}${given ? '' : secs === null ? ' waits forever by default' : ` defaults to ${secs} s`}`,
        });
      }
    }
    const status = worstStatus(evidence);
    const bad = evidence.filter((e) => e.status !== 'pass');
    return guarded(apps, {
      status,
      message:
        evidence.length === 0
          ? 'no HTTP client in the source'
          : status === 'pass'
            ? `${evidence.length} HTTP client(s), all with a timeout`
            : `${bad.length} HTTP call(s) without a short enough timeout`,
      evidence,
      ...(status !== 'pass'
        ? {
            remediation: {
              summary: 'Give every HTTP client an explicit timeout',
              change:
                'httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=2.0))\nrequests.get(url, timeout=5)\naiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    });
  },
});
