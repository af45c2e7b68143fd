import { Command, CommanderError, Option } from 'commander';
import { LIVE_SOURCES, type LiveSourceInfo } from '../collectors/live.js';
import { SEVERITIES } from '../core/check.js';
import { InputError } from '../core/errors.js';
import { terminalSafe, textSafe } from '../reporters/escape.js';
import { VERSION } from '../version.js';

// Commands import their modules when they run: `strisk --version` loads neither zod nor the checks.

const EXIT_CODES = `
Exit codes:
  0  the gate passed
  1  the gate failed (--fail-on, --fail-on-severity, --min-score, a regression against --baseline,
     an expired waiver); every gate given must pass
  2  invalid usage, config or input file
  3  the audit is incomplete: a configured source could not be read (unless --allow-incomplete)
  Where several apply, the highest wins.`;

const collect = (value: string, previous: string[] = []) => [...previous, value];
/** Check selections: repeatable, and a comma-separated list too (no check id has a comma). */
const collectList = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

const PLUGIN_FLAG = '--plugin <path|package>';
const PLUGIN_HELP =
  'load a check plugin: a path, or an installed strisk-plugin-* / @scope/strisk-plugin-* package; repeatable';
const CONFIG_HELP = 'config whose plugins: to load (default: strisk.config.yaml here or in a parent)';

