// The k8s collector on real files in a temp dir, and the CLI end to end (stdin, exit 2, replay).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectK8s, type K8sOptions } from '../../src/collectors/k8s/index.js';
import { parseQuantity } from '../../src/collectors/k8s/quantity.js';
import { type K8sFacts, K8sFactsSchema } from '../../src/collectors/k8s/schema.js';
import { InputError } from '../../src/core/errors.js';
import type { Report } from '../../src/core/report.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/strisk.js');

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'strisk-k8s-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function collect(dir: string, opts: Partial<K8sOptions> = {}): Promise<K8sFacts> {
  const [t] = await collectK8s({ projectDir: dir, env: {}, ...opts });
  expect(t?.status).toBe('ok');
  return t?.data as K8sFacts;
}

async function inputError(p: Promise<unknown>): Promise<InputError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

const DEPLOYMENT = `# comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 3
  template:
    metadata:
      labels: {app: api}
    spec:
      terminationGracePeriodSeconds: 45
      containers:
        - name: api
          image: example/api:1.0
          args: ["uvicorn", "main:app", "--workers", "2"]
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits: {cpu: "1.5", memory: 1G}
          readinessProbe:
            httpGet: {path: /health, port: 8000}
          lifecycle:
            preStop:
              exec: {command: ["sleep", "5"]}
`;

