import type { SourceSystem, Stage } from './enums.js';

// Words people read for the platform's codes and ids: action types, sources, stages, what an
// action was about, and the details upstream systems attach. The screens and the CSV exports
// share them, so a filter, a badge and a spreadsheet column all say the same thing. Ids stay
// available (the screens put them on hover) but are never shown as if they were words.

export const SOURCE_LABELS: Record<SourceSystem, string> = {
  webhook: 'Webhook',
  app: 'App',
  stripe: 'Stripe',
  segment: 'Segment',
  manual: 'Manual',
  cron_worker: 'Scheduled',
};

export const sourceLabel = (source: SourceSystem | null): string => (source ? SOURCE_LABELS[source] : 'Unknown source');

export const stageLabel = (stage: Stage): string => stage.charAt(0).toUpperCase() + stage.slice(1);

export const actionLabel = (type: string): string => {
  const s = type.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
};

/** `answerLength` → `Answer length`, `recorded_by` → `Recorded by`. */
export function humanizeKey(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Ids of the platform's rows (`mod_tenkeys_3`, `pst_coh_015_4702`, `usr_42_maya`): never shown as words. */
const looksLikeId = (v: string): boolean => /^[a-z]{1,8}_[A-Za-z0-9_]+$/.test(v) && /\d/.test(v);

/** What an action was about, as the timeline and the exports name it. */
export interface TargetContext {
  targetType: string | null;
  targetId: string | null;
  metadata: Record<string, unknown>;
  /** The action's enrollment's course and cohort, when it has one. */
  courseName: string | null;
  cohortName: string | null;
  /** Cohort names by id, for a target that is a cohort of another enrollment. */
  cohortNames?: ReadonlyMap<string, string>;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** `Module 3 — Exercising`, `Question 2 of module 4`, `Forum of Ten Keys … (Leeds)`; null when there is no target. */
export function targetLabel(t: TargetContext): string | null {
  if (!t.targetType) return null;
  const id = t.targetId ?? '';
  const parts = id.split('_');
  const tail = (k: number) => Number(parts[parts.length - k]);
  const cohortOf = () => {
    const m = /coh_\d+/.exec(id);
    return (m && t.cohortNames?.get(m[0])) ?? t.cohortName;
  };
  switch (t.targetType) {
    case 'module': {
      const n = num(t.metadata.module) ?? (Number.isFinite(tail(1)) ? tail(1) : null);
      const title = typeof t.metadata.title === 'string' ? ` — ${t.metadata.title}` : '';
      return n !== null ? `Module ${n}${title}` : 'A module';
    }
    case 'content_block':
      return Number.isFinite(tail(2)) && Number.isFinite(tail(1)) ? `Module ${tail(2)}, part ${tail(1)}` : 'A part of a module';
    case 'question':
      return Number.isFinite(tail(2)) && Number.isFinite(tail(1)) ? `Question ${tail(1)} of module ${tail(2)}` : 'A question';
    case 'course':
      return t.courseName ?? 'The course';
    case 'cohort':
      return (t.targetId && t.cohortNames?.get(t.targetId)) ?? t.cohortName ?? 'A cohort';
    case 'forum': {
      const c = cohortOf();
      return c ? `Forum of ${c}` : 'A forum';
    }
    case 'thread':
      return 'A forum thread';
    case 'post':
      return 'A forum post';
    default:
      return humanizeKey(t.targetType);
  }
}

/** Metadata keys already said by the target label, or ids: left out of the details list. */
const SAID_BY_TARGET = new Set(['module', 'title', 'course', 'modules']);

const DETAIL_LABELS: Record<string, string> = {
  answerLength: 'Answer length',
  minutes: 'Time spent',
  words: 'Length',
  revisit: 'Revisit',
  note: 'Note',
  recorded_by: 'Recorded by',
  reason: 'Reason',
};

function detailValue(key: string, v: unknown): string {
  if (key === 'answerLength' && typeof v === 'number') return `${v.toLocaleString('en-US')} characters`;
  if (key === 'minutes' && typeof v === 'number') return `${v} min`;
  if (key === 'words' && typeof v === 'number') return `${v.toLocaleString('en-US')} word${v === 1 ? '' : 's'}`;
  if (key === 'recorded_by' && v === 'coordinator') return 'a coordinator';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

export interface Detail {
  key: string;
  label: string;
  value: string;
}

/** The details worth reading, labelled; ids and what the target label already says are left out. */
export function detailsOf(metadata: Record<string, unknown>, targetType: string | null): Detail[] {
  const out: Detail[] = [];
  for (const [key, v] of Object.entries(metadata)) {
    if (v === null || v === undefined || v === '') continue;
    if (typeof v === 'string' && looksLikeId(v)) continue;
    if (SAID_BY_TARGET.has(key) && (targetType === 'module' || targetType === 'course' || key === 'course')) continue;
    out.push({ key, label: DETAIL_LABELS[key] ?? humanizeKey(key), value: detailValue(key, v) });
  }
  return out;
}

/** The ids behind an action (its target and any id-valued details), for the hover text. */
export function idsOf(targetId: string | null, metadata: Record<string, unknown>): string {
  const ids = [targetId, ...Object.values(metadata).filter((v): v is string => typeof v === 'string' && looksLikeId(v))];
  return ids.filter(Boolean).join(' · ');
}
