import { z } from 'zod';
import { InlineIgnoreSchema } from '../inline-ignores.js';

export const InstructionSchema = z.object({
  /** Upper-case keyword: RUN, COPY, FROM... */
  keyword: z.string(),
  /** The arguments as written, continuation lines joined, flags removed. */
  args: z.string(),
  line: z.number().int(),
  endLine: z.number().int(),
  /** `--from=build`, `--mount=type=cache,target=/root/.cache` ... (name -> values, in order). */
  flags: z.record(z.string(), z.array(z.string())).default({}),
  /** Heredoc bodies (`RUN <<EOF ... EOF`), in order. */
  heredocs: z.array(z.string()).default([]),
});
export type Instruction = z.infer<typeof InstructionSchema>;

export const StageSchema = z.object({
  index: z.number().int(),
  name: z.string().optional(),
  line: z.number().int(),
  /** The FROM image as written, and with `ARG` values substituted. */
  baseImage: z.object({
    raw: z.string(),
    resolved: z.string(),
    /** Repository without tag or digest, e.g. `python`, `ghcr.io/org/app`. */
    repository: z.string(),
    tag: z.string().optional(),
    digest: z.string().optional(),
    /** A reference to an earlier stage rather than an image. */
    stage: z.string().optional(),
    unresolvedArgs: z.array(z.string()).default([]),
  }),
  platform: z.string().optional(),
  instructions: z.array(InstructionSchema),
});
export type Stage = z.infer<typeof StageSchema>;

export const DockerfileFactsSchema = z.object({
  file: z.string(),
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: z.record(z.string(), z.string().nullable()).default({}),
  stages: z.array(StageSchema),
  /**
   * Workspace package globs of the Node project beside the Dockerfile (its build context): the
   * `workspaces` of package.json and the `packages` of pnpm-workspace.yaml, as written. Empty
   * when there are none (and in recordings made before this field existed).
   */
  workspaces: z.array(z.string()).default([]),
  /** `# strisk-ignore CHECK: REASON` comments in the files read (absent when there are none). */
  ignores: z.array(InlineIgnoreSchema).optional(),
});
export type DockerfileFacts = z.infer<typeof DockerfileFactsSchema>;