describe('k8s collector', () => {
  it('reads multi-document files under k8s/, with file:line of every object and value', async () => {
    const dir = project({
      'k8s/app.yaml': `${DEPLOYMENT}---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 3
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {type: Utilization, averageUtilization: 70}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: api}
spec: {endpoints: [{port: http}]}
`,
    });
    const facts = await collect(dir);
    expect(facts.files).toEqual(['k8s/app.yaml']);
    const [w] = facts.workloads;
    expect(w).toMatchObject({
      kind: 'Deployment',
      name: 'api',
      namespace: 'shop',
      file: 'k8s/app.yaml',
      line: 2,
    });
    expect(w?.replicas).toMatchObject({ value: 3, line: 8 });
    expect(w?.terminationGracePeriodSeconds).toMatchObject({ value: 45, line: 13 });
    expect(w?.podLabels).toEqual({ app: 'api' });
    const c = w?.containers[0];
    expect(c?.requests.cpu).toMatchObject({ value: 0.25, line: 19 });
    expect(c?.limits.cpu?.value).toBe(1.5);
    expect(c?.limits.memory?.value).toBe(1e9);
    expect(c?.requests.memory?.value).toBe(256 * 2 ** 20);
    expect(c?.readinessProbe).toMatchObject({ kind: 'httpGet', text: '/health port 8000', line: 21 });
    expect(c?.preStop).toMatchObject({ kind: 'exec', text: 'sleep 5' });
    expect(facts.hpas[0]).toMatchObject({ name: 'api', target: { kind: 'Deployment', name: 'api' } });
    expect(facts.hpas[0]?.metrics[0]).toMatchObject({ name: 'cpu', averageUtilization: 70, line: 38 });
    // A CRD is kept among the objects and otherwise ignored.
    expect(facts.objects.map((o) => o.kind)).toEqual([
      'Deployment',
      'HorizontalPodAutoscaler',
      'ServiceMonitor',
    ]);
    // The facts round-trip through their schema (what --facts replays).
    expect(K8sFactsSchema.parse(JSON.parse(JSON.stringify(facts)))).toEqual(facts);
  });

  it('reads kubectl List output from stdin, every kind of workload, claims and selectors', async () => {
    const list = `apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db}
    spec:
      template:
        spec:
          containers: [{name: pg, image: "postgres:16"}]
      volumeClaimTemplates:
        - metadata: {name: data}
  - apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent}
    spec: {template: {spec: {hostNetwork: true, containers: [{name: a, image: agent}]}}}
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: nightly}
    spec: {jobTemplate: {spec: {template: {spec: {restartPolicy: OnFailure, containers: [{name: j, image: job}]}}}}}
  - apiVersion: v1
    kind: Pod
    metadata: {name: debug, labels: {app: debug}}
    spec:
      volumes: [{name: h, hostPath: {path: /var}}, {name: c, persistentVolumeClaim: {claimName: cache}}]
      containers: [{name: d, image: busybox}]
  - apiVersion: keda.sh/v1alpha1
    kind: ScaledObject
    metadata: {name: worker}
    spec:
      scaleTargetRef: {name: worker}
      triggers: [{type: rabbitmq, metadata: {queueName: jobs}}]
  - apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: db}
    spec: {selector: {matchLabels: {app: db}}}
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: deny}
    spec: {podSelector: {}, policyTypes: [Ingress]}
  - apiVersion: v1
    kind: Service
    metadata: {name: db}
    spec: {selector: {app: db}}
  - apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: cache}
`;
    const dir = project({});
    const facts = await collect(dir, { paths: ['-'], stdin: async () => list });
    expect(facts.files).toEqual(['<stdin>']);
    expect(facts.workloads.map((w) => `${w.kind}/${w.name}`)).toEqual([
      'StatefulSet/db',
      'DaemonSet/agent',
      'CronJob/nightly',
      'Pod/debug',
    ]);
    expect(facts.workloads[0]?.volumeClaimTemplates).toMatchObject([
      { name: 'data', file: '<stdin>', line: 12 },
    ]);
    expect(facts.workloads[1]?.hostNetwork?.value).toBe(true);
    expect(facts.workloads[2]?.restartPolicy?.value).toBe('OnFailure');
    expect(facts.workloads[3]?.volumes.map((v) => v.type)).toEqual(['hostPath', 'persistentVolumeClaim']);
    expect(facts.workloads[3]?.podLabels).toEqual({ app: 'debug' });
    expect(facts.scaledObjects[0]?.triggers[0]).toMatchObject({
      type: 'rabbitmq',
      metadata: { queueName: 'jobs' },
    });
    expect(facts.pdbs[0]?.selector?.matchLabels).toEqual({ app: 'db' });
    expect(facts.networkPolicies[0]).toMatchObject({
      name: 'deny',
      policyTypes: ['Ingress'],
      ingressRules: 0,
    });
    expect(facts.services[0]?.selector?.matchLabels).toEqual({ app: 'db' });
    expect(facts.pvcs.map((p) => p.name)).toEqual(['cache']);
  });

  it('skips what is not a manifest in the directories it looks into, and says why', async () => {
    const dir = project({
      'deploy/compose.yaml': 'services:\n  api:\n    image: x\n',
      'deploy/chart/Chart.yaml': 'apiVersion: v2\nname: x\n',
      'deploy/chart/templates/d.yaml': 'replicas: {{ .Values.replicas }}\n  bad: [\n',
      'deploy/overlay/kustomization.yaml': 'resources: [../base]\n',
      'manifests/pod.yml':
        'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\n',
    });
    const facts = await collect(dir);
    expect(facts.files).toEqual(['manifests/pod.yml']);
    expect(facts.skipped.map((s) => s.file).sort()).toEqual([
      'deploy/chart',
      'deploy/compose.yaml',
      'deploy/overlay/kustomization.yaml',
    ]);
    expect(await collectK8s({ projectDir: project({ 'README.md': '' }), env: {} })).toEqual([]);
  });

  it('refuses malformed objects with file:line', async () => {
    const cases: [string, RegExp, number][] = [
      [
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  replicas: many\n',
        /replicas` expects an integer/,
        5,
      ],
      [
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      containers: {name: c}\n',
        /containers` expects a list/,
        7,
      ],
      ['kind: Service\nmetadata: {name: a}\n', /needs both apiVersion and kind/, 1],
      ['apiVersion: v1\nkind: Pod\nspec: {containers: []}\n', /Pod without metadata.name/, 1],
      ['- a\n- b\n', /expected a Kubernetes object/, 1],
      ['apiVersion: v1\nkind: Pod\nmetadata: {name: "x}\n', /invalid YAML/, 3],
    ];
    for (const [text, message, line] of cases) {
      const dir = project({ 'bad.yaml': text });
      const err = await inputError(collectK8s({ projectDir: dir, env: {}, paths: ['bad.yaml'] }));
      expect(err.message).toMatch(message);
      expect({ file: err.file, line: err.line }).toEqual({ file: 'bad.yaml', line });
    }
    // A file given by name is read even when it holds no object: a document without kind is an error.
    const dir = project({ 'c.yaml': 'services: {}\n' });
    expect((await inputError(collectK8s({ projectDir: dir, env: {}, paths: ['c.yaml'] }))).message).toMatch(
      /neither/,
    );
  });

  it('refuses a billion-laughs stream by its expanded size, naming a manifest', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(',')}]`);
    }
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
    const dir = project({});
    const err = await inputError(
      collectK8s({ projectDir: dir, env: {}, paths: ['-'], stdin: async () => text }),
    );
    expect(err.message).toMatch(/billion laughs.*expected a manifest of reasonable size/);
    expect(err.file).toBe('<stdin>');
  });

  it('parses Kubernetes quantities', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity(2)).toBe(2);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('128M')).toBe(128e6);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('512MB')).toBeNull();
    expect(parseQuantity('1 Gi')).toBeNull();
  });
});

describe('strisk audit --k8s', () => {
  const run = (args: string[], input?: string) => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      encoding: 'utf8',
      cwd: ROOT,
      input,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
      timeout: 60_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('reads helm template output on stdin, and replays it from --save-facts', () => {
    const dir = project({});
    const r = run(
      [
        'audit',
        dir,
        '--k8s',
        '-',
        '--only',
        'k8s/*',
        '--format',
        'json',
        '--save-facts',
        join(dir, 'f.json'),
      ],
      DEPLOYMENT,
    );
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as Report;
    const limits = report.results.find((x) => x.id === 'k8s/resource-limits');
    expect(limits?.status).toBe('pass');
    expect(limits?.evidence[0]).toMatchObject({ file: '<stdin>', line: 20 });
    const replay = run(['audit', '--facts', join(dir, 'f.json'), '--only', 'k8s/*', '--format', 'json']);
    const strip = (t: string) => (JSON.parse(t) as Report).results.map(({ durationMs: _d, ...x }) => x);
    expect(strip(replay.stdout)).toEqual(strip(r.stdout));
  });

  it('exits 2 with file:line on a malformed manifest, and writes nothing', () => {
    const dir = project({
      'k8s/a.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  replicas: "3"\n',
    });
    const r = run(['audit', dir, '--format', `json=${join(dir, 'out.json')}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/k8s\/a\.yaml:5: `Deployment\.spec\.replicas` expects an integer, found "3"/);
    expect(spawnSync('ls', [dir]).stdout.toString()).not.toMatch(/out\.json/);
  });

  it('refuses an output that would overwrite a manifest it reads', () => {
    const dir = project({ 'k8s/a.yaml': DEPLOYMENT });
    const r = run(['audit', dir, '--format', `json=${join(dir, 'k8s/a.yaml')}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/would overwrite a Kubernetes manifest/);
    expect(readFileSync(join(dir, 'k8s/a.yaml'), 'utf8')).toBe(DEPLOYMENT);
  });
});

describe('strisk audit --explain-roles with manifests', () => {
  it('lists each container under the name roles: takes, with its role and where it was told', () => {
    const r = spawnSync(
      process.execPath,
      [BIN, 'audit', join(ROOT, 'examples/st-risk-platform'), '--explain-roles', '--only', 'k8s/replicas'],
      {
        encoding: 'utf8',
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
      },
    );
    expect(r.stdout).toMatch(/Service roles in 4 manifest files/);
    expect(r.stdout).toMatch(
      /^\s+worker\s+app\s+command celery -A app\.tasks worker\s+k8s\/worker\.yaml:19$/m,
    );
    expect(r.stdout).toMatch(/^\s+postgres\s+postgres\s+image postgres:16\s+k8s\/data\.yaml:17$/m);
  });
});
