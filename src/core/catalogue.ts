// What no check definition holds: the order of the checklist's sections and the checklist items not
// implemented yet. Everything about an implemented check (id, seedRef, kind, section, wording) lives
// in its definition, built-in or plugin.
import type { CheckDefinition, CheckKind } from './check.js';
import { byNumberedText, byText } from './order.js';

/** The checklist's chapters in order (shared/checklist.md): a built-in's seedRef `2.4` is in `ClickHouse`. */
export const SECTIONS: readonly { chapter: string; name: string }[] = [
  { chapter: '1', name: 'FastAPI' },
  { chapter: '2', name: 'ClickHouse' },
  { chapter: '3', name: 'Docker' },
  { chapter: '4', name: 'Databases' },
  { chapter: '5', name: 'Monitoring' },
  { chapter: '6', name: 'Deployment' },
  { chapter: 'Phase', name: 'Kubernetes' },
];

/** A checklist item no check implements yet: listed by `strisk checks` and the sign-off report. */
export interface RoadmapItem {
  id: string;
  seedRef: string;
  kind: CheckKind;
  sources: string;
  rule: string;
  section: string;
}

// Every checklist item is implemented (the Kubernetes items by the k8s source); a new roadmap item
// goes here until a check implements it.
export const ROADMAP: readonly RoadmapItem[] = [];

/** The section of a check: its own, else its checklist chapter's, else `Other`. */
export function sectionOf(def: Pick<CheckDefinition, 'section' | 'seedRef'>): string {
  if (def.section) return def.section;
  const chapter = /^(\d+|Phase)\b/.exec(def.seedRef)?.[1];
  return SECTIONS.find((s) => s.chapter === chapter)?.name ?? 'Other';
}

/** Checklist order: by section (`sections`, the checklist's first), then seedRef, then id. */
export function bySection(
  sections: readonly string[] = SECTIONS.map((s) => s.name),
): (
  a: { id: string; seedRef: string; section: string },
  b: { id: string; seedRef: string; section: string },
) => number {
  const rank = (s: string) => {
    const i = sections.indexOf(s);
    return i < 0 ? sections.length : i;
  };
  return (a, b) =>
    rank(a.section) - rank(b.section) || byNumberedText(a.seedRef, b.seedRef) || byText(a.id, b.id);
}
