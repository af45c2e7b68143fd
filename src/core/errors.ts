/** Bad input from the user (a config, a compose file, a flag): exit 2 with file, line and what was expected. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    /** Further problems of the same file, each with its own line (a config with several mistakes). */
    readonly more: readonly { message: string; line?: number }[] = [],
  ) {
    super(message);
    this.name = 'InputError';
  }

  /** `file:line: message`: the CLI prints it through terminalSafe, which keeps it one inert line. */
  format(): string {
    return this.lines()[0]!;
  }

  /** One `file:line: message` per problem. */
  lines(): string[] {
    const where = (line?: number) => (this.file ? `${this.file}${line ? `:${line}` : ''}: ` : '');
    return [`${where(this.line)}${this.message}`, ...this.more.map((p) => `${where(p.line)}${p.message}`)];
  }
}

/**
 * A YAML parser's message as one line. The parser recurses per level of nesting, and records a
 * stack overflow as a parse error: that one says what the input did.
 */
export function yamlMessage(message: string): string {
  if (/maximum call stack/i.test(message)) return 'nesting too deep (thousands of levels of [ or {)';
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
