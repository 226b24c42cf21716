import { sleep } from 'n8n-workflow';

import { duration, type NodeLog } from './log';

/** What one attempt at an HTTP request produced: an answer (any status) or a transport failure. */
export type AttemptOutcome =
	| { kind: 'response'; statusCode: number; headers: Record<string, unknown>; body: unknown }
	| { kind: 'transportError'; error: Error; code: string; maybeProcessed: boolean };

export interface RetryPolicy {
	/** Retries after the first attempt, for connection errors and 5xx. */
	maxRetries: number;
	/** First backoff; doubles every retry (with jitter), never above maxDelayMs. */
	baseDelayMs: number;
	maxDelayMs: number;
	/** How many 429s we wait out before reporting the rate limit. */
	maxRateLimitWaits: number;
	/** Longest Retry-After we honour; a longer one is reported instead of blocking the workflow. */
	maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxRetries: 5,
	baseDelayMs: 400,
	maxDelayMs: 10_000,
	maxRateLimitWaits: 10,
	maxRetryAfterMs: 120_000,
};

export const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

// Connection failures where the request may already have reached the server (answer lost). An upsert or
// delete can be repeated safely; a create must first check whether it happened (see RetryHooks.beforeRetry).
const AMBIGUOUS_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'ESOCKETTIMEDOUT', 'ERR_SOCKET_CLOSED']);
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

// n8n replaces a network code in an error's message with a sentence of its own (NodeApiError's list of common
// errors); on n8n 1.x that sentence can be all that is left of the code, so it is read back too.
const N8N_SENTENCES: Array<[RegExp, string]> = [
	[/connection to the server was closed unexpectedly|server closed the connection unexpectedly/i, 'ECONNRESET'],
	[/connection timed out/i, 'ETIMEDOUT'],
	[/connection was aborted/i, 'ECONNABORTED'],
	[/service refused the connection/i, 'ECONNREFUSED'],
	[/connection cannot be established/i, 'ENOTFOUND'],
	[/host is unreachable/i, 'EHOSTUNREACH'],
	[/DNS server returned an error/i, 'EAI_AGAIN'],
];

/**
 * Whether an error thrown by n8n's HTTP helpers is a transport failure, and whether the request may have
 * reached the server. The same on every n8n version: the code is looked for along the whole cause chain
 * (2.x keeps it on the error, 1.x on the HTTP client's error inside NodeApiError), then in the messages.
 */
export function classifyTransportError(error: unknown): { code: string; maybeProcessed: boolean } | undefined {
	const codes: string[] = [];
	const messages: string[] = [];
	let current: unknown = error;
	for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
		const e = current as { code?: unknown; message?: unknown; response?: { status?: unknown }; cause?: unknown };
		if (typeof e.response?.status === 'number') return undefined; // an HTTP answer, not a transport failure
		if (typeof e.code === 'string' && e.code) codes.push(e.code);
		if (typeof e.message === 'string') messages.push(e.message);
		current = e.cause;
	}
	for (const code of codes) {
		if (NOT_SENT_CODES.has(code)) return { code, maybeProcessed: false };
		if (AMBIGUOUS_CODES.has(code)) return { code, maybeProcessed: true };
	}
	const text = messages.join(' | ');
	for (const [pattern, code] of N8N_SENTENCES) {
		if (pattern.test(text)) return { code, maybeProcessed: !NOT_SENT_CODES.has(code) };
	}
	if (/socket hang up|timeout|aborted|ECONNRESET/i.test(text)) return { code: codes[0] || 'ECONNRESET', maybeProcessed: true };
	if (/ECONNREFUSED/.test(text)) return { code: 'ECONNREFUSED', maybeProcessed: false };
	return undefined;
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const text = String(Array.isArray(value) ? value[0] : value).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	const at = Date.parse(text);
	return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with "equal jitter": between half and all of the doubled delay. */
