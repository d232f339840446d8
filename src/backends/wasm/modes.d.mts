/** Types of modes.mjs. */
export declare const MODE: Readonly<{ accumulate: 0; relu: 1; gelu: 2; bias: 3 }>;