function buildProgram(out: (t: string) => void, setCode: (c: number) => void): Command {
  const program = new Command('strisk')
    .description(
      'Audit a FastAPI + ClickHouse + PostgreSQL/PgBouncer + Redis + Docker deployment against a performance checklist.',
    )
    .version(VERSION, '-V, --version')
    .addHelpText('after', EXIT_CODES)
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: (t) => process.stderr.write(textSafe(t)) })
    .showHelpAfterError('(run strisk --help for usage)');

  const auditCmd = program
    .command('audit')
    .argument(
      '[dir]',
      'project directory: compose files, Dockerfiles and strisk.config.yaml are looked up here',
      '.',
    )
    .description('audit the project in DIR and the live sources given by flags, env vars or the config')
    .option('-c, --config <file>', 'config file (default: strisk.config.yaml in DIR or a parent)')
    .option('-f, --compose <file>', 'compose file, repeatable, merged in order', collect)
    .option('--profile <name>', 'compose profile to activate, repeatable', collect)
    .option('--dockerfile <file>', 'Dockerfile, repeatable (default: Dockerfiles found in DIR)', collect)
    .option(
      '--k8s <path>',
      'Kubernetes manifests: a file, a directory, or - for stdin (helm template, kustomize build); repeatable',
      collect,
    )
    .option('--only <id|glob|source>', 'run only these checks, repeatable or comma-separated', collectList)
    .option('--skip <id|glob|source>', 'skip these checks, repeatable or comma-separated', collectList)
    .option(
      '--format <name[=file]>',
      'terminal, json, junit, sarif, markdown, html or github; repeatable, each with its own output',
      collect,
    )
    .addOption(
      new Option(
        '--fail-on <level>',
        // The default is in the text, not set: the config's failOn applies when the flag is not given.
        'what fails the gate (regression: only what got worse than --baseline; default: fail, or failOn in the config)',
      ).choices(['fail', 'warn', 'never', 'regression']),
    )
    .option(
      '--baseline <report.json>',
      'an earlier --format json report: regressions against it fail the gate',
    )
    .addOption(
      new Option(
        '--fail-on-severity <level>',
        'count only results of this severity or above for --fail-on fail/warn (with --fail-on regression: also fail on such a failure)',
      ).choices(SEVERITIES),
    )
    .option('--min-score <n>', 'fail the gate below this score (0-100)')
    .option('--allow-incomplete', 'exit 0/1 even when a configured source could not be read')
    .option(
      '--image-archive <file>',
      'audit the images of a `docker save` archive, without an engine; repeatable',
      collect,
    )
    .option('--save-facts <file>', 'record the collected facts as JSON')
    .option('--facts <file>', 'audit recorded facts instead of collecting (offline replay)')
    .option(
      '--timeout <ms>',
      'longest wait on a server with nothing arriving, in ms (default 5000); each source ends by 4 x this',
    )
    .option('-v, --verbose', "show evidence for passing checks too, and each service's role and why")
    .option('--explain-roles', "print each compose service's role and the signal it came from (file:line)")
    .option(PLUGIN_FLAG, PLUGIN_HELP, collect)
    .option(
      '--repo-root <dir>',
      'repository root that SARIF and GitHub annotation paths start from (default: git rev-parse --show-toplevel in DIR)',
    )
    .option('--no-inline-ignores', 'do not apply `# strisk-ignore CHECK: REASON` comments (a strict gate)')
    .option('-q, --quiet', 'print only the failures and the gate line; no progress')
    .option('--color', 'colour the terminal report even when not a terminal (FORCE_COLOR=1 does too)')
    .option('--no-color', 'no colour (NO_COLOR=1 does too)')
    .option('--approver <name>', "who signs the HTML report off (default: the config's signoff.approver)")
    .option(
      '--environment <name>',
      "the environment the sign-off is for (default: the config's signoff.environment)",
    );
  for (const info of Object.values(LIVE_SOURCES as Record<string, LiveSourceInfo>)) {
    const env = info.env.length > 0 ? ` (env ${info.env.join(', ')})` : '';
    auditCmd.option(
      `--${info.flag} ${info.flag === 'app' ? '<dir>' : '<url>'}`,
      `${info.description}${env}; repeatable`,
      collect,
    );
  }
  auditCmd.addHelpText('after', EXIT_CODES).action(async (dir: string, flags) => {
    await import('./zod-jitless.js');
    const { audit } = await import('./audit.js');
    setCode(
      await audit(dir, flags, {
        env: process.env,
        stdout: out,
        stderr: (t) => process.stderr.write(t),
        isTTY: Boolean(process.stdout.isTTY),
        columns: process.stdout.isTTY ? process.stdout.columns : undefined,
        stderrTTY: Boolean(process.stderr.isTTY),
      }),
    );
  });

  program
    .command('compare')
    .argument('<old>', 'the earlier report (--format json)')
    .argument('<new>', 'the later report (--format json)')
    .description('print what got worse and what got better between two reports; exit 1 on a regression')
    .option(
      '-c, --config <file>',
      'config with baseline.tolerance (default: strisk.config.yaml here or in a parent)',
    )
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['terminal', 'json', 'markdown'])
        .default('terminal'),
    )
    .action(
      async (
        oldFile: string,
        newFile: string,
        flags: { config?: string; format: 'terminal' | 'json' | 'markdown' },
      ) => {
        const { compareCommand } = await import('./compare.js');
        const { text, code } = compareCommand(oldFile, newFile, flags, process.env);
        out(text);
        setCode(code);
      },
    );

  program
    .command('init')
    .argument('[dir]', 'project directory', '.')
    .description('write a starter strisk.config.yaml from what DIR and the default local ports have')
    .option('--force', 'overwrite an existing strisk.config.yaml')
    .action(async (dir: string, flags: { force?: boolean }) => {
      const { initCommand } = await import('./init.js');
      out(await initCommand(dir, flags));
    });

  program
    .command('checks')
    .description('list the whole check catalogue (with plugins), and which checks are implemented')
    .addOption(
      new Option('--format <format>', 'output format').choices(['terminal', 'json']).default('terminal'),
    )
    .option('-c, --config <file>', CONFIG_HELP)
    .option(PLUGIN_FLAG, PLUGIN_HELP, collect, [])
    .action(async (flags: { format: 'terminal' | 'json'; config?: string; plugin: string[] }) => {
      const { builtinListing, checksCommand } = await import('./checks-list.js');
      const { findConfig } = await import('../config/find.js');
      // With neither a config nor a plugin, the built-ins' manifest: no check module, no zod.
      if (!flags.config && flags.plugin.length === 0 && !findConfig(process.cwd())) {
        out(checksCommand(flags.format, builtinListing()));
        return;
      }
      const { registryFor } = await import('./plugins.js');
      out(checksCommand(flags.format, await registryFor(flags, process.env)));
    });

  program
    .command('explain')
    .argument('<id>', 'check id, e.g. compose/healthcheck')
    .description('what a check verifies, why, its options and their defaults')
    .option('-c, --config <file>', CONFIG_HELP)
    .option(PLUGIN_FLAG, PLUGIN_HELP, collect, [])
    .action(async (id: string, flags: { config?: string; plugin: string[] }) => {
      const { explainCommand } = await import('./catalogue.js');
      const { registryFor } = await import('./plugins.js');
      out(explainCommand(id, await registryFor(flags, process.env)));
    });

  program
    .command('schema')
    .description("print the JSON Schema of strisk.config.yaml (for editors' completion)")
    .action(async () => {
      const { z } = await import('zod');
      const { ConfigSchema } = await import('../config/schema.js');
      out(`${JSON.stringify(z.toJSONSchema(ConfigSchema, { io: 'input' }), null, 2)}\n`);
    });
  return program;
}

/** Runs the CLI and returns its exit code; nothing here calls process.exit, so output is flushed. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const out = (t: string) => {
    process.stdout.write(t);
  };
  const program = buildProgram(out, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors have been printed already.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof InputError) {
      // File names and messages may quote bytes of a hostile input file: one inert line.
      for (const line of err.lines()) process.stderr.write(`strisk: ${terminalSafe(line)}\n`);
      return 2;
    }
    throw err;
  }
}
