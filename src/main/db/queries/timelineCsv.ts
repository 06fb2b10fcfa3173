import type { CallOutput, ParsedInput } from '../../../shared/ipc.js';
import { actionLabel, detailsOf, sourceLabel, targetLabel } from '../../../shared/labels.js';
import type { AppDb } from '../open.js';
import { csvLine } from './csv.js';
import { timelinePage } from './timeline.js';

// A timeline (one member's, or Recent activity) as CSV, with the screen's filters applied and
// in its order, newest first. Times twice: the stored UTC instant, and the clock time the
// coordinator reads (in their zone, named), so a spreadsheet sorts and a person reads.

/** A spreadsheet of more rows is not read by a person; the export says when it stopped. */
const TIMELINE_CSV_MAX_ROWS = 100_000;
const PAGE = 500;

const TIMELINE_CSV_HEADER = [
  'occurred_at',
  'local_time',
  'member',
  'member_id',
  'action',
  'target',
  'target_id',
  'source',
  'details',
  'pending_sync',
] as const;

export function exportTimelineCsv(
  app: AppDb,
  input: ParsedInput<'timeline.exportCsv'>,
  maxRows = TIMELINE_CSV_MAX_ROWS,
): CallOutput<'timeline.exportCsv'> {
  const localTime = new Intl.DateTimeFormat('en-GB', {
    timeZone: input.timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  const lines = [csvLine(TIMELINE_CSV_HEADER)];
  let rows = 0;
  let after: { occurredAt: string; id: string } | null = null;
  for (;;) {
    const page = timelinePage(app, { ...input, limit: Math.min(PAGE, maxRows - rows + 1), after });
    for (const item of page.items) {
      if (rows === maxRows) return { csv: lines.join(''), rows, truncated: true };
      const details = detailsOf(item.metadata, item.target_type)
        .map((d) => `${d.label}: ${d.value}`)
        .join('; ');
      lines.push(
        csvLine([
          item.occurred_at,
          localTime.format(Date.parse(item.occurred_at)),
          item.userName,
          item.user_id,
          actionLabel(item.action_type),
          targetLabel({
            targetType: item.target_type,
            targetId: item.target_id,
            metadata: item.metadata,
            courseName: item.courseName,
            cohortName: item.cohortName,
          }),
          item.target_id,
          sourceLabel(item.source_system),
          details,
          item.pending ? 'yes' : 'no',
        ]),
      );
      rows++;
    }
    if (page.nextCursor === null) return { csv: lines.join(''), rows, truncated: false };
    after = page.nextCursor;
  }
}
