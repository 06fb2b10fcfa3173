import { ROLES, type Role } from '../../../shared/enums.js';
import type { ParsedInput } from '../../../shared/ipc.js';
import { QueryInputError } from './queryInputError.js';
import { roleTest } from '../schema.js';

// The pieces of SQL every order of the people list shares: the member columns, and the role
// and origin filters over `u`.

export type PeopleFilter = ParsedInput<'people.count'>;
export type Params = Record<string, string | number>;

/** Below this many matching members a list is sorted whole; at or above it an index is walked in order. */
export const DENSE = 2000;

export const COLUMNS =
  'u.id AS id, u.name AS name, u.email AS email, u.origin AS origin, u.roles AS roles, u.profile_img AS profile_img, u.created_at AS created_at';

export interface MemberRow {
  id: string;
  name: string;
  email: string;
  origin: string | null;
  roles: string;
  profile_img: string | null;
  created_at: string;
}

/** The origin filter as SQL over `u`. */
export function originClause(filter: PeopleFilter, params: Params): string[] {
  if (filter.origins.length === 0) return [];
  params.origins = JSON.stringify(filter.origins);
  return ['u.origin IN (SELECT value FROM json_each(@origins))'];
}

/**
 * A role test with the very expression of that role's partial index (schema.ts `roleTest`),
 * written as a literal so that SQLite can use the index; role names come from the Role
 * enum (checked again here), never from free text.
 */
export function roleClause(role: Role): string {
  if (!ROLES.includes(role)) throw new QueryInputError('roles', `roles: unknown role "${role}"`);
  return roleTest('u.roles', role);
}

export const whereSql = (where: string[]) => (where.length ? ` WHERE ${where.join(' AND ')}` : '');

/** An opaque page cursor: base64url JSON, so no caller builds or reads one. */
export function encodeCursor(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

export function decodeCursorParts(raw: string): unknown {
  try {
    return JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

export const badCursor = (): QueryInputError =>
  new QueryInputError('after', 'after: is not a cursor from this search; start again from the first page');
