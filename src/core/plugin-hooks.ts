// Module resolve hook registered (node:module register) only when a plugin is loaded: maps a
// plugin's `strisk/api` and `strisk/testing` imports to the running strisk's own modules.
interface Data {
  api: string;
  testing: string;
}

let own: Record<string, string> = {};

export function initialize(data: Data): void {
  own = { 'strisk/api': data.api, 'strisk/testing': data.testing };
}

type Next = (specifier: string, context: unknown) => Promise<{ url: string }>;

export async function resolve(
  specifier: string,
  context: unknown,
  next: Next,
): Promise<{ url: string; shortCircuit?: boolean }> {
  const url = own[specifier];
  if (url) return { url, shortCircuit: true };
  return next(specifier, context);
}
