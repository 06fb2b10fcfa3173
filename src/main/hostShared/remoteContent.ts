// What the renderer may fetch from, or hand to, the outside world. A member's photo is an
// <img> pointing at a URL that came from the platform; left open (`img-src https:`), every
// photo shown would tell whichever server its URL names that this laptop is looking at that
// member. So images load only from the platform's avatar host(s), and a link leaves the app
// only for an address on a short list. Both hosts read the same policy.
//
// Where the origins come from: they are part of the build (the platform this app is made for
// serves member photos from one place), overridable per launch with AFH_AVATAR_ORIGINS and
// AFH_LINK_ORIGINS (comma-separated origins) for a deployment that serves them elsewhere. The
// default avatar origin is the demo data's, which a test keeps in step with the generator.

export interface RemoteContentPolicy {
  /** Origins the renderer may load images from (the CSP's img-src, and Electron's request filter). */
  readonly imageOrigins: readonly string[];
  /** https origins a link may open in the coordinator's own browser; `mailto:` is always allowed. */
  readonly linkOrigins: readonly string[];
}

const DEFAULT_AVATAR_ORIGINS: readonly string[] = ['https://avatars.example.org'];
/** The charity's public site (help and about pages). */
const DEFAULT_LINK_ORIGINS: readonly string[] = ['https://actionforhappiness.org', 'https://www.actionforhappiness.org'];

export const DEFAULT_REMOTE_CONTENT: RemoteContentPolicy = {
  imageOrigins: DEFAULT_AVATAR_ORIGINS,
  linkOrigins: DEFAULT_LINK_ORIGINS,
};

export class RemoteContentConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`);
    this.name = 'RemoteContentConfigError';
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * One origin as a CSP source: https://host[:port], or http:// on loopback (a local test or
 * development server). Anything with a path, a wildcard or another scheme is refused, since
 * it would widen the list in ways the reader of the setting would not expect.
 */
export function parseOrigin(text: string, variable: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new RemoteContentConfigError(variable, `"${text}" is not an origin such as https://avatars.example.org`);
  }
  const secure = u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname));
  if (!secure) throw new RemoteContentConfigError(variable, `"${text}" must be an https:// origin (http:// only on 127.0.0.1)`);
  if (u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || text.includes('*')) {
    throw new RemoteContentConfigError(variable, `"${text}" must be an origin only (scheme, host and port), without a path`);
  }
  return u.origin;
}

function originsFrom(value: string | undefined, variable: string, fallback: readonly string[]): readonly string[] {
  if (value === undefined || value.trim() === '') return fallback;
  return [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => parseOrigin(s, variable)),
    ),
  ];
}

/** The policy for this launch: the defaults, or the origins the environment names. Throws on a malformed value. */
export function remoteContentFromEnv(env: Readonly<Record<string, string | undefined>>): RemoteContentPolicy {
  return {
    imageOrigins: originsFrom(env.AFH_AVATAR_ORIGINS, 'AFH_AVATAR_ORIGINS', DEFAULT_AVATAR_ORIGINS),
    linkOrigins: originsFrom(env.AFH_LINK_ORIGINS, 'AFH_LINK_ORIGINS', DEFAULT_LINK_ORIGINS),
  };
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

export function isAllowedImage(url: string, policy: RemoteContentPolicy): boolean {
  const origin = originOf(url);
  return origin !== null && policy.imageOrigins.includes(origin);
}

/** Whether a link may be handed to the OS (the coordinator's browser or mail program). */
export function isAllowedLink(url: string, policy: RemoteContentPolicy): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  // An address to write to, nothing else: no `mailto:?body=…` tricks with other headers.
  if (u.protocol === 'mailto:') return u.search === '' && /^[^\s@?&,;%]+@[^\s@?&,;%/]+$/.test(u.pathname);
  return u.protocol === 'https:' && policy.linkOrigins.includes(u.origin);
}

/**
 * How a refused address appears in the log: its scheme and host, never its path, query or
 * (for mailto:) the address, which may name a member.
 */
export function describeForLog(url: string): string {
  try {
    const u = new URL(url);
    if (u.host) return `${u.protocol}//${u.host}`;
    return `a ${u.protocol} address`;
  } catch {
    return 'a malformed address';
  }
}
