/** The dtypes `cairn ckpt convert` writes (kept apart from the converter so the CLI parser need not load TF.js). */
export type ConvertDtype = 'float16' | 'bfloat16';
export const CONVERT_DTYPES: readonly ConvertDtype[] = ['float16', 'bfloat16'];
