import { z } from 'zod';
import { located } from '../../core/facts.js';
import { InlineIgnoreSchema } from '../inline-ignores.js';

/**
 * Kubernetes manifests read from files or stdin: the objects strisk judges, normalised, with the
 * file:line of every value. Quantities are converted: cores for CPU (`500m` -> 0.5), bytes for
 * memory (`512Mi`). A quantity that could not be converted keeps `value: null` and its `raw` text.
 */
const Str = located(z.string());
const NumOrNull = located(z.number().nullable());
const Bool = located(z.boolean());
const Loc = { file: z.string(), line: z.number().int() };

export const LabelSelectorSchema = z.object({
  matchLabels: z.record(z.string(), z.string()).default({}),
  matchExpressions: z
    .array(z.object({ key: z.string(), operator: z.string(), values: z.array(z.string()).default([]) }))
    .default([]),
});
export type LabelSelector = z.infer<typeof LabelSelectorSchema>;

/** A probe or a lifecycle hook: what it runs, in one line (`exec pg_isready`, `httpGet /health`). */
const HandlerSchema = z.object({
  ...Loc,
  kind: z.enum(['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep', 'other']),
  /** The exec command, the HTTP path, the port: what the handler does. */
  text: z.string(),
});
export type K8sHandler = z.infer<typeof HandlerSchema>;

const ResourcesSchema = z.object({
  cpu: NumOrNull.optional(),
  memory: NumOrNull.optional(),
});

export const K8sContainerSchema = z.object({
  name: z.string(),
  ...Loc,
  image: Str.optional(),
  /** `command` (the image's entrypoint replaced). */
  command: located(z.array(z.string())).optional(),
  /** `args` (the image's command replaced). */
  args: located(z.array(z.string())).optional(),
  ports: z
    .array(z.object({ container: z.number().int().nullable(), name: z.string().optional(), ...Loc }))
    .default([]),
  env: z.record(z.string(), located(z.string().nullable())).default({}),
  requests: ResourcesSchema.default({}),
  limits: ResourcesSchema.default({}),
  readinessProbe: HandlerSchema.optional(),
  livenessProbe: HandlerSchema.optional(),
  startupProbe: HandlerSchema.optional(),
  preStop: HandlerSchema.optional(),
  readOnlyRootFilesystem: Bool.optional(),
  volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string(), ...Loc })).default([]),
});
export type K8sContainer = z.infer<typeof K8sContainerSchema>;

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'] as const;

const ObjectMeta = {
  name: z.string(),
  /** Absent in most `helm template` output: the release's namespace. */
  namespace: z.string().optional(),
  ...Loc,
};

export const K8sWorkloadSchema = z.object({
  kind: z.enum(WORKLOAD_KINDS),
  ...ObjectMeta,
  /** `spec.replicas` (Deployment, StatefulSet); absent means 1. */
  replicas: NumOrNull.optional(),
  /** The pod template's labels (a Pod's own labels): what selectors match. */
  podLabels: z.record(z.string(), z.string()).default({}),
  hostNetwork: Bool.optional(),
  terminationGracePeriodSeconds: NumOrNull.optional(),
  restartPolicy: Str.optional(),
  containers: z.array(K8sContainerSchema),
  initContainers: z.array(K8sContainerSchema).default([]),
  volumes: z
    .array(
      z.object({
        name: z.string(),
        type: z.enum(['persistentVolumeClaim', 'emptyDir', 'hostPath', 'configMap', 'secret', 'other']),
        claimName: z.string().optional(),
        ...Loc,
      }),
    )
    .default([]),
  /** StatefulSet `volumeClaimTemplates` names. */
  volumeClaimTemplates: z.array(z.object({ name: z.string(), ...Loc })).default([]),
});
export type K8sWorkload = z.infer<typeof K8sWorkloadSchema>;

const TargetRef = z.object({ kind: z.string(), name: z.string() });

export const K8sHpaSchema = z.object({
  ...ObjectMeta,
  apiVersion: z.string(),
  target: TargetRef,
  minReplicas: NumOrNull.optional(),
  maxReplicas: NumOrNull.optional(),
  metrics: z
    .array(
      z.object({
        /** Resource, ContainerResource, Pods, Object, External. */
        type: z.string(),
        /** The resource (`cpu`) or the metric's name. */
        name: z.string(),
        targetType: z.string().optional(),
        averageUtilization: z.number().nullable().optional(),
        ...Loc,
      }),
    )
    .default([]),
});
export type K8sHpa = z.infer<typeof K8sHpaSchema>;

export const K8sScaledObjectSchema = z.object({
  ...ObjectMeta,
  target: TargetRef,
  minReplicas: NumOrNull.optional(),
  maxReplicas: NumOrNull.optional(),
  triggers: z
    .array(z.object({ type: z.string(), metadata: z.record(z.string(), z.string()).default({}), ...Loc }))
    .default([]),
});
export type K8sScaledObject = z.infer<typeof K8sScaledObjectSchema>;

export const K8sNetworkPolicySchema = z.object({
  ...ObjectMeta,
  podSelector: LabelSelectorSchema,
  policyTypes: z.array(z.string()).default([]),
  /** Ingress and egress rules: a policy with a type and no rule of it denies that direction. */
  ingressRules: z.number().int().default(0),
  egressRules: z.number().int().default(0),
});
export type K8sNetworkPolicy = z.infer<typeof K8sNetworkPolicySchema>;

export const K8sSelectingSchema = z.object({
  ...ObjectMeta,
  /** A Service's `spec.selector` (matchLabels only) or a PDB's `spec.selector`. */
  selector: LabelSelectorSchema.optional(),
  /** A Service's pod ports: each `targetPort` (a number or a container port's name), else `port`. */
  targetPorts: z.array(z.union([z.number(), z.string()])).optional(),
});
export type K8sSelecting = z.infer<typeof K8sSelectingSchema>;

export const K8sFactsSchema = z.object({
  /** The files read (`<stdin>` for `--k8s -`), relative to the project. */
  files: z.array(z.string()),
  /** Inline `# strisk-ignore CHECK: REASON` comments in the manifests (only when there are some). */
  ignores: z.array(InlineIgnoreSchema).optional(),
  /** Every object read, known kinds and others (CRDs are kept here and otherwise ignored). */
  objects: z.array(z.object({ apiVersion: z.string(), kind: z.string(), ...ObjectMeta })).default([]),
  workloads: z.array(K8sWorkloadSchema).default([]),
  hpas: z.array(K8sHpaSchema).default([]),
  scaledObjects: z.array(K8sScaledObjectSchema).default([]),
  pdbs: z.array(K8sSelectingSchema).default([]),
  networkPolicies: z.array(K8sNetworkPolicySchema).default([]),
  services: z.array(K8sSelectingSchema).default([]),
  pvcs: z.array(z.object(ObjectMeta)).default([]),
  /** Files found in the project's manifest directories and not read, and why (a Helm chart's templates). */
  skipped: z.array(z.object({ file: z.string(), reason: z.string() })).default([]),
});
export type K8sFacts = z.infer<typeof K8sFactsSchema>;

declare module '../../core/check.js' {
  interface SourceData {
    k8s: K8sFacts;
  }
}
