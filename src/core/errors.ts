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

  /** `file:line: message`, the one line the CLI prints. */
  format(): string {
    const where = this.file ? `${this.file}${this.line ? `:${this.line}` : ''}: ` : '';
    // One line, inert: a newline or an escape sequence quoted from the input is shown escaped.
    return `${where}${this.message}`.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
      JSON.stringify(c).slice(1, -1),
    );
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
