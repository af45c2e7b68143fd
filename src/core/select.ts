import picomatch from 'picomatch';
import type { CheckDefinition } from './check.js';

/**
 * `--only` / `--skip` by id (`compose/healthcheck`), glob (`compose/*`, `*\/memory-*`) or source
 * (`redis`: every check that requires it). Returns the patterns that matched nothing, so a typo is
 * an error rather than a silently empty audit.
 */
export function selectChecks(
  defs: readonly CheckDefinition[],
  only: readonly string[] = [],
  skip: readonly string[] = [],
  knownIds: readonly string[] = [],
): { selected: CheckDefinition[]; unmatched: string[] } {
  const matcher = (pattern: string) => {
    const glob = picomatch(pattern);
    return (d: { id: string; requires?: readonly string[] }) =>
      d.id === pattern || glob(d.id) || (d.requires ?? []).includes(pattern);
  };
  const unmatched = [...only, ...skip].filter((p) => {
    const m = matcher(p);
    return !defs.some(m) && !knownIds.some((id) => m({ id }));
  });
  const onlyM = only.map(matcher);
  const skipM = skip.map(matcher);
  const selected = defs.filter(
    (d) => (onlyM.length === 0 || onlyM.some((m) => m(d))) && !skipM.some((m) => m(d)),
  );
  return { selected, unmatched };
}
