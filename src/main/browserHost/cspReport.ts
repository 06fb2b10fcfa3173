import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeForLog } from '../hostShared/remoteContent.js';

// In the browser host the page's CSP is what refuses a photo from a host not on the list; the
// browser then posts a report here (the CSP's report-uri), and the host logs one line: the
// directive and the refused origin, never the path (a photo's path names a member).

export const CSP_REPORT_PATH = '/__afh/csp-report';
const MAX_REPORT_BYTES = 16 * 1024;
const MAX_DISTINCT_LINES = 100;

/** The log line for a report body, or null when it is not a CSP report. */
function cspReportLine(body: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const report = (parsed as { 'csp-report'?: unknown } | null)?.['csp-report'];
  if (typeof report !== 'object' || report === null) return null;
  const r = report as Record<string, unknown>;
  const directive = typeof r['effective-directive'] === 'string' ? r['effective-directive'] : r['violated-directive'];
  const blocked = r['blocked-uri'];
  if (typeof directive !== 'string' || typeof blocked !== 'string') return null;
  const what = /^[a-z-]+$/.test(directive) ? directive : 'a directive';
  // Chromium reports 'inline' / 'eval' for those refusals, and a URL for fetches.
  const from = /^[a-z-]+$/.test(blocked) ? blocked : describeForLog(blocked);
  return `[browser host] refused by the page's content policy (${what}): ${from}`;
}

/** The request body as text, or null once it passes `max` bytes (the rest is read and dropped, so the answer still arrives). */
function readBounded(req: IncomingMessage, max: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > max ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Handles POSTs to CSP_REPORT_PATH. Each distinct line is logged once per launch: a list of a
 * hundred members whose photos live elsewhere is one refusal worth one line, and any page
 * that can post here cannot flood the log.
 */
export function cspReportReceiver(log: (line: string) => void): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const seen = new Set<string>();
  return async (req, res) => {
    const body = await readBounded(req, MAX_REPORT_BYTES);
    if (body === null) {
      res.writeHead(413, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }).end('report too large');
      return;
    }
    const line = cspReportLine(body);
    if (!line) {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not a CSP report');
      return;
    }
    if (!seen.has(line) && seen.size < MAX_DISTINCT_LINES) {
      seen.add(line);
      log(line);
    }
    res.writeHead(204).end();
  };
}
