import { useQuery } from '@tanstack/react-query';
import type { Role, SourceSystem, Stage } from '../../shared/enums.js';
import { actionLabel, sourceLabel, stageLabel } from '../../shared/labels.js';
import { call } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';

export { actionLabel, stageLabel };

export function SourceBadge({ source }: { source: SourceSystem | null }) {
  if (!source) return <span className="badge badge-muted">{sourceLabel(null)}</span>;
  return <span className={`badge badge-source badge-${source}`}>{sourceLabel(source)}</span>;
}

export function RoleChip({ role }: { role: Role }) {
  return <span className={`chip chip-${role}`}>{role}</span>;
}

export function PendingBadge({ title = 'Saved on this laptop; waiting to sync' }: { title?: string }) {
  return (
    <span className="badge badge-pending" title={title}>
      Pending sync
    </span>
  );
}

export function StageBadge({ stage }: { stage: Stage }) {
  return <span className={`badge badge-stage stage-${stage}`}>{stageLabel(stage)}</span>;
}

/**
 * A member's initials, and their picture over them when they have one. The core fetches
 * pictures (member.photo) only while online and hands them over as data: URLs, so the page
 * never loads from the network itself: offline, or when a picture is missing, the initials
 * simply stay, with no failed request and no broken image.
 */
export function Avatar({
  name,
  memberId = null,
  hasPhoto = false,
  size = 40,
}: {
  name: string;
  memberId?: string | null;
  hasPhoto?: boolean;
  size?: number;
}) {
  const photo = useQuery({
    queryKey: qk.photo(memberId ?? ''),
    queryFn: () => call('member.photo', { id: memberId ?? '' }),
    enabled: hasPhoto && memberId !== null,
    staleTime: 10 * 60_000,
    retry: false,
  });
  const initials = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase() ?? '')
    .join('');
  let hue = 0;
  for (const ch of name) hue = (hue * 31 + ch.charCodeAt(0)) % 360;
  const src = photo.data?.dataUrl ?? null;
  return (
    <span className="avatar" aria-hidden="true" style={{ width: size, height: size, fontSize: size * 0.4, background: `hsl(${hue} 45% 34%)` }}>
      {initials || '?'}
      {src ? <img src={src} alt="" width={size} height={size} /> : null}
    </span>
  );
}
