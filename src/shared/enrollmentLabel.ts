/**
 * A course and its cohort in one label, without saying the course twice: cohort names already
 * begin with their course ("Ten Keys to Happier Living — Summer 2026 (Dubai)").
 */
export function enrollmentLabel(course: string | null, cohort: string | null): string {
  if (cohort && course && cohort.toLowerCase().startsWith(course.toLowerCase())) return cohort;
  if (cohort && course) return `${course} — ${cohort}`;
  return cohort ?? course ?? 'An enrollment';
}
