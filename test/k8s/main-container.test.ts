// Which container of a pod its checks judge, and what a container of an application image does:
// sidecars (mesh proxies, auth proxies, log shippers, config reloaders) are never the main one; a
// workload named worker with no port and no Service is a queue worker; an app image running Envoy
// or Locust is a proxy or a load generator, not the app. Manifests collected from a temp dir.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectK8s } from '../../src/collectors/k8s/index.js';
import { containerRefs, mainContainer } from '../../src/facts/k8s.js';

async function facts(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'strisk-k8s-main-'));
  mkdirSync(join(dir, 'k8s'));
  writeFileSync(join(dir, 'k8s', 'all.yaml'), yaml);
  const [t] = await collectK8s({ projectDir: dir, env: {} });
  return t!.data!;
}

const deployment = (name: string, containers: string, labels = `{app: ${name}}`) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  selector: {matchLabels: ${labels}}
  template:
    metadata: {labels: ${labels}}
    spec:
      containers:
${containers}`;

describe('the main container of a pod', () => {
  it('skips known sidecars and prefers the container named like the workload', async () => {
    const f = await facts(
      deployment(
        'release-grafana',
        `        - {name: grafana-sc-dashboard, image: "quay.io/kiwigrid/k8s-sidecar:1.28.0"}
        - {name: istio-proxy, image: "docker.io/istio/proxyv2:1.22.0"}
        - {name: helper, image: "example/helper:1"}
        - {name: grafana, image: "grafana/grafana:11.0.0"}
`,
      ) +
        deployment(
          'api',
          `        - {name: cloud-sql-proxy, image: "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0"}
        - {name: server, image: "example/api:1"}
`,
        ) +
        deployment('mesh', `        - {name: linkerd-proxy, image: "cr.l5d.io/linkerd/proxy:stable-2.14"}\n`),
    );
    const [grafana, api, mesh] = f.workloads;
    expect(mainContainer(grafana!)?.name).toBe('grafana');
    // Not named like the workload: the first container that is not a sidecar.
    expect(mainContainer(api!)?.name).toBe('server');
    // Only a sidecar: it is the main container (nothing else runs).
    expect(mainContainer(mesh!)?.name).toBe('linkerd-proxy');
    const refs = containerRefs(f, {});
    // roles: names the main container after the workload, the others workload/container.
    expect(refs.filter((r) => r.workload === grafana).map((r) => [r.name, r.main])).toEqual([
      ['release-grafana/grafana-sc-dashboard', false],
      ['release-grafana/istio-proxy', false],
      ['release-grafana/helper', false],
      ['release-grafana', true],
    ]);
  });
});

describe('the main container by the Service that routes to the pod', () => {
  it('takes the container whose port a selecting Service targets, by number or by name', async () => {
    const f = await facts(
      deployment(
        'shop',
        `        - {name: metrics, image: "example/metrics:1", ports: [{containerPort: 9100}]}
        - {name: server, image: "example/shop:1", ports: [{containerPort: 8080, name: http}]}
`,
      ) +
        deployment(
          'cart',
          `        - {name: exporter, image: "example/exporter:1", ports: [{containerPort: 9100}]}
        - {name: app, image: "example/cart:1", ports: [{containerPort: 7070}]}
`,
        ) +
        `---
apiVersion: v1
kind: Service
metadata: {name: shop}
spec:
  selector: {app: shop}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: cart}
spec:
  selector: {app: cart}
  ports: [{port: 7070}]
`,
    );
    const [shop, cart] = f.workloads;
    expect(mainContainer(shop!, f)?.name).toBe('server');
    expect(mainContainer(cart!, f)?.name).toBe('app');
    expect(containerRefs(f, {}).find((r) => r.name === 'shop')?.container.name).toBe('server');
  });
});

describe('roles of containers of an application image', () => {
  it('reads a named worker with no port and no Service as a queue worker, not an API', async () => {
    const f = await facts(
      deployment('worker', `        - {name: worker, image: "dockersamples/examplevotingapp_worker"}\n`) +
        deployment(
          'billing-worker',
          `        - {name: app, image: "example/billing:1", ports: [{containerPort: 8000}]}\n`,
        ) +
        deployment('jobs', `        - {name: jobs, image: "example/jobs_worker:1"}\n`, '{app: jobs}') +
        `---
apiVersion: v1
kind: Service
metadata: {name: jobs}
spec:
  selector: {app: jobs}
  ports: [{port: 80}]
`,
    );
    const byName = Object.fromEntries(containerRefs(f, {}).map((r) => [r.name, r.worker]));
    expect(byName.worker).toBe(true);
    // A port says it serves: not taken for a worker by its name.
    expect(byName['billing-worker']).toBe(false);
    // A Service routes to it: it serves, whatever its image is called.
    expect(byName.jobs).toBe(false);
    // The config's roles: win.
    expect(containerRefs(f, { worker: 'app' }).find((r) => r.name === 'worker')?.worker).toBe(false);
  });

  it('reads Envoy and Locust shipped in the app image as a proxy and a load generator', async () => {
    const f = await facts(
      deployment(
        'frontend-proxy',
        `        - name: frontend-proxy
          image: ghcr.io/open-telemetry/demo:2.0.0-frontend-proxy
          env: [{name: ENVOY_PORT, value: "8080"}]
`,
      ) +
        deployment(
          'traffic',
          `        - name: traffic
          image: ghcr.io/example/demo:2.0.0-traffic
          env: [{name: LOCUST_HOST, value: "http://frontend"}, {name: DATABASE_URL, value: "postgresql://db/app"}]
`,
        ) +
        deployment(
          'cart',
          `        - name: cart
          image: ghcr.io/example/demo:2.0.0-cart
          env: [{name: DATABASE_URL, value: "postgresql://db/app"}]
`,
        ),
    );
    const roles = Object.fromEntries(containerRefs(f, {}).map((r) => [r.name, r.role]));
    expect(roles['frontend-proxy']).toMatchObject({
      role: 'proxy',
      value: 'container frontend-proxy (a proxy: it reads ENVOY_PORT)',
    });
    expect(roles.traffic).toMatchObject({
      role: 'other',
      value: 'container traffic (a load generator: it reads LOCUST_HOST)',
    });
    expect(roles.cart?.role).toBe('app');
  });
});
