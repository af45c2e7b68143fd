// Pure helpers over DockerfileFacts for the dockerfile/* checks: stages, shell commands, copies.
// No I/O and no parser here, so checks can import it.
import type { CheckInput, Evidence } from '../../core/check.js';
import type { DockerfileFacts, Instruction, Stage } from './schema.js';

/** Every readable Dockerfile given to a check. */
export function dockerfilesOf(input: CheckInput): DockerfileFacts[] {
  return input.source('dockerfile').flatMap((t) => (t.data ? [t.data] : []));
}

export function at(df: DockerfileFacts, line: number): Pick<Evidence, 'subject' | 'file' | 'line'> {
  return { subject: `${df.file}:${line}`, file: df.file, line };
}

export function finalStage(df: DockerfileFacts): Stage {
  return df.stages.at(-1) as Stage;
}

/** The earlier stage a `--from` / FROM reference names (by name or index), if any. */
export function stageNamed(df: DockerfileFacts, ref: string, before: number): Stage | undefined {
  const lower = ref.toLowerCase();
  return df.stages.find(
    (s) =>
      s.index < before && (s.name?.toLowerCase() === lower || (/^\d+$/.test(ref) && s.index === Number(ref))),
  );
}

/** The stage and the stages it is built FROM, root first. */
export function stageChain(df: DockerfileFacts, stage: Stage): Stage[] {
  const chain = [stage];
  let current = stage;
  while (current.baseImage.stage !== undefined) {
    const parent = stageNamed(df, current.baseImage.stage, current.index);
    if (!parent) break;
    chain.unshift(parent);
    current = parent;
  }
  return chain;
}

/** Parsed `--mount=type=cache,target=/root/.cache` flags of an instruction. */
export function mountsOf(instr: Instruction): Record<string, string>[] {
  return (instr.flags.mount ?? []).map((m) =>
    Object.fromEntries(
      m.split(',').map((kv) => {
        const eq = kv.indexOf('=');
        return eq < 0 ? [kv.trim(), 'true'] : [kv.slice(0, eq).trim(), kv.slice(eq + 1).trim()];
      }),
    ),
  );
}

function jsonArray(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(args);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

const unquote = (t: string) => t.replace(/^(['"])(.*)\1$/, '$2');

/** Source paths of a COPY/ADD from the build context (empty for heredoc copies). */
export function copySources(instr: Instruction): string[] {
  if (instr.heredocs.length > 0) return [];
  const parts = jsonArray(instr.args) ?? instr.args.split(/\s+/).filter(Boolean).map(unquote);
  return parts.slice(0, -1);
}

/** The shell text a RUN executes: its arguments and heredoc bodies. */
export function shellText(instr: Instruction): string {
  const json = jsonArray(instr.args);
  const head = json ? json.join(' ') : instr.args;
  return [head, ...instr.heredocs].join('\n');
}

/**
 * Simple commands of a RUN as token lists, roughly as a shell would split them: on newlines,
 * `&&`, `||`, `;` and `|`; comments dropped; leading `VAR=value` assignments and `sudo` removed.
 * Good enough to find package installs; not a shell.
 */
export function commandsOf(instr: Instruction): string[][] {
  const text = shellText(instr).replace(/\\\r?\n/g, ' ');
  return text
    .split(/\r?\n|&&|\|\||;|\|/)
    .map((cmd) => {
      const tokens = cmd.trim().split(/\s+/).filter(Boolean).map(unquote);
      const comment = tokens.findIndex((t) => t.startsWith('#'));
      const kept = comment >= 0 ? tokens.slice(0, comment) : tokens;
      while (kept.length > 0 && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(kept[0] as string) || kept[0] === 'sudo')) {
        kept.shift();
      }
      return kept;
    })
    .filter((c) => c.length > 0);
}

/** `pip3.11`, `/opt/venv/bin/pip`, `python -m pip` -> `pip`; other programs by their base name. */
export function programOf(cmd: string[]): { program: string; rest: string[] } {
  const base = (t: string) => t.slice(t.lastIndexOf('/') + 1);
  let program = base(cmd[0] ?? '');
  let rest = cmd.slice(1);
  if (/^python[\d.]*$/.test(program) && rest[0] === '-m' && rest[1]) {
    program = base(rest[1]);
    rest = rest.slice(2);
  }
  if (/^pip[\d.]*$/.test(program)) program = 'pip';
  return { program, rest };
}

/** Instructions of the stage, with the stages it inherits from first. */
export function chainInstructions(df: DockerfileFacts, stage: Stage): Instruction[] {
  return stageChain(df, stage).flatMap((s) => s.instructions);
}
