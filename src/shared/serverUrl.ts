// Which server addresses the app will talk to (docs/protocol.md, "Client rules"). A
// coordinator's password and session token cross this link, so it must be https://, except to
// a server on this same computer (the demo, a local test server), where nothing crosses a
// network. Every entrance checks it: the sign-in form (ipc.ts), the CLI's --server, the
// browser host's --server, and every request (protocolClient.ts).

/** localhost, 127.0.0.0/8 or ::1: a server on this computer. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Why the app will not use this server address, in plain words, or null if it will. */
export function serverUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'is not a web address (it should look like https://sync.example.org)';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'must be an http:// or https:// URL (https:// unless the server is on this computer)';
  if (u.username || u.password) return 'must not contain a user name or password';
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
    return 'must start with https:// (plain http:// would send your password unencrypted; it is allowed only for a server on this computer)';
  }
  return null;
}
