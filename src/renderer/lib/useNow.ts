import { useEffect, useState } from 'react';

/** A clock for relative labels ("2 min ago"). It re-renders labels only; it never refetches data. */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}
