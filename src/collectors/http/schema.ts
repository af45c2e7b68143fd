import { z } from 'zod';

/** Options of one `http` target in the config, beside its `url`. */
export const HttpTargetOptionsSchema = z.object({
  healthPath: z.string().default('/health'),
  /** Endpoints probed for compression and cache headers (GET); default: the app's GET routes without parameters, else `/`. */
  paths: z.array(z.string()).optional(),
  /** The app directory, to discover `paths` from its GET routes. */
  appDir: z.string().optional(),
  /** Per-request timeout of the probes. */
  requestTimeoutMs: z.number().int().positive().default(5000),
  /** Accept a certificate that does not verify (self-signed): for probing only. */
  insecure: z.boolean().default(false),
  /** PEM file with the CA to trust, relative to the project dir. */
  caFile: z.string().optional(),
  load: z
    .object({
      /** The endpoint loaded; default: the first probed path that answered 2xx, else the health path. */
      path: z.string().optional(),
      concurrency: z.number().int().positive().max(1000).default(16),
      durationMs: z.number().int().positive().max(600_000).default(3000),
      maxRequests: z.number().int().positive().max(10_000_000).default(3000),
    })
    .prefault({}),
});
export type HttpTargetOptions = z.output<typeof HttpTargetOptionsSchema>;

export const ResponseProbeSchema = z.object({
  path: z.string(),
  status: z.number().int().nullable(),
  error: z.string().optional(),
  durationMs: z.number(),
  /** Bytes on the wire and after decoding. */
  wireBytes: z.number().int(),
  bodyBytes: z.number().int(),
  contentType: z.string().nullable(),
  contentEncoding: z.string().nullable(),
  cacheControl: z.string().nullable(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  vary: z.string().nullable(),
});
export type ResponseProbe = z.infer<typeof ResponseProbeSchema>;

export const LoadResultSchema = z.object({
  path: z.string(),
  concurrency: z.number().int(),
  durationMs: z.number(),
  maxRequests: z.number().int(),
  elapsedMs: z.number(),
  stoppedBy: z.enum(['duration', 'requests']),
  requests: z.number().int(),
  errors: z.number().int(),
  errorsByKind: z.object({
    status4xx: z.number().int(),
    status5xx: z.number().int(),
    network: z.number().int(),
    timeout: z.number().int(),
  }),
  /** Completed requests per second. */
  throughputRps: z.number(),
  /** From an HDR histogram of every request's latency (µs precision). */
  latencyMs: z
    .object({
      min: z.number(),
      mean: z.number(),
      p50: z.number(),
      p90: z.number(),
      p95: z.number(),
      p99: z.number(),
      max: z.number(),
    })
    .nullable(),
  /** Connections the keep-alive pool opened (≤ concurrency when keep-alive works). */
  connections: z.number().int(),
  firstError: z.string().optional(),
});
export type LoadResult = z.infer<typeof LoadResultSchema>;

export const HttpFactsSchema = z.object({
  /** The origin probed; nothing else is ever requested. */
  origin: z.string(),
  tls: z
    .object({
      protocol: z.string().nullable(),
      alpn: z.string().nullable(),
      authorized: z.boolean(),
      authorizationError: z.string().optional(),
      insecure: z.boolean(),
    })
    .nullable(),
  http2: z.object({
    supported: z.boolean(),
    protocol: z.string().nullable(),
    via: z.enum(['alpn', 'h2c-prior-knowledge', 'none']),
    note: z.string(),
  }),
  health: ResponseProbeSchema,
  endpoints: z.array(ResponseProbeSchema),
  load: LoadResultSchema.nullable(),
});
export type HttpFacts = z.infer<typeof HttpFactsSchema>;

declare module '../../core/check.js' {
  interface SourceData {
    http: HttpFacts;
  }
}
