// Turns what a coordinator types into FTS5 queries that cannot be misread as FTS5 syntax.
// Only letters, digits and combining marks survive (the same characters unicode61 keeps in
// a token), each piece is quoted and made a prefix, and the pieces are ANDed. So `"`, `*`,
// `(`, `NEAR`, `OR`, `-` and `:` are either separators or plain words, never operators.
// Case and accents are folded by the tokenizer itself (remove_diacritics 2), on both the
// indexed text and these quoted pieces. An email fragment such as `lopez@exa` becomes
// `"lopez"* "exa"*`, which finds maya.lopez@example.org.

const MAX_TOKENS = 12;
const MAX_TOKEN_LENGTH = 64;

function searchTokens(query: string): string[] {
  return query
    .normalize('NFC')
    .split(/[^\p{L}\p{N}\p{M}]+/u)
    .filter((t) => t.length > 0)
    .slice(0, MAX_TOKENS)
    .map((t) => t.slice(0, MAX_TOKEN_LENGTH));
}

/**
 * The search's rank buckets, best first, as disjoint MATCH expressions: members whose
 * name holds every typed prefix, then everyone else who matches (in the email, or across
 * name and email). Empty when the query holds nothing searchable.
 */
export function rankBuckets(query: string): string[] {
  const tokens = searchTokens(query);
  if (tokens.length === 0) return [];
  const all = tokens.map((t) => `"${t}"*`).join(' ');
  return [`{name} : (${all})`, `(${all}) NOT ({name} : (${all}))`];
}

/** One MATCH expression for every member the query finds, or null when it holds nothing searchable. */
export function matchAll(query: string): string | null {
  const tokens = searchTokens(query);
  return tokens.length === 0 ? null : tokens.map((t) => `"${t}"*`).join(' ');
}
