import { useState } from 'react';
import type { Role, SourceSystem, Stage } from '../../shared/enums.js';

const SOURCE_LABEL: Record<SourceSystem, string> = {
  webhook: 'Webhook',
  app: 'App',
  stripe: 'Stripe',
  segment: 'Segment',
  manual: 'Manual',
  cron_worker: 'Scheduled',
};

export function SourceBadge({ source }: { source: SourceSystem | null }) {
  if (!source) return <span className="badge badge-muted">Unknown source</span>;
  return <span className={`badge badge-source badge-${source}`}>{SOURCE_LABEL[source]}</span>;
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

export const stageLabel = (stage: Stage): string => stage.charAt(0).toUpperCase() + stage.slice(1);

export const actionLabel = (type: string): string => {
  const s = type.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
};

/**
 * A member's picture, or their initials. Pictures live on the platform's servers, so offline
 * (or when one is missing) they fail to load; the initials are always there underneath.
 */
export function Avatar({ name, img = null, size = 40 }: { name: string; img?: string | null; size?: number }) {
  const [failed, setFailed] = useState(false);
  const initials = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase() ?? '')
    .join('');
  let hue = 0;
  for (const ch of name) hue = (hue * 31 + ch.charCodeAt(0)) % 360;
  const showImg = img !== null && /^https:\/\//.test(img) && !failed;
  return (
    <span
      className="avatar"
      aria-hidden="true"
      style={{ width: size, height: size, fontSize: size * 0.4, background: `hsl(${hue} 45% 38%)` }}
    >
      {initials || '?'}
      {showImg ? <img src={img} alt="" width={size} height={size} loading="lazy" onError={() => setFailed(true)} /> : null}
    </span>
  );
}
