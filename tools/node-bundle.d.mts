export declare const NODE_BUNDLE_OPTIONS: Record<string, unknown>;
/** Bundles each entry to `outdir/<path>.mjs` and returns the output paths. */
export declare function bundleForNode(entryPoints: string[], outdir: string): Promise<string[]>;
