// The contract's limits, in one place: the zod schemas (every entrance: ingest, push, IPC, the
// pull decoder), the PostgreSQL CHECKs and the renderer's inputs (maxLength, date min/max) all
// read these, so the server can never hold a value a laptop cannot store or a person cannot type.

/** Row ids (`usr_42_maya`, `ch_07_maya`, `act_…`): at most this long, and only these characters. */
export const ROW_ID_MAX = 128;
export const ROW_ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;

export const EMAIL_MIN = 3;
export const EMAIL_MAX = 320;
export const PASSWORD_MAX = 1000;
export const PERSON_NAME_MAX = 200;
export const ORIGIN_MAX = 100;
export const PROFILE_IMG_MAX = 2000;
export const COHORT_NAME_MAX = 200;
export const COURSE_NAME_MAX = 200;
export const TARGET_ID_MAX = 128;
export const SOURCE_EVENT_ID_MAX = 256;
export const IDEMPOTENCY_KEY_MAX = 512;
/** Champion notes (and a setNotes mutation's base). */
export const NOTES_MAX = 20_000;
/** A stage move's reason. */
export const REASON_MAX = 2000;
/** What a person can type into a search box. */
export const SEARCH_QUERY_MAX = 200;

/**
 * Every stored timestamp lies in [TIMESTAMP_MIN, TIMESTAMP_MAX): the platform began long after the
 * first and the app will be gone long before the second, and both databases and every date input
 * can hold every value between them (PostgreSQL refuses year 0000; a chart cannot span 1900).
 */
export const TIMESTAMP_MIN = '2000-01-01T00:00:00.000Z';
export const TIMESTAMP_MAX = '2100-01-01T00:00:00.000Z';
/** A time a coordinator's laptop stamps (a move's `at`, a recorded action) may run this far ahead of the server's clock. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** JSON a row carries (`user_action.metadata`): nesting and serialized size. */
export const JSON_MAX_DEPTH = 16;
export const METADATA_MAX_BYTES = 16 * 1024;
