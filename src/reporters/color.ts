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
