export declare const SOURCE_DIR: string;
export declare const ROOT: string;
export declare const DEFAULT_BUILD_DIR: string;
export declare const ADDON_FILE: string;
export declare const BUILD_INFO_FILE: string;
export declare function buildDir(env?: Record<string, string | undefined>): string;
export declare function sourceFiles(): { compiled: string[]; all: string[] };
export declare function sourceDigest(): string;
