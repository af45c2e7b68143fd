import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { countStatus } from '../../core/status.js';
import {
  composeDockerfiles,
  composeServices,
  driverName,
  imageRepository,
  isLongRunning,
  SHIPPING_DRIVERS,
} from '../../facts/compose.js';
import { judgeAttestations } from '../attest/attestation.js';

const options = z.object({
  shippingDrivers: z.array(z.string()).default(SHIPPING_DRIVERS),
  /**
   * Images of log agents: a name with a slash matches the repository's start (`datadog/agent`), a
   * bare name the last path segment or its `name-` variants (`fluent-bit`, `opentelemetry-collector-contrib`).
   */
  agentImages: z
    .array(z.string())
    .default([
      'fluent-bit',
      'fluentd',
      'vector',
      'promtail',
      'alloy',
      'filebeat',
      'logstash',
      'elastic-agent',
      'logspout',
      'opentelemetry-collector',
      'datadog/agent',
      'grafana/agent',
    ]),
});

function isAgent(image: string, names: readonly string[]): boolean {
  const repo = imageRepository(image);
  const last = repo.split('/').at(-1) ?? repo;
  return names.some((n) => (n.includes('/') ? repo.startsWith(n) : last === n || last.startsWith(`${n}-`)));
}

const EXAMPLE = `x-logging: &logging
  driver: fluentd
  options:
    fluentd-address: localhost:24224
    tag: "{{.Name}}"
services:
  api:
    logging: *logging`;

export default defineCheck({
  id: 'compose/central-logging',
  title: 'Logs are shipped to a central store',
  failureTitle: 'No central log shipping is configured (attestation needed)',
  description:
    'Logs spread over container json files are lost with the container and cannot be searched across services ' +
    'when an incident spans them. The checklist asks to centralise logs (ELK stack or cloud logging). This passes ' +
    'when a service uses a log-shipping driver (fluentd, gelf, syslog, awslogs, gcplogs, splunk, loki…) or a log ' +
    'agent runs as a service (Fluent Bit, Fluentd, Vector, Promtail, Alloy, Filebeat, Logstash…). Shipping set up ' +
    'outside compose (a host agent, the cloud provider) cannot be seen here and needs an attestation. ' +
    'See https://docs.docker.com/engine/logging/configure/',
  seedRef: '5.2',
  severity: 'low',
  kind: 'attest',
  requires: ['compose'],
  optional: ['dockerfile'],
  options,
  run(input, o) {
    const refs = composeServices(input);
    const dockerfiles = composeDockerfiles(input);
    if (refs.length === 0)
      return { status: 'skip', message: 'the compose model has no services', evidence: [] };
    const evidence: Evidence[] = [];
    let agents = 0;
    for (const { service, facts } of refs) {
      const base = { subject: `service ${service.name}`, file: service.file, line: service.line };
      const image = service.image?.value;
      if (image && isAgent(image, o.agentImages)) {
        agents++;
        evidence.push({ ...base, observed: image, status: 'pass', note: 'log agent' });
        continue;
      }
      if (!isLongRunning(service, input.roles, facts, dockerfiles)) continue;
      const driver = service.logging?.driver;
      const name = driver ? driverName(driver.value) : 'json-file (default)';
      const ships = o.shippingDrivers.includes(name);
      const at = driver ? { ...base, file: driver.file, line: driver.line } : base;
      evidence.push({
        ...at,
        observed: name,
        expected: 'a log-shipping driver',
        status: ships ? 'pass' : 'info',
      });
    }
    const drivers = evidence.filter((e) => e.note !== 'log agent');
    const shipping = countStatus(drivers, 'pass');
    if (agents > 0)
      return { status: 'pass', message: `${agents} log agent service(s) in the compose model`, evidence };
    if (drivers.length > 0 && shipping === drivers.length) {
      return { status: 'pass', message: 'every long-running service uses a log-shipping driver', evidence };
    }
    const remediation = {
      summary:
        'Ship logs centrally (a logging driver or a log agent service), or attest in the config that they are ' +
        'collected outside compose.',
      change: EXAMPLE,
      applies: 'redeploy' as const,
    };
    // Shipping set up outside compose (a host agent, the cloud provider) is signed off in the config.
    const attested = judgeAttestations('compose/central-logging', input, {
      missing: 'fail',
      maxAgeDays: 365,
    });
    if (attested.status === 'pass')
      return {
        status: 'pass',
        message: `attested: ${attested.message}`,
        evidence: [...attested.evidence, ...evidence],
      };
    if (shipping > 0) {
      const others = drivers.filter((e) => e.status === 'info');
      for (const e of others) e.status = 'warn';
      const message = `only ${shipping} of ${drivers.length} long-running services ship their logs`;
      return { status: 'warn', message, evidence, remediation };
    }
    return {
      status: 'fail',
      message: 'no log-shipping driver or log agent in the compose model: an attestation is needed',
      evidence: [...attested.evidence, ...evidence],
      remediation,
    };
  },
});
