#!/usr/bin/env node
// Reading Kubernetes manifests against their count (run by hand after `npm run build`): a generated
// `helm template`-like stream of 250 to 4,000 objects in one file (per app: a Deployment with probes,
// resources and a preStop hook, its Service, HPA, PodDisruptionBudget and NetworkPolicy, plus a
// default-deny policy), read by the k8s collector (read, parse, normalise) and then judged by the
// five k8s/* checks, `rounds` times, interleaved. Prints ms per 1,000 objects as a ratio to the
// smallest case of the same run: linear code keeps the ratio near 1.
//   node bench/k8s.mjs [rounds]
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKS } from '../dist/checks/index.js';
import { collectK8s } from '../dist/collectors/k8s/index.js';
import { runCheck } from '../dist/core/engine.js';

const rounds = Number(process.argv[2] ?? 5);
const OBJECTS = [250, 500, 1000, 2000, 4000];
const PER_APP = 5;
const k8sChecks = CHECKS.filter((c) => c.id.startsWith('k8s/'));

function app(i) {
  const name = `app${i}`;
  return `---
# Source: big/templates/${name}.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app.kubernetes.io/name: ${name}}
spec:
  replicas: 3
  selector:
    matchLabels: {app.kubernetes.io/name: ${name}}
  template:
    metadata:
      labels: {app.kubernetes.io/name: ${name}, tier: web}
    spec:
      terminationGracePeriodSeconds: 45
      containers:
        - name: ${name}
          image: "registry.example.com/team/${name}:1.0.${i}"
          args: ["uvicorn", "main:app", "--workers", "2"]
          ports:
            - containerPort: 8000
          env:
            - name: DATABASE_URL
              valueFrom: {secretKeyRef: {name: db, key: url}}
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits: {cpu: "1", memory: 1Gi}
          readinessProbe:
            httpGet: {path: /health, port: 8000}
          lifecycle:
            preStop:
              sleep: {seconds: 5}
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector: {app.kubernetes.io/name: ${name}}
  ports: [{port: 80, targetPort: 8000}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${name}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ${name}}
  minReplicas: 3
  maxReplicas: 10
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${name}
spec:
  minAvailable: 2
  selector: {matchLabels: {app.kubernetes.io/name: ${name}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
spec:
  podSelector: {matchLabels: {app.kubernetes.io/name: ${name}}}
  ingress: [{from: [{podSelector: {matchLabels: {tier: web}}}]}]
`;
}

const deny = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny}
spec: {podSelector: {}, policyTypes: [Ingress]}
`;

function facts(target) {
  return {
    schemaVersion: 1,
    tool: { name: 'strisk', version: 'bench' },
    collectedAt: new Date().toISOString(),
    durationMs: 0,
    projectDir: '.',
    machine: {},
    roles: {},
    sources: { k8s: [target] },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'strisk-bench-k8s-'));
const env = { STRISK_MAX_FILE_SIZE: '64MiB' };
try {
  const cases = OBJECTS.map((n) => {
    const file = join(dir, `${n}.yaml`);
    const apps = Array.from({ length: n / PER_APP }, (_, i) => app(i));
    writeFileSync(file, deny + apps.join(''));
    return { n, file, bytes: statSync(file).size };
  });
  const run = async (c) => {
    const t0 = performance.now();
    const [target] = await collectK8s({ projectDir: dir, paths: [c.file], env });
    const t1 = performance.now();
    const f = facts(target);
    const statuses = k8sChecks.map((def) => runCheck(def, f).status);
    const t2 = performance.now();
    return { read: t1 - t0, check: t2 - t1, objects: target.data.objects.length, statuses };
  };
  await run(cases[0]); // JIT warm-up, untimed
  const samples = new Map(cases.map((c) => [c.n, []]));
  const seen = new Map();
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const s = await run(c);
      samples.get(c.n).push(s);
      seen.set(c.n, s);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const per1k = (c, k) => median(samples.get(c.n).map((s) => s[k])) / (c.n / 1000);
  const base = cases[0];
  console.log(
    '| objects | file | collector ms | checks ms | collector ms per 1,000 | × smallest | checks ms per 1,000 | × smallest |\n|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const c of cases) {
    const read = median(samples.get(c.n).map((s) => s.read));
    const check = median(samples.get(c.n).map((s) => s.check));
    console.log(
      `| ${seen.get(c.n).objects} | ${(c.bytes / 2 ** 20).toFixed(2)} MiB | ${read.toFixed(0)} | ${check.toFixed(0)} | ${per1k(c, 'read').toFixed(0)} | ${(per1k(c, 'read') / per1k(base, 'read')).toFixed(2)} | ${per1k(c, 'check').toFixed(0)} | ${(per1k(c, 'check') / per1k(base, 'check')).toFixed(2)} |`,
    );
  }
  const verdicts = [...new Set([...seen.values()].flatMap((s) => s.statuses))];
  console.log(
    `\nverdicts: ${verdicts.join(', ')}; ${rounds} rounds, interleaved; node ${process.version}; ${new Date().toISOString()}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
