/** A 16-hex-digit key of a file's whole content and of `variant` (the options that make the cached result). */
export declare function contentKey(file: string, variant?: string): string;
/** `<dir>/<video's stem>.<content key>.<ext>`: the cache file of a video. */
export declare function contentKeyedFile(video: string, dir: string, ext: string, variant?: string): string;
/** What the cached landmark tracks are made with (the track CLI's defaults); part of their key. */
export declare const TRACK_CACHE_VARIANT: string;
