export declare function sharedDirOrNull(): string | null;
export declare function sharedPath(...parts: string[]): string;
