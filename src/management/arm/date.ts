/**
 * ARM's date-time as APIM writes it: UTC with seven fractional digits (.NET's "o" format), e.g.
 * `2026-04-17T09:51:58.9472187Z` in the spec's examples. Stored dates keep JavaScript's millisecond
 * form (`…58.947Z`); every date a management response carries goes through here, so they all read
 * alike. A value that is not a date is returned unchanged rather than hidden.
 */
export function armDateTime(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return new Date(time).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

