import { createHash } from 'node:crypto';

// A mutation's fingerprint: what tells a resend of the same change from a new change that
// reuses its id (a laptop restored from a backup, a copied data folder, a power cut that
// rolled the outbox back). sha256 of the name and the args as canonical JSON (object keys
// sorted at every level), so the same change hashes alike whatever order its keys arrive in.

function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`;
}

export function mutationFingerprint(m: { name: string; args: unknown }): string {
  return createHash('sha256')
    .update(canonical({ name: m.name, args: m.args }))
    .digest('base64url');
}
