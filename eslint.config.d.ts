/** Types of what eslint.config.js exports that tests read (the layer order). */
export declare const LAYERS: readonly string[];