export function backoffDelay(retry: number, policy: RetryPolicy, random = Math.random): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
	return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export interface RetryHooks {
	/**
	 * Called before retrying an attempt whose effect is unknown: a transport failure that may have reached
	 * the server, or a 5xx. Return an outcome to stop retrying and use it (e.g. the user a lost create did
	 * make, or an error saying it cannot be confirmed), or undefined to retry. Only needed for requests that
	 * are not safe to repeat (a create); upserts and deletes leave it out.
	 */
	beforeRetry?: (last: AttemptOutcome) => Promise<AttemptOutcome | undefined>;
	/** Wait suggested by the API's own rate-limit headers on a 429 without Retry-After. */
	rateLimitWaitMs?: (headers: Record<string, unknown>) => number | undefined;
	/** Called after every answer (pacing from rate-limit headers). */
	onResponse?: (headers: Record<string, unknown>) => Promise<void> | void;
	/** Where each decision (wait, retry, give up) is logged, and the name of the service for those lines. */
	log?: { to: NodeLog; service: string; request: string };
}

export interface RetryResult {
	outcome: AttemptOutcome;
	attempts: number;
	rateLimited: number;
}

/**
 * Runs `attempt` until it gives an answer worth returning. Connection errors and 500/502/503/504 retry with
 * backoff; 429 waits as Retry-After (or the API's reset header) says; any other status is returned at once.
 * The last outcome is returned (never thrown) so the caller can turn it into a message for the user.
 */
export async function withRetries(
	attempt: () => Promise<AttemptOutcome>,
	policy: RetryPolicy = DEFAULT_RETRY_POLICY,
	hooks: RetryHooks = {},
): Promise<RetryResult> {
	let retries = 0;
	let rateLimited = 0;
	let attempts = 0;
	const log = hooks.log;
	const what = (outcome: AttemptOutcome) =>
		outcome.kind === 'response' ? `answered ${outcome.statusCode}` : `failed (${outcome.code}${outcome.maybeProcessed ? ', may have reached it' : ''})`;
	for (;;) {
		attempts++;
		const outcome = await attempt();
		if (outcome.kind === 'response') {
			await hooks.onResponse?.(outcome.headers);
			if (outcome.statusCode === 429 && rateLimited < policy.maxRateLimitWaits) {
				const retryAfter = parseRetryAfter(outcome.headers['retry-after']);
				const headerWait = retryAfter === undefined ? hooks.rateLimitWaitMs?.(outcome.headers) : undefined;
				const wait = retryAfter ?? headerWait ?? backoffDelay(rateLimited, policy);
				const why = retryAfter !== undefined ? 'Retry-After' : headerWait !== undefined ? 'its rate-limit headers' : 'backoff';
				if (wait > policy.maxRetryAfterMs) {
					log?.to.warn(`${log.service} answered 429 to ${log.request}; it asks for ${duration(wait)}, longer than the ${duration(policy.maxRetryAfterMs)} we wait: giving up`);
					return { outcome, attempts, rateLimited };
				}
				rateLimited++;
				log?.to.info(`429 from ${log.service} (${log.request}): waiting ${duration(wait)} as ${why} says (wait ${rateLimited} of ${policy.maxRateLimitWaits})`, { waitMs: wait });
				await sleep(wait);
				continue;
			}
			if (!RETRYABLE_STATUS.has(outcome.statusCode) || retries >= policy.maxRetries) {
				if (retries > 0 || rateLimited > 0) {
					const after = `after ${attempts} attempts`;
					if (RETRYABLE_STATUS.has(outcome.statusCode) || outcome.statusCode === 429) log?.to.warn(`${log.service} ${what(outcome)} to ${log.request} ${after}: giving up`);
					else log?.to.debug(`${log.service} ${what(outcome)} to ${log.request} ${after}`);
				}
				return { outcome, attempts, rateLimited };
			}
		} else if (retries >= policy.maxRetries) {
			log?.to.warn(`${log.service} ${what(outcome)} for ${log.request} ${attempts} times: giving up`);
			return { outcome, attempts, rateLimited };
		}
		const unknownEffect = outcome.kind === 'response' || outcome.maybeProcessed;
		if (unknownEffect && hooks.beforeRetry) {
			const settled = await hooks.beforeRetry(outcome);
			if (settled) return { outcome: settled, attempts, rateLimited };
		}
		const delay = backoffDelay(retries, policy);
		log?.to.warn(`${log.service} ${what(outcome)} to ${log.request}: retry ${retries + 1} of ${policy.maxRetries} in ${duration(delay)}`, { delayMs: delay });
		await sleep(delay);
		retries++;
	}
}
