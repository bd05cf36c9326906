export interface RunningServer {
  /** Base URL, ending in '/'. */
  url: string;
  close(): Promise<void>;
}
export declare const PAGES: Record<string, { html: string; entry: string; name: string }>;
export declare const MOUNTS: Record<string, string>;
export declare function startServer(options?: {
  port?: number;
  host?: string;
  watch?: boolean;
}): Promise<RunningServer>;
