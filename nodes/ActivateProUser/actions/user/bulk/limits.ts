// Bulk's numbers: users per request and requests in flight (the benchmark's floor reads them from the build). Uses nothing.

/** Users per POST /users/batch: the API's limit (its error code 9). */
export const MAX_BATCH_SIZE = 1000;
/** Batch requests in flight at once. */
export const SEND_CONCURRENCY = 4;
/** Read-backs in flight when a processed batch reports errors we must attribute to items. */
export const VERIFY_CONCURRENCY = 8;
/** Tracking requests in flight while waiting. */
export const POLL_CONCURRENCY = 8;
