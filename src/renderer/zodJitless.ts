import { z } from 'zod';

// zod compiles faster parsers with `new Function` where it may, and probes for that once with a
// caught `new Function('')`. The app's content policy forbids eval (no 'unsafe-eval'), so the
// probe was refused and reported on every start: a CSP report the browser host logged as
// "refused by the page's content policy (script-src): eval". Jitless mode skips the probe. It
// must be set before any schema is built, so this module is main.tsx's first import.
z.config({ jitless: true });
