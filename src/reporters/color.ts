// Whether the terminal report is coloured: apart from the reporter, so that an audit decides it
// without loading the reporter's libraries (chalk, wrap-ansi) for a format that does not use them.

/** The ecosystem's rules: --color/--no-color, then FORCE_COLOR, then NO_COLOR, TERM=dumb, a TTY. */
export function colorWanted(
  flag: boolean | undefined,
  env: Record<string, string | undefined>,
  isTTY: boolean,
): boolean {
  if (flag !== undefined) return flag;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

/** The styles the terminal reports use: chalk's (`loadColors`) or none (`PLAIN`). */
export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  magenta(text: string): string;
  cyan(text: string): string;
}

const same = (text: string) => text;

/** No colour: what chalk at level 0 gives, without loading chalk (a pipe, a file, CI, NO_COLOR). */
export const PLAIN: Paint = {
  bold: same,
  dim: same,
  red: same,
  green: same,
  yellow: same,
  magenta: same,
  cyan: same,
};

/** chalk, basic 16 colours, imported only for a report that is coloured. */
export async function loadColors(): Promise<Paint> {
  const { Chalk } = await import('chalk');
  return new Chalk({ level: 1 });
}

/** The paint of a report: `colors` when it is coloured (a caller that colours must load them). */
export function paintOf(opts: { color: boolean; colors?: Paint }, who: string): Paint {
  if (!opts.color) return PLAIN;
  if (!opts.colors) throw new Error(`${who}: a coloured report needs opts.colors (loadColors())`);
  return opts.colors;
}
