/** Bad input from the user (a config, a compose file, a flag): exit 2 with file, line and what was expected. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'InputError';
  }

  /** `file:line: message`: the CLI prints it through terminalSafe, which keeps it one inert line. */
  format(): string {
    const where = this.file ? `${this.file}${this.line ? `:${this.line}` : ''}: ` : '';
    return `${where}${this.message}`;
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
