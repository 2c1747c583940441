/** The library version written into every checkpoint. Kept in step with package.json by a test. */
export const CAIRN_VERSION = '0.1.0';
