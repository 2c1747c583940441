export { registerS3 } from './register.js';
export { S3Store } from './s3-store.js';
export { checkS3Options, type S3StoreOptions } from './options.js';
