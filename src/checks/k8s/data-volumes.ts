import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import {
  DATABASE_ROLES,
  databaseDataDirs,
  redisPersistenceOff,
  roleNote,
} from '../../facts/compose-roles.js';
import { containerRefs, k8sTargets, workloadLabel } from '../../facts/k8s.js';
import { type K8sJudged, k8sOutcome } from '../../facts/k8s-judged.js';

const options = z.object({
  /** Data directories per database role, as compose/named-volumes. */
  dataDirs: z.record(z.string(), z.array(z.string())).default(databaseDataDirs),
});

const trim = (p: string) => p.replace(/\/+$/, '') || '/';
const holds = (target: string, dir: string) =>
  trim(target) === trim(dir) || trim(dir).startsWith(`${trim(target)}/`);

export default defineCheck({
  id: 'k8s/data-volumes',
  title: 'Databases keep their data on PersistentVolumeClaims',
  failureTitle: 'Databases keep their data where it does not survive the pod',
  description:
    'The compose named-volumes item on Kubernetes: a database data directory on an `emptyDir` is lost when the pod ' +
    'is deleted or rescheduled, one on a `hostPath` is tied to one node (and its disk), and one with nothing mounted ' +
    'lives in the container layer. It belongs on a PersistentVolumeClaim, for a StatefulSet one from its ' +
    '`volumeClaimTemplates`. Judged on the ClickHouse, PostgreSQL, Redis, MySQL and MongoDB data directories of ' +
    'every container whose role is one of those (roles as for compose services). A Redis used as a cache with ' +
    'persistence off (`--save "" --appendonly no`) keeps nothing to lose and needs no claim. See ' +
    'https://kubernetes.io/docs/concepts/storage/persistent-volumes/ and ' +
    'https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#volume-claim-templates',
  seedRef: '3.3',
  section: 'Kubernetes',
  severity: 'medium',
  kind: 'auto',
  requires: ['k8s'],
  options,
  run(input, o) {
    const items: K8sJudged[] = [];
    for (const facts of k8sTargets(input)) {
      for (const ref of containerRefs(facts, input.roles)) {
        const { workload: w, container: c, role } = ref;
        if (!role.role || !(DATABASE_ROLES as readonly string[]).includes(role.role) || ref.oneShot) continue;
        const name = workloadLabel(w);
        const why = roleNote(role);
        const pgdata = role.role === 'postgres' ? c.env.PGDATA?.value : undefined;
        const dirs = [...(o.dataDirs[role.role] ?? []), ...(pgdata ? [pgdata] : [])];
        const base: Evidence = {
          subject: `${name} container ${c.name}`,
          file: c.file,
          line: c.line,
          expected: 'a PersistentVolumeClaim',
        };
        const fix = [
          'volumeClaimTemplates:  # in a StatefulSet',
          '  - metadata: {name: data}',
          '    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 20Gi}}}',
          `containers: - name: ${c.name}`,
          `  volumeMounts: [{name: data, mountPath: ${dirs[0] ?? '/data'}}]`,
        ];
        const cache = role.role === 'redis' ? redisPersistenceOff(ref.service) : undefined;
        const mount = c.volumeMounts.find((m) => dirs.some((d) => holds(m.mountPath, d)));
        if (cache) {
          items.push({
            name,
            evidence: {
              ...base,
              expected: 'a claim, or persistence off',
              observed: mount ? mount.mountPath : 'no mount',
              status: 'pass',
              note: `a cache: persistence is off (${cache}); ${why}`,
            },
          });
          continue;
        }
        if (!mount) {
          items.push({
            name,
            fix,
            evidence: {
              ...base,
              observed: 'no mount',
              status: 'fail',
              note: `nothing mounted at ${dirs.join(' or ')}: data lives in the container layer; ${why}`,
            },
          });
          continue;
        }
        const at = { ...base, file: mount.file, line: mount.line };
        const template = w.volumeClaimTemplates.find((t) => t.name === mount.name);
        const volume = w.volumes.find((v) => v.name === mount.name);
        if (template) {
          items.push({
            name,
            evidence: {
              ...at,
              observed: `volumeClaimTemplate ${template.name} at ${mount.mountPath}`,
              status: 'pass',
              note: why,
            },
          });
        } else if (volume?.type === 'persistentVolumeClaim') {
          items.push({
            name,
            evidence: {
              ...at,
              observed: `claim ${volume.claimName ?? volume.name} at ${mount.mountPath}`,
              status: 'pass',
              note: why,
            },
          });
        } else {
          const kind = volume?.type ?? 'an undeclared volume';
          const lost =
            kind === 'emptyDir'
              ? 'lost when the pod is deleted or moved'
              : kind === 'hostPath'
                ? 'tied to one node'
                : 'not a claim';
          items.push({
            name,
            fix,
            evidence: {
              ...at,
              observed: `${kind} ${mount.name} at ${mount.mountPath}`,
              status: 'fail',
              note: `${lost}; ${why}`,
            },
          });
        }
      }
    }
    if (items.length === 0)
      return {
        status: 'skip',
        message: 'no database workload in the manifests (name one under roles: in the config)',
        evidence: [],
      };
    return k8sOutcome(items, {
      passed: 'every database keeps its data on a PersistentVolumeClaim',
      failed: 'with data that does not survive the pod',
      summary:
        'Mount a PersistentVolumeClaim (a StatefulSet volumeClaimTemplate) at every database data directory.',
    });
  },
});
