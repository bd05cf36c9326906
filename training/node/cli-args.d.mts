export type CliOptionKind = 'string' | 'boolean';
export type CliArgs<S extends Record<string, CliOptionKind>> = {
  [K in keyof S]?: S[K] extends 'boolean' ? boolean : string;
} & { _: string[] };
/** Reads the command line against the declared options (see cli-args.mjs); exits with status 2 on a bad one. */
export declare function readCliArgs<S extends Record<string, CliOptionKind>>(
  options: S,
  how?: { usage?: string; positionals?: number | [number, number]; args?: string[] },
): CliArgs<S>;
