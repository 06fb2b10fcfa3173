// The key a declared snake_case column name gets in TypeScript objects (the drizzle tables):
// `profile_img` -> `profileImg`, at the type level and at run time, spelled the same way twice.

/** `profile_img` -> `profileImg`, as a type: derived keys stay literal, so a renamed column is a type error at every use. */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** `profile_img` -> `profileImg`: what CamelCase says, at run time. */
export const camelCase = <S extends string>(name: S): CamelCase<S> =>
  // Each `_x` becomes `X`, as CamelCase does it one underscore at a time.
  name.replace(/_(.)/g, (_m, c: string) => c.toUpperCase()) as CamelCase<S>;
