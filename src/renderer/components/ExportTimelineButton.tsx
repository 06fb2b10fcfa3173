import { useMutation } from '@tanstack/react-query';
import type { TimelineFilter } from '../../shared/ipc.js';
import { call, errorText } from '../lib/api.js';
import { displayTimeZone, today } from '../lib/dates.js';
import { downloadText } from '../lib/downloadText.js';
import { Icon } from './Icon.js';

/** `Maya López` → `maya-lopez`, for a file name. */
const fileSlug = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'member';

/** Downloads the timeline as the filters show it (times also in the display zone). */
export function ExportTimelineButton({ filter, name }: { filter: TimelineFilter; name: string }) {
  const exportCsv = useMutation({
    mutationFn: () => call('timeline.exportCsv', { ...filter, timeZone: displayTimeZone() }),
    onSuccess: ({ csv }) => downloadText(csv, `timeline-${fileSlug(name)}-${today()}.csv`),
  });
  return (
    <>
      <button type="button" className="btn" onClick={() => exportCsv.mutate()} disabled={exportCsv.isPending}>
        <Icon name="download" /> {exportCsv.isPending ? 'Exporting…' : 'Export CSV'}
      </button>
      {exportCsv.isError ? (
        <span className="form-error small" role="alert">
          {errorText(exportCsv.error)}
        </span>
      ) : exportCsv.data?.truncated ? (
        <span className="muted small" role="status">
          The file holds the newest {exportCsv.data.rows.toLocaleString()} events; narrow the filters for the rest.
        </span>
      ) : null}
    </>
  );
}
