// Dockerfile text -> DockerfileFacts, with dockerfile-ast doing the parsing.
import {
  type Instruction as AstInstruction,
  type Dockerfile,
  DockerfileParser,
  type Flag,
  type From,
  type Heredoc,
  Keyword,
} from 'dockerfile-ast';
import { conformed } from '../conforms.js';
import { type ArgValues, splitImageRef, substitute } from './image.js';
import { type DockerfileFacts, DockerfileFactsSchema, type Instruction, type Stage } from './schema.js';

export type ParseResult = { ok: true; data: DockerfileFacts } | { ok: false; line?: number; message: string };

const KEYWORDS = new Set<string>(Object.values(Keyword));

type WithFlags = AstInstruction & { getFlags(): Flag[] };
type WithHeredocs = AstInstruction & { getHeredocs(): Heredoc[] };

const hasFlags = (i: AstInstruction): i is WithFlags => typeof (i as WithFlags).getFlags === 'function';
const hasHeredocs = (i: AstInstruction): i is WithHeredocs =>
  typeof (i as WithHeredocs).getHeredocs === 'function';

/** The text a 0-based range covers. */
function textOf(
  lines: string[],
  range: { start: { line: number; character: number }; end: typeof range.start },
) {
  const out: string[] = [];
  for (let l = range.start.line; l <= range.end.line; l++) {
    const text = lines[l] ?? '';
    const from = l === range.start.line ? range.start.character : 0;
    const to = l === range.end.line ? range.end.character : text.length;
    out.push(text.slice(from, to));
  }
  return out.join('\n');
}

function flagsOf(i: AstInstruction): Record<string, string[]> {
  const flags: Record<string, string[]> = {};
  if (!hasFlags(i)) return flags;
  for (const f of i.getFlags()) {
    // A bare flag (`--link`) is recorded with an empty value.
    flags[f.getName()] = [...(flags[f.getName()] ?? []), f.getValue() ?? ''];
  }
  return flags;
}

/**
 * The arguments with continuation lines joined and comment lines inside them dropped, as Docker
 * does. With heredocs, only the first line is the command; the bodies are kept apart.
 */
function joinedArgs(i: AstInstruction, escapeChar: string, heredoc: boolean): string {
  const lines = (i.getRawArgumentsContent() ?? '').split(/\r?\n/);
  const kept = heredoc ? lines.slice(0, 1) : lines.filter((l, k) => k === 0 || !/^\s*#/.test(l));
  return kept
    .map((l) => (l.trimEnd().endsWith(escapeChar) ? l.trimEnd().slice(0, -1) : l))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function toInstruction(i: AstInstruction, lines: string[], escapeChar: string): Instruction {
  const range = i.getRange();
  const heredocs = hasHeredocs(i)
    ? i.getHeredocs().map((h) => {
        const body = h.getContentRange();
        return body ? textOf(lines, body) : '';
      })
    : [];
  return {
    keyword: i.getKeyword().toUpperCase(),
    args: joinedArgs(i, escapeChar, heredocs.length > 0),
    line: range.start.line + 1,
    endLine: range.end.line + 1,
    flags: flagsOf(i),
    heredocs,
  };
}

function globalArgs(df: Dockerfile, buildArgs: Record<string, string>): ArgValues {
  const values: ArgValues = {};
  for (const arg of df.getInitialARGs()) {
    const prop = arg.getProperty();
    const name = prop?.getName();
    if (!name) continue;
    const declared = prop?.getValue() ?? null;
    // A default may use the ARGs declared before it (`ARG RUNNER_IMAGE="debian:${DEBIAN_VERSION}"`),
    // as Docker expands it; a --build-arg value is taken as given.
    values[name] = Object.hasOwn(buildArgs, name)
      ? (buildArgs[name] as string)
      : declared === null
        ? null
        : substitute(declared, values).value;
  }
  return values;
}

function baseImage(from: From, args: ArgValues, earlierStages: string[]): Stage['baseImage'] {
  const raw = from.getImage() ?? '';
  const { value: resolved, unresolved } = substitute(raw, args);
  const stage = earlierStages.find((s) => s === resolved.toLowerCase());
  if (stage !== undefined) return { raw, resolved, repository: resolved, stage, unresolvedArgs: [] };
  return { raw, resolved, ...splitImageRef(resolved), unresolvedArgs: unresolved };
}

/** Stage name from `FROM image AS name`. */
function stageName(from: From): string | undefined {
  const args = from.getArguments().map((a) => a.getValue());
  return args.length >= 3 && args[1]?.toUpperCase() === 'AS' ? args[2] : undefined;
}

/**
 * The last Dockerfile text parsed and dockerfile-ast's model of it, which is only read: a run reads
 * the project's Dockerfile twice (the dockerfile source, and the app collector for its server
 * commands) and parses it once.
 */
let last: { text: string; df: Dockerfile } | undefined;

export function parseDockerfile(
  text: string,
  file: string,
  buildArgs: Record<string, string> = {},
): ParseResult {
  if (last?.text !== text) last = { text, df: DockerfileParser.parse(text) };
  const df = last.df;
  const lines = text.split(/\r?\n/);
  const all = df.getInstructions();
  const unknown = all.find((i) => !KEYWORDS.has(i.getKeyword().toUpperCase()));
  if (unknown) {
    const line = unknown.getRange().start.line + 1;
    return { ok: false, line, message: `unknown instruction "${unknown.getInstruction()}" at line ${line}` };
  }
  const firstFrom = all.findIndex((i) => i.getKeyword().toUpperCase() === 'FROM');
  if (firstFrom < 0) return { ok: false, message: 'no FROM instruction: not a Dockerfile' };
  const early = all.slice(0, firstFrom).find((i) => i.getKeyword().toUpperCase() !== 'ARG');
  if (early) {
    const line = early.getRange().start.line + 1;
    return { ok: false, line, message: `${early.getKeyword()} at line ${line} comes before the first FROM` };
  }

  const args = globalArgs(df, buildArgs);
  const stages: Stage[] = [];
  const names: string[] = [];
  for (const i of all.slice(firstFrom)) {
    if (i.getKeyword().toUpperCase() !== 'FROM') {
      stages.at(-1)?.instructions.push(toInstruction(i, lines, df.getEscapeCharacter()));
      continue;
    }
    const from = i as From;
    const line = i.getRange().start.line + 1;
    if (!from.getImage()) return { ok: false, line, message: `FROM without an image at line ${line}` };
    const name = stageName(from);
    const platform = from.getPlatformFlag()?.getValue() ?? undefined;
    stages.push({
      index: stages.length,
      ...(name !== undefined && { name }),
      line,
      baseImage: baseImage(from, args, names),
      ...(platform !== undefined && { platform }),
      instructions: [],
    });
    if (name) names.push(name.toLowerCase());
  }
  // workspaces: filled in by the caller, which reads the build context.
  const data = conformed(DockerfileFactsSchema, { file, globalArgs: args, stages, workspaces: [] });
  return { ok: true, data };
}
