// Which module of its course an action is about. The platform says it in the action's metadata
// (`{"module": 3}`) or in a module target's id (`mod_tenkeys_3`); an action that says neither has
// no module number, and counts as a module started or completed without a place in the order.

const MAX_MODULE = 999;
const TRAILING_NUMBER = /_(\d{1,3})$/;

export function moduleNumber(fromMetadata: unknown, targetType: string | null, targetId: string | null): number | null {
  const meta = typeof fromMetadata === 'string' && /^\d{1,3}$/.test(fromMetadata) ? Number(fromMetadata) : fromMetadata;
  if (typeof meta === 'number' && Number.isInteger(meta) && meta >= 1 && meta <= MAX_MODULE) return meta;
  if (targetType === 'module' && targetId !== null) {
    const m = TRAILING_NUMBER.exec(targetId);
    const n = m ? Number(m[1]) : NaN;
    if (Number.isInteger(n) && n >= 1 && n <= MAX_MODULE) return n;
  }
  return null;
}
