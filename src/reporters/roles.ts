// The roles strisk gave each compose service and why (`strisk audit --explain-roles`, and `-v`),
// so a user can see a wrong guess and correct it with `roles:` in the config.
import type { RoleExplanation } from '../facts/compose-roles.js';
import { type Paint, paintOf } from './color.js';
import { terminalSafe } from './escape.js';

export interface RolesSection {
  /** The compose target (its first file). */
  target: string;
  services: RoleExplanation[];
}

export function rolesReport(
  sections: readonly RolesSection[],
  opts: { color: boolean; colors?: Paint },
): string {
  const c = paintOf(opts, 'rolesReport');
  if (sections.length === 0)
    return `${c.bold('Service roles')}: no compose model was read, so no roles to explain.\n`;
  const out: string[] = [];
  for (const s of sections) {
    out.push(
      `${c.bold('Service roles')} in ${terminalSafe(s.target)} ${c.dim('(correct a wrong guess with `roles: {SERVICE: ROLE}` in strisk.config.yaml)')}`,
    );
    const nameWidth = Math.max(7, ...s.services.map((e) => e.service.length));
    const roleWidth = Math.max(4, ...s.services.map((e) => (e.role ?? 'unknown').length));
    for (const e of s.services) {
      const role = e.role ? e.role.padEnd(roleWidth) : c.yellow('unknown'.padEnd(roleWidth));
      const where = e.file ? c.dim(`  ${terminalSafe(e.file)}:${e.line}`) : '';
      out.push(`  ${terminalSafe(e.service).padEnd(nameWidth)}  ${role}  ${terminalSafe(e.reason)}${where}`);
      if (e.oneShot && e.role !== 'job')
        out.push(
          `  ${''.padEnd(nameWidth)}  ${''.padEnd(roleWidth)}  ${c.dim(`one-shot: ${terminalSafe(e.oneShot)}`)}`,
        );
    }
    if (s.services.length === 0) out.push('  (no services)');
  }
  return `${out.join('\n')}\n`;
}
