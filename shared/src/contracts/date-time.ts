/** RFC 3339 date-time as the CloudEvents Timestamp type (and the contracts' own times) require. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A date-time string that names a real instant: the calendar date and time fields exist (no 30 February). */
export function isRealDateTime(value: string): boolean {
  if (!RFC3339.test(value)) return false;
  // The pattern fixed every field's position; it runs once per event, hence no capture groups.
  const field = (at: number, length: number) => Number(value.slice(at, at + length));
  const y = field(0, 4);
  const mo = field(5, 2);
  const d = field(8, 2);
  // Arithmetic, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1];
  return days !== undefined && d >= 1 && d <= days && field(11, 2) <= 23 && field(14, 2) <= 59 && field(17, 2) <= 59;
}
