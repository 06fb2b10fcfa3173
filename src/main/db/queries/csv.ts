// RFC 4180 CSV for spreadsheets. A cell that starts with = + - @ (or a tab / carriage
// return) is prefixed with ' so that Excel and friends show it as text instead of running
// it as a formula: member names and emails come from the public sign-up form.

const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell(value: string | null): string {
  if (value === null) return '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(cells: readonly (string | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
