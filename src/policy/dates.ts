const DAY_MS = 86_400_000;

/** Whole days from the run's date to DATE (both UTC calendar days); negative when DATE is past. */
export function daysUntil(date: string, now: string): number {
  const day = (iso: string) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10));
  return Math.round((day(date) - day(now)) / DAY_MS);
}
