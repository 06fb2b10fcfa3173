// Types for electronRuntime.mjs (plain JS so the npm scripts run without a TypeScript loader).
export declare const root: string;
export declare function electronBinary(): { path: string; reason: null } | { path: null; reason: string };
export declare const NATIVE_ELECTRON_BINDING: string;
